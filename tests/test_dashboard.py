"""The leader's dashboard: its figures for the demo cascade against the data counted by hand
(iterating the rows in Python), who may see what, filters, drill-down and downloads."""

import csv
import io
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps

if not apps.is_installed("dashboard"):
    pytest.skip("the dashboard app is not in INSTALLED_APPS", allow_module_level=True)

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dashboard import charts, selectors
from dashboard import views as dashboard_views
from dashboard.filters import Filters, Scope, parse_period, resolve
from dashboard.targets import TargetFigure, target_figures
from plans.models import Document, DocumentRecipient, Target
from tasks import services as task_services
from tasks.models import Assignment, Occurrence, TaskStatus
from tests.factories import UserFactory, make_document, make_task, member
from units.models import Bloc, Level, Role, Unit

STATE_KEYS = ("done_on_time", "done_late", "in_progress", "overdue", "not_started")


# --- Figures counted by hand ----------------------------------------------------------------


def hand_states(today, *, unit_ok=lambda unit: True, documents=None, first=None, end=None):
    """Occurrences by state, one row at a time."""
    counts = Counter({key: 0 for key in STATE_KEYS})
    for o in Occurrence.objects.select_related("assignment", "unit", "task"):
        if not unit_ok(o.unit) or (documents is not None and o.task.document_id not in documents):
            continue
        if (first and o.due_on < first) or (end and o.due_on >= end):
            continue
        if o.status == TaskStatus.DONE or o.assignment.fulfilled_by_id is not None:
            finished = o.completed_on or o.assignment.completed_on or o.due_on
            counts["done_on_time" if finished <= o.due_on else "done_late"] += 1
        elif o.due_on < today:
            counts["overdue"] += 1
        elif o.status == TaskStatus.IN_PROGRESS:
            counts["in_progress"] += 1
        else:
            counts["not_started"] += 1
    return counts


def as_dict(states):
    return {key: getattr(states, key) for key in STATE_KEYS}


def cascade_ids(directive):
    return set(
        Document.objects.filter(Q(root=directive) | Q(pk=directive.pk)).values_list("pk", flat=True)
    )


def hand_coverage(directive, today, *, unit_ok=lambda unit: True):
    """Each expected unit's state, worked out from the recipients, assignments and plans."""
    documents = cascade_ids(directive)
    expected = defaultdict(list)
    for r in DocumentRecipient.objects.filter(purpose="carry_out", unit__isnull=False):
        if r.document_id in documents:
            expected[r.unit].append((r.document_id, None, False))
    for a in Assignment.objects.filter(role="lead", task__requires_plan=True).select_related(
        "task", "unit"
    ):
        if a.task.document_id in documents:
            expected[a.unit].append((a.task.document_id, a.task.due_on, bool(a.fulfilled_by_id)))
    plans = set(
        Document.objects.filter(issuer__isnull=False, implements__isnull=False).values_list(
            "issuer_id", "implements_id"
        )
    )
    states = {}
    for unit, items in expected.items():
        if not unit_ok(unit):
            continue
        missing = [
            (doc, due) for doc, due, done in items if not done and (unit.pk, doc) not in plans
        ]
        if not missing:
            states[unit.pk] = "issued"
        elif any(due and due < today for _doc, due in missing):
            states[unit.pk] = "late"
        else:
            states[unit.pk] = "pending"
    return states


def hand_laggards(directive, today, *, unit_ok=lambda unit: True, limit=10):
    """(unit, overdue, plans late, reports late) for the units most behind."""
    from dashboard.reporting import request_model

    documents = cascade_ids(directive)
    counts = defaultdict(lambda: [0, 0, 0])
    units = {}
    for o in Occurrence.objects.select_related("assignment", "unit", "task"):
        done = o.status == TaskStatus.DONE or o.assignment.fulfilled_by_id is not None
        if o.task.document_id in documents and unit_ok(o.unit) and not done and o.due_on < today:
            counts[o.unit_id][0] += 1
            units[o.unit_id] = o.unit
    plans = set(
        Document.objects.filter(issuer__isnull=False).values_list("issuer_id", "implements_id")
    )
    for a in Assignment.objects.filter(role="lead", task__requires_plan=True).select_related(
        "task", "unit"
    ):
        if (
            a.task.document_id in documents
            and unit_ok(a.unit)
            and a.fulfilled_by_id is None
            and (a.unit_id, a.task.document_id) not in plans
            and a.task.due_on
            and a.task.due_on < today
        ):
            counts[a.unit_id][1] += 1
            units[a.unit_id] = a.unit
    model = request_model()
    if model is not None:
        for r in model.objects.select_related("unit"):
            if (
                r.cascade_root_id == directive.pk
                and unit_ok(r.unit)
                and r.state not in ("submitted", "accepted")
                and r.due_on < today
            ):
                counts[r.unit_id][2] += 1
                units[r.unit_id] = r.unit
    ranked = sorted(counts.items(), key=lambda item: (-sum(item[1]), units[item[0]].path))
    return [(unit_id, *values) for unit_id, values in ranked[:limit]]


def under(unit):
    return lambda other: other.path.startswith(unit.path)


# --- Fixtures -------------------------------------------------------------------------------


def login(client, username):
    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    return user


def some_progress(today):
    """Make the demo's figures less uniform: occurrences done on time, done late, in
    progress; through the services, as people would."""
    admin = get_user_model().objects.get(username="admin")
    occurrences = list(
        Occurrence.objects.filter(due_on__lt=today).select_related("assignment").order_by("pk")
    )
    for index, occurrence in enumerate(occurrences[:9]):
        status = [TaskStatus.DONE, TaskStatus.DONE, TaskStatus.IN_PROGRESS][index % 3]
        completed = occurrence.due_on - timedelta(days=1) if index % 2 else occurrence.due_on
        if index == 3:
            completed = occurrence.due_on + timedelta(days=20)
        task_services.progress_add(
            actor=admin,
            assignment=occurrence.assignment,
            occurrence=occurrence,
            note="Đã triển khai.",
            status=status,
            completed_on=min(completed, today),
        )


# --- The demo cascade -----------------------------------------------------------------------


def test_the_demo_dashboard_shows_the_seed_plans_tasks_and_coverage_counted_by_hand(
    client, directive, centre_leader
):
    today = timezone.localdate()
    some_progress(today)
    client.force_login(centre_leader)
    response = client.get(reverse("dashboard"), {"directive": directive.pk})
    assert response.status_code == 200
    context = response.context

    assert as_dict(context["states"]) == hand_states(today)
    # Keyed by document: plans without a number share their identifier ("-KH/QU").
    rows = {row.document.pk: row for row in context["plan_rows"]}
    seeds = Document.objects.filter(root=directive, depth=2)
    assert seeds.count() == 5
    for seed in seeds:
        assert as_dict(rows[seed.pk].states) == hand_states(today, documents={seed.pk})
        assert rows[seed.pk].undated == seed.tasks.filter(occurrences__isnull=True).count()
    assert context["other_plans"].total == 0

    states = hand_coverage(directive, today)
    coverage = context["coverage"]
    assert coverage.expected == len(states) > 0
    assert coverage.issued == list(states.values()).count("issued")
    assert coverage.late == list(states.values()).count("late") > 0
    assert {u.pk: u.coverage for u in selectors.coverage_list(_filters(centre_leader))} == states

    laggards = [(r.unit.pk, r.overdue, r.late_plans, r.late_reports) for r in context["laggards"]]
    assert laggards == hand_laggards(directive, today)
    assert laggards

    page = response.content.decode()
    for seed in seeds:
        assert seed.identifier in page
    assert "Tỉnh ủy Kon Tum" in page  # a branch of the tree


def test_a_long_plan_table_names_the_nearest_plans_and_sums_the_others_in_one_row(
    client, directive, centre_leader, monkeypatch
):
    today = timezone.localdate()
    some_progress(today)
    monkeypatch.setattr(dashboard_views, "PLAN_ROWS_SHOWN", 2)
    client.force_login(centre_leader)
    response = client.get(reverse("dashboard"), {"directive": directive.pk})
    context = response.context

    rows = context["plan_rows"]
    assert len(rows) == 2 < context["plan_rows_total"]
    # Nothing is lost: the named rows and the "other plans" row add up to the whole.
    for key in as_dict(context["states"]):
        named = sum(as_dict(row.states)[key] for row in rows)
        assert named + as_dict(context["other_plans"])[key] == as_dict(context["states"])[key]
    assert context["other_plans"].total > 0
    page = response.content.decode()
    assert f"2 kế hoạch gần nhất trong tổng số {context['plan_rows_total']}" in page

    # The download still lists every plan.
    download = client.get(
        reverse("dashboard_export", args=["plans", "csv"]), {"directive": directive.pk}
    )
    listed = download.content.decode("utf-8-sig")
    for row in selectors.plan_figures(
        _filters(centre_leader), selectors.plan_choices(_filters(centre_leader))
    )[0]:
        assert row.document.identifier in listed


def _filters(user, **data):
    return resolve(
        user, {key: str(value) for key, value in data.items()}, today=timezone.localdate()
    )


def test_a_plan_issued_by_an_expected_unit_counts_as_coverage(directive, centre_leader):
    today = timezone.localdate()
    before = selectors.coverage(_filters(centre_leader))
    assignment = (
        Assignment.objects.filter(
            task__requires_plan=True, task__document__root=directive, role="lead"
        )
        .select_related("task", "unit")
        .order_by("task__due_on", "pk")
        .first()
    )
    make_document(
        assignment.unit,
        implements=assignment.task.document,
        number="77",
        issued_on=today - timedelta(days=3),
    )
    assignment.refresh_from_db()
    assert assignment.fulfilled_by is not None
    after = selectors.coverage(_filters(centre_leader))
    states = hand_coverage(directive, today)
    assert after.issued == list(states.values()).count("issued") >= before.issued + 1
    assert states[assignment.unit_id] in ("issued", "late")  # other tasks may still wait
    # The fulfilled share now counts as done, late (the plan came after the due date).
    assert as_dict(selectors.task_states(_filters(centre_leader))) == hand_states(today)


def test_targets_show_the_directives_range_and_each_lower_plans_own_beside_it(
    directive, centre_leader
):
    figures = target_figures(directive, directive.issuer, "")
    assert [f.target.text for f in figures] == [
        t.text for t in Target.objects.filter(document=directive)
    ]
    students = figures[0]
    assert (students.target.low, students.target.high) == (Decimal(50), Decimal(55))
    assert students.target.horizon_year == 2030
    children = {c.target.document.issuer.name: c for c in students.children}
    kon_ray = children["Huyện ủy Kon Rẫy"]
    assert (kon_ray.target.low, kon_ray.target.high) == (Decimal(45), Decimal(50))
    assert kon_ray.differs_from_parent
    assert not figures[1].children[0].differs_from_parent  # "about 50%" both
    if not apps.is_installed("reports") or not _has_report_models():
        assert all(f.value is None and f.status == "none" for f in figures)


def _has_report_models():
    from dashboard.reporting import measurement_model

    return measurement_model() is not None


def test_targets_roll_up_accepted_reports_by_summing_numerators_and_denominators(
    directive, centre_leader
):
    reports_demo = pytest.importorskip("reports.demo")
    if not _has_report_models():
        pytest.skip("the report chain has no measurements")
    reports_demo.load_demo_reports()
    from reports.models import ReportMeasurement

    kon_ray = Unit.objects.get(name="Huyện ủy Kon Rẫy")
    first = Target.objects.filter(document=directive).first()
    child = Target.objects.get(document__issuer=kon_ray, parent=first)
    accepted = [
        m
        for m in ReportMeasurement.objects.select_related("report")
        if m.target_id == child.pk
        and m.report.state == "accepted"
        and m.report.receiver_id == kon_ray.pk
        and m.numerator is not None
    ]
    assert len(accepted) >= 2
    numerator = sum(m.numerator for m in accepted)
    denominator = sum(m.denominator for m in accepted)
    figures = target_figures(directive, directive.issuer, "")
    figure = next(c for c in figures[0].children if c.target.pk == child.pk)
    assert (figure.numerator, figure.denominator) == (numerator, denominator)
    assert figure.value == (Decimal(100) * numerator / denominator).quantize(Decimal("0.1"))
    averaged = sum(Decimal(100) * m.numerator / m.denominator for m in accepted) / len(accepted)
    assert abs(figure.value - averaged) > 1  # the demo is a case where averaging would differ
    assert figure.status == (
        "green" if figure.value >= 45 else "amber" if figure.value >= 36 else "red"
    )


def test_the_reports_section_counts_who_has_reported_for_the_current_period(
    client, directive, centre_leader
):
    reports_demo = pytest.importorskip("reports.demo")
    from dashboard.reporting import report_status, request_model

    if request_model() is None:
        pytest.skip("the report chain has no requests")
    reports_demo.load_demo_reports()
    leader = get_user_model().objects.get(username="lanhdao.kontum")
    filters = _filters(leader, period="2024")
    status = report_status(filters, limit=None)
    requests = [
        r
        for r in request_model().objects.select_related("unit")
        if r.period_key == "2024"
        and not r.is_ad_hoc
        and r.unit.path.startswith(filters.scope.unit.path)
        and r.cascade_root_id == directive.pk
    ]
    assert status.available and status.requested == len(requests) > 0
    assert status.reported == sum(r.state in ("submitted", "accepted") for r in requests)
    today = timezone.localdate()
    assert status.late == sum(
        r.state not in ("submitted", "accepted") and r.due_on < today for r in requests
    )
    assert {row.unit.pk for row in status.missing} == {
        r.unit_id for r in requests if r.state not in ("submitted", "accepted")
    }
    client.force_login(leader)
    page = client.get(reverse("dashboard"), {"period": "2024"}).content.decode()
    assert f"<strong>{status.reported}/{status.requested}</strong>" in page
    # Late reports count among the laggards' work.
    kon_tum = filters.scope.unit
    found = selectors.laggards(_filters(leader), limit=None)
    assert any(row.late_reports for row in found)
    assert [(r.unit.pk, r.overdue, r.late_plans, r.late_reports) for r in found] == hand_laggards(
        directive, today, unit_ok=under(kon_tum), limit=None
    )


def test_without_a_report_chain_the_sections_say_so(client, directive, centre_leader, monkeypatch):
    from dashboard import reporting

    monkeypatch.setattr(reporting, "request_model", lambda: None)
    client.force_login(centre_leader)
    page = client.get(reverse("dashboard")).content.decode()
    client.cookies["django_language"] = "en"
    page = client.get(reverse("dashboard")).content.decode()
    assert "Reports are not set up." in page
    assert all(f.value is None for f in target_figures(directive, directive.issuer))


# --- Who sees what --------------------------------------------------------------------------


def test_a_leader_sees_only_their_subtree(client, directive):
    today = timezone.localdate()
    some_progress(today)
    user = login(client, "lanhdao.haiphong")
    hai_phong = Unit.objects.get(name="Thành ủy Hải Phòng")
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    context = response.context
    assert context["filters"].scope == Scope(unit=hai_phong, subtree=True)
    assert as_dict(context["states"]) == hand_states(today, unit_ok=under(hai_phong))
    assert context["states"].total < Occurrence.objects.count()
    states = hand_coverage(directive, today, unit_ok=under(hai_phong))
    assert context["coverage"].expected == len(states)
    assert all(row.occurrence.unit.path.startswith(hai_phong.path) for row in context["overdue"])
    laggards = [(r.unit.pk, r.overdue, r.late_plans, r.late_reports) for r in context["laggards"]]
    assert laggards == hand_laggards(directive, today, unit_ok=under(hai_phong))
    # Another province, its branch or its downloads: not found.
    kon_tum = Unit.objects.get(name="Tỉnh ủy Kon Tum")
    assert client.get(reverse("dashboard"), {"unit": kon_tum.pk}).status_code == 404
    export = reverse("dashboard_export", args=["overdue", "csv"])
    assert client.get(export, {"unit": kon_tum.pk}).status_code == 404
    tree = reverse("dashboard_tree")
    assert client.get(tree, {"node": kon_tum.pk}).status_code == 404
    # A unit below is fine, and keeps the whole subtree.
    kien_an = Unit.objects.get(name="Quận ủy Kiến An")
    below = client.get(reverse("dashboard"), {"unit": kien_an.pk}).context
    assert as_dict(below["states"]) == hand_states(today, unit_ok=under(kien_an))
    assert user.is_authenticated


def test_staff_without_a_leader_role_see_their_own_unit_only(client, directive):
    today = timezone.localdate()
    login(client, "canbo.konray")
    kon_ray = Unit.objects.get(name="Huyện ủy Kon Rẫy")
    context = client.get(reverse("dashboard")).context
    assert context["filters"].scope == Scope(unit=kon_ray, subtree=False)
    own = hand_states(today, unit_ok=lambda unit: unit.pk == kon_ray.pk)
    assert as_dict(context["states"]) == own
    assert sum(own.values()) < sum(hand_states(today, unit_ok=under(kon_ray)).values())
    assert [branch.unit for branch in context["level"].branches] == [kon_ray]
    assert not context["level"].branches[0].expandable
    below = Unit.objects.get(name="Ủy ban nhân dân huyện Kon Rẫy")
    assert client.get(reverse("dashboard"), {"unit": below.pk}).status_code == 404
    assert client.get(reverse("dashboard_tree"), {"node": below.pk}).status_code == 404
    rows = _csv(client.get(reverse("dashboard_export", args=["overdue", "csv"])))
    assert {row[0] for row in rows[1:]} <= {kon_ray.name}


def test_an_outsider_sees_nothing(client, directive):
    client.force_login(UserFactory())
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert "states" not in response.context
    assert client.get(reverse("dashboard"), {"directive": directive.pk}).status_code == 404
    assert client.get(reverse("dashboard_tree"), {"node": directive.issuer_id}).status_code == 404
    assert client.get(reverse("dashboard_export", args=["states", "csv"])).status_code == 404
    client.logout()
    assert client.get(reverse("dashboard")).status_code == 302


# --- Filters, drill-down, fragments ---------------------------------------------------------


def test_bloc_level_period_and_plan_filters_narrow_the_figures(client, directive, centre_leader):
    today = timezone.localdate()
    some_progress(today)
    client.force_login(centre_leader)

    def states(**params):
        return as_dict(client.get(reverse("dashboard"), params).context["states"])

    party = states(bloc=Bloc.PARTY_COMMITTEE)
    assert party == hand_states(today, unit_ok=lambda u: u.bloc == Bloc.PARTY_COMMITTEE)
    communes = states(level=Level.COMMUNE)
    assert communes == hand_states(today, unit_ok=lambda u: u.level == Level.COMMUNE)
    year = states(period="2023")
    assert year == hand_states(today, first=date(2023, 1, 1), end=date(2024, 1, 1))
    quarter = states(period="2023-Q4")
    assert quarter == hand_states(today, first=date(2023, 10, 1), end=date(2024, 1, 1))
    kien_an_plan = Document.objects.get(root=directive, depth=2, issuer__name="Quận ủy Kiến An")
    plan = states(plan=kien_an_plan.pk)
    assert plan == hand_states(today, documents={kien_an_plan.pk})
    assert 0 < sum(plan.values()) < sum(states().values())
    # Choosing a plan as the directive opens its cascade with that plan chosen.
    context = client.get(reverse("dashboard"), {"directive": kien_an_plan.pk}).context
    assert (context["filters"].directive, context["filters"].plan) == (directive, kien_an_plan)


def test_the_live_part_of_overdue_counts_this_months_past_due_dates(directive, centre_leader):
    some_progress(timezone.localdate())
    months = sorted({o.due_on for o in Occurrence.objects.all()})
    for day in months[:3] + months[-3:]:
        for today in (day, day + timedelta(days=1), day.replace(day=1), day + timedelta(days=40)):
            filters = resolve(centre_leader, {}, today=today)
            assert as_dict(selectors.task_states(filters)) == hand_states(today), today


def test_drilling_down_with_htmx_swaps_the_dashboard_and_pushes_a_shareable_url(client, directive):
    login(client, "lanhdao.haiphong")
    kien_an = Unit.objects.get(name="Quận ủy Kiến An")
    response = client.get(
        reverse("dashboard"),
        {"unit": kien_an.pk, "bloc": Bloc.PARTY_COMMITTEE},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page and 'id="dashboard"' in page
    pushed = response["HX-Push-Url"]
    assert f"unit={kien_an.pk}" in pushed and "bloc=party_committee" in pushed
    assert f"directive={directive.pk}" in pushed
    # The pushed address opens the same view as a whole page.
    again = client.get(pushed)
    assert again.context["filters"].scope.unit == kien_an
    assert again.context["filters"].bloc == Bloc.PARTY_COMMITTEE


def test_the_tree_opens_one_level_at_a_time_coloured_by_state(client, directive, centre_leader):
    today = timezone.localdate()
    client.force_login(centre_leader)
    kon_tum = Unit.objects.get(name="Tỉnh ủy Kon Tum")
    response = client.get(reverse("dashboard_tree"), {"node": kon_tum.pk})
    assert response.status_code == 200
    level = response.context["level"]
    assert {branch.unit.name for branch in level.branches} == {"Huyện ủy Kon Rẫy"}
    branch = level.branches[0]
    states = hand_coverage(directive, today, unit_ok=under(branch.unit))
    assert branch.coverage.expected == len(states)
    assert branch.state == branch.coverage.state
    assert as_dict(branch.states) == hand_states(today, unit_ok=under(branch.unit))
    assert 'class="branch state-' in response.content.decode()
    assert "<html" not in response.content.decode()


# --- Downloads ------------------------------------------------------------------------------


def _csv(response):
    """The rows as a person sees them: a value the writer put behind an apostrophe (so it is
    not read as a formula) without it."""
    assert response.status_code == 200
    rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    return [[v[1:] if v[:2] in {"'=", "'+", "'-", "'@"} else v for v in row] for row in rows]


def _xlsx(response):
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_downloads_hold_the_same_numbers_as_the_page(client, directive, centre_leader):
    today = timezone.localdate()
    some_progress(today)
    client.force_login(centre_leader)
    context = client.get(reverse("dashboard")).context
    query = {"directive": directive.pk}

    def download(table, fmt):
        response = client.get(reverse("dashboard_export", args=[table, fmt]), query)
        assert response["Content-Disposition"].startswith("attachment;")
        return _csv(response) if fmt == "csv" else _xlsx(response)

    for fmt in ("csv", "xlsx"):
        states = download("states", fmt)
        counts = [int(row[1]) for row in states[1:]]
        assert counts == [getattr(context["states"], key) for key in STATE_KEYS]
        plans = download("plans", fmt)
        # In the page's order: plans without a number share their identifier ("-KH/QU").
        assert [row[0] for row in plans[1:]] == [
            row.document.identifier for row in context["plan_rows"]
        ]
        for written, row in zip(plans[1:], context["plan_rows"], strict=True):
            expected = [getattr(row.states, key) for key in STATE_KEYS] + [row.states.total]
            assert [int(v) for v in written[3:9]] == expected
        overdue = download("overdue", fmt)
        assert len(overdue) - 1 == context["states"].overdue
        coverage = download("coverage", fmt)
        assert len(coverage) - 1 == context["coverage"].expected
        laggards = download("laggards", fmt)
        assert [row[0] for row in laggards[1 : len(context["laggards"]) + 1]] == [
            row.unit.name for row in context["laggards"]
        ]
        trend = download("trend", fmt)
        assert [int(row[1]) for row in trend[1:]] == [p.due for p in context["trend"]]
        targets = download("targets", fmt)
        assert len(targets) - 1 == sum(1 + len(f.children) for f in context["targets"])
        assert len(download("branches", fmt)) - 1 == len(context["level"].branches)
        download("reports", fmt)
    xlsx = _xlsx(client.get(reverse("dashboard_export", args=["overdue", "xlsx"]), query))
    assert isinstance(xlsx[1][4], (date,)) or hasattr(xlsx[1][4], "date")
    assert client.get(reverse("dashboard_export", args=["secret", "csv"])).status_code == 404
    assert client.get(reverse("dashboard_export", args=["states", "pdf"])).status_code == 404


# --- Small pieces ---------------------------------------------------------------------------


def test_periods_are_read_from_their_keys():
    assert parse_period("2025").months()[0] == date(2025, 1, 1)
    assert len(parse_period("2025").months()) == 12
    assert parse_period("2025-H2").months() == [date(2025, m, 1) for m in range(7, 13)]
    assert parse_period("2025-Q3").first == date(2025, 7, 1)
    assert parse_period("2025-Q3").last == date(2025, 9, 1)
    assert parse_period("2025-M02").months() == [date(2025, 2, 1)]
    for nonsense in ("", "2025-Q5", "abc", "2025-M13", "99999"):
        assert parse_period(nonsense).key == ""


def test_charts_are_geometry_with_dots_for_decimals():
    bar = charts.stacked_bar([("a", "A", 1), ("b", "B", 2), ("c", "C", 0)])
    assert [(s.key, s.x, s.width) for s in bar.segments] == [
        ("a", "0", "33.3"),
        ("b", "33.3", "66.7"),
    ]
    assert charts.stacked_bar([("a", "A", 0)]).segments == []
    chart = charts.trend_chart([(date(2025, 1, 1), 4, 2), (date(2025, 2, 1), 0, 5)])
    assert [c.label for c in chart.columns] == ["01/25", "02/25"]
    assert chart.columns[1].height == "0"
    assert [value for _y, value in chart.ticks] == [0, 5]  # no "2" where 2.5 would be
    assert [value for _y, value in charts.trend_chart([(date(2025, 1, 1), 9, 0)]).ticks] == [
        0,
        5,
        10,
    ]
    assert "," in chart.points and all(
        "." in p or p.isdigit() for p in chart.points.split(",")[0:1]
    )
    assert [charts.nice_ceiling(n) for n in (0, 1, 3, 7, 10, 11, 49, 51)] == [
        1,
        1,
        5,
        10,
        10,
        20,
        50,
        100,
    ]


def test_traffic_lights_compare_the_figure_with_the_range():
    target = Target(low=Decimal(50), high=Decimal(55), unit="%")
    assert TargetFigure(target, Decimal(51), Decimal(100)).status == "green"
    assert TargetFigure(target, Decimal(41), Decimal(100)).status == "amber"
    assert TargetFigure(target, Decimal(39), Decimal(100)).status == "red"
    assert TargetFigure(target).status == "none"
    assert TargetFigure(target, Decimal(5), Decimal(0)).value is None
    count = Target(low=Decimal(90), high=Decimal(90), unit="cơ sở")
    assert TargetFigure(count, Decimal(95)).value == 95
    ceiling = Target(low=None, high=Decimal(5), unit="%")
    assert TargetFigure(ceiling, Decimal(4), Decimal(100)).status == "green"


def test_filters_keep_every_choice_in_their_links(db):
    unit = Unit(pk=7, path="0001", depth=1, name="X")
    filters = Filters(
        user=None,
        directive=Document(pk=3),
        scope=Scope(unit=unit, subtree=True),
        today=date(2026, 1, 5),
        period=parse_period("2025-Q1"),
        bloc="front",
    )
    assert filters.query() == "directive=3&unit=7&period=2025-Q1&bloc=front"
    assert filters.query(unit=9, bloc=None) == "directive=3&unit=9&period=2025-Q1"


def test_a_directive_with_tasks_but_no_plans_yet_has_a_dashboard(client, province, district):
    leader = member(province, Role.LEADER)
    client.force_login(leader)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200 and response.context["no_directive"]
    directive = make_document(province, number="3", doc_type="CT")
    make_task(
        directive,
        lead=[district],
        deadline_text="quý III/2023",
        requires_plan=True,
        text="Xây dựng kế hoạch thực hiện",
    )
    context = client.get(reverse("dashboard")).context
    assert context["filters"].directive == directive
    assert (context["coverage"].expected, context["coverage"].late) == (1, 1)
    assert context["states"].overdue == 1
