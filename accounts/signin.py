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

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from accounts import throttle

BACKEND = "accounts.signin.SignInBackend"
# Session key: the person (pk) this session passed the second step for.
SECOND_STEP_KEY = "second_step_user"


def client_address(request: HttpRequest | None) -> str | None:
    """The address counted by the lockout (the proxy in front sets REMOTE_ADDR)."""
    return request.META.get("REMOTE_ADDR") or None if request is not None else None


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
        if throttle.is_locked(str(username), address):
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            throttle.record_failure(str(username), address)
        else:
            throttle.clear(str(username))
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
