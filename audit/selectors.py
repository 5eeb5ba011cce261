"""Reading the audit trail: one object's history, and the search for administrators."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from audit.models import AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User
    from django.db import models

HISTORY_LIMIT = 200


def _ids(queryset: QuerySet) -> QuerySet:
    """The primary keys of ``queryset`` as text, to compare with ``AuditEvent.object_id``."""
    return queryset.annotate(audit_id=Cast("pk", CharField())).values("audit_id")


def _parts_of(instance: models.Model) -> list[tuple[str, QuerySet]]:
    """Rows shown in an object's history besides its own: a document's recipients and
    targets, a task's assignments and progress log, a report's attachments."""
    from plans.models import Document
    from reports.models import ReportAttachment, ReportRequest
    from tasks.models import Assignment, ProgressUpdate, Task

    if isinstance(instance, Document):
        return [
            ("plans.documentrecipient", instance.recipients.all()),
            ("plans.target", instance.targets.all()),
        ]
    if isinstance(instance, Task):
        return [
            ("tasks.assignment", Assignment.objects.filter(task=instance)),
            ("tasks.progressupdate", ProgressUpdate.objects.filter(assignment__task=instance)),
        ]
    if isinstance(instance, ReportRequest):
        return [("reports.reportattachment", ReportAttachment.objects.filter(report=instance))]
    return []


def may_read_document_history(user: User | AnonymousUser, document: Any) -> bool:
    """A document's history (and its tasks') is internal work of its issuer: for those who may
    read that unit's work or edit the document. A document known only by reference is
    visible to everyone; its history is not."""
    from plans.models import Document
    from units.models import Unit

    if Document.objects.editable_by(user).filter(pk=document.pk).exists():
        return True
    return bool(
        document.issuer_id and Unit.objects.readable_by(user).filter(pk=document.issuer_id).exists()
    )


def history_for(*, instance: models.Model, limit: int = HISTORY_LIMIT) -> list[AuditEvent]:
    """The audit rows of ``instance`` and of its parts, newest first. The caller has checked
    that the user may read the object's history."""
    condition = Q(object_type=instance._meta.label_lower, object_id=str(instance.pk))
    for label, parts in _parts_of(instance):
        condition |= Q(object_type=label, object_id__in=_ids(parts))
    return list(AuditEvent.objects.filter(condition).select_related("actor")[:limit])


def events_visible_to(user: User | AnonymousUser) -> QuerySet[AuditEvent]:
    """The audit rows an administrator may search: everything for a superuser; for a unit
    administrator, the rows about the units, members, documents, tasks and reports of their
    units and the units below. Everyone else: none."""
    from plans.models import Document, DocumentRecipient, Target, confidential_q
    from reports.models import ReportRequest, ReportRequirement
    from tasks.models import Assignment, Task
    from units.models import ADMINISTERING_ROLES, Membership, Unit, holds_role

    if not user.is_authenticated:
        return AuditEvent.objects.none()
    if user.is_superuser:
        return AuditEvent.objects.all()
    if not holds_role(user, ADMINISTERING_ROLES):
        return AuditEvent.objects.none()
    units = Unit.objects.administered_by(user)
    # A confidential plan's rows (its title, its tasks' texts, the change that made it
    # confidential, its reports) stay inside its circle here as on every page.
    documents = Document.objects.filter(issuer__in=units).filter(confidential_q(user))
    scoped: list[tuple[str, QuerySet]] = [
        ("units.unit", units),
        ("units.membership", Membership.objects.filter(unit__in=units)),
        ("plans.document", documents),
        ("plans.documentrecipient", DocumentRecipient.objects.filter(document__in=documents)),
        ("plans.target", Target.objects.filter(document__in=documents)),
        ("tasks.task", Task.objects.filter(document__in=documents)),
        (
            "tasks.assignment",
            Assignment.objects.filter(unit__in=units).filter(
                confidential_q(user, prefix="task__document__")
            ),
        ),
        (
            "reports.reportrequest",
            ReportRequest.objects.filter(unit__in=units).filter(
                confidential_q(user, prefix="requirement__document__")
            ),
        ),
        (
            "reports.reportrequirement",
            ReportRequirement.objects.filter(receiver__in=units).filter(
                confidential_q(user, prefix="document__")
            ),
        ),
    ]
    condition = Q(pk__in=[])
    for label, queryset in scoped:
        condition |= Q(object_type=label, object_id__in=_ids(queryset))
    return AuditEvent.objects.filter(condition)


def may_search(user: User | AnonymousUser) -> bool:
    """Superusers and unit administrators may search the trail."""
    from units.models import ADMINISTERING_ROLES, holds_role

    return holds_role(user, ADMINISTERING_ROLES)


def search(
    *,
    user: User | AnonymousUser,
    actor: str = "",
    object_type: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    text: str = "",
    limit: int = 200,
) -> list[AuditEvent]:
    """Audit rows visible to ``user`` matching every filter given, newest first."""
    events = events_visible_to(user)
    if actor:
        events = events.filter(actor_label__icontains=actor)
    if object_type:
        events = events.filter(object_type=object_type)
    zone = timezone.get_current_timezone()
    if date_from:
        events = events.filter(at__gte=datetime.combine(date_from, time.min, tzinfo=zone))
    if date_to:
        end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone)
        events = events.filter(at__lt=end)
    if text:
        events = events.filter(
            Q(object_repr__icontains=text) | Q(action__icontains=text) | Q(source__icontains=text)
        )
    return list(events.select_related("actor")[:limit])


def object_types() -> list[str]:
    """The kinds of object the trail holds, for the search form."""
    return list(
        AuditEvent.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
    )


def change_rows(event: AuditEvent) -> list[tuple[str, Any, Any, bool]]:
    """``(field, old, new, is_change)`` for display: an update keeps ``[old, new]`` pairs, a
    creation the values it was created with."""
    rows = []
    for name, value in (event.changes or {}).items():
        if isinstance(value, list) and len(value) == 2 and event.action not in ("create",):
            rows.append((name, value[0], value[1], True))
        else:
            rows.append((name, None, value, False))
    return rows
