"""The API shows exactly what the pages show: the same scoping methods decide, so an
outsider gets empty lists and 404s, and another branch's leader does not see this branch's
work."""

from __future__ import annotations

import pytest

from tests.api_support import build_world, ids, token_client


@pytest.fixture
def world(db):
    return build_world()


def test_a_request_without_credentials_is_told_to_authenticate(world, client):
    response = client.get("/api/documents/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_token_is_refused_with_a_message(world, client):
    response = client.get("/api/documents/", headers={"Authorization": "Bearer csc_wrong"})
    assert response.status_code == 401
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/units/",
        "/api/documents/",
        "/api/targets/",
        "/api/tasks/",
        "/api/assignments/",
        "/api/occurrences/",
        "/api/progress-updates/",
        "/api/reports/",
        "/api/measurements/",
        "/api/notifications/",
        "/api/tokens/",
    ],
)
def test_an_outsider_gets_empty_lists(world, path):
    response = token_client(world.outsider).get(path)
    assert response.status_code == 200
    body = response.json()
    # The outsider's own token is the one row they may see.
    assert body["count"] == (1 if path == "/api/tokens/" else 0)


def test_an_outsider_gets_404_for_a_document_a_task_and_the_dashboard(world):
    client = token_client(world.outsider)
    assert client.get(f"/api/documents/{world.plan.pk}/").status_code == 404
    assert client.get(f"/api/documents/{world.plan.pk}/cascade/").status_code == 404
    assert client.get(f"/api/tasks/{world.task.pk}/").status_code == 404
    assert client.get(f"/api/assignments/{world.assignment.pk}/").status_code == 404
    assert client.get("/api/dashboard/").status_code == 404


def test_the_owner_sees_their_plan_its_directive_and_not_the_other_branch(world):
    client = token_client(world.owner)
    seen = ids(client.get("/api/documents/"))
    assert {world.plan.pk, world.directive.pk} <= seen
    assert world.other_plan.pk not in seen
    assert client.get(f"/api/documents/{world.other_plan.pk}/").status_code == 404


def test_another_branch_leader_sees_neither_the_plan_nor_its_tasks(world):
    client = token_client(world.other_leader)
    assert world.plan.pk not in ids(client.get("/api/documents/"))
    assert ids(client.get("/api/tasks/")) == set()
    assert client.get(f"/api/tasks/{world.task.pk}/").status_code == 404
    assert world.other_plan.pk in ids(client.get("/api/documents/"))


def test_a_document_shows_its_cascade_parents_and_children(world):
    client = token_client(world.owner)
    body = client.get(f"/api/documents/{world.plan.pk}/").json()
    assert [p["id"] for p in body["parents"]] == [world.directive.pk]
    top = client.get(f"/api/documents/{world.directive.pk}/").json()
    # The other province's plan is not the owner's to see, even as a child.
    assert [c["id"] for c in top["children"]] == [world.plan.pk]


def test_the_cascade_export_is_the_tree_the_requester_may_see(world):
    body = token_client(world.owner).get(f"/api/documents/{world.directive.pk}/cascade/").json()
    assert body["parents"] == []
    assert body["tree"]["document"]["id"] == world.directive.pk
    assert [c["document"]["id"] for c in body["tree"]["children"]] == [world.plan.pk]
    assert body["tree"]["children"][0]["task_total"] == 1


def test_lists_filter_by_subtree_issuer_level_dates_and_words_without_diacritics(world):
    client = token_client(world.owner)
    assert ids(client.get("/api/documents/", {"q": "ke hoach thuc hien"})) == {world.plan.pk}
    assert ids(client.get("/api/documents/", {"q": "KẾ HOẠCH thực"})) == {world.plan.pk}
    assert ids(client.get("/api/documents/", {"subtree": world.province.pk})) == {world.plan.pk}
    assert ids(client.get("/api/documents/", {"issuer": world.centre.pk})) == {world.directive.pk}
    assert ids(client.get("/api/documents/", {"level": "central"})) == {world.directive.pk}
    assert ids(client.get("/api/documents/", {"issued_after": "2030-01-01"})) == set()
    assert ids(client.get("/api/tasks/", {"subtree": world.province.pk})) == {world.task.pk}
    assert ids(client.get("/api/tasks/", {"unit": world.other_province.pk})) == set()
    assert ids(client.get("/api/units/", {"q": "ban tuyen giao"})) == {world.board.pk}
    occurrences = client.get("/api/occurrences/", {"due_after": "2023-07-01"}).json()
    assert occurrences["count"] == world.assignment.occurrences.count() > 0


def test_a_filter_naming_an_unknown_unit_is_a_400_not_a_500(world):
    response = token_client(world.owner).get("/api/documents/", {"subtree": 999999})
    assert response.status_code == 400


def test_units_carry_their_parent(world):
    body = token_client(world.owner).get(f"/api/units/{world.board.pk}/").json()
    assert body["parent"] == world.province.pk


def test_notifications_are_only_the_requesters_own(world):
    from notifications.models import Notification

    owner_notes = Notification.objects.filter(recipient=world.board_staff)
    client = token_client(world.board_staff)
    assert client.get("/api/notifications/").json()["count"] == owner_notes.count()
    if owner_notes.exists():
        note = owner_notes.first()
        other = token_client(world.owner)
        assert other.get(f"/api/notifications/{note.pk}/").status_code == 404
        assert client.post(f"/api/notifications/{note.pk}/read/").status_code == 200


def test_the_dashboard_gives_the_pages_figures_and_refuses_another_branch(world):
    client = token_client(world.owner)
    body = client.get("/api/dashboard/", {"directive": world.directive.pk}).json()
    assert body["directive"]["id"] == world.directive.pk
    assert body["unit"]["id"] == world.province.pk
    assert set(body["states"]) >= {"done_on_time", "overdue", "not_started", "total"}
    assert len(body["trend"]) == 12
    other = client.get("/api/dashboard/", {"unit": world.other_province.pk})
    assert other.status_code == 404
