"""Counters shared by every process: a fixed window per key, in the database.

The sign-in lockout and the API's rate limits must hold across several web workers and keep
holding when Redis is down; a row per key, incremented with one UPDATE, does both. Expired
rows are reused in place (the key is unique), and ``counters_prune`` deletes old ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Counter


@dataclass(frozen=True)
class Count:
    """A key's count in its current window, and when that window ends."""

    count: int
    window_ends_at: datetime
    last_at: datetime


def counter_hit(*, key: str, window: timedelta, now: datetime | None = None) -> int:
    """Count one event under ``key``: the window starts at the first event and lasts
    ``window``; an event after it starts a new one. Returns the count including this one.

    The usual case (a current window) is one ``UPDATE … RETURNING`` (PostgreSQL, and SQLite
    since 3.35): the API's rate limit pays one query a request, not two."""
    now = now or timezone.now()
    table = connection.ops.quote_name(Counter._meta.db_table)
    for _attempt in range(3):
        # One statement, atomic by itself: no transaction (or savepoint) around it.
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET count = count + 1, last_at = %s "  # noqa: S608 - names are ours
                "WHERE key = %s AND window_ends_at > %s RETURNING count",
                [_db_time(now), key, _db_time(now)],
            )
            row = cursor.fetchone()
        if row is not None:
            return int(row[0])
        with transaction.atomic():
            # An expired window starts again; a missing row is created.
            if Counter.objects.filter(key=key, window_ends_at__lte=now).update(
                count=1, window_ends_at=now + window, last_at=now
            ):
                return 1
            try:
                with transaction.atomic():
                    Counter.objects.create(
                        key=key, count=1, window_ends_at=now + window, last_at=now
                    )
                return 1
            except IntegrityError:
                continue  # another process created it meanwhile: count in its row
    return Counter.objects.get(key=key).count


def counter_give_back(*, key: str) -> None:
    """Take one back from ``key``'s current count (a try that turned out right)."""
    Counter.objects.filter(key=key, count__gt=0).update(count=F("count") - 1)


def _db_time(moment: datetime):
    return connection.ops.adapt_datetimefield_value(moment)


def counters_read(*, keys: list[str], now: datetime | None = None) -> dict[str, Count]:
    """The current (unexpired) counts of ``keys``, in one query; missing keys count 0."""
    now = now or timezone.now()
    rows = Counter.objects.filter(key__in=keys, window_ends_at__gt=now)
    return {row.key: Count(row.count, row.window_ends_at, row.last_at) for row in rows}


def counters_clear(*, keys: list[str]) -> None:
    """Forget the counts of ``keys``."""
    Counter.objects.filter(key__in=keys).delete()


def counters_clear_prefix(*, prefix: str) -> None:
    """Forget every count whose key starts with ``prefix``."""
    Counter.objects.filter(key__startswith=prefix).delete()


def counters_prune(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete windows that ended more than ``older_than`` ago; returns how many."""
    deleted, _by_model = Counter.objects.filter(
        window_ends_at__lt=timezone.now() - older_than
    ).delete()
    return deleted
