"""On PostgreSQL, indexes that hold every column the dashboard reads from the roll-ups, per
unit: a subtree's rows are then read by unit with index-only scans instead of scanning the
whole table. SQLite has no INCLUDE; its unique index on (unit, …) serves instead."""

from django.db import migrations

INDEXES = [
    (
        "occurrence_rollup_unit_cover",
        "dashboard_occurrencerollup",
        "(unit_id, due_month) INCLUDE (document_id, bucket, count)",
    ),
    (
        "completion_rollup_unit_cover",
        "dashboard_completionrollup",
        "(unit_id, done_month) INCLUDE (document_id, count)",
    ),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, columns in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {columns}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _columns in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0002_fill_rollups")]

    operations = [migrations.RunPython(create, drop)]
