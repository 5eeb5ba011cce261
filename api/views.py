"""The API's endpoints. Each viewset names its model's scoping method (``visible_to``…), the
same queryset method the pages use; writes call the same services as the pages. Nothing here
decides who may see or do what."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Left, Length
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema_view
from rest_framework import mixins, parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import filters, selectors, serializers
from api.docs import doc
from api.models import ApiToken
from api.services import api_token_issue, api_token_revoke
from audit.services import current_source
from dashboard.filters import NoAccess, NoDirective, resolve
from notifications import services as notification_services
from notifications.models import Notification
from notifications.selectors import notifications_for
from plans.importing import SourceError, extract_plan, read_source
from plans.importing.service import ImportPreview, plan_import_preview, plan_import_save
from plans.models import Document, Target
from plans.selectors import cascade_ancestors, cascade_tree, documents_with_task_counts
from reports.models import ReportMeasurement, ReportRequest, ReportTaskLine
from tasks import services as task_services
from tasks.models import Assignment, Occurrence, ProgressUpdate, Task, TaskStatus
from units.models import Unit


class ApiMixin:
    """What every endpoint shares: changes it makes are audited as coming from the API (and
    from which token)."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        token = request.auth if isinstance(request.auth, ApiToken) else None
        # The audit middleware resets the source when the request ends.
        current_source.set(f"api:token:{token.prefix}" if token else "api")


class ScopedViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    """A read-only viewset whose rows are ``queryset`` narrowed by the model's scoping method
    ``scope`` for the requester, the method the pages call."""

    scope = "visible_to"
    # Any id reaches the view, which answers 404 in JSON (the router's default refuses dots
    # and leaves "1.5" to the site's HTML 404 page).
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet:
        return getattr(super().get_queryset(), self.scope)(self.request.user)


# --- units -------------------------------------------------------------------------------------


@extend_schema_view(list=doc("units_list"), retrieve=doc("units_retrieve"))
class UnitViewSet(ScopedViewSet):
    queryset = Unit.objects.all()
    serializer_class = serializers.UnitSerializer
    filterset_class = filters.UnitFilter

    def get_queryset(self) -> QuerySet[Unit]:
        # The parent's id, read in the same query (a unit only knows its materialized path).
        parent = Unit.objects.filter(
            path=Left(OuterRef("path"), Length(OuterRef("path")) - Unit.steplen)
        ).values("pk")[:1]
        return super().get_queryset().annotate(parent_pk=Subquery(parent))


# --- documents, cascade, targets, measurements -------------------------------------------------


@extend_schema_view(list=doc("documents_list"), retrieve=doc("documents_retrieve"))
class DocumentViewSet(ScopedViewSet):
    queryset = Document.objects.select_related("issuer")
    serializer_class = serializers.DocumentSerializer
    filterset_class = filters.DocumentFilter

    def get_queryset(self) -> QuerySet[Document]:
        # Counting tasks groups the rows, which drops the model's ordering: say it again.
        documents = documents_with_task_counts(super().get_queryset()).order_by(
            "-issued_on", "identifier", "pk"
        )
        if self.action == "retrieve":
            visible = Document.objects.visible_to(self.request.user).select_related("issuer")
            documents = documents.prefetch_related(
                Prefetch("implementations", queryset=visible.order_by("issued_on", "pk")),
                Prefetch("cites", queryset=Document.objects.select_related("issuer")),
                "targets",
                "recipients",
            )
        return documents

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.DocumentDetailSerializer
        return super().get_serializer_class()

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        document = self.get_object()
        context = {
            **self.get_serializer_context(),
            "parents": cascade_ancestors(user=request.user, document=document),
        }
        return Response(serializers.DocumentDetailSerializer(document, context=context).data)

    @doc("documents_cascade", responses=serializers.CascadeExportSerializer)
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def cascade(self, request: Request, pk: str | None = None) -> Response:
        document = get_object_or_404(Document.objects.visible_to(request.user), pk=pk)
        payload = {
            "parents": cascade_ancestors(user=request.user, document=document),
            "tree": cascade_tree(user=request.user, document=document),
        }
        return Response(serializers.CascadeExportSerializer(payload).data)


@extend_schema_view(list=doc("targets_list"), retrieve=doc("targets_retrieve"))
class TargetViewSet(ScopedViewSet):
    queryset = Target.objects.all()
    serializer_class = serializers.TargetSerializer
    filterset_class = filters.TargetFilter


@extend_schema_view(list=doc("measurements_list"), retrieve=doc("measurements_retrieve"))
class MeasurementViewSet(ScopedViewSet):
    queryset = ReportMeasurement.objects.select_related("report")
    serializer_class = serializers.MeasurementSerializer
    filterset_class = filters.MeasurementFilter


# --- tasks, assignments, occurrences, progress -------------------------------------------------

_ASSIGNMENTS = Prefetch(
    "assignments",
    queryset=Assignment.objects.select_related("unit").order_by("-role", "unit__path"),
)


@extend_schema_view(list=doc("tasks_list"), retrieve=doc("tasks_retrieve"))
class TaskViewSet(ScopedViewSet):
    queryset = Task.objects.select_related("document", "document__issuer").prefetch_related(
        _ASSIGNMENTS
    )
    serializer_class = serializers.TaskSerializer
    filterset_class = filters.TaskFilter


@extend_schema_view(list=doc("assignments_list"), retrieve=doc("assignments_retrieve"))
class AssignmentViewSet(ScopedViewSet):
    queryset = Assignment.objects.select_related("unit")
    serializer_class = serializers.AssignmentSerializer
    filterset_class = filters.AssignmentFilter

    @doc(
        "assignments_complete",
        request=serializers.CompleteInputSerializer,
        responses={201: serializers.ProgressUpdateSerializer},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def complete(self, request: Request, pk: str | None = None) -> Response:
        assignment = self.get_object()
        data = _valid(serializers.CompleteInputSerializer, request)
        update = task_services.task_complete(
            actor=request.user,
            assignment=assignment,
            note=data["note"],
            completed_on=data.get("completed_on"),
        )
        return _created(update)


@extend_schema_view(list=doc("occurrences_list"), retrieve=doc("occurrences_retrieve"))
class OccurrenceViewSet(ScopedViewSet):
    queryset = Occurrence.objects.select_related("unit", "task")
    serializer_class = serializers.OccurrenceSerializer
    filterset_class = filters.OccurrenceFilter

    @doc(
        "occurrences_complete",
        request=serializers.CompleteInputSerializer,
        responses={201: serializers.ProgressUpdateSerializer},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def complete(self, request: Request, pk: str | None = None) -> Response:
        occurrence = self.get_object()
        data = _valid(serializers.CompleteInputSerializer, request)
        update = task_services.progress_add(
            actor=request.user,
            assignment=occurrence.assignment,
            occurrence=occurrence,
            note=data["note"],
            status=TaskStatus.DONE,
            completed_on=data.get("completed_on"),
        )
        return _created(update)


@extend_schema_view(
    list=doc("progress_list"),
    retrieve=doc("progress_retrieve"),
    create=doc(
        "progress_create",
        request=serializers.ProgressInputSerializer,
        responses={201: serializers.ProgressUpdateSerializer},
    ),
)
class ProgressUpdateViewSet(mixins.CreateModelMixin, ScopedViewSet):
    queryset = ProgressUpdate.objects.select_related("author")
    serializer_class = serializers.ProgressUpdateSerializer
    filterset_class = filters.ProgressUpdateFilter

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _valid(serializers.ProgressInputSerializer, request)
        assignment = get_object_or_404(
            Assignment.objects.visible_to(request.user), pk=data["assignment"]
        )
        occurrence = None
        if data.get("occurrence"):
            occurrence = (
                Occurrence.objects.visible_to(request.user).filter(pk=data["occurrence"]).first()
            )
            if occurrence is None:
                raise ValidationError({"occurrence": _("No such period.")})
        update = task_services.progress_add(
            actor=request.user,
            assignment=assignment,
            note=data["note"],
            status=data["status"],
            completed_on=data.get("completed_on"),
            occurrence=occurrence,
        )
        return _created(update)


def _valid(serializer_class: type, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _created(update: ProgressUpdate) -> Response:
    return Response(
        serializers.ProgressUpdateSerializer(update).data, status=status.HTTP_201_CREATED
    )


# --- reports -----------------------------------------------------------------------------------


@extend_schema_view(list=doc("reports_list"), retrieve=doc("reports_retrieve"))
class ReportViewSet(ScopedViewSet):
    queryset = ReportRequest.objects.select_related("unit", "receiver", "requirement")
    serializer_class = serializers.ReportSerializer
    filterset_class = filters.ReportFilter

    def get_queryset(self) -> QuerySet[ReportRequest]:
        reports = super().get_queryset()
        if self.action == "retrieve":
            reports = reports.prefetch_related(
                Prefetch("task_lines", queryset=ReportTaskLine.objects.order_by("position", "pk")),
                Prefetch(
                    "measurements",
                    queryset=ReportMeasurement.objects.select_related("report").order_by(
                        "position", "pk"
                    ),
                ),
            )
        return reports

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.ReportDetailSerializer
        return super().get_serializer_class()


# --- notifications -----------------------------------------------------------------------------


@extend_schema_view(list=doc("notifications_list"), retrieve=doc("notifications_retrieve"))
class NotificationViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Notification.objects.none()
    lookup_value_regex = "[^/]+"
    serializer_class = serializers.NotificationSerializer
    filterset_class = filters.NotificationFilter

    def get_queryset(self) -> QuerySet[Notification]:
        # The requester's own notifications, through the bell's selector.
        return notifications_for(user=self.request.user).select_related("document__issuer")

    @doc("notifications_read", request=None, responses=serializers.NotificationSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def read(self, request: Request, pk: str | None = None) -> Response:
        notification = self.get_object()
        notification_services.notification_mark_read(actor=request.user, notification=notification)
        notification.refresh_from_db(fields=["read_at"])
        return Response(self.get_serializer(notification).data)

    @doc("notifications_read_all", request=None, responses=serializers.CountSerializer)
    @action(detail=False, methods=["post"], url_path="read-all", filterset_class=None)
    def read_all(self, request: Request) -> Response:
        count = notification_services.notifications_mark_all_read(actor=request.user)
        return Response({"count": count})


# --- dashboard ---------------------------------------------------------------------------------


class DashboardView(ApiMixin, APIView):
    """The dashboard's figures, read through the dashboard's own filters and selectors."""

    @doc(
        "dashboard",
        parameters=[
            OpenApiParameter("directive", int, description="Directive (or plan) id."),
            OpenApiParameter("plan", int, description="One plan of the cascade."),
            OpenApiParameter("unit", int, description="The unit whose subtree is counted."),
            OpenApiParameter("period", str, description="2025, 2025-H1, 2025-Q3, 2025-M07."),
            OpenApiParameter("bloc", str),
            OpenApiParameter("level", str),
        ],
        responses=serializers.DashboardSerializer,
    )
    def get(self, request: Request) -> Response:
        try:
            chosen = resolve(request.user, request.query_params, today=timezone.localdate())
        except NoAccess:
            raise Http404 from None
        except NoDirective:
            raise Http404(_("No directive is visible to you yet.")) from None
        payload = selectors.dashboard_figures(chosen)
        return Response(serializers.DashboardSerializer(payload).data)


# --- plan import -------------------------------------------------------------------------------


class _ImportBase(ApiMixin, APIView):
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser]

    def read(self, request: Request) -> tuple[dict[str, Any], str, Unit | None, dict[str, Any]]:
        """The extraction (given, or read from the text or file), the text, the issuer the
        requester may write for, and the other options."""
        data = _valid(serializers.ImportInputSerializer, request)
        text = data.get("text") or ""
        if data.get("extraction") is not None:
            extraction = _plain(data["extraction"])
        else:
            upload = data.get("file")
            try:
                if upload is not None:
                    text = read_source(upload.read(), filename=upload.name)
                elif text.strip():
                    text = read_source(text)
                else:
                    raise ValidationError(
                        _("Send the importer's JSON (extraction), the plan's text or a file.")
                    )
            except SourceError as error:
                message = error.message_vi if get_language() == "vi" else error.message_en
                raise ValidationError({"file" if upload else "text": [message]}) from None
            extraction = _plain(_checked_extraction(extract_plan(text, today=timezone.localdate())))
        editable = Unit.objects.editable_by(request.user)
        issuer = None
        if data.get("issuer"):
            issuer = editable.filter(pk=data["issuer"]).first()
            if issuer is None:
                raise ValidationError({"issuer": [_("Choose a unit you may enter plans for.")]})
        return extraction, text, issuer, data

    def preview(self, request: Request, extraction: dict, issuer: Unit | None) -> ImportPreview:
        preview = plan_import_preview(user=request.user, extraction=extraction, issuer=issuer)
        if issuer is None:
            editable = Unit.objects.editable_by(request.user)
            # As on the page: the issuer read from the text if the requester writes for it,
            # else their only unit.
            if preview.issuer is not None and editable.filter(pk=preview.issuer.pk).exists():
                return preview
            only = list(editable[:2])
            if len(only) == 1:
                return plan_import_preview(user=request.user, extraction=extraction, issuer=only[0])
            preview.issuer = None
        return preview


def _checked_extraction(extraction: dict[str, Any]) -> dict[str, Any]:
    serializer = serializers.ExtractionSerializer(data=extraction)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _plain(value: Any) -> Any:
    """Validated data as the importer's plain JSON values (dates as ISO strings)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _preview_payload(preview: ImportPreview) -> dict[str, Any]:
    return {
        "extraction": preview.extraction,
        "issuer": preview.issuer,
        "existing": preview.existing,
        "implements": preview.implements,
        "matches": [
            {
                "words": match.words,
                "unit": match.unit.pk if match.unit else None,
                "group": match.group.label if match.group else None,
                "group_size": match.group_size,
                "unknown": match.unknown,
            }
            for match in preview.matches.values()
        ],
        "warnings": preview.warnings,
    }


class ImportPreviewView(_ImportBase):
    """What importing would save, with every doubt listed; nothing is saved."""

    @doc(
        "imports_preview",
        request=serializers.ImportInputSerializer,
        responses=serializers.ImportPreviewSerializer,
    )
    def post(self, request: Request) -> Response:
        extraction, _text, issuer, _data = self.read(request)
        preview = self.preview(request, extraction, issuer)
        return Response(serializers.ImportPreviewSerializer(_preview_payload(preview)).data)


class ImportView(_ImportBase):
    """Save a plan from the importer's JSON or a text, as a draft for a person to review."""

    @doc(
        "imports_create",
        request=serializers.ImportInputSerializer,
        responses={201: serializers.ImportResultSerializer},
    )
    def post(self, request: Request) -> Response:
        extraction, text, issuer, data = self.read(request)
        if data["draft"]:
            extraction = {**extraction, "is_draft": True}
        preview = self.preview(request, extraction, issuer)
        if preview.issuer is None:
            raise ValidationError({"issuer": [_("Name the issuing unit (issuer).")]})
        document = plan_import_save(
            actor=request.user,
            extraction=extraction,
            issuer=preview.issuer,
            body=text,
            add_units=data["add_units"],
            preview=preview,
        )
        document = documents_with_task_counts(
            Document.objects.filter(pk=document.pk).select_related("issuer")
        ).get()
        payload = {"document": document, "warnings": preview.warnings}
        return Response(
            serializers.ImportResultSerializer(payload).data, status=status.HTTP_201_CREATED
        )


# --- API tokens --------------------------------------------------------------------------------


@extend_schema_view(
    list=doc("tokens_list"),
    retrieve=doc("tokens_retrieve"),
    create=doc(
        "tokens_create",
        request=serializers.ApiTokenIssueSerializer,
        responses={201: serializers.ApiTokenIssuedSerializer},
    ),
)
class ApiTokenViewSet(mixins.CreateModelMixin, ScopedViewSet):
    queryset = ApiToken.objects.select_related("user", "created_by")
    serializer_class = serializers.ApiTokenSerializer
    filterset_class = filters.ApiTokenFilter

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _valid(serializers.ApiTokenIssueSerializer, request)
        user = get_user_model().objects.filter(pk=data["user"]).first()
        if user is None:
            raise ValidationError({"user": [_("No such person.")]})
        issued = api_token_issue(
            actor=request.user, user=user, name=data["name"], expires_at=data.get("expires_at")
        )
        body = {**serializers.ApiTokenSerializer(issued.token).data}
        if issued.key:
            body["key"] = issued.key
        else:
            # Issued for someone else: the secret went to its holder, not to the issuer.
            body["sent_to"] = issued.sent_to
        return Response(body, status=status.HTTP_201_CREATED)

    @doc("tokens_revoke", request=None, responses=serializers.ApiTokenSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        token = api_token_revoke(actor=request.user, token=self.get_object())
        return Response(serializers.ApiTokenSerializer(token).data)
