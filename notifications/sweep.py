"""The set-based part of the reminder sweep: inserting notifications for every member of a
unit in one statement per chunk, skipping muted plans and rows that already exist.

Used only by ``notifications.services``. PostgreSQL gets arrays (``unnest``) and
``ON CONFLICT DO NOTHING``; SQLite a ``VALUES`` list and ``INSERT OR IGNORE``. Both count the
rows actually inserted, so a second run reports zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import connection

from notifications.models import Notification, PlanMute
from units.models import WRITING_ROLES, Membership, Role


class Row(NamedTuple):
    """A notification to insert for every matching member of the ``target`` unit (a tuple,
    so the inserts read its columns in this order)."""

    target: int
    occurrence: int
    task: int
    document: int
    unit: int  # the unit the occurrence concerns
    due_on: date
    kind: str
    offset: int


STAFF_ROLES = WRITING_ROLES
LEADER_ROLES = (Role.LEADER,)
# SQLite allows 32,766 parameters a statement; eight a row.
_SQLITE_CHUNK = 3000
_PG_CHUNK = 20000


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "n": quote(Notification._meta.db_table),
        "m": quote(Membership._meta.db_table),
        "u": quote(get_user_model()._meta.db_table),
        "mute": quote(PlanMute._meta.db_table),
    }


_SELECT = """
SELECT m.user_id, v.occ, v.task, v.doc, v.unit, v.due, v.kind, v.off
FROM {source}
JOIN {m} m ON m.unit_id = v.target AND m.role IN ({roles})
JOIN {u} u ON u.id = m.user_id AND u.is_active
WHERE NOT EXISTS (
    SELECT 1 FROM {mute} pm WHERE pm.user_id = m.user_id AND pm.document_id = v.doc
)
"""
# SQLite names a VALUES list's columns column1, column2…
_SQLITE_SOURCE = (
    "(SELECT column1 AS target, column2 AS occ, column3 AS task, column4 AS doc, "
    "column5 AS unit, column6 AS due, column7 AS kind, column8 AS off "
    "FROM (VALUES {values})) AS v"
)
_COLUMNS = "(recipient_id, occurrence_id, task_id, document_id, unit_id, due_on, kind, offset_days)"


def insert_for_members(rows: Sequence[Row], *, roles: Sequence[str]) -> int:
    """Insert one notification per row and per active member of the row's target unit with
    one of ``roles``; return how many rows were new."""
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        return _insert_postgresql(rows, roles)
    return _insert_generic(rows, roles)


def _insert_postgresql(rows: Sequence[Row], roles: Sequence[str]) -> int:
    names = _tables()
    role_marks = ", ".join(["%s"] * len(roles))
    source = (
        "unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[], "
        "%s::date[], %s::varchar[], %s::smallint[]) AS v(target, occ, task, doc, unit, due, "
        "kind, off)"
    )
    sql = (
        f"INSERT INTO {names['n']} {_COLUMNS} "
        + _SELECT.format(source=source, roles=role_marks, **names)
        + " ON CONFLICT DO NOTHING"
    )
    created = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _PG_CHUNK):
            chunk = rows[start : start + _PG_CHUNK]
            columns = [list(column) for column in zip(*chunk, strict=True)]
            cursor.execute(sql, [*columns, *roles])
            created += max(cursor.rowcount, 0)
    return created


def _insert_generic(rows: Sequence[Row], roles: Sequence[str]) -> int:
    names = _tables()
    role_marks = ", ".join(["%s"] * len(roles))
    created = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _SQLITE_CHUNK):
            chunk = rows[start : start + _SQLITE_CHUNK]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            # A VALUES list as a subquery (not a WITH clause), so that the statement is an
            # INSERT and the driver reports how many rows it inserted.
            source = _SQLITE_SOURCE.format(values=values)
            sql = f"INSERT OR IGNORE INTO {names['n']} {_COLUMNS} " + _SELECT.format(
                source=source, roles=role_marks, **names
            )
            params = [value for row in chunk for value in row]
            cursor.execute(sql, [*params, *roles])
            created += max(cursor.rowcount, 0)
    return created
