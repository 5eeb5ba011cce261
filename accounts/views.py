"""Members of a unit, managed by its administrators; accepting an invitation."""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services, signin, throttle, two_factor
from accounts.forms import AcceptForm, CodeForm, InviteForm, RoleForm, ThrottledAuthenticationForm
from accounts.models import Invitation
from cascade.forms import add_service_errors
from units.models import Membership, Unit


def _managed_unit(request: HttpRequest, pk: int) -> Unit:
    unit = get_object_or_404(Unit.objects.readable_by(request.user), pk=pk)
    if not services.may_manage(request.user, unit):
        raise Http404
    return unit


def _members_page(request: HttpRequest, unit: Unit, invite_form: InviteForm | None = None):
    memberships = (
        Membership.objects.filter(unit=unit).select_related("user").order_by("user__username")
    )
    return render(
        request,
        "accounts/members.html",
        {
            "unit": unit,
            "rows": [
                (m, RoleForm(initial={"role": m.role}, prefix=f"m{m.pk}")) for m in memberships
            ],
            "invite_form": invite_form or InviteForm(),
            "invitations": Invitation.objects.filter(unit=unit, accepted_at__isnull=True)[:50],
        },
    )


@login_required
def unit_members(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's members and their roles, and the invitation form (administrators)."""
    return _members_page(request, _managed_unit(request, pk))


@login_required
@require_POST
def member_invite(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _managed_unit(request, pk)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            services.member_invite(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The invitation was sent."))
            return redirect("accounts_members", pk=unit.pk)
    return _members_page(request, unit, form)


def _membership(request: HttpRequest, pk: int) -> Membership:
    membership = get_object_or_404(
        Membership.objects.select_related("unit", "user").filter(
            unit__in=Unit.objects.readable_by(request.user)
        ),
        pk=pk,
    )
    if not services.may_manage(request.user, membership.unit):
        raise Http404
    return membership


def _refused(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
@require_POST
def member_set_role(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request, pk)
    form = RoleForm(request.POST, prefix=f"m{membership.pk}")
    if form.is_valid():
        try:
            services.member_set_role(
                actor=request.user, membership=membership, role=form.cleaned_data["role"]
            )
            messages.success(request, _("The role was changed."))
        except ValidationError as error:
            _refused(request, error)
    else:
        messages.error(request, _("Choose a role."))
    return redirect("accounts_members", pk=membership.unit_id)


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request, pk)
    try:
        services.member_remove(actor=request.user, membership=membership)
        messages.success(request, _("The member was removed from the unit."))
    except ValidationError as error:
        _refused(request, error)
    return redirect("accounts_members", pk=membership.unit_id)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The page the invitation link opens: join as the signed-in person, or create an
    account for the invited address."""
    try:
        invitation = services.invitation_from_token(token[:500])
    except ValidationError as error:
        return render(
            request, "accounts/invitation.html", {"invalid": error.messages[0]}, status=404
        )
    form = AcceptForm(request.POST or None) if not request.user.is_authenticated else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            membership = services.invitation_accept(
                token=token,
                user=request.user if request.user.is_authenticated else None,
                username=form.cleaned_data["username"] if form else "",
                password=form.cleaned_data["password1"] if form else "",
            )
        except (ValidationError, PermissionDenied) as error:
            if form is None:
                message = error.messages[0] if isinstance(error, ValidationError) else str(error)
                return render(request, "accounts/invitation.html", {"invalid": message}, status=403)
            add_service_errors(form, error)
        else:
            if not request.user.is_authenticated:
                login(request, membership.user, backend=signin.BACKEND)
            messages.success(request, _("You joined %(unit)s.") % {"unit": membership.unit.name})
            return redirect("unit", pk=membership.unit_id)
    return render(request, "accounts/invitation.html", {"invitation": invitation, "form": form})


# --- two-step sign-in ----------------------------------------------------------------------

PENDING = "two_factor_pending"
# How long the password step stays good while the person finds their phone.
PENDING_SECONDS = 300


class TwoStepLoginView(LoginView):
    """Django's sign-in (with the login throttling form); for someone with two-step sign-in
    on, a right password leads to the code page instead of signing in."""

    authentication_form = ThrottledAuthenticationForm

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor.is_on_for(user):
            response = super().form_valid(form)
            signin.remember_device(self.request, response, user)
            return response
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_success_url(),
            "at": int(time.time()),
        }
        return redirect("accounts_two_factor_verify")


@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the six-digit code from the person's app."""
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        messages.error(request, _("Sign in again: the first step has expired."))
        return redirect("login")
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING, None)
        return redirect("login")
    form = CodeForm(request.POST or None)
    address = signin.client_address(request)
    name = user.get_username()
    device = signin.known_device(request, name)
    if request.method == "POST" and form.is_valid():
        if throttle.is_locked(name, address, device=device) or not throttle.attempt_begin(
            name, address, device=device
        ):
            form.add_error(None, _("Too many wrong codes. Wait a while and try again."))
        elif two_factor.two_factor_check(user=user, code=form.cleaned_data["code"]):
            throttle.attempt_succeeded(address, device=device)
            throttle.signed_in(name, address, device=device)
            request.session.pop(PENDING, None)
            login(request, user, backend=pending["backend"])
            signin.second_step_passed(request, user)
            target = pending.get("next") or "/"
            safe = url_has_allowed_host_and_scheme(target, {request.get_host()})
            response = redirect(target if safe and target.startswith("/") else "home")
            signin.remember_device(request, response, user)
            return response
        else:
            if not device:
                throttle.attempt_failed(name)
            form.add_error("code", _("That code does not match. Check the phone's clock."))
    return render(request, "accounts/two_factor_verify.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Turn two-step sign-in on (scan the code, type what the app shows) or off."""
    if not two_factor.is_offered_to(request.user):
        raise Http404
    device = two_factor.device_of(request.user)
    form = CodeForm(request.POST or None)
    name, address = request.user.get_username(), signin.client_address(request)
    known = signin.known_device(request, name)
    if (
        request.method == "POST"
        and form.is_valid()
        and throttle.is_locked(name, address, device=known)
    ):
        # The code that turns it off is guessed no more freely than the one that signs in.
        form.add_error(None, _("Too many wrong codes. Wait a while and try again."))
    elif request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("action") == "disable":
                two_factor.two_factor_disable(actor=request.user, code=form.cleaned_data["code"])
                messages.success(request, _("Two-step sign-in is off."))
            else:
                two_factor.two_factor_confirm(actor=request.user, code=form.cleaned_data["code"])
                # The code just given is this session's second step.
                signin.second_step_passed(request, request.user)
                messages.success(request, _("Two-step sign-in is on."))
            return redirect("accounts_two_factor")
        except ValidationError as error:
            throttle.record_failure(name, address, device=known)
            add_service_errors(form, error)
    if device is None or (not device.is_on and request.method == "GET"):
        # A fresh secret each time the page is opened, until one is confirmed.
        device = two_factor.two_factor_begin(actor=request.user)
    context = {"form": form, "device": device}
    if device is not None and not device.is_on:
        # segno draws the SVG from our own otpauth address: nothing anyone typed.
        context["qr"] = mark_safe(two_factor.qr_svg(device))
        context["secret"] = " ".join(
            device.secret[i : i + 4] for i in range(0, len(device.secret), 4)
        )
        context["uri"] = two_factor.provisioning_uri(device)
    return render(request, "accounts/two_factor.html", context)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's "choose a new password" page, which never signs in by itself (the person
    then signs in through the one flow, second step included) and lifts the lockout of
    the name, as the lockout message promises."""

    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        throttle.clear(form.user.get_username())
        return response
