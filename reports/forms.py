"""Forms of the report chain: writing a report, reviewing it, setting a plan's reporting duty,
asking for an ad hoc report, moving a request's dates, attaching evidence."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cascade.forms import IdChoiceField, IdMultipleChoiceField
from plans.models import Document
from reports.models import (
    DEFAULT_LEVEL_LEAD_DAYS,
    EDITABLE_STATES,
    Frequency,
    ReportRequest,
    ReportRequirement,
)
from reports.services import MAX_ATTACHMENT_BYTES
from tasks.models import DeadlineKind, TaskStatus
from units.models import Level, Unit, ancestor_paths
from units.pickers import UnitPicker

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LEAD_LEVELS = [Level.PROVINCE, Level.DISTRICT, Level.COMMUNE, Level.GRASSROOTS]


class ReportForm(forms.Form):
    """A report's narrative, the status and evidence of each task line, and each target's
    numerator and denominator. Line and measurement fields are named after their row's id."""

    results = forms.CharField(
        label=_("Results"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=50_000,
    )
    limitations = forms.CharField(
        label=_("Limitations and causes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=50_000,
    )
    proposals = forms.CharField(
        label=_("Proposals"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=50_000,
    )
    # The version of the report the editor was opened at (optimistic locking).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, report: ReportRequest, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "results": report.results,
                "limitations": report.limitations,
                "proposals": report.proposals,
                "version": report.version,
            },
        )
        super().__init__(*args, **kwargs)
        self.report = report
        self.lines = list(report.task_lines.all())
        self.rows = list(report.measurements.all())
        for line in self.lines:
            self.fields[f"line-{line.pk}-status"] = forms.ChoiceField(
                label=_("Status"), choices=TaskStatus.choices, initial=line.status
            )
            self.fields[f"line-{line.pk}-evidence"] = forms.CharField(
                label=_("Evidence"),
                required=False,
                initial=line.evidence,
                max_length=10_000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        for row in self.rows:
            self.fields[f"m-{row.pk}-numerator"] = forms.IntegerField(
                label=row.target.numerator_label or _("Numerator"),
                required=False,
                min_value=0,
                initial=row.numerator,
            )
            self.fields[f"m-{row.pk}-denominator"] = forms.IntegerField(
                label=row.target.denominator_label or _("Denominator"),
                required=False,
                min_value=0,
                initial=row.denominator,
            )

    def narrative_fields(self) -> list[forms.BoundField]:
        return [self["results"], self["limitations"], self["proposals"]]

    def line_fields(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [
            (line, self[f"line-{line.pk}-status"], self[f"line-{line.pk}-evidence"])
            for line in self.lines
        ]

    def measurement_fields(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [
            (row, self[f"m-{row.pk}-numerator"], self[f"m-{row.pk}-denominator"])
            for row in self.rows
        ]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "results": data["results"],
            "limitations": data["limitations"],
            "proposals": data["proposals"],
            "lines": {
                line.pk: (data[f"line-{line.pk}-status"], data[f"line-{line.pk}-evidence"])
                for line in self.lines
            },
            "measurements": {
                row.pk: (data[f"m-{row.pk}-numerator"], data[f"m-{row.pk}-denominator"])
                for row in self.rows
            },
            "expected_version": data.get("version"),
        }


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when returning the report: say what needs revising."),
    )


class ReopenForm(forms.Form):
    comment = forms.CharField(
        label=_("Why re-open it"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Evidence file"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_ATTACHMENT_BYTES:
            raise forms.ValidationError(_("%(name)s is larger than 20 MB.") % {"name": upload.name})
        return upload


class RescheduleForm(forms.Form):
    period_starts_on = forms.DateField(label=_("Data from"), widget=DATE_WIDGET)
    period_ends_on = forms.DateField(label=_("Data cut-off"), widget=DATE_WIDGET)
    due_on = forms.DateField(label=_("Due on"), widget=DATE_WIDGET)


class _LeadDaysMixin(forms.Form):
    def add_lead_fields(self, current: dict[str, int]) -> None:
        for level in LEAD_LEVELS:
            self.fields[f"lead_{level.value}"] = forms.IntegerField(
                label=_("Lead time: %(level)s (days)") % {"level": level.label},
                min_value=0,
                max_value=120,
                initial=current.get(level.value, 0),
            )

    def lead_days(self) -> dict[str, int]:
        return {level.value: self.cleaned_data[f"lead_{level.value}"] for level in LEAD_LEVELS}


class RequirementForm(_LeadDaysMixin):
    """A plan's duty to report. From a reporting task the frequency, the due day and the
    reporting units are read from its words."""

    source_task = IdChoiceField(
        label=_("From the reporting task"),
        queryset=None,
        required=False,
        help_text=_("Its lead units report, as often as its deadline words say."),
    )
    frequency = forms.ChoiceField(
        label=_("Frequency"),
        required=False,
        choices=[("", _("As the task's words say")), *Frequency.choices],
    )
    receiver = IdChoiceField(label=_("Reports go to"), queryset=None)
    units = IdMultipleChoiceField(
        label=_("Reporting units"),
        queryset=None,
        required=False,
        help_text=_("Leave empty for the units that carry out the plan."),
    )
    also_on_demand = forms.BooleanField(label=_("Also when asked (đột xuất)"), required=False)
    due_offset_days = forms.IntegerField(
        label=_("Due, days after the data cut-off"),
        required=False,
        min_value=-366,
        max_value=366,
        help_text=_(
            "For the units one level below the receiving unit. Empty: before the receiving "
            "unit's own due date, or five days after the cut-off."
        ),
    )
    cutoff_shift_days = forms.IntegerField(
        label=_("Move the data cut-off by (days)"),
        initial=0,
        min_value=-366,
        max_value=366,
        help_text=_("0 keeps the Decree 09/2019 cut-off (annual: 15/12 to 14/12)."),
    )
    starts_on = forms.DateField(label=_("First period contains"), widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("Last period contains"), widget=DATE_WIDGET, required=False)

    def __init__(self, *args: Any, document: Document, user: AbstractBaseUser, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.document = document
        self.fields["source_task"].queryset = document.tasks.filter(
            Q(deadline_kind__in=[DeadlineKind.RECURRING, DeadlineKind.ON_DEMAND])
            | Q(deadline_on_demand=True)
            | Q(text__icontains="báo cáo")
            | Q(deadline_text__icontains="báo cáo")
        ).order_by("position", "pk")
        issuer = document.issuer
        if issuer is not None:
            # The issuing unit, or a unit above it when the plan asks to report higher up.
            nearby = Unit.objects.filter(path__in=[*ancestor_paths(issuer.path), issuer.path])
            below = Unit.objects.filter(path__startswith=issuer.path).exclude(pk=issuer.pk)
        else:
            nearby = Unit.objects.readable_by(user)
            below = Unit.objects.visible_to(user)
        self.fields["receiver"].queryset = nearby
        self.fields["receiver"].initial = issuer.pk if issuer else None
        self.fields["units"].queryset = below
        if issuer is not None:
            self.fields["units"].widget = UnitPicker(scope="visible", under=issuer.pk)
        self.fields["starts_on"].initial = timezone.localdate()
        self.add_lead_fields(dict(DEFAULT_LEVEL_LEAD_DAYS))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("source_task") and not data.get("frequency"):
            self.add_error("frequency", _("Choose how often, or the reporting task."))
        return data


class RequirementUpdateForm(_LeadDaysMixin):
    title = forms.CharField(label=_("Title"), max_length=255, required=False)
    due_offset_days = forms.IntegerField(
        label=_("Due, days after the data cut-off"), min_value=-366, max_value=366
    )
    cutoff_shift_days = forms.IntegerField(
        label=_("Move the data cut-off by (days)"), min_value=-366, max_value=366
    )
    ends_on = forms.DateField(label=_("Last period contains"), widget=DATE_WIDGET, required=False)
    active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args: Any, requirement: ReportRequirement, **kwargs: Any):
        kwargs.setdefault(
            "initial",
            {
                "title": requirement.title,
                "due_offset_days": requirement.due_offset_days,
                "cutoff_shift_days": requirement.cutoff_shift_days,
                "ends_on": requirement.ends_on,
                "active": requirement.active,
            },
        )
        super().__init__(*args, **kwargs)
        self.add_lead_fields(requirement.level_lead_days or {})


class AdHocForm(forms.Form):
    """An ad hoc request ("khi có yêu cầu đột xuất") with its own subject and due date."""

    subject = forms.CharField(label=_("Subject"), max_length=255)
    due_on = forms.DateField(label=_("Due on"), widget=DATE_WIDGET)
    period_starts_on = forms.DateField(label=_("Data from"), widget=DATE_WIDGET, required=False)
    period_ends_on = forms.DateField(
        label=_("Data cut-off"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("Empty: today."),
    )
    units = IdMultipleChoiceField(
        label=_("Units asked"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Leave empty to ask every reporting unit."),
    )

    answers = IdChoiceField(
        label=_("Feeds our own ad hoc report"),
        queryset=ReportRequest.objects.none(),
        required=False,
        help_text=_("The answers then roll up into that report."),
    )

    def __init__(
        self,
        *args: Any,
        reporters: list[Unit],
        requirement: ReportRequirement,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.filter(pk__in=[u.pk for u in reporters])
        root = requirement.document.root_id or requirement.document_id
        self.fields["answers"].queryset = ReportRequest.objects.filter(
            unit=requirement.receiver_id,
            is_ad_hoc=True,
            cascade_root=root,
            state__in=EDITABLE_STATES,
        )
        self.fields["answers"].label_from_instance = lambda r: r.subject


class AnnualReportForm(forms.Form):
    """Which annual report to render: the year and, when the unit reports on several
    directives, which one (the unit's own cascade otherwise)."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    directive = IdChoiceField(
        label=_("Directive"), queryset=Document.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: AbstractBaseUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["directive"].queryset = Document.objects.visible_to(user).filter(depth=0)
