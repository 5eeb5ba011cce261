"""The progress-log form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tasks.models import DeadlineKind, TaskStatus
from tasks.services import MAX_ATTACHMENT_BYTES


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ProgressForm(forms.Form):
    """A note on what was done, the state it leaves the work in, and evidence."""

    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices)
    note = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000
    )
    completed_on = forms.DateField(
        label=_("Completed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    files = MultipleFileField(label=_("Evidence files"), required=False)

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        for upload in files:
            if upload.size > MAX_ATTACHMENT_BYTES:
                raise forms.ValidationError(
                    _("%(name)s is larger than 20 MB.") % {"name": upload.name}
                )
        return files


class DeadlineCorrectionForm(forms.Form):
    """A person's reading of deadline words the parser got wrong or could not read."""

    kind = forms.ChoiceField(
        label=_("Kind of deadline"),
        choices=[(k, label) for k, label in DeadlineKind.choices if k != DeadlineKind.UNPARSED],
    )
    due_on = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("For a yearly deadline, any year: only the day and month count."),
    )
    frequency = forms.ChoiceField(
        label=_("Repeats"),
        required=False,
        choices=[
            ("", _("Does not repeat")),
            ("yearly", _("Every year on that day")),
            ("half_yearly", _("Every half-year (30/6, 31/12)")),
            ("quarterly", _("Every quarter (last day)")),
            ("monthly", _("Every month (last day)")),
        ],
    )
    on_demand = forms.BooleanField(label=_("Also when asked (đột xuất)"), required=False)
