"""Forms for entering and editing documents and their tasks. They only collect and clean
input; the services do the work."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cascade.forms import IdChoiceField, IdMultipleChoiceField
from plans.models import DocType, Document, DocumentStatus
from units.models import Unit
from units.pickers import UnitPicker, use_picker_when_long

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
EMPTY_CHOICE = _("— choose —")


class DocumentForm(forms.Form):
    """The header of a document: what, who issued it, its number and date, what it implements."""

    doc_type = forms.ChoiceField(label=_("Type"), choices=DocType.choices, initial=DocType.PLAN)
    issuer = IdChoiceField(
        label=_("Issuing unit"), queryset=Unit.objects.none(), empty_label=EMPTY_CHOICE
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(DocumentStatus.DRAFT, _("Draft")), (DocumentStatus.ISSUED, _("Issued"))],
        initial=DocumentStatus.ISSUED,
    )
    number = forms.CharField(label=_("Number"), max_length=20, required=False)
    issued_on = forms.DateField(
        label=_("Issued on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    title = forms.CharField(
        label=_("Title (trích yếu)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    implements = IdChoiceField(
        label=_("Implements"),
        queryset=Document.objects.none(),
        required=False,
        empty_label=_("— implements no other document —"),
    )
    signer_capacity = forms.CharField(label=_("Signing capacity"), max_length=100, required=False)
    signer_title = forms.CharField(label=_("Signer's title"), max_length=100, required=False)
    signer_name = forms.CharField(label=_("Signer's name"), max_length=100, required=False)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        max_length=500_000,
    )
    original_file = forms.FileField(label=_("Original file"), required=False)
    confidential = forms.BooleanField(
        label=_("Confidential (mật)"),
        required=False,
        help_text=_("Only the issuing unit and the units the document names will see it."),
    )

    def __init__(self, *args, user: AbstractBaseUser, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = Unit.objects.editable_by(user)
        use_picker_when_long(self.fields["issuer"], scope="editable")
        self.fields["implements"].queryset = (
            Document.objects.visible_to(user).select_related("issuer").order_by("identifier")
        )
        self.fields["implements"].label_from_instance = lambda d: f"{d.identifier} — {d.title[:80]}"

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip()
        if number and not number.isdigit():
            raise forms.ValidationError(_("Write the number in digits only, e.g. 470."))
        return number

    def clean_original_file(self):
        upload = self.cleaned_data.get("original_file")
        if upload and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


class TaskForm(forms.Form):
    """A task and who it is given to."""

    section = forms.CharField(label=_("Section"), max_length=40, required=False)
    text = forms.CharField(
        label=_("Task"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000
    )
    lead = IdMultipleChoiceField(
        label=_("Lead units (chủ trì)"), queryset=Unit.objects.none(), required=False
    )
    support = IdMultipleChoiceField(
        label=_("Coordinating units (phối hợp)"), queryset=Unit.objects.none(), required=False
    )
    deadline_text = forms.CharField(
        label=_("Deadline as written"),
        max_length=500,
        required=False,
        help_text=_("E.g. “Hoàn thành trong quý III/2023”, “thường xuyên”."),
    )
    requires_plan = forms.BooleanField(
        label=_("Asks the lead units to issue their own implementing plan"), required=False
    )
    # The version of the task the form was opened at (optimistic locking; empty when adding).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(
        self, *args, user: AbstractBaseUser, lead_groups: Sequence[str] = (), **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        # Groups ("Các LĐLĐ huyện") lead as written and are kept as they are; the form edits
        # the single units beside them.
        self.lead_groups = list(lead_groups)
        if self.lead_groups:
            self.fields["lead"].help_text = _("Also led by: %(groups)s (kept as written).") % {
                "groups": "; ".join(self.lead_groups)
            }
        # Any open unit may be given the task; the units it already has stay valid even once
        # closed, so that the task can be saved unchanged.
        current = [
            getattr(unit, "pk", unit)
            for role in ("lead", "support")
            for unit in (self.initial.get(role) or [])
        ]
        units = Unit.objects.visible_to(user).filter(
            Q(active_until__isnull=True) | Q(pk__in=current)
        )
        for role in ("lead", "support"):
            self.fields[role].queryset = units
            self.fields[role].widget = UnitPicker(scope="visible", active=True)

    def clean(self) -> dict:
        data = super().clean()
        lead, support = data.get("lead") or [], data.get("support") or []
        if not lead and not self.lead_groups:
            self.add_error("lead", _("Choose at least one lead unit."))
        both = set(lead) & set(support)
        if both:
            self.add_error(
                "support",
                _("%(units)s cannot both lead and coordinate.")
                % {"units": ", ".join(u.name for u in both)},
            )
        return data
