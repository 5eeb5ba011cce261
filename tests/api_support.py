"""What the API tests share: a small cascade with an owner's staff, a leader of another
branch and an outsider, and clients signed in by token (each with a new token, so throttle
counts, kept per token, never carry over from one test to the next)."""

from __future__ import annotations

from dataclasses import dataclass

from rest_framework.test import APIClient

from api.services import api_token_issue
from plans.models import Document
from tasks.models import Assignment, Task
from tests.factories import UserFactory, make_document, make_task, make_unit, member
from units.models import Bloc, Level, Role, Unit


@dataclass
class World:
    centre: Unit
    province: Unit
    board: Unit
    other_province: Unit
    directive: Document
    plan: Document
    other_plan: Document
    task: Task
    assignment: Assignment
    owner: object  # staff of the province, which issued the plan
    board_staff: object  # staff of the board leading the task
    other_leader: object  # leader of the other province
    outsider: object  # a signed-in person with no unit


def build_world() -> World:
    centre = make_unit("Ban Bí thư Trung ương", level=Level.CENTRAL, code="TW")
    province = make_unit("Tỉnh ủy Thử Nghiệm", parent=centre, code="TU")
    board = make_unit(
        "Ban Tuyên giáo Tỉnh ủy Thử Nghiệm", parent=province, bloc=Bloc.PARTY_BOARD, code="BTGTU"
    )
    other = make_unit("Tỉnh ủy Bên Cạnh", parent=centre, code="TU")
    directive = make_document(centre, number="21", doc_type="CT", title="Về giáo dục nghề nghiệp")
    plan = make_document(province, number="275", implements=directive, title="Kế hoạch thực hiện")
    other_plan = make_document(other, number="105", implements=directive, title="Kế hoạch khác")
    task = make_task(plan, lead=[board], text="Tổ chức quán triệt", deadline_text="quý III/2023")
    return World(
        centre=centre,
        province=province,
        board=board,
        other_province=other,
        directive=directive,
        plan=plan,
        other_plan=other_plan,
        task=task,
        assignment=task.assignments.get(unit=board),
        owner=member(province, Role.STAFF),
        board_staff=member(board, Role.STAFF),
        other_leader=member(other, Role.LEADER),
        outsider=UserFactory(),
    )


def token_client(user, *, name: str = "partner") -> APIClient:
    """A client calling the API with a new token of ``user``."""
    issued = api_token_issue(actor=None, user=user, name=name)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.key}")
    client.token = issued.token
    return client


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}
