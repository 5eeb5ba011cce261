"""Keeping the dashboard's roll-up tables current.

The task services call these at the points where occurrences are created, change state or are
deleted, inside their own transaction:

    mark = rollups_mark(task=task)      # before the change: what these occurrences count as
    ...                                 # the change
    rollups_settle(mark)                # after: add the difference to the roll-ups

and ``rollups_forget(assignment=…)`` just before an assignment (and so its occurrences) is
deleted. The difference is applied as increments (``count = count + delta``, inserting the row
when it is missing, in one statement per table), so concurrent changes to different tasks add
up without reading each other's rows. Changes to the same task are serialised by locking the
task row, which the task services also lock; rows are written in key order so that two
transactions sharing rows never deadlock (the services rerun a transaction the database
aborted anyway: ``cascade.services.atomic_service``).

What an occurrence counts as does not depend on today: its unit, its task's document, the
month it is due, and a bucket (not started, in progress, done on time, done late); a done one
also counts in the month it was completed. A unit's share fulfilled by linking its
implementing plan counts as done, on the day the share was completed.

When the app is not installed these functions do nothing, so the task services never depend on
it. ``rollups_rebuild`` recomputes everything (``manage.py rebuild_rollups``).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, TruncMonth

from tasks.models import Assignment, Occurrence, Task, TaskStatus

# Keys of the tallies: ("due", unit, document, due month, bucket) and ("done", unit,
# document, completion month).
Key = tuple
UPSERT_BATCH = 500

logger = logging.getLogger(__name__)


def done_condition(prefix: str = "") -> Q:
    """An occurrence is done when its own status says so, or when its unit's share was
    fulfilled by linking an implementing plan."""
    return Q(**{f"{prefix}status": TaskStatus.DONE}) | Q(
        **{f"{prefix}assignment__fulfilled_by__isnull": False}
    )


def with_buckets(occurrences: QuerySet[Occurrence]) -> QuerySet[Any]:
    """Annotate ``bucket``, ``due_month`` and ``done_month`` (None unless done)."""
    done = done_condition()
    return occurrences.annotate(
        completed=Coalesce("completed_on", "assignment__completed_on", "due_on"),
    ).annotate(
        bucket=Case(
            When(done & Q(completed__gt=F("due_on")), then=Value("done_late")),
            When(done, then=Value("done_on_time")),
            When(status=TaskStatus.IN_PROGRESS, then=Value("in_progress")),
            default=Value("not_started"),
            output_field=CharField(),
        ),
        due_month=TruncMonth("due_on"),
        done_month=Case(When(done, then=TruncMonth("completed"))),
    )


def tally(occurrences: QuerySet[Occurrence]) -> Counter:
    """The roll-up counts of ``occurrences``, counted in the database."""
    rows = (
        with_buckets(occurrences)
        .order_by()
        .values_list("unit_id", "task__document_id", "due_month", "bucket", "done_month")
        .annotate(n=Count("pk"))
    )
    counts: Counter = Counter()
    for unit_id, document_id, due_month, bucket, done_month, n in rows:
        counts[("due", unit_id, document_id, _as_date(due_month), bucket)] += n
        if done_month is not None:
            counts[("done", unit_id, document_id, _as_date(done_month))] += n
    return counts


def _as_date(value: date) -> date:
    # TruncMonth of a date column is a date on every backend; be safe with datetimes.
    return value.date() if hasattr(value, "date") else value


def _enabled() -> bool:
    return apps.is_installed("dashboard")


@dataclass
class RollupMark:
    """What a set of occurrences counted as before a change."""

    condition: Q | None
    before: Counter = field(default_factory=Counter)
    empty: bool = False


def rollups_mark(
    *,
    task: Task | None = None,
    occurrence: Occurrence | None = None,
    assignment: Assignment | None = None,
    empty: bool = False,
) -> RollupMark:
    """Record what the occurrences of ``task`` (or one ``occurrence``, or one
    ``assignment``'s) count as now; ``empty`` says there are none yet (a new task)."""
    if not _enabled():
        return RollupMark(condition=None)
    if task is not None:
        condition, task_ids = Q(task_id=task.pk), Q(pk=task.pk)
    elif occurrence is not None:
        condition = Q(pk=occurrence.pk)
        task_ids = Q(pk=occurrence.task_id)
    elif assignment is not None:
        condition, task_ids = Q(assignment_id=assignment.pk), Q(pk=assignment.task_id)
    else:
        raise TypeError("rollups_mark() needs a task, an occurrence or an assignment")
    if not empty:
        _lock(task_ids)
    return RollupMark(
        condition=condition,
        before=Counter() if empty else tally(Occurrence.objects.filter(condition)),
        empty=empty,
    )


def rollups_settle(mark: RollupMark, created: Iterable[Occurrence] | None = None) -> None:
    """Add to the roll-ups what changed since ``mark``. For a mark taken ``empty`` (a new
    task), ``created`` may give the occurrences just created, which are all not started:
    they are counted without reading them back."""
    if mark.condition is None:
        return
    if mark.empty and created is not None:
        after: Counter = Counter()
        for occurrence in created:
            month = occurrence.due_on.replace(day=1)
            key = ("due", occurrence.unit_id, occurrence.task.document_id, month, "not_started")
            after[key] += 1
    else:
        after = tally(Occurrence.objects.filter(mark.condition))
    _apply({key: after[key] - mark.before[key] for key in after.keys() | mark.before.keys()})


def rollups_forget(*, assignment: Assignment) -> None:
    """Take out what ``assignment``'s occurrences count for; call it just before the
    assignment is deleted (its occurrences go with it)."""
    if not _enabled():
        return
    _lock(Q(pk=assignment.task_id))
    counts = tally(Occurrence.objects.filter(assignment_id=assignment.pk))
    _apply({key: -n for key, n in counts.items()})


def _lock(tasks: Q) -> None:
    """Serialise roll-up changes to the same task: the task row is locked until commit."""
    if not connection.get_autocommit():
        list(Task.objects.select_for_update().filter(tasks).values_list("pk", flat=True))


def _apply(delta: dict[Key, int]) -> None:
    due_rows = [(*key[1:], n) for key, n in delta.items() if n and key[0] == "due"]
    done_rows = [(*key[1:], n) for key, n in delta.items() if n and key[0] == "done"]
    from rollups.models import (
        CompletionRollup,
        OccurrenceRollup,
        SubtreeCompletion,
        SubtreeRollup,
    )

    _upsert(OccurrenceRollup, ["unit_id", "document_id", "due_month", "bucket"], due_rows)
    _upsert(CompletionRollup, ["unit_id", "document_id", "done_month"], done_rows)
    subtree = _subtree_delta(delta)
    _upsert(
        SubtreeRollup,
        ["unit_id", "cascade_id", "due_month", "bucket"],
        [(*key[1:], n) for key, n in subtree.items() if n and key[0] == "due"],
    )
    _upsert(
        SubtreeCompletion,
        ["unit_id", "cascade_id", "done_month"],
        [(*key[1:], n) for key, n in subtree.items() if n and key[0] == "done"],
    )
    if due_rows or done_rows:
        transaction.on_commit(bump_version)


def _subtree_delta(delta: dict[Key, int]) -> Counter:
    """The same changes keyed by each ancestor of the unit (itself included) and by the
    cascade of the document, for the subtree tables (three small queries)."""
    from plans.models import Document
    from units.models import Unit

    changed = {key: n for key, n in delta.items() if n}
    if not changed:
        return Counter()
    paths = dict(Unit.objects.filter(pk__in={key[1] for key in changed}).values_list("pk", "path"))
    step = Unit.steplen
    prefixes = {p[:end] for p in paths.values() for end in range(step, len(p) + 1, step)}
    ids = dict(Unit.objects.filter(path__in=prefixes).values_list("path", "pk"))
    cascades = {
        pk: root_id or pk
        for pk, root_id in Document.objects.filter(pk__in={key[2] for key in changed}).values_list(
            "pk", "root_id"
        )
    }
    out: Counter = Counter()
    for key, n in changed.items():
        path = paths.get(key[1], "")
        for end in range(step, len(path) + 1, step):
            ancestor = ids.get(path[:end])
            if ancestor is not None and key[2] in cascades:
                out[(key[0], ancestor, cascades[key[2]], *key[3:])] += n
    return out


VERSION_KEY = "dashboard:figures-version"


def bump_version() -> None:
    """Tell cached dashboard figures (``dashboard.caching``) that the roll-ups changed: called
    once the change is committed, so a reader never caches figures older than it."""
    from django.core.cache import cache

    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:
            cache.add(VERSION_KEY, 1, timeout=None)
    except Exception as error:  # the cache server is down: the saved change must not fail
        # Cached sections also expire after DASHBOARD_CACHE_SECONDS, so they catch up.
        logger.warning("Could not bump the dashboard figures' version (%s).", error)


def _upsert(model, key_columns: list[str], rows: list[tuple]) -> None:
    """``count = count + delta`` for each row, inserting the rows that do not exist yet: one
    INSERT … ON CONFLICT DO UPDATE (PostgreSQL and SQLite both have it) per batch.

    Rows are written in the order of their keys: two transactions touching some of the same
    rows (two tasks of one cascade share their ancestors' subtree rows) then lock them in the
    same order, so one waits for the other instead of each waiting for the other (a
    deadlock). The tables themselves are always written in the same order (``_apply``)."""
    if not rows:
        return
    rows = sorted(rows, key=_sort_key)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [*key_columns, "count"]
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    count = quote("count")
    with connection.cursor() as cursor:
        for start in range(0, len(rows), UPSERT_BATCH):
            batch = rows[start : start + UPSERT_BATCH]
            sql = (
                f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
                f"VALUES {', '.join([placeholders] * len(batch))} "
                f"ON CONFLICT ({', '.join(quote(c) for c in key_columns)}) "
                f"DO UPDATE SET {count} = {table}.{count} + excluded.{count}"
            )
            params: list = []
            for row in batch:
                params.extend(_db_value(value) for value in row)
            cursor.execute(sql, params)


def _sort_key(row: tuple) -> tuple:
    """A total order on a row's key columns (all but the count); None sorts last."""
    return tuple((value is None, "" if value is None else value) for value in row[:-1])


def _db_value(value):
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value


def stored_rollups() -> Counter:
    """The roll-up tables as a tally (rows counting zero left out), for checks and tests."""
    from rollups.models import CompletionRollup, OccurrenceRollup

    counts: Counter = Counter()
    for unit_id, document_id, month, bucket, n in OccurrenceRollup.objects.exclude(
        count=0
    ).values_list("unit_id", "document_id", "due_month", "bucket", "count"):
        counts[("due", unit_id, document_id, month, bucket)] = n
    for unit_id, document_id, month, n in CompletionRollup.objects.exclude(count=0).values_list(
        "unit_id", "document_id", "done_month", "count"
    ):
        counts[("done", unit_id, document_id, month)] = n
    return counts


def rollup_differences() -> dict[Key, tuple[int, int]]:
    """``{key: (stored, recomputed)}`` wherever the roll-ups disagree with the occurrences."""
    stored = stored_rollups()
    fresh = tally(Occurrence.objects.all())
    return {
        key: (stored[key], fresh[key])
        for key in stored.keys() | fresh.keys()
        if stored[key] != fresh[key]
    }


@transaction.atomic
def rollups_rebuild() -> int:
    """Recompute the roll-up tables from the occurrences. Returns how many rows it wrote."""
    from rollups.models import CompletionRollup, OccurrenceRollup

    rows = rebuild_tables(Occurrence, OccurrenceRollup, CompletionRollup)
    rows += rebuild_subtree_tables()
    transaction.on_commit(bump_version)
    return rows


# The subtree tables summed from the per-unit ones in the database: for each depth, every
# unit's rows are added to its ancestor at that depth (a path prefix), whatever the backend.
_SUBTREE_SQL = """
INSERT INTO {target} (unit_id, cascade_id, {month}, {extra}{count_col})
SELECT ancestor.id, COALESCE(doc.root_id, doc.id), r.{month}, {r_extra}SUM(r.{count_col})
FROM {source} r
JOIN {unit} u ON u.id = r.unit_id
JOIN {unit} ancestor ON ancestor.path = SUBSTR(u.path, 1, %s) AND u.depth >= %s
JOIN {document} doc ON doc.id = r.document_id
GROUP BY ancestor.id, COALESCE(doc.root_id, doc.id), r.{month}{group_extra}
"""


def rebuild_subtree_tables() -> int:
    """Empty the subtree tables and fill them from the per-unit roll-ups (one statement per
    level of the tree, summed in the database). Returns how many rows it wrote."""
    from plans.models import Document
    from rollups.models import (
        CompletionRollup,
        OccurrenceRollup,
        SubtreeCompletion,
        SubtreeRollup,
    )
    from units.models import Unit

    SubtreeRollup.objects.all().delete()
    SubtreeCompletion.objects.all().delete()
    depth = Unit.objects.aggregate(top=models.Max("depth"))["top"] or 0
    quote = connection.ops.quote_name
    tables = [
        (SubtreeRollup, OccurrenceRollup, "due_month", True),
        (SubtreeCompletion, CompletionRollup, "done_month", False),
    ]
    with connection.cursor() as cursor:
        for target, source, month, bucket in tables:
            # Table and column names come from the models above, never from input.
            sql = _SUBTREE_SQL.format(
                target=quote(target._meta.db_table),
                source=quote(source._meta.db_table),
                unit=quote(Unit._meta.db_table),
                document=quote(Document._meta.db_table),
                month=month,
                extra="bucket, " if bucket else "",
                r_extra="r.bucket, " if bucket else "",
                group_extra=", r.bucket" if bucket else "",
                count_col=quote("count"),
            )
            for level in range(1, depth + 1):
                cursor.execute(sql, [level * Unit.steplen, level])
    return SubtreeRollup.objects.count() + SubtreeCompletion.objects.count()


def subtree_differences() -> int:
    """How many subtree roll-up rows differ from the per-unit roll-ups summed again (for the
    repair command's check): 0 when they agree."""
    from rollups.models import SubtreeCompletion, SubtreeRollup

    def snapshot() -> set:
        return set(
            SubtreeRollup.objects.exclude(count=0).values_list(
                "unit_id", "cascade_id", "due_month", "bucket", "count"
            )
        ) | set(
            SubtreeCompletion.objects.exclude(count=0).values_list(
                "unit_id", "cascade_id", "done_month", "count"
            )
        )

    stored = snapshot()
    sid = transaction.savepoint()
    try:
        rebuild_subtree_tables()
        fresh = snapshot()
    finally:
        transaction.savepoint_rollback(sid)
    return len(stored ^ fresh)


def rebuild_tables(occurrence_model, rollup_model, completion_model) -> int:
    """Empty the roll-up tables and fill them from the occurrences (the models are passed in
    so that the data migration can use its historical ones)."""
    rollup_model.objects.all().delete()
    completion_model.objects.all().delete()
    counts = tally(occurrence_model.objects.all())
    due = [
        rollup_model(unit_id=key[1], document_id=key[2], due_month=key[3], bucket=key[4], count=n)
        for key, n in counts.items()
        if key[0] == "due"
    ]
    done = [
        completion_model(unit_id=key[1], document_id=key[2], done_month=key[3], count=n)
        for key, n in counts.items()
        if key[0] == "done"
    ]
    rollup_model.objects.bulk_create(due, batch_size=2000)
    completion_model.objects.bulk_create(done, batch_size=2000)
    return len(due) + len(done)


def describe(differences: Iterable[tuple[Key, tuple[int, int]]]) -> list[str]:
    """One line per difference, for the command's output."""
    return [
        f"{' '.join(str(part) for part in key)}: stored {stored}, occurrences {fresh}"
        for key, (stored, fresh) in differences
    ]
