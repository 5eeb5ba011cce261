"""Faults injected as in production, each asserting the exact expected set: no e-mail sent
twice, nothing missing, nothing half-applied.

Two reminder sweeps started at the same moment; an outbox sender killed (SIGKILL) after the
mail server took a message; a mail server that refuses an address for good, says "try later"
or goes away (``tests/smtp_sink.py``); a Redis stopped at a scheduled time and started again
(a second ``redis-server`` on a port of its own); 40 parallel progress updates over a
cascade, from four processes; a request killed between saving and submitting a report.

Tests that start processes on the test database need PostgreSQL (SQLite's test database is
in memory) and skip on SQLite; those needing ``redis-server`` skip when it is absent. CI runs
them on PostgreSQL and Redis. ``FAULT_SCALE`` multiplies the sizes (``benchmarks/
bench_faults.py`` runs them larger).
"""

from __future__ import annotations

import datetime
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from notifications import services
from notifications.models import (
    EmailMode,
    Notification,
    NotificationPreference,
    OutboxEmail,
    OutboxKind,
    OutboxStatus,
    ScheduledJob,
)
from tests.factories import make_document, make_task, make_unit, member
from tests.smtp_sink import SmtpSink
from units.models import Level, Role

ROOT = Path(__file__).resolve().parent.parent
SCALE = max(1, int(os.environ.get("FAULT_SCALE", "1")))

needs_postgresql = pytest.mark.skipif(
    "postgres" not in os.environ.get("DATABASE_URL", ""),
    reason="processes share the test database: needs PostgreSQL (DATABASE_URL)",
)
needs_redis_server = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="needs the redis-server binary"
)


# --- helpers -----------------------------------------------------------------------------


def _database_url() -> str:
    settings = connection.settings_dict
    user = settings["USER"] or ""
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    auth = f"{user}{password}@" if user else ""
    return (
        f"postgres://{auth}{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/"
        f"{settings['NAME']}"
    )


def _process_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", **extra}
    env["DATABASE_URL"] = _database_url()
    env.pop("REDIS_URL", None)  # in-process jobs: these processes are the workers
    return env


def _use_sink(settings, sink: SmtpSink) -> None:
    settings.MAILERS = {
        "default": {"BACKEND": "notifications.mail.OutboxBackend"},
        "outbox": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": sink.port, "timeout": 5},
        },
    }


@pytest.fixture
def sink(settings):
    with SmtpSink() as server:
        _use_sink(settings, server)
        yield server


def _free_port() -> int:
    for port in range(6391, 6400):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    pytest.skip("no free port in 6391-6399 for a second Redis")


class SecondRedis:
    """A redis-server of the test's own, stopped and started at will."""

    def __init__(self, port: int, folder: Path) -> None:
        self.port, self.folder = port, folder
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--bind", "127.0.0.1", "--port", str(self.port)),
                *("--save", "", "--appendonly", "no", "--dir", str(self.folder)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def queued(self) -> int:
        import redis

        client = redis.Redis.from_url(self.url)
        return client.llen("celery") + client.llen("renders")


@pytest.fixture
def second_redis(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("needs the redis-server binary")
    server = SecondRedis(_free_port(), tmp_path)
    server.start()
    yield server
    server.stop()


@contextmanager
def lock_held_elsewhere(name: str):
    """The job lock ``name`` held by another session, as by a job running in another
    process."""
    from background import services as background

    if connection.vendor == "postgresql":
        import psycopg

        with psycopg.connect(_database_url().replace("postgres://", "postgresql://")) as other:
            other.execute("SELECT pg_advisory_lock(%s)", [background._lock_key(name)])
            yield
            # Said, not left to the connection's end: the server ends a closed session's
            # locks a moment after the client has gone.
            other.execute("SELECT pg_advisory_unlock(%s)", [background._lock_key(name)])
        return
    with background.run_alone(name) as held:
        assert held
        yield


def _immediate_people(count: int, *, due_in: int, today: datetime.date):
    """``count`` units under a province, each with one staff member who wants every
    notification e-mailed at once, and a task due in ``due_in`` days given to all of them."""
    province = make_unit("Tỉnh ủy Sự Cố", code="TU")
    units = [
        make_unit(f"H{i}", parent=province, level=Level.DISTRICT, code="HU") for i in range(count)
    ]
    people = [member(unit, Role.STAFF) for unit in units]
    NotificationPreference.objects.bulk_create(
        [
            NotificationPreference(
                user=person, email_mode=EmailMode.IMMEDIATE, calendar_token=f"t{person.pk}"
            )
            for person in people
        ]
    )
    plan = make_document(province, issued_on=today - datetime.timedelta(days=30))
    due = today + datetime.timedelta(days=due_in)
    for start in range(0, count, 40):  # the lead units' names fit the task's lead text
        make_task(
            plan,
            lead=units[start : start + 40],
            deadline_text=f"ngày {due.day}/{due.month}/{due.year}",
        )
    Notification.objects.all().delete()  # the assignment notices: not what is measured
    OutboxEmail.objects.all().delete()
    return people


def _start_counting(sink: SmtpSink) -> None:
    """Forget what the sink received while the data was made (the assignment notices, when
    jobs run in-process): the faults are measured from here."""
    with sink.state.lock:
        sink.state.received.clear()


def _assert_each_row_arrived_under_its_own_message_id(sink: SmtpSink) -> None:
    rows = list(OutboxEmail.objects.values_list("message_id", "status", "to_address"))
    assert {status for _id, status, _to in rows} == {OutboxStatus.SENT}
    expected = {(message_id, to) for message_id, _status, to in rows}
    arrived = {(message.message_id, message.to[0]) for message in sink.received}
    assert arrived == expected  # nothing missing, nothing under another Message-ID
    assert len({message_id for message_id, _to in expected}) == len(rows)


# --- row 1: two sweeps at the same moment ------------------------------------------------


@needs_postgresql
def test_two_reminder_sweeps_started_at_the_same_moment_send_each_email_exactly_once(
    transactional_db, sink
):
    today = timezone.localdate()
    people = _immediate_people(60 * SCALE, due_in=3, today=today)
    _start_counting(sink)
    env = _process_env(TEST_SMTP_PORT=str(sink.port))
    command = [sys.executable, "manage.py", "send_reminders", "--today", today.isoformat()]
    runs = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs

    # One due_soon notification per person, one immediate e-mail each, received once.
    assert Notification.objects.count() == len(people)
    immediate = OutboxEmail.objects.filter(kind=OutboxKind.IMMEDIATE)
    assert immediate.count() == len(people)
    assert set(immediate.values_list("recipient_id", flat=True)) == {p.pk for p in people}
    assert not Notification.objects.filter(email__isnull=True).exists()
    assert len(sink.received) == len(people)
    _assert_each_row_arrived_under_its_own_message_id(sink)


def test_a_sweep_started_while_another_runs_does_nothing_and_says_so(db, caplog):
    today = timezone.localdate()
    _immediate_people(3, due_in=3, today=today)
    with lock_held_elsewhere(services.SWEEP_LOCK):
        result = services.send_reminders(today=today)
    assert result.ran is False
    assert result.summary()["skipped"] == 1
    assert "Another reminder sweep is running" in caplog.text
    assert Notification.objects.count() == 0
    # Once the other run is over, this one runs.
    assert services.send_reminders(today=today).notifications == 3


def test_an_outbox_sender_started_while_another_runs_does_nothing(db, sink):
    _immediate_people(2, due_in=3, today=timezone.localdate())
    services.send_reminders(today=timezone.localdate())
    OutboxEmail.objects.update(status=OutboxStatus.PENDING)
    with lock_held_elsewhere(services.OUTBOX_LOCK):
        assert services.outbox_send() == 0
    assert services.outbox_send() == 2


# --- row 2: killed after the server took the message --------------------------------------


@needs_postgresql
def test_a_sender_killed_after_the_server_took_a_message_resends_it_under_the_same_message_id(
    transactional_db, sink
):
    today = timezone.localdate()
    people = _immediate_people(3 * SCALE, due_in=3, today=today)
    services.reminders_sweep(today=today)
    services.emails_queue(today=today, digests=False, send_after_commit=False)
    assert OutboxEmail.objects.count() == len(people)
    _start_counting(sink)

    # The server keeps the first message and never answers: the sender is killed waiting.
    sink.state.hang_after_data = True
    sender = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from notifications import services; "
            "services.outbox_send()",
        ],
        cwd=ROOT,
        env=_process_env(TEST_SMTP_PORT=str(sink.port)),
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not sink.received:
        assert time.monotonic() < deadline and sender.poll() is None, "nothing reached the sink"
        time.sleep(0.05)
    os.killpg(sender.pid, signal.SIGKILL)
    sender.wait(30)
    sink.state.hang_after_data = False
    sink.state.released.set()

    left = OutboxEmail.objects.get(status="sending")  # claimed, then its sender died
    assert left.message_id == sink.received[0].message_id
    # Within the resend delay nothing touches it; after it, it goes again with its Message-ID.
    assert services.outbox_send() == len(people) - 1
    assert OutboxEmail.objects.get(pk=left.pk).status == OutboxStatus.SENDING
    later = timezone.now() + datetime.timedelta(minutes=11)
    assert services.outbox_send(now=later) == 1
    assert len(sink.received) == len(people) + 1  # the one message twice…
    _assert_each_row_arrived_under_its_own_message_id(sink)  # …under one Message-ID


def test_a_row_left_being_sent_goes_again_only_after_the_delay_and_keeps_its_message_id(
    db, sink, settings
):
    settings.NOTIFICATIONS_OUTBOX_RESEND_AFTER = 600
    _immediate_people(1, due_in=3, today=timezone.localdate())
    services.reminders_sweep(today=timezone.localdate())
    services.emails_queue(today=timezone.localdate(), digests=False, send_after_commit=False)
    _start_counting(sink)
    now = timezone.now()
    # A sender claims the row and dies before sending it.
    claimed = services.outbox_claim(now=now)
    assert claimed is not None and claimed.status == OutboxStatus.SENDING
    assert claimed.claimed_by and claimed.message_id
    assert services.outbox_send(now=now + datetime.timedelta(seconds=599)) == 0
    assert services.outbox_send(now=now + datetime.timedelta(seconds=601)) == 1
    email = OutboxEmail.objects.get()
    assert (email.status, email.message_id, email.attempts) == (
        OutboxStatus.SENT,
        claimed.message_id,
        2,
    )
    assert [m.message_id for m in sink.received] == [claimed.message_id]


# --- row 3: permanent and passing refusals -----------------------------------------------


def test_an_address_refused_for_good_fails_at_once_with_the_servers_words(
    db, sink, settings, admin_client
):
    settings.NOTIFICATIONS_OUTBOX_MAX_ATTEMPTS = 2
    people = _immediate_people(3, due_in=3, today=timezone.localdate())
    refused, busy, fine = people
    sink.state.refuse = {refused.email}
    services.reminders_sweep(today=timezone.localdate())
    services.emails_queue(today=timezone.localdate(), digests=False, send_after_commit=False)
    busy_row = OutboxEmail.objects.get(recipient=busy)
    busy_row.next_attempt_at = timezone.now() + datetime.timedelta(days=1)
    busy_row.save()
    _start_counting(sink)

    assert services.outbox_send() == 1
    failed = OutboxEmail.objects.get(recipient=refused)
    assert (failed.status, failed.attempts) == (OutboxStatus.FAILED, 1)
    assert "550 5.1.1" in failed.last_error and "no such user" in failed.last_error
    assert OutboxEmail.objects.get(recipient=fine).status == OutboxStatus.SENT
    # A failed row is not tried again, however often the sender runs.
    for hours in (1, 2, 5):
        services.outbox_send(now=timezone.now() + datetime.timedelta(hours=hours))
    assert OutboxEmail.objects.get(recipient=refused).attempts == 1
    # Administrators read the server's words in the list.
    listing = admin_client.get(reverse("admin:notifications_outboxemail_changelist"))
    assert "550 5.1.1" in listing.content.decode()

    # "Try later" and a server gone away are not permanent: tried beyond the maximum.
    sink.state.try_later = True
    moment = timezone.now() + datetime.timedelta(days=2)
    for _attempt in range(3):
        services.outbox_send(now=moment)
        moment += datetime.timedelta(hours=2)
    row = OutboxEmail.objects.get(recipient=busy)
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 3)
    assert "451" in row.last_error
    sink.stop()
    services.outbox_send(now=moment)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 4)
    with SmtpSink() as back:
        _use_sink(settings, back)
        assert services.outbox_send(now=moment + datetime.timedelta(hours=2)) == 1
        assert [m.to for m in back.received] == [[busy.email]]


# --- rows 5 and 9: Redis down at a scheduled time; the visibility timeout ---------------


@needs_redis_server
def test_with_redis_down_at_a_scheduled_time_beat_keeps_the_run_due_and_sends_it_once_back(
    db, second_redis, monkeypatch
):
    from celery import Celery

    from notifications import beat

    monkeypatch.setattr(beat, "RETRY_SECONDS", 0.2, raising=False)
    app = Celery("faults", broker=second_redis.url, set_as_current=False)
    app.conf.update(
        broker_connection_timeout=1,
        broker_connection_retry=False,
        broker_connection_max_retries=1,
        task_publish_retry=False,
        timezone="Asia/Ho_Chi_Minh",
    )
    services.schedules_ensure()
    names = set(ScheduledJob.objects.values_list("name", flat=True))
    scheduler = beat.DatabaseScheduler(app=app, lazy=False)
    scheduler.tick()  # connected while Redis is up
    ScheduledJob.objects.update(last_run_at=None)
    scheduler._load()
    second_redis.stop()

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        time.sleep(min(scheduler.tick(), 0.3))
    assert ScheduledJob.objects.filter(last_run_at__isnull=False).count() == 0

    second_redis.start()
    deadline = time.monotonic() + 60
    while ScheduledJob.objects.filter(last_run_at__isnull=True).exists():
        assert time.monotonic() < deadline, "beat did not send the missed runs"
        time.sleep(min(scheduler.tick(), 0.3))
    for _ in range(20):  # and nothing more: each missed run once
        time.sleep(min(scheduler.tick(), 0.05))
    assert second_redis.queued() == len(names) == len(services.DEFAULT_SCHEDULES)


def test_a_killed_workers_short_job_is_redelivered_within_minutes_and_renders_queue_apart():
    from cascade.celery import app

    assert app.conf.broker_transport_options["visibility_timeout"] <= 300
    route = app.amqp.router.route({}, "reports.jobs.render_annual_report")
    assert route["queue"].name == "renders"
    assert app.amqp.router.route({}, "notifications.jobs.send_outbox")["queue"].name == "celery"
    compose = (ROOT / "docker-compose.yml").read_text()
    # A worker for each queue: renders never hold up the short jobs.
    assert '"-Q", "celery", ' in compose
    assert '"-Q", "renders", "--concurrency", "1"' in compose


# --- row 6: 40 parallel updates over a cascade -------------------------------------------

PARALLEL_SCRIPT = r"""
import json, sys, threading
import django
django.setup()
from django.db import connection
from tasks.models import Task
from tasks.services import task_update

jobs = json.loads(sys.argv[1])
outcomes = []
lock = threading.Lock()

def run(task_id, rounds):
    for round in range(rounds):
        task = Task.objects.select_related("document").get(pk=task_id)
        try:
            # Moving the deadline moves every unit's occurrence to another month: the
            # roll-ups of the whole subtree change in one transaction.
            task_update(actor=None, task=task, text=task.text,
                        deadline_text=f"ngày 10/{3 + round % 2}/2026")
            outcome = "ok"
        except Exception as error:
            outcome = f"{type(error).__name__}: {error}"
        with lock:
            outcomes.append(outcome)
    connection.close()

threads = [threading.Thread(target=run, args=(t, r)) for t, r in jobs]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps(outcomes))
"""


@needs_postgresql
def test_forty_parallel_updates_over_a_cascade_answer_no_500_and_keep_the_rollups_exact(
    transactional_db,
):
    import json

    from rollups.services import rollup_differences, subtree_differences

    province = make_unit("Tỉnh ủy Song Song", code="TU")
    districts = [
        make_unit(f"Huyện {d}", parent=province, level=Level.DISTRICT, code="HU") for d in range(4)
    ]
    communes = [
        make_unit(f"Xã {d}-{c}", parent=district, level=Level.COMMUNE, code="ĐU")
        for d, district in enumerate(districts)
        for c in range(5)
    ]
    # Forty plans of one cascade: every task's roll-ups share the province's and the
    # districts' subtree rows.
    root = make_document(province, issued_on=datetime.date(2025, 1, 10))
    tasks = [
        make_task(
            make_document(province, issued_on=datetime.date(2025, 2, 1), implements=root),
            lead=communes,
            deadline_text="ngày 10/3/2026",
        )
        for _i in range(40)
    ]
    rounds = 8 * SCALE
    jobs = [(task.pk, rounds) for task in tasks]
    # Four processes, as four web workers: each orders a set by its own hash seed.
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", PARALLEL_SCRIPT, json.dumps(jobs[i::4])],
            cwd=ROOT,
            env=_process_env(PYTHONHASHSEED=str(1000 + i)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(4)
    ]
    outcomes: list[str] = []
    for process in processes:
        out, err = process.communicate(timeout=900)
        assert process.returncode == 0, err[-3000:]
        outcomes += json.loads(out.strip().splitlines()[-1])
    assert len(outcomes) == 40 * rounds
    assert [o for o in outcomes if o != "ok"] == []  # no deadlock reached a request
    assert rollup_differences() == {}
    assert subtree_differences() == 0


def test_a_deadlock_is_rerun_at_the_service_boundary_a_bounded_number_of_times(
    transactional_db,
):
    import psycopg

    from cascade.services import CONFLICT_ATTEMPTS, atomic_service

    calls: list[int] = []

    def aborted(sqlstate_error) -> OperationalError:
        error = OperationalError(str(sqlstate_error))
        error.__cause__ = sqlstate_error
        return error

    @atomic_service
    def flaky(*, fail_times: int, error) -> str:
        calls.append(1)
        if len(calls) <= fail_times:
            raise aborted(error)
        return "done"

    deadlock = psycopg.errors.DeadlockDetected("deadlock detected")
    assert flaky(fail_times=2, error=deadlock) == "done"
    assert len(calls) == 3
    calls.clear()
    with pytest.raises(OperationalError):
        flaky(fail_times=99, error=deadlock)
    assert len(calls) == CONFLICT_ATTEMPTS
    calls.clear()
    with pytest.raises(OperationalError):  # not a conflict: not rerun
        flaky(fail_times=99, error=psycopg.errors.AdminShutdown("terminating connection"))
    assert len(calls) == 1


# --- row 7: one request, one transaction -------------------------------------------------


def test_a_request_killed_between_saving_and_submitting_a_report_leaves_it_as_it_was(
    db, client, monkeypatch
):
    from reports import services as report_services
    from reports.models import ReportState
    from tests.test_reports_pages import _editor_payload
    from tests.test_reports_support import build_chain, request_of

    chain = build_chain(communes=1)
    report = request_of(chain.communes[0])
    client.force_login(member(chain.communes[0], Role.STAFF))
    client.post(reverse("reports:start", args=[report.pk]))
    report.refresh_from_db()
    before = (report.version, report.results, report.state)
    audits = AuditEvent.objects.count()

    def killed(**_kwargs):
        # What the request sees when its connection is cut between the two steps.
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(report_services, "report_submit", killed)
    with pytest.raises(OperationalError):
        client.post(
            reverse("reports:save", args=[report.pk]),
            _editor_payload(report, results="Kết quả mới", action="submit"),
        )
    report.refresh_from_db()
    assert (report.version, report.results, report.state) == before
    assert before[2] == ReportState.DRAFT
    assert AuditEvent.objects.count() == audits
