"""API tokens: an administrator issues, lists and revokes them (API, command, admin); only a
hash is stored; every change is audited; a revoked token stops working at once; each token
is throttled on its own."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from api.models import ApiToken
from api.services import api_token_issue, hash_key
from audit.models import AuditEvent
from tests.api_support import build_world, token_client
from tests.factories import member
from units.models import Role


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def administrator(world):
    """An administrator of the province: manages the people of the province and below."""
    return member(world.province, Role.ADMINISTRATOR)


def test_an_administrator_issues_lists_and_revokes_a_token_for_their_staff(
    world, administrator, django_capture_on_commit_callbacks
):
    from django.core import mail

    admin = token_client(administrator, name="admin's own")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "/api/tokens/", {"user": world.board_staff.pk, "name": "Phần mềm tỉnh"}, format="json"
        )
    assert response.status_code == 201, response.content
    # The secret goes to its holder, never to the administrator who issued it.
    assert "key" not in response.json()
    assert response.json()["sent_to"] == world.board_staff.email
    (message,) = mail.outbox
    assert message.to == [world.board_staff.email]
    key = next(word for word in message.body.split() if word.startswith("csc_"))
    token = ApiToken.objects.get(pk=response.json()["id"])
    # Only the hash is kept, and never the key in the audit trail.
    assert token.key_hash == hash_key(key) and key not in token.key_hash
    issued = AuditEvent.objects.get(action="issue", object_id=str(token.pk))
    assert issued.actor == administrator
    assert key not in str(issued.changes)

    partner = APIClient()
    partner.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert partner.get("/api/tasks/").status_code == 200

    listed = admin.get("/api/tokens/", {"user": world.board_staff.pk}).json()
    assert [row["id"] for row in listed["results"]] == [token.pk]
    assert "key" not in listed["results"][0]

    revoked = admin.post(f"/api/tokens/{token.pk}/revoke/")
    assert revoked.status_code == 200
    assert revoked.json()["is_active"] is False
    assert AuditEvent.objects.filter(action="revoke", object_id=str(token.pk)).exists()
    assert partner.get("/api/tasks/").status_code == 401


def test_staff_may_not_issue_tokens_for_others(world):
    response = token_client(world.owner).post(
        "/api/tokens/", {"user": world.board_staff.pk, "name": "x"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["detail"]


def test_an_administrator_of_another_branch_sees_no_tokens_here(world):
    token_client(world.board_staff)
    stranger = member(world.other_province, Role.ADMINISTRATOR)
    client = token_client(stranger)
    rows = client.get("/api/tokens/").json()["results"]
    assert {row["user_id"] for row in rows} == {stranger.pk}


def test_a_person_may_revoke_their_own_token(world):
    client = token_client(world.owner)
    response = client.post(f"/api/tokens/{client.token.pk}/revoke/")
    assert response.status_code == 200
    assert client.get("/api/documents/").status_code == 401


def test_the_command_issues_lists_and_revokes(world):
    out = io.StringIO()
    call_command("api_token", "issue", world.owner.username, "--name", "Đối tác", stdout=out)
    key = out.getvalue().strip()
    assert key.startswith("csc_")
    token = ApiToken.objects.get(key_hash=hash_key(key))
    assert AuditEvent.objects.get(action="issue", object_id=str(token.pk)).source == (
        "command:api_token"
    )
    listing = io.StringIO()
    call_command("api_token", "list", world.owner.username, stdout=listing)
    assert token.prefix in listing.getvalue() and key not in listing.getvalue()
    call_command("api_token", "revoke", token.prefix, stdout=io.StringIO())
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_each_token_is_throttled_on_its_own(world, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_token": "3/minute", "api_session": "100/minute"},
    }
    first = token_client(world.owner, name="first")
    statuses = [first.get("/api/units/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert int(first.get("/api/units/")["Retry-After"]) > 0
    second = token_client(world.owner, name="second")
    assert second.get("/api/units/").status_code == 200


def test_an_expired_token_no_longer_works(world):
    import datetime

    from django.utils import timezone

    issued = api_token_issue(actor=None, user=world.owner, name="short")
    ApiToken.objects.filter(pk=issued.token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.key}")
    assert client.get("/api/units/").status_code == 401


def test_the_admin_lists_tokens_without_their_hash(world, client, django_user_model):
    token_client(world.owner)
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    page = client.get("/admin/api/apitoken/")
    assert page.status_code == 200
    token = ApiToken.objects.get()
    detail = client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    assert token.key_hash not in detail


def test_the_token_page_issues_a_token_shown_once_and_revokes_it(
    world, administrator, client, django_capture_on_commit_callbacks
):
    from django.core import mail

    client.force_login(administrator)
    page = client.get("/api/manage/tokens/")
    assert page.status_code == 200
    # For someone else: sent to them, never shown to the administrator.
    with django_capture_on_commit_callbacks(execute=True):
        issued = client.post(
            "/api/manage/tokens/",
            {"user": world.board_staff.pk, "name": "Cổng tỉnh", "days": "30"},
        )
    assert issued.status_code == 200 and world.board_staff.email in issued.content.decode()
    token = ApiToken.objects.get(user=world.board_staff)
    key = next(word for word in mail.outbox[0].body.split() if word.startswith("csc_"))
    assert token.key_hash == hash_key(key) and key not in issued.content.decode()
    # For themselves: shown once, on this answer only.
    own = client.post("/api/manage/tokens/", {"user": administrator.pk, "name": "Của tôi"})
    mine = own.context["key"]
    assert mine and mine in own.content.decode()
    assert mine not in client.get("/api/manage/tokens/").content.decode()
    response = client.post(f"/api/manage/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == administrator


def test_the_token_page_offers_staff_only_their_own_tokens(world, client):
    token_client(world.board_staff)
    client.force_login(world.owner)
    page = client.get("/api/manage/tokens/")
    assert page.status_code == 200 and not page.context["may_issue"]
    refused = client.post("/api/manage/tokens/", {"user": world.board_staff.pk, "name": "x"})
    assert refused.status_code == 400
    assert not ApiToken.objects.filter(user=world.board_staff, name="x").exists()
    other = ApiToken.objects.get(user=world.board_staff)
    assert client.post(f"/api/manage/tokens/{other.pk}/revoke/").status_code == 404


def test_requests_are_answered_unthrottled_when_the_cache_is_down(world, monkeypatch):
    from django.core.cache import cache
    from redis.exceptions import ConnectionError as RedisConnectionError

    def unreachable(*args, **kwargs):
        raise RedisConnectionError("Connection refused")

    client = token_client(world.owner)
    monkeypatch.setattr(cache, "get", unreachable)
    assert client.get("/api/units/").status_code == 200
