"""The cascade and document pages cost the same number of queries however large the data."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_document, make_task, make_unit, member
from units.models import Bloc, Level, Role


def _build(size: int):
    """A directive with ``size`` district plans, each with ``size`` sub-plans and tasks."""
    centre = make_unit("Trung ương", level=Level.CENTRAL, code="TW")
    directive = make_document(centre, number="21", doc_type="CT")
    for i in range(size):
        district = make_unit(f"Huyện ủy {i}", parent=centre, level=Level.DISTRICT, code="HU")
        board = make_unit(f"Ban Tuyên giáo {i}", parent=district, bloc=Bloc.PARTY_BOARD, code="BTG")
        plan = make_document(district, number=str(i + 1), implements=directive)
        for j in range(size):
            make_task(plan, lead=[board], support=[district], text=f"Nhiệm vụ {j}")
            make_document(
                board,
                number=str(j + 1),
                implements=plan,
                issued_on=datetime.date(2023, 9, 1),
            )
    return centre, directive


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_cascade_page_does_not_grow_with_the_tree(client, db):
    centre, directive = _build(2)
    client.force_login(member(centre, Role.LEADER))
    small = _queries(client, reverse("cascade", args=[directive.pk]))
    _grow(centre, directive, 20)
    large = _queries(client, reverse("cascade", args=[directive.pk]))
    assert small == large <= 10


def test_the_document_page_does_not_grow_with_its_tasks(client, db):
    centre, directive = _build(2)
    plan = directive.implementations.first()
    client.force_login(member(centre, Role.LEADER))
    small = _queries(client, reverse("document", args=[plan.pk]))
    board = plan.tasks.first().assignments.first().unit
    for j in range(20):
        make_task(plan, lead=[board], text=f"Thêm nhiệm vụ {j}")
        make_document(board, number=str(100 + j), implements=plan)
    large = _queries(client, reverse("document", args=[plan.pk]))
    assert small == large <= 20


def _grow(centre, directive, size: int) -> None:
    """Ten times the branches of the small tree, each with a plan, a task and a sub-plan."""
    for i in range(size):
        district = make_unit(f"Huyện ủy thêm {i}", parent=centre, level=Level.DISTRICT, code="HU")
        plan = make_document(district, number=str(500 + i), implements=directive)
        make_task(plan, lead=[district], text="Nhiệm vụ thêm")
        make_document(district, number=str(900 + i), implements=plan, doc_type="CTr")
