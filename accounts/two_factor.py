"""Two-step sign-in with an authenticator app (TOTP): turning it on, checking a code at sign-in,
turning it off. Every change is audited."""

from __future__ import annotations

import time

import pyotp
import segno
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import TwoFactorDevice
from audit.services import audit_record
from cascade.services import atomic_service
from units.models import LEADING_ROLES, holds_role

ISSUER = "Cascade"
# A code is accepted one step (30 s) either side of now: phones' clocks drift.
VALID_WINDOW = 1


def is_offered_to(user: AbstractBaseUser) -> bool:
    """Leaders and administrators (whose accounts reach a subtree) and superusers."""
    return holds_role(user, LEADING_ROLES)


def device_of(user: AbstractBaseUser) -> TwoFactorDevice | None:
    return TwoFactorDevice.objects.filter(user=user).first()


def is_on_for(user: AbstractBaseUser) -> bool:
    device = device_of(user)
    return device is not None and device.is_on


def provisioning_uri(device: TwoFactorDevice) -> str:
    """The ``otpauth://`` address an authenticator app reads (typed or from the QR code)."""
    return pyotp.TOTP(device.secret).provisioning_uri(
        name=device.user.get_username(), issuer_name=ISSUER
    )


def qr_svg(device: TwoFactorDevice) -> str:
    """The provisioning address as an inline SVG QR code (drawn here: no outside service)."""
    return segno.make(provisioning_uri(device), error="m").svg_inline(scale=4)


def _clean(code: str) -> str:
    return "".join(code.split())


def _matching_step(device: TwoFactorDevice, code: str) -> int | None:
    """The time step ``code`` belongs to, if it is valid now and newer than the last used."""
    code = _clean(code)
    if not (code.isdecimal() and len(code) == 6):
        return None
    totp = pyotp.TOTP(device.secret)
    now = int(time.time())
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        at = now + offset * totp.interval
        step = at // totp.interval
        if step > device.last_step and pyotp.utils.strings_equal(totp.at(at), code):
            return step
    return None


@atomic_service
def two_factor_begin(*, actor: AbstractBaseUser) -> TwoFactorDevice:
    """Start turning two-step sign-in on: a new secret for the person's app, not yet in use
    (starting again replaces an unconfirmed one; a confirmed one must be turned off first)."""
    if not is_offered_to(actor):
        raise ValidationError(_("Two-step sign-in is for leaders and administrators."))
    device = device_of(actor)
    if device is not None and device.is_on:
        raise ValidationError(_("Two-step sign-in is already on."))
    if device is None:
        device = TwoFactorDevice(user=actor)
    device.secret = pyotp.random_base32()
    device.last_step = 0
    device.save()
    return device


@atomic_service
def two_factor_confirm(*, actor: AbstractBaseUser, code: str) -> TwoFactorDevice:
    """Turn two-step sign-in on once the person's app shows a matching code."""
    device = TwoFactorDevice.objects.select_for_update().filter(user=actor).first()
    if device is None or device.is_on:
        raise ValidationError(_("Start again: open the two-step sign-in page."))
    step = _matching_step(device, code)
    if step is None:
        raise ValidationError({"code": _("That code does not match. Check the phone's clock.")})
    device.confirmed_at = timezone.now()
    device.last_step = step
    device.save(update_fields=["confirmed_at", "last_step"])
    audit_record(actor=actor, action="update", instance=device, changes={"on": [False, True]})
    return device


@atomic_service
def two_factor_check(*, user: AbstractBaseUser, code: str) -> bool:
    """Whether ``code`` completes this person's sign-in (each code works once)."""
    device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
    if device is None or not device.is_on:
        return False
    step = _matching_step(device, code)
    if step is None:
        return False
    device.last_step = step
    device.save(update_fields=["last_step"])
    return True


@atomic_service
def two_factor_disable(*, actor: AbstractBaseUser, code: str) -> None:
    """Turn two-step sign-in off; a current code proves the phone is still at hand."""
    device = TwoFactorDevice.objects.select_for_update().filter(user=actor).first()
    if device is None or not device.is_on:
        raise ValidationError(_("Two-step sign-in is not on."))
    if _matching_step(device, code) is None:
        raise ValidationError({"code": _("That code does not match. Check the phone's clock.")})
    audit_record(actor=actor, action="update", instance=device, changes={"on": [True, False]})
    device.delete()


@atomic_service
def two_factor_reset(*, actor: AbstractBaseUser | None, user: AbstractBaseUser) -> None:
    """Turn someone's two-step sign-in off for them (a superuser, when a phone is lost)."""
    if actor is not None and not getattr(actor, "is_superuser", False):
        raise PermissionDenied(_("Only a superuser can turn off someone else's two-step sign-in."))
    device = TwoFactorDevice.objects.filter(user=user).first()
    if device is None:
        return
    audit_record(actor=actor, action="update", instance=device, changes={"on": [True, False]})
    device.delete()
