"""The admin for staff accounts that are not superusers: every registered model shows only
the rows the scoping rule gives them; the audit trail cannot be changed there by anyone."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from audit.models import AuditEvent
from tests.factories import UserFactory, make_document, make_task, member
from units.models import Role

pytestmark = pytest.mark.django_db

MINE = "zqxminezqx"
THEIRS = "zqxtheirszqx"


@pytest.fixture
def two_branches(province, other_province):
    mine = make_document(province, title=f"Kế hoạch {MINE}")
    theirs = make_document(other_province, title=f"Kế hoạch {THEIRS}")
    make_task(mine, lead=[province], text=f"Nhiệm vụ {MINE}")
    make_task(theirs, lead=[other_province], text=f"Nhiệm vụ {THEIRS}")
    return mine, theirs


@pytest.fixture
def admin_staff(province):
    """A staff account holding every permission, member (leader) of one province only."""
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    member(province, Role.LEADER, user=user)
    return user


def test_no_admin_changelist_shows_another_branchs_rows(client, two_branches, admin_staff):
    client.force_login(admin_staff)
    opened = 0
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code in (200, 403), url
        opened += response.status_code == 200
        assert THEIRS not in response.content.decode(), f"{url} shows another branch's rows"
        if response.status_code == 200:
            # Also by row: nothing listed that points at the other branch's document or task.
            shown = response.context["cl"].queryset
            assert not [row for row in shown if THEIRS in _describe(row)], url
    assert opened > 10
    mine, theirs = two_branches
    own = client.get(reverse("admin:plans_document_change", args=[mine.pk]))
    assert own.status_code == 200 and MINE in own.content.decode()
    other = client.get(reverse("admin:plans_document_change", args=[theirs.pk]))
    assert other.status_code in (302, 404)
    assert THEIRS not in client.get(reverse("admin:tasks_task_add")).content.decode()


def _describe(row) -> str:
    """A row's own text and that of the document or task it belongs to."""
    parts = [str(row)]
    for name in ("document", "task", "title", "text"):
        value = getattr(row, name, None)
        parts.append(str(getattr(value, "title", value)))
    return " ".join(parts)


def test_a_superuser_sees_every_branch(client, two_branches):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    shown = client.get(reverse("admin:plans_document_changelist")).context["cl"].queryset
    assert {d.pk for d in two_branches} <= {d.pk for d in shown}


def test_the_audit_trail_cannot_be_changed_in_the_admin(client, two_branches):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    event = AuditEvent.objects.first()
    assert event is not None
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    delete = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:audit_auditevent_change", args=[event.pk])
    client.post(change, {"action": "hacked", "object_repr": "hacked"})
    event.refresh_from_db()
    assert event.action != "hacked"
    bulk = client.post(
        reverse("admin:audit_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302, 403)
    assert AuditEvent.objects.filter(pk=event.pk).exists()
