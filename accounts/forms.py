"""Forms of the accounts app: sign-in with throttling, invitations, roles."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import throttle
from accounts.signin import client_address, known_device
from units.models import Role


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing for a while after repeated failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed attempts to sign in. Wait %(minutes)s minutes and try again, "
            "or reset your password."
        ),
    }

    def clean(self):
        # The backend counts the failure and refuses a locked name; this says why.
        username = self.data.get("username", "")[:150]
        address = client_address(self.request)
        device = known_device(self.request, username)
        if throttle.is_locked(username, address, device=device):
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": throttle.wait_minutes(username, address, device=device)},
            )
        return super().clean()


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.STAFF)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class AcceptForm(forms.Form):
    """A new account for an invited address."""

    username = forms.CharField(label=_("User name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput, max_length=128
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput, max_length=128
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class CodeForm(forms.Form):
    """The six digits an authenticator app shows."""

    code = forms.CharField(
        label=_("Code from the app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )
