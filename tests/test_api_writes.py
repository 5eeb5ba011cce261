"""Writes through the API call the pages' services: the same validation (a 400 with the
service's message), the same permissions (a 403 with its message, never a 500) and the same
audit trail, recorded as coming from the API and its token."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audit.models import AuditEvent
from plans.models import Document, DocumentStatus
from tasks.models import ProgressUpdate, TaskStatus
from tests.api_support import build_world, token_client

SEEDS = Path(__file__).resolve().parent.parent / "demo" / "seeds"


@pytest.fixture
def world(db):
    return build_world()


def test_a_progress_update_goes_through_the_service_and_is_audited(world):
    client = token_client(world.board_staff)
    response = client.post(
        "/api/progress-updates/",
        {"assignment": world.assignment.pk, "note": "Đã tổ chức hội nghị", "status": "in_progress"},
        format="json",
    )
    assert response.status_code == 201, response.content
    update = ProgressUpdate.objects.get(pk=response.json()["id"])
    assert update.author == world.board_staff
    world.assignment.refresh_from_db()
    assert world.assignment.status == TaskStatus.IN_PROGRESS
    event = AuditEvent.objects.get(action="progress", object_id=str(world.assignment.pk))
    assert event.actor == world.board_staff
    assert event.source == f"api:token:{client.token.prefix}"
    assert event.changes["note"] == "Đã tổ chức hội nghị"


def test_a_progress_update_by_another_branch_is_refused_with_the_services_message(world):
    # The other branch's leader cannot see the task at all: 404.
    response = token_client(world.other_leader).post(
        "/api/progress-updates/",
        {"assignment": world.assignment.pk, "note": "x", "status": "done"},
        format="json",
    )
    assert response.status_code == 404
    # The directive's issuer reads the plan but does not report for the board: 403.
    from tests.factories import member

    centre_leader = member(world.centre, "leader")
    response = token_client(centre_leader).post(
        "/api/progress-updates/",
        {"assignment": world.assignment.pk, "note": "x", "status": "done"},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["detail"]
    assert not ProgressUpdate.objects.exists()


def test_an_invalid_update_is_a_400_with_the_services_message(world):
    client = token_client(world.board_staff)
    response = client.post(
        "/api/progress-updates/",
        {
            "assignment": world.assignment.pk,
            "note": "Xong",
            "status": "done",
            "completed_on": "2999-01-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "completed_on" in response.json()["errors"]
    blank = client.post(
        "/api/progress-updates/",
        {"assignment": world.assignment.pk, "note": " ", "status": "done"},
        format="json",
    )
    assert blank.status_code == 400
    # The input's refusals have the same shape as the service's.
    assert "note" in blank.json()["errors"] and blank.json()["detail"]


def test_completing_a_period_marks_it_done_and_audits_it(world):
    occurrence = world.assignment.occurrences.order_by("due_on").first()
    client = token_client(world.board_staff)
    response = client.post(
        f"/api/occurrences/{occurrence.pk}/complete/",
        {"note": "Hoàn thành quán triệt", "completed_on": "2023-09-20"},
        format="json",
    )
    assert response.status_code == 201, response.content
    occurrence.refresh_from_db()
    assert occurrence.status == TaskStatus.DONE
    assert AuditEvent.objects.filter(action="progress", actor=world.board_staff).exists()


def test_completing_a_share_uses_task_complete(world):
    response = token_client(world.board_staff).post(
        f"/api/assignments/{world.assignment.pk}/complete/", {"note": "Xong"}, format="json"
    )
    assert response.status_code == 201, response.content
    world.assignment.refresh_from_db()
    assert world.assignment.status == TaskStatus.DONE


def test_the_importers_json_is_previewed_then_saved_as_a_draft_for_review(world):
    extraction = {
        "doc_type": "KH",
        "identifier": "12-KH/TU",
        "number": "12",
        "issuer": "Tỉnh ủy Thử Nghiệm",
        "issued_on": "2023-09-01",
        "title": "Kế hoạch tuyên truyền",
        "basis": [{"identifier": "21-CT/TW", "issuer": "Ban Bí thư Trung ương"}],
        "tasks": [
            {
                "text": "Quán triệt chỉ thị",
                "lead": ["Ban Tuyên giáo Tỉnh ủy Thử Nghiệm"],
                "deadline_text": "quý IV/2023",
            }
        ],
        "sections": [{"ignored": True}],
    }
    client = token_client(world.owner)
    preview = client.post("/api/imports/preview/", {"extraction": extraction}, format="json")
    assert preview.status_code == 200, preview.content
    body = preview.json()
    assert body["issuer"]["id"] == world.province.pk
    assert body["implements"]["id"] == world.directive.pk
    assert not Document.objects.filter(title="Kế hoạch tuyên truyền").exists()
    saved = client.post("/api/imports/", {"extraction": extraction}, format="json")
    assert saved.status_code == 201, saved.content
    document = Document.objects.get(pk=saved.json()["document"]["id"])
    assert document.status == DocumentStatus.DRAFT
    assert document.implements == world.directive
    assert document.tasks.get().assignments.get().unit == world.board
    assert AuditEvent.objects.filter(
        action="create", object_type="plans.document", object_id=str(document.pk)
    ).exists()


def test_an_import_for_a_unit_one_may_not_write_for_is_refused(world):
    extraction = {"issuer": "Tỉnh ủy Bên Cạnh", "title": "Kế hoạch", "issued_on": "2023-09-01"}
    client = token_client(world.owner)
    response = client.post(
        "/api/imports/",
        {"extraction": extraction, "issuer": world.other_province.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "issuer" in response.json()["errors"]


def test_a_malformed_extraction_is_a_400(world):
    client = token_client(world.owner)
    for bad in ({"tasks": "not a list"}, {"tasks": [{"lead": "x"}]}, {"issued_on": "soon"}):
        response = client.post("/api/imports/", {"extraction": bad}, format="json")
        assert response.status_code == 400, (bad, response.content)


def test_a_plan_text_is_read_by_the_importer(world):
    text = (SEEDS / "004.txt").read_text(encoding="utf-8")
    response = token_client(world.owner).post(
        "/api/imports/preview/", {"text": text}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["extraction"]["identifier"] == "470/KH-LĐLĐ"
    assert json.dumps(body["warnings"], ensure_ascii=False)
    # The document part by part travels with it, each task at its part.
    outline = body["extraction"]["outline"]
    assert outline[0]["text"].startswith("Thực hiện Kế hoạch số 349/KH-TLĐ")
    tasks = body["extraction"]["tasks"]
    assert all(outline[task["part"]]["task"] == n for n, task in enumerate(tasks))


def test_an_extraction_whose_tasks_share_a_part_is_a_400(world):
    extraction = {
        "issuer": "Tỉnh ủy Thử Nghiệm",
        "title": "Kế hoạch",
        "outline": [{"kind": "text", "text": "Một đoạn", "task": 0}],
        "tasks": [{"text": "Một đoạn", "part": 0}, {"text": "Hai", "part": 0}],
    }
    response = token_client(world.owner).post(
        "/api/imports/preview/", {"extraction": extraction}, format="json"
    )
    assert response.status_code == 400
    assert "not a free part" in json.dumps(response.json(), ensure_ascii=False)


def test_an_empty_import_says_what_to_send(world):
    response = token_client(world.owner).post("/api/imports/preview/", {}, format="json")
    assert response.status_code == 400
    assert "extraction" in response.json()["detail"]
