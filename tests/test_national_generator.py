"""The synthetic national cascade at a tiny scale: its shape, that a seed always gives the same
rows, and that the dashboard and cascade pages work on it."""

import io
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse

from plans.models import Document
from reports.models import ReportMeasurement, ReportRequest
from rollups.services import rollup_differences
from tasks.models import Occurrence, Task
from units.models import Bloc, Level, Membership, Role, Unit

TODAY = "2026-11-22"
SCALE = "0.005"  # one province, 17 communes, about 320 units


def _generate(*extra: str) -> str:
    out = io.StringIO()
    call_command(
        "generate_nation", "--seed", "7", "--scale", SCALE, "--today", TODAY, *extra, stdout=out
    )
    return out.getvalue()


def _digest(output: str) -> str:
    return next(line.split()[1] for line in output.splitlines() if line.startswith("digest"))


@pytest.fixture
def nation(db):
    return _generate()


def test_the_tree_has_the_2025_shape_and_valid_paths(nation):
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    root = Unit.objects.get_root_nodes().get()
    assert root.level == Level.CENTRAL
    province = Unit.objects.get(level=Level.PROVINCE, depth=2, bloc=Bloc.PARTY_COMMITTEE)
    communes = Unit.objects.filter(level=Level.COMMUNE, bloc=Bloc.PARTY_COMMITTEE)
    assert communes.count() == 17
    # Commune party committees sit directly under the province (no district level).
    assert all(Unit.objects.get_parent(c) == province for c in communes)
    assert not Unit.objects.filter(level=Level.DISTRICT).exists()
    commune = communes.first()
    blocs = set(Unit.objects.get_children(commune).values_list("bloc", flat=True))
    assert {Bloc.GOVERNMENT, Bloc.FRONT, Bloc.PARTY_COMMITTEE} <= blocs
    assert Unit.objects.get_children(commune).filter(level=Level.GRASSROOTS).count() >= 5
    assert 250 < Unit.objects.count() < 400


def test_every_plan_implements_the_plan_above_with_ten_to_twenty_tasks(nation):
    directive = Document.objects.get(identifier="21-CT/TW")
    plans = Document.objects.filter(root=directive)
    # Most units issued their plan; a few never did.
    assert 0.8 * Unit.objects.count() < plans.count() + 1 < Unit.objects.count()
    for plan in plans.select_related("issuer", "implements__issuer")[:50]:
        assert plan.implements.issuer == Unit.objects.get_parent(plan.issuer)
        assert plan.depth == plan.issuer.depth - 1
    sizes = Task.objects.values("document").annotate(n=Count("pk")).values_list("n", flat=True)
    assert min(sizes) >= 10
    assert max(sizes) <= 20


def test_work_is_spread_between_done_late_and_missing(nation):
    today = date.fromisoformat(TODAY)
    past = Occurrence.objects.filter(due_on__lt=today)
    done = past.filter(status="done")
    assert 0.4 < done.count() / past.count() < 0.95
    assert past.exclude(status="done").exists()
    assert set(ReportRequest.objects.values_list("period_key", flat=True)) == {
        "2023",
        "2024",
        "2025",
    }
    assert ReportRequest.objects.filter(state="not_started", period_key="2025").exists()
    assert ReportMeasurement.objects.exists()
    # The roll-up tables agree with the occurrences loaded in bulk.
    assert rollup_differences() == {}


def test_the_same_seed_gives_the_same_rows(nation):
    assert _digest(_generate("--dry-run")) == _digest(nation)
    other = io.StringIO()
    call_command(
        "generate_nation",
        "--seed",
        "8",
        "--scale",
        SCALE,
        "--today",
        TODAY,
        "--dry-run",
        stdout=other,
    )
    assert _digest(other.getvalue()) != _digest(nation)


def test_a_second_run_into_the_same_tree_is_refused(nation):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        _generate()


def test_the_pre_2025_shape_shows_districts_closed_and_succeeded(db):
    _generate("--shape", "pre2025", "--scale", "0.02")
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    districts = Unit.objects.filter(level=Level.DISTRICT, bloc=Bloc.PARTY_COMMITTEE)
    assert districts.exists()
    assert not districts.filter(active_until__isnull=True).exists()
    district = districts.first()
    successor = district.successors.get()
    assert successor.level == Level.PROVINCE
    assert successor.active_from == date(2025, 7, 1)
    old_commune = Unit.objects.filter(level=Level.COMMUNE, active_until__isnull=False).first()
    assert old_commune.successors.get().active_from == date(2025, 7, 1)


def test_the_dashboard_and_cascade_pages_work_on_it(client, nation):
    leader = get_user_model().objects.get(username="tw.lanhdao")
    client.force_login(leader)
    directive = Document.objects.get(identifier="21-CT/TW")
    province = Unit.objects.get(level=Level.PROVINCE, depth=2, bloc=Bloc.PARTY_COMMITTEE)
    for params in ({}, {"unit": province.pk}):
        response = client.get(reverse("dashboard"), {"directive": directive.pk, **params})
        assert response.status_code == 200
    tree = client.get(reverse("dashboard_tree"), {"directive": directive.pk, "node": province.pk})
    assert tree.status_code == 200
    page = client.get(reverse("cascade", args=[directive.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    province_plan = Document.objects.get(issuer=province)
    assert reverse("document", args=[province_plan.pk]) in content
    # The tree is too large to show whole: its deeper levels are loaded on demand.
    deep = Document.objects.filter(root=directive, depth=3).first()
    assert reverse("document", args=[deep.pk]) not in content
    assert reverse("cascade_children", args=[province_plan.pk]) in content
    children = client.get(reverse("cascade_children", args=[province_plan.pk]))
    assert children.status_code == 200
    child = Document.objects.filter(implements=province_plan).first()
    assert reverse("document", args=[child.pk]) in children.content.decode()


def test_a_commune_member_sees_their_branch_of_a_large_cascade_opened_on_demand(
    client, nation, monkeypatch
):
    from plans import selectors as plan_selectors

    directive = Document.objects.get(identifier="21-CT/TW")
    # The generated cascade at this scale is small: make it count as large.
    monkeypatch.setattr(plan_selectors, "CASCADE_WHOLE_LIMIT", 5)
    membership = Membership.objects.filter(
        role=Role.STAFF,
        unit__level=Level.COMMUNE,
        unit__in=Document.objects.filter(root=directive).values("issuer"),
    ).first()
    commune_plan = Document.objects.get(root=directive, issuer=membership.unit)
    staff = membership.user
    client.force_login(staff)

    content = client.get(reverse("cascade", args=[directive.pk])).content.decode()
    province_plan = commune_plan.implements
    assert reverse("document", args=[province_plan.pk]) in content
    other_province_plans = Document.objects.filter(implements=directive).exclude(
        pk=province_plan.pk
    )
    for other in other_province_plans:
        assert reverse("document", args=[other.pk]) not in content
    children = client.get(reverse("cascade_children", args=[province_plan.pk])).content.decode()
    assert reverse("document", args=[commune_plan.pk]) in children
    siblings = Document.objects.filter(implements=province_plan).exclude(pk=commune_plan.pk)
    for sibling in siblings:
        assert reverse("document", args=[sibling.pk]) not in children
