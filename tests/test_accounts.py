"""Accounts: a unit's administrator invites (a signed one-time link), sets roles and removes
members in the product, each change audited; sign-in is throttled after repeated failures;
a forgotten password is reset by e-mail."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Counter
from audit.models import AuditEvent
from tests.factories import UserFactory, member
from units.models import Membership, Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def _link(message) -> str:
    return re.search(r"(/accounts/\S+)", message.body).group(1)


def test_an_administrator_invites_by_a_one_time_link(
    client, district, django_capture_on_commit_callbacks
):
    admin = member(district, Role.ADMINISTRATOR)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts_invite", args=[district.pk]),
            {"email": "Can.Bo@Example.org", "role": Role.STAFF},
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["can.bo@example.org"]
    link = _link(mail.outbox[0])
    assert AuditEvent.objects.filter(object_type="accounts.invitation", action="invite").exists()

    client.logout()
    page = client.get(link)
    assert page.status_code == 200 and district.name in page.content.decode()
    joined = client.post(
        link,
        {"username": "canbo", "password1": "Mật-khẩu-dài-2026", "password2": "Mật-khẩu-dài-2026"},
    )
    assert joined.status_code == 302
    user = get_user_model().objects.get(username="canbo")
    assert user.email == "can.bo@example.org"
    assert Membership.objects.get(user=user, unit=district).role == Role.STAFF

    client.logout()
    again = client.get(link)
    assert again.status_code == 404  # used once
    forged = client.get(link[:-3] + "abc/")
    assert forged.status_code == 404


def test_a_weak_password_is_refused_when_accepting(client, district):
    invitation = services.member_invite(actor=None, unit=district, email="a@example.org")
    link = services.invitation_link(invitation)
    response = client.post(link, {"username": "a", "password1": "123", "password2": "123"})
    assert response.status_code == 200 and not get_user_model().objects.filter(username="a")


def test_a_signed_in_person_joins_with_one_click(client, district):
    invitation = services.member_invite(
        actor=None, unit=district, email="x@example.org", role=Role.OBSERVER
    )
    person = UserFactory(email="x@example.org")
    client.force_login(person)
    assert client.post(services.invitation_link(invitation)).status_code == 302
    assert Membership.objects.get(user=person, unit=district).role == Role.OBSERVER


def test_roles_and_removal_are_audited_and_only_for_the_units_administrators(
    client, district, other_province
):
    admin = member(district, Role.ADMINISTRATOR)
    staff = member(district, Role.STAFF)
    membership = Membership.objects.get(user=staff, unit=district)
    client.force_login(member(other_province, Role.ADMINISTRATOR))
    assert client.get(reverse("accounts_members", args=[district.pk])).status_code == 404
    assert (
        client.post(
            reverse("accounts_set_role", args=[membership.pk]),
            {f"m{membership.pk}-role": Role.LEADER},
        ).status_code
        == 404
    )
    client.force_login(staff)
    assert client.get(reverse("accounts_members", args=[district.pk])).status_code == 404

    client.force_login(admin)
    page = client.get(reverse("accounts_members", args=[district.pk]))
    assert page.status_code == 200 and staff.username in page.content.decode()
    client.post(
        reverse("accounts_set_role", args=[membership.pk]),
        {f"m{membership.pk}-role": Role.LEADER},
    )
    membership.refresh_from_db()
    assert membership.role == Role.LEADER
    assert AuditEvent.objects.filter(
        object_type="units.membership", object_id=str(membership.pk), action="update"
    ).exists()
    client.post(reverse("accounts_remove", args=[membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.filter(
        object_type="units.membership", object_id=str(membership.pk), action="delete"
    ).exists()
    # An administrator cannot remove or demote themselves (nobody left to undo it).
    own = Membership.objects.get(user=admin, unit=district)
    client.post(reverse("accounts_remove", args=[own.pk]))
    assert Membership.objects.filter(pk=own.pk).exists()


def test_sign_in_is_refused_for_a_while_after_repeated_failures(client):
    UserFactory(username="nguoidung")
    url = reverse("login")
    for _attempt in range(5):
        failed = client.post(url, {"username": "nguoidung", "password": "wrong"})
        assert failed.status_code == 200
    refused = client.post(url, {"username": "nguoidung", "password": "pw-for-tests-1"})
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "Too many failed attempts" in text or "Đăng nhập sai quá nhiều lần" in text
    # Fifteen minutes later the lock has lifted.
    past = timezone.now() - timedelta(hours=1)
    Counter.objects.update(window_ends_at=past, last_at=past)
    assert (
        client.post(url, {"username": "nguoidung", "password": "pw-for-tests-1"}).status_code == 302
    )


def test_a_forgotten_password_is_reset_by_email(client, django_capture_on_commit_callbacks):
    user = UserFactory(username="quenmatkhau", email="quen@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "quen@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new = "Mật-khẩu-mới-2026"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


def test_sessions_expire(settings):
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
