"""Filters of the list endpoints (django-filter). They only narrow querysets that the views
have already scoped to the requester; a unit named in a filter is looked up among the units
the requester may see."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet

from api.models import ApiToken
from cascade.text import search_tokens
from notifications.models import Notification, NotificationKind
from plans.models import DocType, Document, DocumentStatus, Target
from reports.models import Frequency, ReportMeasurement, ReportRequest, ReportState
from tasks.models import (
    Assignment,
    AssignmentRole,
    DeadlineKind,
    Occurrence,
    ProgressUpdate,
    Task,
    TaskStatus,
)
from units.models import Bloc, Level, Unit


def search_q(query: str, field: str = "search_text") -> Q | None:
    """Every word of ``query`` in the folded ``field``: the search of the pages (diacritics,
    case and abbreviations ignored, "ke hoach 470" finds 470/KH-LĐLĐ); None for no words."""
    tokens = search_tokens(query or "")
    if not tokens:
        return None
    condition = Q()
    for token in tokens:
        condition &= Q(**{f"{field}__contains": token})
    return condition


class IdFilter(filters.NumberFilter):
    """A row's id, as a whole number within the database's range; unlike a choice filter it
    does not tell whether a row the requester may not see exists."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


def _units(request) -> QuerySet[Unit]:
    if request is None:
        return Unit.objects.none()
    return Unit.objects.visible_to(request.user)


def _documents(request) -> QuerySet[Document]:
    if request is None:
        return Document.objects.none()
    return Document.objects.visible_to(request.user)


def _subtree(prefix: str):
    """A filter method: rows whose unit (reached through ``prefix``) is the given unit or
    below it (one indexed prefix comparison on the materialized path)."""

    def method(queryset: QuerySet, name: str, value: Unit | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(**{f"{prefix}path__startswith": value.path})

    return method


def _search(field: str):
    def method(queryset: QuerySet, name: str, value: str) -> QuerySet:
        condition = search_q(value, field)
        return queryset if condition is None else queryset.filter(condition)

    return method


class UnitFilter(filters.FilterSet):
    """Units by bloc, level, place in the tree, name."""

    bloc = filters.ChoiceFilter(choices=Bloc.choices)
    level = filters.ChoiceFilter(choices=Level.choices)
    parent = filters.ModelChoiceFilter(
        queryset=_units, method="filter_parent", help_text="Units directly under this one."
    )
    subtree = filters.ModelChoiceFilter(
        queryset=_units, method=_subtree(""), help_text="This unit and every unit below it."
    )
    active = filters.BooleanFilter(
        field_name="active_until", lookup_expr="isnull", help_text="Not dissolved."
    )
    q = filters.CharFilter(
        method=_search("search_text"), help_text="Words of the name, diacritics ignored."
    )

    class Meta:
        model = Unit
        fields = ["bloc", "level", "code"]

    def filter_parent(self, queryset: QuerySet, name: str, value: Unit | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(path__startswith=value.path, depth=value.depth + 1)


class DocumentFilter(filters.FilterSet):
    """Documents by issuer, its level and bloc, type, status, issue date, cascade, words."""

    issuer = filters.ModelChoiceFilter(queryset=_units)
    issuer_code = filters.CharFilter()
    level = filters.ChoiceFilter(field_name="issuer__level", choices=Level.choices)
    bloc = filters.ChoiceFilter(field_name="issuer__bloc", choices=Bloc.choices)
    subtree = filters.ModelChoiceFilter(
        queryset=_units,
        method=_subtree("issuer__"),
        help_text="Issued by this unit or a unit below it.",
    )
    doc_type = filters.ChoiceFilter(choices=DocType.choices)
    status = filters.ChoiceFilter(choices=DocumentStatus.choices)
    issued_after = filters.DateFilter(field_name="issued_on", lookup_expr="gte")
    issued_before = filters.DateFilter(field_name="issued_on", lookup_expr="lte")
    implements = filters.ModelChoiceFilter(queryset=_documents)
    root = filters.ModelChoiceFilter(
        queryset=_documents, help_text="Documents of the cascade under this directive."
    )
    identifier = filters.CharFilter()
    q = filters.CharFilter(
        method=_search("search_text"),
        help_text="Words of the identifier, type, title or issuer, diacritics ignored.",
    )

    class Meta:
        model = Document
        fields = ["issuer", "doc_type", "status"]


class TaskFilter(filters.FilterSet):
    """Tasks by document, issuer, status, deadline, the units they are given to, words."""

    document = filters.ModelChoiceFilter(queryset=_documents)
    root = filters.ModelChoiceFilter(
        field_name="document__root", queryset=_documents, help_text="Tasks of this cascade."
    )
    issuer = filters.ModelChoiceFilter(field_name="document__issuer", queryset=_units)
    level = filters.ChoiceFilter(field_name="document__issuer__level", choices=Level.choices)
    bloc = filters.ChoiceFilter(field_name="document__issuer__bloc", choices=Bloc.choices)
    status = filters.ChoiceFilter(choices=TaskStatus.choices)
    deadline_kind = filters.ChoiceFilter(choices=DeadlineKind.choices)
    due_after = filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_before = filters.DateFilter(field_name="due_on", lookup_expr="lte")
    unit = filters.ModelChoiceFilter(
        queryset=_units,
        method="filter_unit",
        help_text="Given to this unit (lead or coordinating).",
    )
    subtree = filters.ModelChoiceFilter(
        queryset=_units, method="filter_subtree", help_text="Given to this unit or a unit below it."
    )
    q = filters.CharFilter(
        method=_search("document__search_text"),
        help_text="Words of the document's identifier or title, diacritics ignored.",
    )

    class Meta:
        model = Task
        fields = ["document", "status", "deadline_kind"]

    def filter_unit(self, queryset: QuerySet, name: str, value: Unit | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(
            Exists(Assignment.objects.filter(task=OuterRef("pk"), unit=value.pk))
        )

    def filter_subtree(self, queryset: QuerySet, name: str, value: Unit | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(
            Exists(
                Assignment.objects.filter(task=OuterRef("pk"), unit__path__startswith=value.path)
            )
        )


class AssignmentFilter(filters.FilterSet):
    """Units' shares of tasks by unit, role, status, task, document."""

    unit = filters.ModelChoiceFilter(queryset=_units)
    subtree = filters.ModelChoiceFilter(queryset=_units, method=_subtree("unit__"))
    role = filters.ChoiceFilter(choices=AssignmentRole.choices)
    status = filters.ChoiceFilter(choices=TaskStatus.choices)
    document = filters.ModelChoiceFilter(field_name="task__document", queryset=_documents)
    root = filters.ModelChoiceFilter(
        field_name="task__document__root", queryset=_documents, help_text="Shares in this cascade."
    )
    updatable = filters.BooleanFilter(
        method="filter_updatable", help_text="Only shares you may log progress on."
    )

    task = IdFilter()

    class Meta:
        model = Assignment
        fields = ["unit", "role", "status"]

    def filter_updatable(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        # The rule the progress service applies (Assignment.objects.updatable_by).
        mine = Assignment.objects.updatable_by(self.request.user).values("pk")
        return queryset.filter(pk__in=mine) if value else queryset.exclude(pk__in=mine)


class OccurrenceFilter(filters.FilterSet):
    """Periods of units' shares by unit, status, due date, task, document."""

    unit = filters.ModelChoiceFilter(queryset=_units)
    subtree = filters.ModelChoiceFilter(queryset=_units, method=_subtree("unit__"))
    status = filters.ChoiceFilter(choices=TaskStatus.choices)
    due_after = filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_before = filters.DateFilter(field_name="due_on", lookup_expr="lte")
    document = filters.ModelChoiceFilter(field_name="task__document", queryset=_documents)
    level = filters.ChoiceFilter(field_name="unit__level", choices=Level.choices)
    bloc = filters.ChoiceFilter(field_name="unit__bloc", choices=Bloc.choices)

    task = IdFilter()
    assignment = IdFilter()

    class Meta:
        model = Occurrence
        fields = ["unit", "status"]


class ProgressUpdateFilter(filters.FilterSet):
    """Progress log entries by assignment, task, status."""

    task = IdFilter(field_name="assignment__task")
    assignment = IdFilter()
    occurrence = IdFilter()
    unit = filters.ModelChoiceFilter(field_name="assignment__unit", queryset=_units)
    status = filters.ChoiceFilter(choices=TaskStatus.choices)

    class Meta:
        model = ProgressUpdate
        fields = ["status"]


class TargetFilter(filters.FilterSet):
    """Targets by document, cascade, the target they carry down."""

    document = filters.ModelChoiceFilter(queryset=_documents)
    root = filters.ModelChoiceFilter(field_name="document__root", queryset=_documents)
    issuer = filters.ModelChoiceFilter(field_name="document__issuer", queryset=_units)
    parent = IdFilter(help_text="Targets carrying this one down.")

    class Meta:
        model = Target
        fields = ["document"]


class MeasurementFilter(filters.FilterSet):
    """Measurements by target, report, unit, period."""

    unit = filters.ModelChoiceFilter(field_name="report__unit", queryset=_units)
    subtree = filters.ModelChoiceFilter(queryset=_units, method=_subtree("report__unit__"))
    period = filters.CharFilter(field_name="report__period_key")
    state = filters.ChoiceFilter(field_name="report__state", choices=ReportState.choices)
    target = IdFilter()
    root_target = IdFilter(help_text="Measurements of targets carrying this directive's one.")
    report = IdFilter()

    class Meta:
        model = ReportMeasurement
        fields = ["period"]


class ReportFilter(filters.FilterSet):
    """Report requests (and reports) by state, reporting and receiving unit, period, due."""

    state = filters.ChoiceFilter(choices=ReportState.choices)
    frequency = filters.ChoiceFilter(choices=Frequency.choices)
    unit = filters.ModelChoiceFilter(queryset=_units)
    receiver = filters.ModelChoiceFilter(queryset=_units)
    subtree = filters.ModelChoiceFilter(
        queryset=_units, method=_subtree("unit__"), help_text="Reports of this unit or below it."
    )
    level = filters.ChoiceFilter(field_name="unit__level", choices=Level.choices)
    bloc = filters.ChoiceFilter(field_name="unit__bloc", choices=Bloc.choices)
    period = filters.CharFilter(field_name="period_key")
    due_after = filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_before = filters.DateFilter(field_name="due_on", lookup_expr="lte")
    cascade_root = filters.ModelChoiceFilter(queryset=_documents)
    is_ad_hoc = filters.BooleanFilter()

    class Meta:
        model = ReportRequest
        fields = ["state", "unit", "receiver", "frequency"]


class NotificationFilter(filters.FilterSet):
    """The requester's notifications by kind, read or not."""

    kind = filters.ChoiceFilter(choices=NotificationKind.choices)
    unread = filters.BooleanFilter(field_name="read_at", lookup_expr="isnull")

    class Meta:
        model = Notification
        fields = ["kind"]


class ApiTokenFilter(filters.FilterSet):
    """Tokens by the person they act for, active or not."""

    user = IdFilter()
    revoked = filters.BooleanFilter(field_name="revoked_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = ApiToken
        fields = ["user"]
