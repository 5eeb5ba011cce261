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
task row, which the task services also lock.

What an occurrence counts as does not depend on today: its unit, its task's document, the
month it is due, and a bucket (not started, in progress, done on time, done late); a done one
also counts in the month it was completed. A unit's share fulfilled by linking its
implementing plan counts as done, on the day the share was completed.

When the app is not installed these functions do nothing, so the task services never depend on
it. ``rollups_rebuild`` recomputes everything (``manage.py rebuild_rollups``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, TruncMonth

from tasks.models import Assignment, Occurrence, Task, TaskStatus

# Keys of the tallies: ("due", unit, document, due month, bucket) and ("done", unit,
# document, completion month).
Key = tuple
UPSERT_BATCH = 500


def done_condition(prefix: str = "") -> Q:
    """An occurrence is done when its own status says so, or when its unit's share was
    fulfilled by linking an implementing plan."""
    return Q(**{f"{prefix}status": TaskStatus.DONE}) | Q(
        **{f"{prefix}assignment__fulfilled_by__isnull": False}
    )


def with_buckets(occurrences: QuerySet[Occurrence]) -> QuerySet[Occurrence]:
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
    from dashboard.models import CompletionRollup, OccurrenceRollup

    _upsert(OccurrenceRollup, ["unit_id", "document_id", "due_month", "bucket"], due_rows)
    _upsert(CompletionRollup, ["unit_id", "document_id", "done_month"], done_rows)


def _upsert(model, key_columns: list[str], rows: list[tuple]) -> None:
    """``count = count + delta`` for each row, inserting the rows that do not exist yet: one
    INSERT … ON CONFLICT DO UPDATE (PostgreSQL and SQLite both have it) per batch."""
    if not rows:
        return
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


def _db_value(value):
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value


def stored_rollups() -> Counter:
    """The roll-up tables as a tally (rows counting zero left out), for checks and tests."""
    from dashboard.models import CompletionRollup, OccurrenceRollup

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
    """Recompute both roll-up tables from the occurrences. Returns how many rows it wrote."""
    from dashboard.models import CompletionRollup, OccurrenceRollup

    return rebuild_tables(Occurrence, OccurrenceRollup, CompletionRollup)


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
