"""The one sign-in flow: every way into a session passes the lockout and, for people with
two-step sign-in on, the second step.

Two pieces make a path that skips them impossible rather than merely absent:

- ``SignInBackend`` is the only authentication backend, so anything that checks a password
  with Django's ``authenticate`` (the site's form, the admin's, a form added later) is
  refused while the name is locked, and its failures are counted;
- ``SecondStepMiddleware`` refuses a session whose person has two-step sign-in on unless that
  session passed the second step (``second_step_passed``), however it was signed in.

The admin's own login page sends people to the site's (``cascade.admin``); password reset
never signs in by itself and clears the lockout of the name (``accounts.views``).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from accounts import throttle, two_factor

BACKEND = "accounts.signin.SignInBackend"
# Session key: the person (pk) this session passed the second step for.
SECOND_STEP_KEY = "second_step_user"


def client_address(request: HttpRequest | None) -> str | None:
    """The address counted by the lockout (the proxy in front sets REMOTE_ADDR)."""
    return request.META.get("REMOTE_ADDR") or None if request is not None else None


# A browser where someone signed in fully carries this cookie for their name: the lockout then
# counts that device on its own (accounts.throttle), so strangers cannot keep its owner out.
DEVICE_COOKIE = "cascade_device"
DEVICE_SALT = "accounts.signin.device"
DEVICE_DAYS = 365


def known_device(request: HttpRequest | None, username: str) -> str | None:
    """The id of the known-device cookie the browser sent, if it is valid for ``username``."""
    if request is None or not username:
        return None
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    if not value or len(value) > 500:
        return None
    try:
        data = signing.loads(value, salt=DEVICE_SALT, max_age=DEVICE_DAYS * 24 * 3600)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("n") != _name_hash(username):
        return None
    device = data.get("d")
    if not (isinstance(device, str) and device.isalnum()):
        return None
    # Tied to the password: after a reset (or any change) the old device is a stranger.
    person = (
        get_user_model()
        ._default_manager.filter(**{get_user_model().USERNAME_FIELD: username})
        .first()
    )
    if person is None or data.get("p") != _password_mark(person):
        return None
    return device


def remember_device(request: HttpRequest, response: HttpResponse, user: AbstractBaseUser) -> None:
    """After both steps: mark this browser as one where ``user`` signs in (keeping its id
    when it already was)."""
    username = user.get_username()
    device = known_device(request, username) or secrets.token_hex(16)
    value = signing.dumps(
        {"n": _name_hash(username), "d": device, "p": _password_mark(user)}, salt=DEVICE_SALT
    )
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_DAYS * 24 * 3600,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _name_hash(username: str) -> str:
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]


def _password_mark(user: AbstractBaseUser) -> str:
    """Changes whenever the password does (Django's session hash is made from it)."""
    return user.get_session_auth_hash()[:16]


class SignInBackend(ModelBackend):
    """Django's password check, refused while the name is locked, counting failures and
    clearing them on success. Loads the person with their two-step device (one query, as
    before), so the middleware's check costs nothing."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        address = client_address(request)
        device = known_device(request, str(username))
        if throttle.is_locked(str(username), address, device=device):
            return None
        if not throttle.attempt_begin(str(username), address, device=device):
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            if not device:
                throttle.attempt_failed(str(username))
            return None
        throttle.attempt_succeeded(address, device=device)
        if not two_factor.is_on_for(user):
            throttle.signed_in(str(username), address, device=device)
        # With two-step sign-in on, the counts are forgotten only once the code is given:
        # a known password must not reset the guessing of codes.
        return user

    def get_user(self, user_id):
        user = (
            get_user_model()
            ._default_manager.select_related("two_factor")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None


def two_factor_is_on(user: AbstractBaseUser) -> bool:
    """Whether ``user`` has a confirmed two-step device (read from the row loaded with the
    person when they came through ``SignInBackend.get_user``)."""
    try:
        device = user.two_factor  # type: ignore[attr-defined]
    except (AttributeError, ObjectDoesNotExist):
        return False
    return device.is_on


def second_step_passed(request: HttpRequest, user: AbstractBaseUser) -> None:
    """Note in the session that ``user`` gave a valid code in it (after ``login``, which
    rotates the session)."""
    request.session[SECOND_STEP_KEY] = user.pk


class SecondStepMiddleware:
    """Sign out a session whose person has two-step sign-in on but which never passed the
    second step: a path that signs in with the password alone gets nothing from it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and two_factor_is_on(user)
            and request.session.get(SECOND_STEP_KEY) != user.pk
        ):
            logout(request)
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Sign in again with the code from your app.")}, status=401
                )
            messages.error(request, _("Sign in again with the code from your app."))
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)
