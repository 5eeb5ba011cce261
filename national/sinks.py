"""Where the generator's rows go: COPY on PostgreSQL, ``bulk_create`` in batches elsewhere,
or only a digest of them (to check that one seed always gives the same rows)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from django.db import connection, models
from django.db.models import Max

# --- sinks -----------------------------------------------------------------------------------


class Sink:
    """Where the rows go. Every row also feeds a digest, so that two runs can be compared."""

    def __init__(self) -> None:
        self.hash = hashlib.sha256()
        self.counts: Counter = Counter()

    def first_id(self, model: type[models.Model]) -> int:
        return 1

    def write(self, model: type[models.Model], fields: Sequence[str], rows: list[tuple]) -> None:
        self.counts[model._meta.label] += len(rows)
        update = self.hash.update
        for row in rows:
            update(repr(row).encode())
        if rows:
            self._write(model, fields, rows)

    def _write(self, model: type[models.Model], fields: Sequence[str], rows: list[tuple]) -> None:
        """Nothing: a digest only."""

    def finish(self) -> None:
        """Called once everything is written."""


class DigestSink(Sink):
    """Writes nothing: the digest and the counts of the rows a seed gives."""


class _DatabaseSink(Sink):
    def first_id(self, model: type[models.Model]) -> int:
        return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


class BulkSink(_DatabaseSink):
    """``bulk_create`` in batches: any database (the tests' SQLite)."""

    batch_size = 500

    def _write(self, model, fields, rows):
        objects = [model(**dict(zip(fields, row, strict=True))) for row in rows]
        model.objects.bulk_create(objects, batch_size=self.batch_size)


class CopySink(_DatabaseSink):
    """PostgreSQL's COPY, the columns not given filled with the fields' defaults; the id
    sequences are moved past the rows written at the end."""

    def __init__(self, stamp: datetime) -> None:
        super().__init__()
        self.stamp = stamp
        self.tables: set[str] = set()

    def _defaults(self, model, fields) -> tuple[list[str], tuple]:
        columns, values = [], []
        for f in model._meta.concrete_fields:
            if f.attname in fields or f.primary_key:
                continue
            value = f.get_default()
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = self.stamp
            if isinstance(f, models.JSONField):
                value = json.dumps(value)
            columns.append(f.column)
            values.append(value)
        return columns, tuple(values)

    def _write(self, model, fields, rows):
        extra_columns, extra = self._defaults(model, fields)
        meta = model._meta
        named = [
            meta.get_field(name.removesuffix("_id")).column if name != "id" else "id"
            for name in fields
        ]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in [*named, *extra_columns])
        json_at = [
            i
            for i, name in enumerate(fields)
            if name != "id"
            and isinstance(meta.get_field(name.removesuffix("_id")), models.JSONField)
        ]
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
            with cursor.copy(sql) as copy:
                for row in rows:
                    if json_at:
                        row = tuple(json.dumps(v) if i in json_at else v for i, v in enumerate(row))
                    copy.write_row(row + extra)
        self.tables.add(meta.db_table)

    def finish(self):
        with connection.cursor() as cursor:
            for table in sorted(self.tables):
                # Table names come from the models written above, never from input.
                quoted = connection.ops.quote_name(table)
                sql = f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT COALESCE(max(id), 1) FROM {quoted}))"  # noqa: E501, S608
                cursor.execute(sql, [table])
            cursor.execute("ANALYZE")
