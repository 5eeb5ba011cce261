"""The form of the API token page."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from api.models import users_manageable_by


class TokenIssueForm(forms.Form):
    """Who a new token is for, what for, and for how long."""

    user = forms.ModelChoiceField(queryset=None, label=_("Person"), empty_label=_("— choose —"))
    name = forms.CharField(
        label=_("What it is for"),
        max_length=100,
        help_text=_("E.g. the partner system that will use it."),
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=_("Leave empty for a token that lasts until it is revoked."),
    )

    def __init__(self, *args, user: AbstractBaseUser, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users_manageable_by(user).order_by("username")
