"""The dashboard page, each of its fragments and each download cost the same number of
queries on a small tree and on one ten times larger."""

from datetime import date

import pytest
from django.apps import apps

if not apps.is_installed("dashboard"):
    pytest.skip("the dashboard app is not in INSTALLED_APPS", allow_module_level=True)

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard.exports import TABLES
from plans import services as plan_services
from plans.models import RecipientPurpose
from tasks import services as task_services
from tasks.models import Occurrence, TaskStatus
from tests.factories import make_document, make_task, make_unit, member
from units.models import Bloc, Level, Role, Unit

PAGE_LIMIT = 40
FRAGMENT_LIMIT = 15


def _branch(centre, directive, index: int, admin) -> None:
    """A district with its board and a commune, a plan with tasks (one asking for a plan,
    one recurring), a recipient marked to carry out, some progress."""
    district = make_unit(f"Huyện ủy {index}", parent=centre, level=Level.DISTRICT, code="HU")
    board = make_unit(f"Ban Tuyên giáo {index}", parent=district, bloc=Bloc.PARTY_BOARD, code="BTG")
    commune = make_unit(f"Đảng ủy xã {index}", parent=district, level=Level.COMMUNE, code="ĐU")
    plan = make_document(district, number=str(index + 1), implements=directive)
    plan_services.recipient_add(
        actor=None,
        document=plan,
        name=commune.name,
        unit=commune,
        purpose=RecipientPurpose.CARRY_OUT,
    )
    make_task(plan, lead=[board], support=[district], deadline_text="hằng quý", text="Tuyên truyền")
    make_task(
        plan,
        lead=[commune],
        deadline_text="quý IV/2023",
        requires_plan=True,
        text="Xây dựng kế hoạch",
    )
    if index % 2:
        make_document(
            commune, number=str(500 + index), implements=plan, issued_on=date(2023, 11, 2)
        )
    occurrence = Occurrence.objects.filter(unit=board).order_by("due_on").first()
    task_services.progress_add(
        actor=admin,
        assignment=occurrence.assignment,
        occurrence=occurrence,
        note="Xong.",
        status=TaskStatus.DONE,
        completed_on=occurrence.due_on,
    )


def _grow(centre, directive, admin, start: int, count: int) -> None:
    for index in range(start, start + count):
        _branch(centre, directive, index, admin)


def _count(client, url: str, params: dict, **headers) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params, headers=headers)
    assert response.status_code == 200, url
    return len(captured)


def _measure(client, directive, centre, district_pk) -> dict[str, int]:
    params = {"directive": directive.pk, "unit": centre.pk}
    counts = {
        "page": _count(client, reverse("dashboard"), params),
        "htmx": _count(client, reverse("dashboard"), params, HX_Request="true"),
        "filtered": _count(
            client, reverse("dashboard"), {**params, "bloc": "party_board", "period": "2024"}
        ),
        "tree-root": _count(client, reverse("dashboard_tree"), {**params, "node": centre.pk}),
        "tree-branch": _count(client, reverse("dashboard_tree"), {**params, "node": district_pk}),
    }
    for table in TABLES:
        for fmt in ("csv", "xlsx"):
            counts[f"{table}.{fmt}"] = _count(
                client, reverse("dashboard_export", args=[table, fmt]), params
            )
    return counts


def test_the_dashboard_costs_the_same_queries_on_a_tree_ten_times_larger(client, db):
    centre = make_unit("Trung ương", level=Level.CENTRAL, code="TW")
    directive = make_document(centre, number="21", doc_type="CT")
    admin = member(centre, Role.ADMINISTRATOR)
    _grow(centre, directive, admin, 0, 2)
    client.force_login(member(centre, Role.LEADER))
    district = Unit.objects.get_children(centre).first()
    small = _measure(client, directive, centre, district.pk)
    _grow(centre, directive, admin, 2, 18)
    assert Occurrence.objects.count() > 9 * 2 * 4
    large = _measure(client, directive, centre, district.pk)
    assert small == large, (small, large)
    assert large["page"] <= PAGE_LIMIT
    assert large["tree-root"] <= FRAGMENT_LIMIT and large["tree-branch"] <= FRAGMENT_LIMIT
    assert max(v for k, v in large.items() if "." in k) <= FRAGMENT_LIMIT + 5
