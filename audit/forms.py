"""The audit search form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class AuditSearchForm(forms.Form):
    """Filters of the audit search; every one optional."""

    actor = forms.CharField(label=_("By (user name)"), required=False, max_length=150)
    object_type = forms.ChoiceField(label=_("Kind of object"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    text = forms.CharField(label=_("Containing"), required=False, max_length=200)

    def __init__(self, *args, object_types: list[str] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [("", _("Any"))] + [(t, t) for t in object_types]

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data
