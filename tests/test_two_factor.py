"""Two-step sign-in for leaders and administrators: turned on with a code from their app,
then asked for after the password; each code works once; staff are not offered it."""

from __future__ import annotations

import time

import pyotp
import pytest
from django.urls import reverse

from accounts.models import TwoFactorDevice
from accounts.signin import SECOND_STEP_KEY
from audit.models import AuditEvent
from tests.factories import member
from units.models import Role

PASSWORD = "pw-for-tests-1"


def _code(user, *, offset: int = 0) -> str:
    totp = pyotp.TOTP(TwoFactorDevice.objects.get(user=user).secret)
    return totp.at(time.time() + offset * totp.interval)


def _turn_on(client, user) -> None:
    client.force_login(user)
    page = client.get(reverse("accounts_two_factor"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    response = client.post(reverse("accounts_two_factor"), {"code": _code(user), "action": "on"})
    assert response.status_code == 302
    client.logout()


def _signed_in_with_code(client, user) -> None:
    """A session that passed both steps (force_login alone is the password step)."""
    client.force_login(user)
    session = client.session
    session[SECOND_STEP_KEY] = user.pk
    session.save()


def _sign_in(client, user):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})


@pytest.fixture
def leader(province):
    return member(province, Role.LEADER)


def test_a_leader_turns_it_on_and_then_signing_in_asks_for_the_code(client, leader):
    _turn_on(client, leader)
    device = TwoFactorDevice.objects.get(user=leader)
    assert device.is_on
    assert AuditEvent.objects.filter(object_type="accounts.twofactordevice").exists()

    response = _sign_in(client, leader)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts_two_factor_verify")
    assert "_auth_user_id" not in client.session  # the password alone does not sign in

    wrong = client.post(reverse("accounts_two_factor_verify"), {"code": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    right = client.post(reverse("accounts_two_factor_verify"), {"code": _code(leader, offset=1)})
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(leader.pk)


def test_a_code_that_was_used_once_does_not_work_again(client, leader):
    _turn_on(client, leader)
    used = _code(leader, offset=1)
    _sign_in(client, leader)
    client.post(reverse("accounts_two_factor_verify"), {"code": used})
    client.logout()
    _sign_in(client, leader)
    again = client.post(reverse("accounts_two_factor_verify"), {"code": used})
    assert again.status_code == 200 and "_auth_user_id" not in client.session


def test_the_code_page_without_a_password_first_sends_to_sign_in(client):
    response = client.get(reverse("accounts_two_factor_verify"))
    assert response.status_code == 302 and response["Location"] == reverse("login")


def test_turning_it_off_needs_a_current_code(client, leader):
    _turn_on(client, leader)
    _signed_in_with_code(client, leader)
    refused = client.post(reverse("accounts_two_factor"), {"code": "123", "action": "disable"})
    assert refused.status_code == 200 and TwoFactorDevice.objects.get(user=leader).is_on
    client.post(
        reverse("accounts_two_factor"), {"code": _code(leader, offset=1), "action": "disable"}
    )
    assert not TwoFactorDevice.objects.filter(user=leader).exists()
    response = _sign_in(client, leader)
    assert client.session["_auth_user_id"] == str(leader.pk) and response.status_code == 302


def test_staff_are_not_offered_it_and_sign_in_with_a_password(client, province):
    staff = member(province, Role.STAFF)
    client.force_login(staff)
    assert client.get(reverse("accounts_two_factor")).status_code == 404
    assert "two-step" not in client.get(reverse("home")).content.decode()


def test_a_superuser_turns_it_off_for_someone_who_lost_their_phone(client, leader):
    from django.contrib.auth import get_user_model

    _turn_on(client, leader)
    root = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(root)
    device = TwoFactorDevice.objects.get(user=leader)
    url = reverse("admin:accounts_twofactordevice_delete", args=[device.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not TwoFactorDevice.objects.filter(user=leader).exists()
    event = AuditEvent.objects.get(object_type="accounts.twofactordevice", actor=root)
    assert event.changes == {"on": [True, False]}
