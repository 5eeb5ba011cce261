"""The national-scale benchmark suite: the synthetic Vietnam of ``manage.py generate_nation``
on PostgreSQL, measured the way its users meet it.

    DATABASE_URL=postgres://root@127.0.0.1:5432/cascade_national \\
        .venv/bin/python benchmarks/national.py [--generate] [--label after]

``--generate`` creates the database when missing, migrates it and loads the national cascade
(seed 1, the 2025 shape) when it holds no units. Then it measures and prints:

1. the root and a province dashboard: server time, median and 95th percentile over repeated
   requests, and the ratio to a trivial page (the login form) measured in the same run;
2. the cascade page of 21-CT/TW, of a province plan and of a commune plan, and a node opened;
3. saving a task update (the progress form of a commune's staff member) and the time until
   the root dashboard shows it;
4. the reminder sweep over every occurrence (in a transaction rolled back afterwards);
5. rolling up the national annual report (in a transaction rolled back afterwards);
6. 50 simulated users on mixed pages for 60 s against gunicorn on 127.0.0.1 (each waits
   0.5–1.5 s between pages, as a person reading does; the run stops by itself).

With ``REDIS_URL`` set (a Redis database kept for the benchmark: it is emptied at the start),
the dashboards cache their whole-subtree sections as in production and a Celery worker runs
beside the suite to recompute stale ones; the first request after the cache was emptied is
reported on its own. Without it nothing is cached.

The figures are appended to ``benchmarks/RESULTS.md`` as a Markdown table with the machine,
the date and the commit, after the runs already there. Nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://root@127.0.0.1:5432/cascade_national"
ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "cascade.settings",
    "DEBUG": "false",
    "SECRET_KEY": "benchmark-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_SSL_REDIRECT": "false",
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    "LOG_LEVEL": "WARNING",
    # The pages need the hashed static files of production settings: collected once here.
    "STATIC_ROOT": str(Path(tempfile.gettempdir()) / "cascade-national-static"),
}
TARGETS = {
    "dashboard_p95": 150.0,
    "dashboard_ratio": 5.0,
    "cascade_p95": 200.0,
    "visible_ms": 1000.0,
    "sweep_s": 60.0,
    "rollup_s": 10.0,
    "load_p95": 300.0,
}


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def timed_get(client, url: str, runs: int, params: dict | None = None) -> list[float]:
    """Server time of ``runs`` GETs through the whole Django stack (after one warm-up)."""
    first_request(client, url, params)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url, params or {})
        times.append((time.perf_counter() - started) * 1000)
    return times


def first_request(client, url: str, params: dict | None = None) -> float:
    """Milliseconds of one GET, which must succeed."""
    started = time.perf_counter()
    response = client.get(url, params or {})
    if response.status_code != 200:
        raise RuntimeError(f"{url} {params}: HTTP {response.status_code}")
    return (time.perf_counter() - started) * 1000


def start_worker() -> subprocess.Popen | None:
    """A Celery worker for the jobs the pages queue (stale dashboard sections), when Redis is
    configured; stopped by ``stop``."""
    if not os.environ.get("REDIS_URL"):
        return None
    celery = shutil.which("celery", path=str(Path(sys.executable).parent))
    return subprocess.Popen(  # noqa: S603
        [
            celery,
            "-A",
            "cascade",
            "worker",
            "-Q",
            "celery,renders",
            "--concurrency",
            "1",
            "--loglevel",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, **ENVIRONMENT},
        start_new_session=True,
    )


def stop(process: subprocess.Popen | None) -> None:
    if process is None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


class Suite:
    """The measurements, each adding rows to ``self.rows``: (item, figure, target, met)."""

    def __init__(self, args: argparse.Namespace) -> None:
        from django.contrib.auth import get_user_model
        from django.test import Client

        from plans.models import Document
        from units.models import Bloc, Level, Unit

        self.args = args
        self.rows: list[tuple[str, str, str, str]] = []
        self.notes: list[str] = []
        users = get_user_model().objects
        self.directive = Document.objects.get(identifier="21-CT/TW", root__isnull=True)
        self.centre_leader = users.get(username="tw.lanhdao")
        self.province = (
            Unit.objects.filter(depth=2, level=Level.PROVINCE, bloc=Bloc.PARTY_COMMITTEE)
            .order_by("path")
            .first()
        )
        self.province_leader = users.get(username=f"tinh{1:02d}.lanhdao")
        self.Client = Client

    def client_for(self, user):
        client = self.Client()
        client.force_login(user)
        return client

    def add(self, item: str, figure: str, target: str = "", met: bool | None = None) -> None:
        verdict = "" if met is None else ("yes" if met else "**no**")
        self.rows.append((item, figure, target, verdict))
        print(f"{item:<58} {figure:<36} {target:<14} {verdict}", flush=True)

    # 1 -------------------------------------------------------------------------------------
    def dashboards(self) -> None:
        from django.core.cache import cache
        from django.urls import reverse

        from dashboard.caching import cache_seconds

        runs = self.args.runs
        if cache_seconds():
            cache.clear()
        trivial = timed_get(self.client_for(self.centre_leader), reverse("login"), runs)
        trivial_median = statistics.median(trivial)
        self.add(
            "trivial page (login form), ms median / p95",
            f"{trivial_median:.1f} / {percentile(trivial, 0.95):.1f}",
        )
        cases = [
            ("root dashboard (centre leader)", self.centre_leader, {}),
            ("province dashboard (province leader)", self.province_leader, {}),
            (
                "province dashboard, drilled from the root",
                self.centre_leader,
                {"unit": self.province.pk},
            ),
        ]
        for label, user, params in cases:
            client = self.client_for(user)
            query = {"directive": self.directive.pk, **params}
            if cache_seconds():
                cold = first_request(client, reverse("dashboard"), query)
                self.add(f"{label}, first request with the cache empty, ms", f"{cold:.0f}")
            times = timed_get(client, reverse("dashboard"), runs, query)
            p95 = percentile(times, 0.95)
            ratio = statistics.median(times) / trivial_median
            self.add(
                f"{label}, ms median / p95 (× trivial)",
                f"{statistics.median(times):.1f} / {p95:.1f} (× {ratio:.1f})",
                "p95 < 150, < 5×",
                p95 < TARGETS["dashboard_p95"] and ratio < TARGETS["dashboard_ratio"],
            )

    # 2 -------------------------------------------------------------------------------------
    def cascade(self) -> None:
        from django.urls import reverse

        from plans import selectors
        from plans.models import Document

        if self.args.whole_cascade:
            # What the page did before it was shown level by level: the whole tree.
            selectors.CASCADE_WHOLE_LIMIT = 10**9
        client = self.client_for(self.centre_leader)
        province_plan = Document.objects.get(issuer=self.province, root=self.directive)
        commune_plan = (
            Document.objects.filter(implements=province_plan, issuer__level="commune")
            .order_by("pk")
            .first()
        )
        runs = 3 if self.args.whole_cascade else self.args.runs
        cases = [
            ("cascade page of 21-CT/TW", reverse("cascade", args=[self.directive.pk])),
            ("cascade page of a province plan", reverse("cascade", args=[province_plan.pk])),
            ("cascade page of a commune plan", reverse("cascade", args=[commune_plan.pk])),
        ]
        if not self.args.whole_cascade:
            cases.append(
                (
                    "a province plan opened (htmx fragment)",
                    reverse("cascade_children", args=[province_plan.pk]),
                )
            )
        for label, url in cases:
            times = timed_get(client, url, runs)
            p95 = percentile(times, 0.95)
            size = len(client.get(url).content)
            self.add(
                f"{label}, ms median / p95 ({size // 1024} KB)",
                f"{statistics.median(times):.1f} / {p95:.1f}",
                "p95 < 200",
                p95 < TARGETS["cascade_p95"],
            )

    # 3 -------------------------------------------------------------------------------------
    def task_update(self) -> None:
        from django.db.models import Exists, OuterRef
        from django.urls import reverse
        from django.utils import timezone

        from dashboard.filters import resolve
        from dashboard.views import page_context
        from tasks.models import Occurrence
        from units.models import Membership

        today = timezone.localdate()
        staffed = Membership.objects.filter(unit_id=OuterRef("unit_id"), role="staff")
        occurrence = (
            Occurrence.objects.filter(Exists(staffed), status="not_started", due_on__lt=today)
            .filter(task__document__root=self.directive)
            .order_by("pk")
            .first()
        )
        staff = Membership.objects.filter(unit_id=occurrence.unit_id, role="staff").first().user

        def done_at_root() -> int:
            filters = resolve(
                self.centre_leader, {"directive": str(self.directive.pk)}, today=today
            )
            return page_context(filters)["states"].done

        before = done_at_root()
        client = self.client_for(staff)
        started = time.perf_counter()
        response = client.post(
            reverse("progress_create", args=[occurrence.assignment_id]),
            {"status": "done", "note": "Đã hoàn thành (benchmark)", "occurrence": occurrence.pk},
        )
        saved = time.perf_counter()
        if response.status_code not in (200, 302):
            raise RuntimeError(f"progress form: HTTP {response.status_code}")
        while done_at_root() == before:
            if time.perf_counter() - saved > 30:
                raise RuntimeError("the dashboard did not show the update within 30 s")
        shown = time.perf_counter()
        visible = (shown - started) * 1000
        self.add("save a task update (progress form), ms", f"{(saved - started) * 1000:.0f}")
        self.add(
            "  … until the root dashboard shows it, ms",
            f"{visible:.0f}",
            "< 1000",
            visible < TARGETS["visible_ms"],
        )

    # 4 -------------------------------------------------------------------------------------
    def sweep(self) -> None:
        from django.db import transaction
        from django.utils import timezone

        from notifications import services
        from tasks.models import Occurrence

        total = Occurrence.objects.count()
        with transaction.atomic():
            started = time.perf_counter()
            result = services.reminders_sweep(today=timezone.localdate())
            seconds = time.perf_counter() - started
            transaction.set_rollback(True)
        # The rolled-back notices leave dead rows behind; without this each run's sweep (and
        # everything after it) would find the table and its unique index more bloated.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE notifications_notification, notifications_outboxemail")
        self.add(
            f"reminder sweep over {total:,} occurrences, s",
            f"{seconds:.1f} ({result.occurrences:,} open looked at, "
            f"{result.notifications:,} notices)",
            "< 60",
            seconds < TARGETS["sweep_s"],
        )

    # 5 -------------------------------------------------------------------------------------
    def rollup(self) -> None:
        from django.db import transaction

        from reports import services
        from reports.models import ReportRequest

        national = (
            ReportRequest.objects.filter(unit=self.directive.issuer, receiver=self.directive.issuer)
            .order_by("-period_key")
            .first()
        )
        below = ReportRequest.objects.filter(
            receiver=national.unit, period_key=national.period_key
        ).count()
        with transaction.atomic():
            started = time.perf_counter()
            result = services.rollup_prefill(actor=None, report=national)
            seconds = time.perf_counter() - started
            transaction.set_rollback(True)
        self.add(
            f"national annual report {national.period_key} rolled up, s",
            f"{seconds:.2f} ({len(result.accepted)} of {below - 1} accepted below)",
            "< 10",
            seconds < TARGETS["rollup_s"],
        )

    # 6 -------------------------------------------------------------------------------------
    @staticmethod
    def _province_of(unit) -> int:
        """The id of the province (depth 2) a unit belongs to, or 0 for the centre."""
        from units.models import Unit

        if unit.depth < 2:
            return 0
        return Unit.objects.only("pk").get(path=unit.path[: 2 * Unit.steplen]).pk

    def load(self) -> None:
        from django.conf import settings
        from django.contrib.auth import (
            BACKEND_SESSION_KEY,
            HASH_SESSION_KEY,
            SESSION_KEY,
            get_user_model,
        )
        from django.contrib.sessions.backends.db import SessionStore
        from django.db import connection
        from django.urls import reverse

        from plans.models import Document

        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
        if gunicorn is None:
            self.add("50 users for 60 s", "skipped: gunicorn is not installed (the prod extra)")
            return
        users = get_user_model().objects
        people = [self.centre_leader]
        people += list(users.filter(username__endswith=".lanhdao", username__startswith="tinh"))
        people += list(users.filter(username__startswith="xa").order_by("pk")[:200])
        d = self.directive.pk
        plans = {
            unit_id: pk
            for pk, unit_id in Document.objects.filter(root=self.directive).values_list(
                "pk", "issuer_id"
            )
        }
        province_plans = list(
            Document.objects.filter(implements=self.directive).values_list("pk", flat=True)
        )
        personas = []
        for person in people:
            store = SessionStore()
            store[SESSION_KEY] = str(person.pk)
            store[BACKEND_SESSION_KEY] = "accounts.signin.SignInBackend"
            store[HASH_SESSION_KEY] = person.get_session_auth_hash()
            store.create()
            unit = person.memberships.get().unit
            # Pages within the person's reach: their dashboard and its tree, the directive's
            # cascade, the plan of their province (the one above them) and their own plan.
            province_plan = plans.get(self._province_of(unit))
            own_plan = plans.get(unit.pk) or province_plan or d
            above = province_plan or d
            choices = [province_plan or d] if unit.depth > 1 else province_plans
            pages = [
                (10, lambda r: f"{reverse('dashboard')}?directive={d}"),
                (4, lambda r, u=unit: f"{reverse('dashboard_tree')}?directive={d}&node={u.pk}"),
                (8, lambda r: reverse("cascade", args=[d])),
                (8, lambda r, c=choices: reverse("cascade", args=[r.choice(c)])),
                (4, lambda r, a=above: reverse("cascade_children", args=[a])),
                (8, lambda r, p=own_plan: reverse("document", args=[p])),
                (6, lambda r: reverse("home")),
                (2, lambda r: reverse("login")),
            ]
            personas.append((store.session_key, pages))
        weights = [w for w, _f in personas[0][1]]
        connection.close()

        port = self.args.port
        env = {**os.environ, **ENVIRONMENT}
        server = subprocess.Popen(  # noqa: S603
            [
                gunicorn,
                "cascade.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(self.args.workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        try:
            deadline = time.time() + 60
            while True:
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    conn.request("GET", reverse("login"))
                    if conn.getresponse().status == 200:
                        break
                except OSError:
                    pass
                if time.time() > deadline:
                    raise RuntimeError("gunicorn did not start")
                time.sleep(0.5)
            results: list[tuple[float, bool]] = []
            lock = threading.Lock()
            stop_at = 0.0
            cookie = settings.SESSION_COOKIE_NAME

            # Every page visited once first, so the load measures the pages as their readers
            # meet them (the cached sections computed), not the first reader after a restart.
            warm_started = time.time()
            warm_failures: list[str] = []
            for session, pages in personas:
                for _weight, make in pages:
                    path = make(random.Random(0))
                    cookie_header = f"{settings.SESSION_COOKIE_NAME}={session}"
                    try:
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                        conn.request("GET", path, headers={"Cookie": cookie_header})
                        if conn.getresponse().status != 200:
                            warm_failures.append(path)
                        conn.close()
                    except OSError:
                        warm_failures.append(path)
            if warm_failures:
                self.notes.append(
                    f"{len(warm_failures)} pages failed while warming up, e.g. "
                    + ", ".join(sorted(set(warm_failures))[:5])
                    + "."
                )

            self.notes.append(
                f"Before the load, each of the {len(personas)} simulated people opened each of "
                f"their pages once: {time.time() - warm_started:.0f} s."
            )

            def user(index: int) -> None:
                rng = random.Random(index)
                session, pages = personas[index % len(personas)]
                while time.time() < stop_at:
                    make = rng.choices(pages, weights=weights)[0][1]
                    path = make(rng)
                    started = time.perf_counter()
                    ok = False
                    try:
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                        conn.request("GET", path, headers={"Cookie": f"{cookie}={session}"})
                        response = conn.getresponse()
                        response.read()
                        ok = response.status == 200
                        conn.close()
                    except OSError:
                        ok = False
                    elapsed = (time.perf_counter() - started) * 1000
                    with lock:
                        results.append((elapsed, ok))
                    time.sleep(rng.uniform(0.5, 1.5))

            threads = [
                threading.Thread(target=user, args=(i,), daemon=True)
                for i in range(self.args.users)
            ]
            began = time.time()
            stop_at = began + self.args.duration
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(self.args.duration + 60)
            elapsed = time.time() - began
        finally:
            stop(server)
        times = [t for t, _ok in results]
        errors = sum(1 for _t, ok in results if not ok)
        p95 = percentile(times, 0.95)
        self.add(
            f"{self.args.users} users for {self.args.duration} s (gunicorn, "
            f"{self.args.workers} workers): req/s, ms median / p95, errors",
            f"{len(results) / elapsed:.1f} req/s, {statistics.median(times):.0f} / {p95:.0f}, "
            f"{errors} errors of {len(results)}",
            "p95 < 300, 0 errors",
            p95 < TARGETS["load_p95"] and errors == 0,
        )


def machine() -> str:
    from django.db import connection

    cores = os.cpu_count()
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        kib = int(meminfo.readline().split()[1])
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return (
        f"{cores} cores, {kib / 1024 / 1024:.0f} GB RAM, PostgreSQL {version}, "
        f"Python {platform.python_version()}"
    )


def data_summary() -> str:
    from plans.models import Document
    from tasks.models import Occurrence, Task
    from units.models import Unit

    return (
        f"{Unit.objects.count():,} units, {Document.objects.count():,} documents, "
        f"{Task.objects.count():,} tasks, {Occurrence.objects.count():,} occurrences"
    )


def write_results(suite: Suite, label: str) -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    path = ROOT / "benchmarks" / "RESULTS.md"
    if not path.exists():
        path.write_text(
            "# National-scale benchmark results\n\n"
            'Written by `benchmarks/national.py` (see README.md, "National scale"); each run '
            "is appended below the earlier ones.\n",
            encoding="utf-8",
        )
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "",
        f"## {label} — {now}, commit {commit or 'unknown'}",
        "",
        f"Machine: {machine()}. Data: {data_summary()}.",
        "",
        "| measurement | figure | target | met |",
        "|---|---|---|---|",
        *(f"| {item} | {figure} | {target} | {met} |" for item, figure, target, met in suite.rows),
        *(["", *suite.notes] if suite.notes else []),
        "",
    ]
    with path.open("a", encoding="utf-8") as out:
        out.write("\n".join(lines))
    print(f"appended to {path.relative_to(ROOT)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="run", help="a name for this run in RESULTS.md")
    parser.add_argument("--generate", action="store_true", help="create and fill if empty")
    parser.add_argument("--runs", type=int, default=30, help="requests per page measured")
    parser.add_argument(
        "--only",
        default="dashboards,cascade,update,sweep,rollup,load",
        help="comma-separated items to run",
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument(
        "--whole-cascade", action="store_true", help="render the whole cascade tree (as before)"
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    known = ("dashboards", "cascade", "update", "sweep", "rollup", "load")
    unknown = [name for name in args.only.split(",") if name.strip() not in known]
    if unknown:
        parser.error(
            f"--only: unknown item(s) {', '.join(unknown)}; choose from {', '.join(known)}"
        )
    for option in ("runs", "users", "duration", "workers"):
        if getattr(args, option) < 1:
            parser.error(f"--{option} must be 1 or more")

    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.update(ENVIRONMENT)
    url = os.environ["DATABASE_URL"]
    if not url.startswith("postgres"):
        print("The national benchmarks need PostgreSQL (DATABASE_URL=postgres://…).")
        return 2
    if args.generate:
        ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    from units.models import Unit

    if args.generate:
        call_command("migrate", verbosity=0)
        if not Unit.objects.exists():
            call_command("generate_nation", "--seed", "1")
    call_command("collectstatic", interactive=False, verbosity=0)
    suite = Suite(args)
    print(f"{machine()}\n{data_summary()}")
    steps = {
        "dashboards": suite.dashboards,
        "cascade": suite.cascade,
        "update": suite.task_update,
        "sweep": suite.sweep,
        "rollup": suite.rollup,
        "load": suite.load,
    }
    worker = start_worker()
    try:
        for name in args.only.split(","):
            steps[name.strip()]()
    finally:
        stop(worker)
    suite.notes.append(
        "Dashboard cache: "
        + (
            f"Redis, sections kept {os.environ.get('DASHBOARD_CACHE_SECONDS', '300')} s, "
            "a Celery worker recomputing stale ones."
            if os.environ.get("REDIS_URL")
            else "none (REDIS_URL unset)."
        )
    )
    if not args.no_write:
        write_results(suite, args.label)
    return 0


if __name__ == "__main__":
    sys.exit(main())
