"""Time the daily reminder sweep over a million occurrences on PostgreSQL.

Run from the project root, with PostgreSQL reachable (the database named by --database is
created, filled and, unless --keep, dropped)::

    .venv/bin/python benchmarks/bench_sweep.py \
        --server postgres://root@127.0.0.1:5432/postgres [--occurrences 1000000]

It builds a country-sized tree (34 provinces, about 3,300 communes, two staff members each,
a leader per province), one issued plan per province with 30 tasks given to every commune of
the province, and ten occurrences per assignment spread from 300 days ago to 300 days ahead
(the past ones mostly done, the rest overdue). Everything is written with COPY. It then
times, as of today:

- the first sweep (a backlog: every open overdue occurrence is notified at once),
- a second sweep the same day (steady state: nothing new; must create nothing),
- queueing the e-mails (one digest per person) and sending them (to a dummy backend).

The goal is a sweep under 60 seconds on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_SECONDS = 60.0
PROVINCES = 34
COMMUNES_PER_PROVINCE = 98  # about 3,300 communes in all
TASKS_PER_PLAN = 30
STEP = 4  # treebeard's path step


def path_of(*positions: int) -> str:
    """A materialized path (treebeard's base-36 steps of four characters)."""
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

    def step(n: int) -> str:
        out = ""
        for _ in range(STEP):
            n, rest = divmod(n, 36)
            out = digits[rest] + out
        return out

    return "".join(step(p) for p in positions)


def create_database(server: str, name: str) -> str:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(server)
    return urlunsplit(parts._replace(path=f"/{name}"))


def drop_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def generate(occurrences: int, today: date, seed: int) -> dict[str, int]:
    """Fill the database with COPY; returns what was made."""
    from django.db import connection

    from units.models import Bloc, Level

    rng = random.Random(seed)
    per_assignment = 10
    communes_total = PROVINCES * COMMUNES_PER_PROVINCE
    tasks_needed = max(1, -(-occurrences // (per_assignment * COMMUNES_PER_PROVINCE)))
    tasks_per_plan = max(1, -(-tasks_needed // PROVINCES))
    with connection.cursor() as cursor:
        raw = cursor.connection
        with raw.cursor() as cur:
            # Units: the centre, the provinces, their communes.
            with cur.copy(
                "COPY units_unit (id, path, depth, numchild, name, short_name, code, bloc, "
                "level, aliases, search_text) FROM STDIN"
            ) as copy:
                copy.write_row(
                    (
                        1,
                        path_of(1),
                        1,
                        PROVINCES,
                        "Trung ương",
                        "",
                        "TW",
                        Bloc.PARTY_COMMITTEE,
                        Level.CENTRAL,
                        "[]",
                        "",
                    )
                )
                unit_id = 1
                for p in range(1, PROVINCES + 1):
                    unit_id += 1
                    copy.write_row(
                        (
                            unit_id,
                            path_of(1, p),
                            2,
                            COMMUNES_PER_PROVINCE,
                            f"Tỉnh ủy {p}",
                            "",
                            "TU",
                            Bloc.PARTY_COMMITTEE,
                            Level.PROVINCE,
                            "[]",
                            "",
                        )
                    )
                for p in range(1, PROVINCES + 1):
                    for c in range(1, COMMUNES_PER_PROVINCE + 1):
                        unit_id += 1
                        copy.write_row(
                            (
                                unit_id,
                                path_of(1, p, c),
                                3,
                                0,
                                f"Đảng ủy xã {p}-{c}",
                                "",
                                "ĐU",
                                Bloc.PARTY_COMMITTEE,
                                Level.COMMUNE,
                                "[]",
                                "",
                            )
                        )
            province_id = {p: 1 + p for p in range(1, PROVINCES + 1)}
            commune_ids = {
                p: [
                    1 + PROVINCES + (p - 1) * COMMUNES_PER_PROVINCE + c
                    for c in range(1, COMMUNES_PER_PROVINCE + 1)
                ]
                for p in range(1, PROVINCES + 1)
            }
            # People: two staff members per commune, a leader per province.
            user_id = 0
            memberships = []
            with cur.copy(
                "COPY auth_user (id, password, is_superuser, username, first_name, last_name, "
                "email, is_staff, is_active, date_joined) FROM STDIN"
            ) as copy:
                for p in range(1, PROVINCES + 1):
                    user_id += 1
                    copy.write_row(
                        (
                            user_id,
                            "!",
                            False,
                            f"lead{p}",
                            "",
                            "",
                            f"lead{p}@example.org",
                            False,
                            True,
                            "2024-01-01T00:00:00Z",
                        )
                    )
                    memberships.append((user_id, province_id[p], "leader"))
                    for commune in commune_ids[p]:
                        for k in range(2):
                            user_id += 1
                            copy.write_row(
                                (
                                    user_id,
                                    "!",
                                    False,
                                    f"staff{commune}-{k}",
                                    "",
                                    "",
                                    f"staff{commune}-{k}@example.org",
                                    False,
                                    True,
                                    "2024-01-01T00:00:00Z",
                                )
                            )
                            memberships.append((user_id, commune, "staff"))
            with cur.copy("COPY units_membership (user_id, unit_id, role) FROM STDIN") as copy:
                for row in memberships:
                    copy.write_row(row)
            # One issued plan per province, its tasks, every commune of the province a lead.
            with cur.copy(
                "COPY plans_document (id, doc_type, style, number, issuer_id, issuer_code, "
                "issuer_name, identifier, numbering_period, status, issued_on, place, title, "
                "body, original_file, signer_capacity, signer_title, signer_name, depth, "
                "search_text, created_at, updated_at) FROM STDIN"
            ) as copy:
                for p in range(1, PROVINCES + 1):
                    copy.write_row(
                        (
                            p,
                            "KH",
                            "party",
                            str(p),
                            province_id[p],
                            "TU",
                            "",
                            f"{p}-KH/TU",
                            "2020-2025",
                            "issued",
                            today - timedelta(days=400),
                            "",
                            f"Kế hoạch {p}",
                            "",
                            "",
                            "",
                            "",
                            "",
                            0,
                            "",
                            "2024-01-01T00:00:00Z",
                            "2024-01-01T00:00:00Z",
                        )
                    )
            task_id = 0
            tasks: list[tuple[int, int]] = []
            with cur.copy(
                "COPY tasks_task (id, document_id, section, position, text, lead_text, "
                "support_text, deadline_text, deadline_kind, deadline_rrule, "
                "deadline_on_demand, deadline_corrected, requires_plan, status, created_at, "
                "updated_at) FROM STDIN"
            ) as copy:
                for p in range(1, PROVINCES + 1):
                    for t in range(tasks_per_plan):
                        task_id += 1
                        tasks.append((task_id, p))
                        copy.write_row(
                            (
                                task_id,
                                p,
                                "",
                                t,
                                f"Nhiệm vụ {t} của kế hoạch {p}",
                                "",
                                "",
                                "hằng tháng",
                                "recurring",
                                "FREQ=MONTHLY;BYMONTHDAY=-1",
                                False,
                                False,
                                False,
                                "in_progress",
                                "2024-01-01T00:00:00Z",
                                "2024-01-01T00:00:00Z",
                            )
                        )
            assignment_id = 0
            made = 0
            with (
                cur.copy(
                    "COPY tasks_assignment (id, task_id, unit_id, role, status) FROM STDIN"
                ) as assignments,
            ):
                pairs = []
                for task, p in tasks:
                    for commune in commune_ids[p]:
                        assignment_id += 1
                        pairs.append((assignment_id, task, commune))
                        assignments.write_row((assignment_id, task, commune, "lead", "in_progress"))
            with cur.copy(
                "COPY tasks_occurrence (assignment_id, task_id, unit_id, due_on, status) FROM STDIN"
            ) as copy:
                for assignment, task, commune in pairs:
                    if made >= occurrences:
                        break
                    start = rng.randrange(0, 60)
                    for k in range(per_assignment):
                        if made >= occurrences:
                            break
                        due = today + timedelta(days=-300 + start + k * 60)
                        done = due < today and rng.random() < 0.7
                        copy.write_row(
                            (assignment, task, commune, due, "done" if done else "not_started")
                        )
                        made += 1
        for table in (
            "units_unit",
            "auth_user",
            "plans_document",
            "tasks_task",
            "tasks_assignment",
        ):
            # Table names from the fixed tuple above, never from input.
            sql = "SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {}))"
            cursor.execute(sql.format(table), [table])
        cursor.execute("ANALYZE")
    return {
        "units": 1 + PROVINCES + communes_total,
        "users": user_id,
        "tasks": task_id,
        "assignments": assignment_id,
        "occurrences": made,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--server",
        default=os.environ.get("DATABASE_URL", "postgres://root@127.0.0.1:5432/postgres"),
        help="a PostgreSQL URL whose server may create databases",
    )
    parser.add_argument("--database", default="cascade_bench_sweep")
    parser.add_argument("--occurrences", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if not args.server.startswith("postgres"):
        print("The sweep benchmark needs PostgreSQL (--server postgres://…).", file=sys.stderr)
        return 2

    url = create_database(args.server, args.database)
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "cascade.settings",
            "DEBUG": "false",
            "SECRET_KEY": "benchmark-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("REDIS_URL", None)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.utils import timezone

        from notifications import services
        from notifications.models import Notification, OutboxEmail

        call_command("migrate", verbosity=0)
        today = timezone.localdate()
        start = time.perf_counter()
        made = generate(args.occurrences, today, args.seed)
        print(
            f"generated in {time.perf_counter() - start:.1f} s: "
            + ", ".join(f"{value:,} {key}" for key, value in made.items())
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FILTER (WHERE status <> 'done' AND due_on < %s), "
                "count(*) FILTER (WHERE status <> 'done' AND due_on BETWEEN %s AND %s) "
                "FROM tasks_occurrence",
                [today, today, today + timedelta(days=7)],
            )
            overdue, soon = cursor.fetchone()
        print(f"open and overdue: {overdue:,}; due within 7 days: {soon:,}")

        start = time.perf_counter()
        first = services.reminders_sweep(today=today)
        first_s = time.perf_counter() - start
        print(
            f"first sweep: {first_s:.1f} s — {first.occurrences:,} occurrences looked at, "
            f"{first.notifications:,} notifications ({first.escalations:,} escalations)"
        )
        start = time.perf_counter()
        second = services.reminders_sweep(today=today)
        second_s = time.perf_counter() - start
        print(f"second sweep, same day: {second_s:.1f} s — {second.notifications} new")
        # Queueing also sends a first round in-process (jobs run eagerly without Redis).
        start = time.perf_counter()
        queued = services.emails_queue(today=today)
        services.outbox_send(limit=1_000_000)
        mail_s = time.perf_counter() - start
        sent = OutboxEmail.objects.filter(status="sent").count()
        print(f"e-mails: {queued:,} digests queued and {sent:,} sent in {mail_s:.1f} s")
        assert second.notifications == 0
        assert Notification.objects.count() == first.notifications
        worst = max(first_s, second_s)
        verdict = "OK" if worst < GOAL_SECONDS else "TOO SLOW"
        print(
            f"sweep over {made['occurrences']:,} occurrences: {worst:.1f} s "
            f"(goal {GOAL_SECONDS:.0f} s) {verdict}"
        )
        connection.close()
        return 0 if worst < GOAL_SECONDS else 1
    finally:
        if not args.keep:
            drop_database(args.server, args.database)


if __name__ == "__main__":
    sys.exit(main())
