"""What the API returns and accepts. Read serializers only present rows the views fetched
(with their related rows prefetched, so a page costs the same number of queries whatever its
size); input serializers only check shapes: the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.models import ApiToken
from notifications.models import Notification
from plans.models import DocType, Document, DocumentRecipient, PartKind, RecipientPurpose, Target
from plans.outline_services import MAX_PARTS
from reports.models import ReportMeasurement, ReportRequest, ReportTaskLine
from tasks.models import Assignment, Occurrence, ProgressUpdate, Task, TaskStatus
from units.models import Unit

# --- small references ------------------------------------------------------------------------


class UnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "code", "level", "bloc"]


class DocumentRefSerializer(serializers.ModelSerializer):
    issuer_label = serializers.CharField(read_only=True)

    class Meta:
        model = Document
        fields = ["id", "identifier", "doc_type", "status", "issued_on", "issuer_label", "depth"]


class TaskRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "document", "text", "deadline_text", "status"]


# --- units -------------------------------------------------------------------------------------


class UnitSerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(source="parent_pk", read_only=True, allow_null=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "short_name",
            "code",
            "bloc",
            "level",
            "parent",
            "depth",
            "numchild",
            "path",
            "active_from",
            "active_until",
            "is_active",
            "aliases",
        ]


# --- documents ---------------------------------------------------------------------------------


class RecipientSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentRecipient
        fields = ["name", "unit", "purpose"]


class TargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Target
        fields = [
            "id",
            "document",
            "text",
            "low",
            "high",
            "unit",
            "numerator_label",
            "denominator_label",
            "horizon_year",
            "parent",
            "position",
        ]


class DocumentSerializer(serializers.ModelSerializer):
    issuer = UnitRefSerializer(read_only=True, allow_null=True)
    issuer_label = serializers.CharField(read_only=True)
    task_total = serializers.IntegerField(read_only=True)
    task_done = serializers.IntegerField(read_only=True)
    task_in_progress = serializers.IntegerField(read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "identifier",
            "doc_type",
            "style",
            "number",
            "numbering_period",
            "status",
            "issued_on",
            "place",
            "title",
            "issuer",
            "issuer_code",
            "issuer_label",
            "implements",
            "root",
            "depth",
            "signer_capacity",
            "signer_title",
            "signer_name",
            "task_total",
            "task_done",
            "task_in_progress",
            "created_at",
            "updated_at",
        ]


class DocumentDetailSerializer(DocumentSerializer):
    """A document with its cascade parents (top first), the documents implementing it,
    targets and recipients."""

    parents = serializers.SerializerMethodField()
    children = DocumentRefSerializer(source="implementations", many=True, read_only=True)
    targets = TargetSerializer(many=True, read_only=True)
    recipients = RecipientSerializer(many=True, read_only=True)
    cites = DocumentRefSerializer(many=True, read_only=True)

    class Meta(DocumentSerializer.Meta):
        fields = [
            *DocumentSerializer.Meta.fields,
            "body",
            "parents",
            "children",
            "targets",
            "recipients",
            "cites",
        ]

    @extend_schema_field(DocumentRefSerializer(many=True))
    def get_parents(self, document: Document) -> list[dict[str, Any]]:
        return DocumentRefSerializer(self.context.get("parents", []), many=True).data


class CascadeNodeSerializer(serializers.Serializer):
    """One document of a cascade export and the documents implementing it."""

    document = DocumentRefSerializer()
    title = serializers.CharField(source="document.title")
    issuer = UnitRefSerializer(source="document.issuer", allow_null=True)
    task_total = serializers.IntegerField(source="document.task_total", default=0)
    task_done = serializers.IntegerField(source="document.task_done", default=0)
    child_count = serializers.SerializerMethodField()
    more_from = serializers.SerializerMethodField()
    children = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.INT)
    def get_child_count(self, node: Any) -> int:
        return getattr(node, "child_count", 0) or len(node.children)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_more_from(self, node: Any) -> int | None:
        return getattr(node, "more_from", None)

    @extend_schema_field({"type": "array", "items": {"$ref": "#/components/schemas/CascadeNode"}})
    def get_children(self, node: Any) -> list[dict[str, Any]]:
        return CascadeNodeSerializer(node.children, many=True).data


class CascadeExportSerializer(serializers.Serializer):
    """The cascade of a document: the documents above it (top first) and the tree below."""

    parents = DocumentRefSerializer(many=True)
    tree = CascadeNodeSerializer()


# --- tasks -------------------------------------------------------------------------------------


class AssignmentSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "task", "unit", "role", "status", "completed_on", "fulfilled_by"]


class TaskSerializer(serializers.ModelSerializer):
    document = DocumentRefSerializer(read_only=True)
    assignments = AssignmentSerializer(many=True, read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "document",
            "section",
            "position",
            "text",
            "lead_text",
            "support_text",
            "deadline_text",
            "deadline_kind",
            "due_on",
            "deadline_rrule",
            "deadline_on_demand",
            "horizon_year",
            "requires_plan",
            "status",
            "completed_on",
            "assignments",
        ]


class OccurrenceSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    task = TaskRefSerializer(read_only=True)

    class Meta:
        model = Occurrence
        fields = ["id", "assignment", "task", "unit", "due_on", "status", "completed_on"]


class ProgressUpdateSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.get_username", read_only=True)

    class Meta:
        model = ProgressUpdate
        fields = ["id", "assignment", "occurrence", "author", "created_at", "note", "status"]


class ProgressInputSerializer(serializers.Serializer):
    """A progress update on a unit's share of a task (``progress_add``)."""

    assignment = serializers.IntegerField(min_value=1)
    note = serializers.CharField(max_length=20000)
    status = serializers.ChoiceField(choices=TaskStatus.choices)
    completed_on = serializers.DateField(required=False, allow_null=True)
    occurrence = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class CompleteInputSerializer(serializers.Serializer):
    """Marking one period of a unit's share done."""

    note = serializers.CharField(max_length=20000)
    completed_on = serializers.DateField(required=False, allow_null=True)


# --- reports -----------------------------------------------------------------------------------


class MeasurementSerializer(serializers.ModelSerializer):
    percent = serializers.FloatField(read_only=True, allow_null=True)
    rolled_percent = serializers.FloatField(read_only=True, allow_null=True)
    unit = serializers.IntegerField(source="report.unit_id", read_only=True)
    period_key = serializers.CharField(source="report.period_key", read_only=True)

    class Meta:
        model = ReportMeasurement
        fields = [
            "id",
            "report",
            "unit",
            "period_key",
            "target",
            "root_target",
            "numerator",
            "denominator",
            "percent",
            "rolled_numerator",
            "rolled_denominator",
            "rolled_percent",
            "rolled_reports",
        ]


class ReportTaskLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportTaskLine
        fields = ["task", "assignment", "occurrence", "task_text", "due_on", "status", "evidence"]


class ReportSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    receiver = UnitRefSerializer(read_only=True)
    document = serializers.IntegerField(source="requirement.document_id", read_only=True)
    period_label = serializers.CharField(read_only=True)

    class Meta:
        model = ReportRequest
        fields = [
            "id",
            "requirement",
            "document",
            "cascade_root",
            "unit",
            "receiver",
            "frequency",
            "period_key",
            "period_label",
            "period_starts_on",
            "period_ends_on",
            "due_on",
            "is_ad_hoc",
            "subject",
            "answers",
            "state",
            "tasks_done",
            "tasks_in_progress",
            "tasks_not_started",
            "rolled_tasks_done",
            "rolled_tasks_in_progress",
            "rolled_tasks_not_started",
            "subordinates_expected",
            "subordinates_accepted",
            "is_stale",
            "submitted_at",
            "accepted_at",
        ]


class ReportDetailSerializer(ReportSerializer):
    task_lines = ReportTaskLineSerializer(many=True, read_only=True)
    measurements = MeasurementSerializer(many=True, read_only=True)

    class Meta(ReportSerializer.Meta):
        fields = [
            *ReportSerializer.Meta.fields,
            "results",
            "limitations",
            "proposals",
            "task_lines",
            "measurements",
        ]


# --- notifications -----------------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    document = DocumentRefSerializer(read_only=True)
    unit = UnitRefSerializer(read_only=True)
    is_unread = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "offset_days",
            "document",
            "unit",
            "task",
            "occurrence",
            "assignment",
            "report_request",
            "due_on",
            "created_at",
            "read_at",
            "is_unread",
        ]


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


# --- tokens ------------------------------------------------------------------------------------


class ApiTokenSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.get_username", read_only=True)
    user_id = serializers.IntegerField(read_only=True)
    created_by = serializers.SerializerMethodField()
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "user",
            "user_id",
            "name",
            "prefix",
            "created_at",
            "created_by",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "is_active",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_created_by(self, token: ApiToken) -> str | None:
        return token.created_by.get_username() if token.created_by else None


class ApiTokenIssueSerializer(serializers.Serializer):
    """Who the token is for, what for, and until when."""

    user = serializers.IntegerField(min_value=1)
    name = serializers.CharField(max_length=100)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class ApiTokenIssuedSerializer(ApiTokenSerializer):
    key = serializers.CharField(read_only=True, help_text="Shown once; only its hash is kept.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]


# --- import ------------------------------------------------------------------------------------


class _Text(serializers.CharField):
    """Text of an extraction: blank and null allowed (a draft has no number…)."""

    def __init__(self, max_length: int = 5000, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(max_length=max_length, allow_blank=True, allow_null=True, **kwargs)


class ExtractionBasisSerializer(serializers.Serializer):
    identifier = _Text(80)
    doc_type = _Text(10)
    issued_on = serializers.DateField(required=False, allow_null=True)
    issuer = _Text(255)


class ExtractionTargetSerializer(serializers.Serializer):
    text = _Text(5000)
    low = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    high = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    unit = _Text(50)
    year = serializers.IntegerField(min_value=1900, max_value=2200, required=False, allow_null=True)


class ExtractionTaskSerializer(serializers.Serializer):
    section = _Text(40)
    text = serializers.CharField(max_length=20000)
    lead = serializers.ListField(child=serializers.CharField(max_length=500), required=False)
    lead_text = _Text(500)
    support = serializers.ListField(child=serializers.CharField(max_length=500), required=False)
    deadline_text = _Text(500)
    requires_plan = serializers.BooleanField(required=False)
    part = serializers.IntegerField(
        min_value=0, required=False, allow_null=True, help_text="Its place in ``outline``."
    )


class ExtractionPartSerializer(serializers.Serializer):
    """One part of the document's outline (docs/plans-as-issued.md)."""

    kind = serializers.ChoiceField(choices=PartKind.choices)
    level = serializers.IntegerField(min_value=0, max_value=6, required=False, default=0)
    marker = _Text(20)
    text = serializers.CharField(max_length=200_000, allow_blank=True, trim_whitespace=False)
    task = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    joins = serializers.BooleanField(required=False, default=False)


class ExtractionRecipientSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    purpose = serializers.ChoiceField(choices=RecipientPurpose.choices, required=False)


class ExtractionSignerSerializer(serializers.Serializer):
    capacity = _Text(100)
    title = _Text(100)
    name = _Text(100)


class ExtractionSerializer(serializers.Serializer):
    """The importer's reading of a plan (``manage.py import_plan --dry-run --json``); other
    keys it prints (sections, parsed deadlines) are accepted and ignored."""

    doc_type = serializers.ChoiceField(choices=DocType.choices, required=False)
    identifier = _Text(80)
    number = _Text(20)
    issuer = _Text(255)
    is_draft = serializers.BooleanField(required=False)
    issued_on = serializers.DateField(required=False, allow_null=True)
    issued_year = serializers.IntegerField(
        min_value=1945, max_value=2200, required=False, allow_null=True
    )
    issuer_code = _Text(40)
    place = _Text(100)
    title = _Text(5000)
    basis = ExtractionBasisSerializer(many=True, required=False, max_length=20)
    references = serializers.ListField(
        child=serializers.CharField(max_length=80), required=False, max_length=500
    )
    targets = ExtractionTargetSerializer(many=True, required=False, max_length=200)
    tasks = ExtractionTaskSerializer(many=True, required=False, max_length=1000)
    recipients = ExtractionRecipientSerializer(many=True, required=False, max_length=500)
    signer = ExtractionSignerSerializer(required=False, allow_null=True)
    outline = ExtractionPartSerializer(many=True, required=False, max_length=MAX_PARTS)
    warnings = serializers.ListField(
        child=serializers.CharField(max_length=2000), required=False, max_length=500
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Each task stands at one part of the outline, and no part holds two tasks."""
        outline = attrs.get("outline") or []
        taken: set[int] = set()
        for number, task in enumerate(attrs.get("tasks") or []):
            at = task.get("part")
            if at is None:
                continue
            if at >= len(outline) or at in taken:
                raise serializers.ValidationError(
                    {"tasks": f"Task {number + 1}: part {at} is not a free part of the outline."}
                )
            taken.add(at)
        return attrs


class ImportInputSerializer(serializers.Serializer):
    """A plan to import: the importer's JSON (what ``manage.py import_plan --dry-run --json``
    prints, edited or not), or the plan's text, or a .docx/.txt file."""

    extraction = ExtractionSerializer(required=False)
    text = serializers.CharField(required=False, max_length=2_000_000, trim_whitespace=False)
    file = serializers.FileField(required=False)
    issuer = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    draft = serializers.BooleanField(default=True)
    add_units = serializers.BooleanField(default=False)


class NameMatchSerializer(serializers.Serializer):
    words = serializers.CharField()
    unit = serializers.IntegerField(allow_null=True)
    group = serializers.CharField(allow_null=True)
    group_size = serializers.IntegerField()
    unknown = serializers.BooleanField()


class ImportPreviewSerializer(serializers.Serializer):
    """What saving would do; nothing is saved."""

    extraction = ExtractionSerializer()
    issuer = UnitRefSerializer(allow_null=True)
    existing = DocumentRefSerializer(allow_null=True)
    implements = DocumentRefSerializer(allow_null=True)
    matches = NameMatchSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField())


# --- dashboard ---------------------------------------------------------------------------------


class StateCountsSerializer(serializers.Serializer):
    done_on_time = serializers.IntegerField()
    done_late = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    overdue = serializers.IntegerField()
    not_started = serializers.IntegerField()
    total = serializers.IntegerField()


class CoverageSerializer(serializers.Serializer):
    expected = serializers.IntegerField()
    issued = serializers.IntegerField()
    late = serializers.IntegerField()
    pending = serializers.IntegerField()


class BranchSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    own = serializers.BooleanField()
    states = StateCountsSerializer()
    coverage = CoverageSerializer()


class TrendPointSerializer(serializers.Serializer):
    month = serializers.DateField()
    due = serializers.IntegerField()
    completed = serializers.IntegerField()


class OverdueSerializer(serializers.Serializer):
    occurrence = serializers.IntegerField(source="occurrence.pk")
    task = serializers.IntegerField(source="occurrence.task_id")
    task_text = serializers.CharField(source="occurrence.task.text")
    document = serializers.CharField(source="occurrence.task.document.identifier")
    unit = serializers.CharField(source="occurrence.unit.name")
    due_on = serializers.DateField(source="occurrence.due_on")
    days_late = serializers.IntegerField()


class TargetFigureSerializer(serializers.Serializer):
    target = serializers.IntegerField(source="target.pk")
    document = serializers.IntegerField(source="target.document_id")
    text = serializers.CharField(source="target.text")
    low = serializers.DecimalField(
        source="target.low", max_digits=12, decimal_places=2, allow_null=True
    )
    high = serializers.DecimalField(
        source="target.high", max_digits=12, decimal_places=2, allow_null=True
    )
    unit = serializers.CharField(source="target.unit")
    numerator = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    denominator = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    value = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    status = serializers.CharField()
    reporters = serializers.IntegerField()
    period_key = serializers.CharField()
    children = serializers.SerializerMethodField()

    @extend_schema_field({"type": "array", "items": {"$ref": "#/components/schemas/TargetFigure"}})
    def get_children(self, figure: Any) -> list[dict[str, Any]]:
        return TargetFigureSerializer(figure.children, many=True).data


class DashboardSerializer(serializers.Serializer):
    """The dashboard's figures for a directive (or one plan), a unit's subtree and a period."""

    directive = DocumentRefSerializer()
    plan = DocumentRefSerializer(allow_null=True)
    unit = UnitRefSerializer()
    subtree = serializers.BooleanField()
    period = serializers.CharField()
    bloc = serializers.CharField()
    level = serializers.CharField()
    states = StateCountsSerializer()
    coverage = CoverageSerializer()
    branches = BranchSerializer(many=True)
    trend = TrendPointSerializer(many=True)
    overdue = OverdueSerializer(many=True)
    targets = TargetFigureSerializer(many=True)


class ImportResultSerializer(serializers.Serializer):
    """The plan saved for review, and what the reading doubted."""

    document = DocumentSerializer()
    warnings = serializers.ListField(child=serializers.CharField())
