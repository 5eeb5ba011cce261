"""Jobs on a real Celery worker with a real Redis. The reminder sweep: exactly once per offset
and person, escalation after the delay, nothing more on a second run, and a worker killed in
the middle of a sweep of 10,000 occurrences that, restarted, finishes it with every reminder
exactly once. The annual report: asked for on a page, rendered by the worker, kept.

The worker is a subprocess (``celery -A cascade worker``) using the same test database, so
these tests need PostgreSQL (pytest-django's SQLite test database lives in memory) and commit
their rows (``transactional_db``). CI sets REDIS_URL and DATABASE_URL.
"""

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from notifications.models import Notification, OutboxEmail, OutboxStatus
from tests.factories import make_document, make_task, make_unit, member
from units.models import Level, Role

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("REDIS_URL")
VISIBILITY_TIMEOUT = 4  # seconds before Redis gives a dead worker's message to another

pytestmark = [
    pytest.mark.real_broker,
    pytest.mark.skipif(
        not REDIS_URL, reason="needs a real Redis: set REDIS_URL (CI does) to run the worker tests"
    ),
]


def _database_url() -> str:
    settings = connection.settings_dict
    user = settings["USER"] or ""
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    auth = f"{user}{password}@" if user else ""
    return (
        f"postgres://{auth}{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/"
        f"{settings['NAME']}"
    )


class Worker:
    """A ``celery -A cascade worker`` subprocess on the test database."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = self.log_dir / f"worker-{self.starts}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": REDIS_URL,
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        }
        self.log = log
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "cascade",
                "worker",
                "-Q",
                "celery,renders",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"pytest-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if " ready." in log.read_text(errors="replace"):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"the worker did not start:\n{log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL, as an out-of-memory killer or a pulled plug would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as error:
        pytest.fail(f"REDIS_URL is set but Redis does not answer: {error}")
    # Start from an empty queue: nothing left over from an earlier run.
    client.delete("celery", "renders", "unacked", "unacked_index", "unacked_mutex")
    yield client
    client.delete("celery", "renders", "unacked", "unacked_index", "unacked_mutex")


@pytest.fixture
def worker(transactional_db, redis_client, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker shares the test database: needs PostgreSQL, not in-memory SQLite")
    from cascade.celery import app

    assert not app.conf.task_always_eager, "with REDIS_URL set, jobs must go to Redis"
    process = Worker(tmp_path)
    process.start()
    yield process
    process.stop()


def wait_idle(client, *, timeout: float = 120) -> None:
    """Until the queue is empty and no message is being worked on (twice in a row)."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        waiting = client.llen("celery") + client.llen("renders") + client.hlen("unacked")
        quiet = quiet + 1 if waiting == 0 else 0
        if quiet >= 3:
            return
        time.sleep(0.2)
    raise AssertionError("the worker did not finish in time")


def keys() -> set[tuple[int, str, int, int]]:
    return set(
        Notification.objects.values_list("occurrence_id", "kind", "offset_days", "recipient_id")
    )


def test_a_real_worker_reminds_once_per_offset_escalates_and_adds_nothing_on_a_rerun(
    worker, redis_client
):
    from notifications import jobs

    province = make_unit("Tỉnh ủy Thử Nghiệm", code="TU")
    district = make_unit("Huyện ủy Thử Nghiệm", parent=province, level=Level.DISTRICT, code="HU")
    staff = [member(district, Role.STAFF), member(district, Role.ADMINISTRATOR)]
    leader = member(province, Role.LEADER)
    plan = make_document(province, issued_on=datetime.date(2023, 8, 10))
    make_task(plan, lead=[district], deadline_text="ngày 30/12/2023")
    wait_idle(redis_client)  # the assignment notice, queued after the commit, comes first
    Notification.objects.all().delete()
    OutboxEmail.objects.all().delete()
    due = datetime.date(2023, 12, 30)
    days = [due + datetime.timedelta(days=d) for d in range(-10, 9)]
    for day in days:
        jobs.sweep_reminders.apply_async(args=[day.isoformat()])
    wait_idle(redis_client)

    for person in staff:
        mine = list(
            Notification.objects.filter(recipient=person).values_list("kind", "offset_days")
        )
        assert sorted(mine) == [("due_soon", 1), ("due_soon", 3), ("due_soon", 7), ("overdue", 0)]
    escalations = Notification.objects.filter(kind="escalation")
    assert [(n.recipient_id, n.offset_days) for n in escalations] == [(leader.pk, 7)]
    # The escalation came on the seventh day overdue, not before.
    assert (
        escalations[0].created_at
        >= Notification.objects.get(recipient=staff[0], kind="overdue").created_at
    )
    before = (Notification.objects.count(), OutboxEmail.objects.count())
    assert OutboxEmail.objects.filter(status=OutboxStatus.SENT).count() == before[1] > 0

    for day in days:
        jobs.sweep_reminders.apply_async(args=[day.isoformat()])
    wait_idle(redis_client)
    assert (Notification.objects.count(), OutboxEmail.objects.count()) == before


def _ten_thousand_occurrences(today: datetime.date):
    """100 units with a staff member each, 10 tasks given to all of them, 10 due dates per
    unit and task: 10,000 open occurrences, from due in 7 days to 20 days late."""
    from django.contrib.auth import get_user_model

    from tasks.models import Assignment, AssignmentRole, DeadlineKind, Occurrence, Task
    from units.models import Membership

    province = make_unit("Tỉnh ủy Mười Nghìn", code="TU")
    leader = member(province, Role.LEADER)
    units = [
        make_unit(f"Huyện {i}", parent=province, level=Level.DISTRICT, code="HU")
        for i in range(100)
    ]
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"worker-test-{i}", email=f"w{i}@example.org") for i in range(100)]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=u, unit=unit, role=Role.STAFF)
            for u, unit in zip(users, units, strict=True)
        ]
    )
    plan = make_document(province, issued_on=today - datetime.timedelta(days=60))
    tasks = Task.objects.bulk_create(
        [
            Task(
                document=plan,
                position=i,
                text=f"Nhiệm vụ {i}",
                deadline_kind=DeadlineKind.RECURRING,
            )
            for i in range(10)
        ]
    )
    assignments = Assignment.objects.bulk_create(
        [Assignment(task=t, unit=u, role=AssignmentRole.LEAD) for t in tasks for u in units]
    )
    offsets = [7, 5, 3, 2, 1, 0, -1, -5, -8, -20]
    Occurrence.objects.bulk_create(
        [
            Occurrence(
                assignment=a,
                task_id=a.task_id,
                unit_id=a.unit_id,
                due_on=today + datetime.timedelta(days=d),
            )
            for a in assignments
            for d in offsets
        ],
        batch_size=2000,
    )
    staff_of = {unit.pk: user.pk for user, unit in zip(users, units, strict=True)}
    expected = set()
    for occurrence_id, unit_id, due_on in Occurrence.objects.values_list("pk", "unit_id", "due_on"):
        days_left = (due_on - today).days
        if days_left >= 0:
            stage = min(o for o in (7, 3, 1) if days_left <= o)
            expected.add((occurrence_id, "due_soon", stage, staff_of[unit_id]))
        else:
            expected.add((occurrence_id, "overdue", 0, staff_of[unit_id]))
            if days_left <= -7:
                expected.add((occurrence_id, "escalation", 7, leader.pk))
    assert Occurrence.objects.count() == 10_000
    return expected, [*users, leader]


def test_a_worker_killed_mid_sweep_and_restarted_sends_every_reminder_exactly_once(
    worker, redis_client
):
    from notifications import jobs

    today = timezone.localdate()
    expected, people = _ten_thousand_occurrences(today)
    assert len(expected) == 12_000
    Notification.objects.all().delete()

    # Small batches so that the sweep takes a while and the kill lands in its middle.
    jobs.sweep_reminders.apply_async(args=[today.isoformat(), 25])
    deadline = time.monotonic() + 60
    while Notification.objects.count() == 0:
        assert time.monotonic() < deadline, worker.log.read_text()[-3000:]
        time.sleep(0.02)
    worker.kill()
    done_before_kill = Notification.objects.count()
    assert 0 < done_before_kill < len(expected), "the kill did not land mid-sweep"

    # Redis gives the unacknowledged message to the next worker after the visibility timeout.
    time.sleep(VISIBILITY_TIMEOUT + 1)
    worker.start()
    deadline = time.monotonic() + 120
    while Notification.objects.count() < len(expected):
        assert time.monotonic() < deadline, worker.log.read_text()[-3000:]
        time.sleep(0.2)
    wait_idle(redis_client)

    assert Notification.objects.count() == len(expected)
    assert keys() == expected
    # And each person got one digest holding each of their notifications exactly once.
    digests = OutboxEmail.objects.filter(digest_on=today)
    assert digests.count() == len(people)
    assert set(digests.values_list("status", flat=True)) == {OutboxStatus.SENT}
    assert not Notification.objects.filter(email__isnull=True).exists()


def test_a_real_worker_renders_the_annual_report_the_page_asked_for(worker, redis_client, client):
    from django.urls import reverse

    from reports.models import AnnualReportFile, RenderState
    from tests.test_reports_support import build_chain, request_of

    chain = build_chain(communes=1)
    commune = chain.communes[0]
    client.force_login(member(commune, Role.STAFF))
    response = client.post(
        reverse("reports:annual_request", args=[commune.pk]),
        {"year": request_of(commune).period_key},
    )
    file = AnnualReportFile.objects.get()
    assert response.status_code == 302
    wait_idle(redis_client)
    file.refresh_from_db()
    assert file.state == RenderState.DONE, file.error
    assert (file.progress, file.draft) == (100, True)
    download = client.get(reverse("reports:annual_download", args=[file.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")
