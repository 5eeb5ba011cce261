"""The objects the access sweep (``tests/test_access_sweep.py``) requests pages about, and the
world it builds: how an object of each kind becomes a case (with its owners), the demo with
a marker (canary) on every province's objects, and the users who visit. No tests here."""

from __future__ import annotations

import io
import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db


def sample_size() -> int:
    return int(os.environ.get("SWEEP_SAMPLE", "2"))


def canary(province_path: str) -> str:
    """The marker carried by every object of one province (letters and digits only, so it
    reads the same escaped or not)."""
    return f"zqx{province_path}qxz"


def province_of(unit) -> str | None:
    """The province a unit belongs to (None for the centre)."""
    from units.models import Unit

    step = Unit.steplen
    return unit.path[: 2 * step] if unit and len(unit.path) >= 2 * step else None


@dataclass
class Case:
    """One object the pattern is about, and who it belongs to."""

    label: str
    values: dict[str, object]
    owner_units: list = field(default_factory=list)  # their staff own it
    owner_user: object = None  # a personal object (a notification): only this user owns it
    shared: bool = False  # readable by every member (issued by the centre, a reference)
    anchored: bool = True  # False for a page about no object in particular (lists, home)
    public_to_members: bool = False  # a unit: its page opens to every member, scoped inside

    @property
    def provinces(self) -> set[str]:
        return {p for p in (province_of(u) for u in self.owner_units) if p}


# --- anchors: how an object of each kind becomes a case ------------------------------------


def _sampled[T](objects: list[T], province: Callable[[T], str | None]) -> list[T]:
    limit = sample_size()
    if not limit:
        return objects
    taken: dict[str | None, int] = defaultdict(int)
    kept = []
    for obj in objects:
        key = province(obj)
        if taken[key] < limit:
            taken[key] += 1
            kept.append(obj)
    return kept


def document_cases(world: World) -> list[Case]:
    from plans.models import Document, DocumentStatus

    documents = list(
        Document.objects.select_related("issuer")
        .prefetch_related("recipients__unit")
        .order_by("pk")
    )
    references = [d for d in documents if d.status == DocumentStatus.REFERENCE][:1]
    issued = [d for d in documents if d.status != DocumentStatus.REFERENCE and d.issuer_id]
    cases = []
    for document in references + _sampled(issued, lambda d: province_of(d.issuer)):
        units = [document.issuer] if document.issuer_id else []
        units += [r.unit for r in document.recipients.all() if r.unit_id]
        cases.append(
            Case(
                label=f"document {document.pk}",
                values={
                    "pk": document.pk,
                    "document_pk": document.pk,
                    "unit_pk": document.issuer_id,
                },
                owner_units=units,
                shared=document.status == DocumentStatus.REFERENCE
                or province_of(document.issuer) is None,
            )
        )
    return cases


def _task_units(task) -> list:
    return [task.document.issuer] + [a.unit for a in task.assignments.all()]


def task_cases(world: World) -> list[Case]:
    from tasks.models import Task

    tasks = list(
        Task.objects.select_related("document__issuer")
        .prefetch_related("assignments__unit")
        .order_by("pk")
    )
    return [
        Case(
            label=f"task {task.pk}",
            values={"pk": task.pk, "document_pk": task.document_id},
            owner_units=_task_units(task),
        )
        for task in _sampled(tasks, lambda t: province_of(t.document.issuer))
    ]


def assignment_cases(world: World) -> list[Case]:
    from tasks.models import Assignment

    assignments = list(
        Assignment.objects.select_related("unit", "task__document__issuer").order_by("pk")
    )
    return [
        Case(
            label=f"assignment {a.pk}",
            values={"pk": a.pk, "unit_pk": a.unit_id},
            owner_units=[a.unit, a.task.document.issuer],
        )
        for a in _sampled(assignments, lambda a: province_of(a.unit))
    ]


def occurrence_cases(world: World) -> list[Case]:
    from tasks.models import Occurrence

    occurrences = list(
        Occurrence.objects.select_related("unit", "task__document__issuer").order_by("pk")
    )
    return [
        Case(
            label=f"occurrence {o.pk}",
            values={"pk": o.pk, "unit_pk": o.unit_id},
            owner_units=[o.unit, o.task.document.issuer],
        )
        for o in _sampled(occurrences, lambda o: province_of(o.unit))
    ]


def unit_cases(world: World) -> list[Case]:
    from units.models import Unit

    units = [u for u in Unit.objects.order_by("path") if province_of(u)]
    return [
        Case(
            label=f"unit {unit.pk}",
            values={"pk": unit.pk, "unit_pk": unit.pk},
            owner_units=[unit],
            public_to_members=True,
        )
        for unit in _sampled(units, province_of)
    ]


def report_cases(world: World) -> list[Case]:
    from reports.models import ReportRequest

    reports = list(ReportRequest.objects.select_related("unit", "receiver").order_by("pk"))
    return [
        Case(
            label=f"report {r.pk}",
            values={
                "pk": r.pk,
                "unit_pk": r.receiver_id,
                "document_pk": r.cascade_root_id,
                "period_key": r.period_key,
            },
            owner_units=[r.unit, r.receiver],
        )
        for r in _sampled(reports, lambda r: province_of(r.unit))
    ]


def requirement_cases(world: World) -> list[Case]:
    from reports.models import ReportRequirement

    requirements = list(
        ReportRequirement.objects.select_related("document__issuer", "receiver").order_by("pk")
    )
    return [
        Case(
            label=f"requirement {r.pk}",
            values={"pk": r.pk, "document_pk": r.document_id, "unit_pk": r.receiver_id},
            owner_units=[r.document.issuer, r.receiver, *r.units.all()],
            # A duty attached to a document issued above everyone is read with it.
            shared=r.document.status != "reference" and province_of(r.document.issuer) is None,
        )
        for r in requirements
    ]


def progress_attachment_cases(world: World) -> list[Case]:
    from tasks.models import ProgressAttachment

    return [
        Case(
            label=f"evidence {a.pk}",
            values={"pk": a.pk},
            owner_units=[a.update.assignment.unit, a.update.assignment.task.document.issuer],
        )
        for a in ProgressAttachment.objects.select_related("update__assignment__unit")
    ]


def report_attachment_cases(world: World) -> list[Case]:
    from reports.models import ReportAttachment

    return [
        Case(
            label=f"report attachment {a.pk}",
            values={"pk": a.pk},
            owner_units=[a.report.unit, a.report.receiver],
        )
        for a in ReportAttachment.objects.select_related("report__unit", "report__receiver")
    ]


def annual_file_cases(world: World) -> list[Case]:
    from reports.models import AnnualReportFile

    return [
        Case(
            label=f"annual file {f.pk}",
            values={"pk": f.pk, "unit_pk": f.unit_id},
            owner_units=[f.unit],
        )
        for f in AnnualReportFile.objects.select_related("unit")
    ]


def notification_cases(world: World) -> list[Case]:
    from notifications.models import Notification

    notifications = list(Notification.objects.select_related("recipient").order_by("pk"))
    return [
        Case(label=f"notification {n.pk}", values={"pk": n.pk}, owner_user=n.recipient)
        for n in notifications[: max(sample_size(), 1) * 3 or None]
    ]


def target_cases(world: World) -> list[Case]:
    from plans.models import Target

    targets = list(Target.objects.select_related("document__issuer").order_by("pk"))
    return [
        Case(
            label=f"target {t.pk}",
            values={"pk": t.pk, "document_pk": t.document_id},
            owner_units=[t.document.issuer] if t.document.issuer_id else [],
            shared=province_of(t.document.issuer) is None,
        )
        for t in _sampled(targets, lambda t: province_of(t.document.issuer))
    ]


def measurement_cases(world: World) -> list[Case]:
    from reports.models import ReportMeasurement

    measurements = list(
        ReportMeasurement.objects.select_related("report__unit", "report__receiver").order_by("pk")
    )
    return [
        Case(
            label=f"measurement {m.pk}",
            values={"pk": m.pk, "report_pk": m.report_id},
            owner_units=[m.report.unit, m.report.receiver],
        )
        for m in _sampled(measurements, lambda m: province_of(m.report.unit))
    ]


def progress_update_cases(world: World) -> list[Case]:
    from tasks.models import ProgressUpdate

    return [
        Case(
            label=f"progress {u.pk}",
            values={"pk": u.pk},
            owner_units=[u.assignment.unit, u.assignment.task.document.issuer],
        )
        for u in ProgressUpdate.objects.select_related(
            "assignment__unit", "assignment__task__document__issuer"
        )
    ]


def api_token_cases(world: World) -> list[Case]:
    """API tokens are personal: only their holder (and the administrators managing them)."""
    from api import services as api_services
    from api.models import ApiToken
    from units.models import Unit

    for province in world.provinces[:2]:
        unit = Unit.objects.filter(path__startswith=province.path).order_by("-depth").first()
        holder = world.staff_of(unit)
        api_services.api_token_issue(actor=None, user=holder, name="sweep")
    return [
        Case(label=f"api token {t.pk}", values={"pk": t.pk}, owner_user=t.user)
        for t in ApiToken.objects.select_related("user")
    ]


def managed_unit_cases(world: World) -> list[Case]:
    """Units as the object of their administrators' pages (members): not public."""
    cases = unit_cases(world)
    for case in cases:
        case.public_to_members = False
    return cases


def membership_cases(world: World) -> list[Case]:
    from units.models import Membership

    memberships = list(Membership.objects.select_related("unit").order_by("pk"))
    return [
        Case(label=f"membership {m.pk}", values={"pk": m.pk}, owner_units=[m.unit])
        for m in _sampled(memberships, lambda m: province_of(m.unit))
        if province_of(m.unit)
    ]


# The segment in front of ``<pk>`` → the kind of object. The longest match wins, so
# "reports/attachments" is tried before "attachments". A new kind of page on a new kind of
# object: add its segment here with a function returning its cases.
ANCHORS_BY_SEGMENT: dict[str, Callable[[World], list[Case]]] = {
    "documents": document_cases,
    "plans": document_cases,
    "tasks": task_cases,
    "assignments": assignment_cases,
    "occurrences": occurrence_cases,
    "units": unit_cases,
    "unit": unit_cases,
    "members": lambda world: managed_unit_cases(world),
    "memberships": lambda world: membership_cases(world),
    "reports": report_cases,
    "requirements": requirement_cases,
    "attachments": progress_attachment_cases,
    "evidence": progress_attachment_cases,
    "reports/attachments": report_attachment_cases,
    "report-attachments": report_attachment_cases,
    "annual": annual_file_cases,
    "annual-files": annual_file_cases,
    "notifications": notification_cases,
    "targets": target_cases,
    "measurements": measurement_cases,
    "progress-updates": progress_update_cases,
    "tokens": api_token_cases,
}
# Without ``pk``: the first of these parameters names the kind of object.
ANCHORS_BY_PARAM: dict[str, Callable[[World], list[Case]]] = {
    "period_key": report_cases,
    "document_pk": document_cases,
    "task_pk": task_cases,
    "report_pk": report_cases,
    "unit_pk": unit_cases,
}
# Parameters taking one of a few words.
VALUES: dict[str, Callable[[], list[str]]] = {
    "table": lambda: sorted(__import__("dashboard.exports", fromlist=["TABLES"]).TABLES),
    "fmt": lambda: list(__import__("dashboard.exports", fromlist=["FORMATS"]).FORMATS),
    "format": lambda: ["json"],
}


# --- the world: demo, canaries, users ------------------------------------------------------


@dataclass
class World:
    provinces: list  # province units hosting demo work
    outsider: object
    leaders: dict  # province path → a leader of that province
    staff_of: Callable  # a unit → a staff member of it (made on first use)
    query_ids: dict[str, dict[str, str]]  # province path → ids to put in query strings


def _mark_provinces() -> None:
    """Put each province's canary into the texts its pages show."""
    from django.db.models import Value
    from django.db.models.functions import Concat

    from plans.models import Document, DocumentStatus, Target
    from reports.models import ReportRequest, ReportRequirement
    from tasks.models import ProgressUpdate, Task
    from units.models import Unit

    for province in Unit.objects.filter(depth=2):
        mark = canary(province.path)
        Document.objects.filter(issuer__path__startswith=province.path).exclude(
            status=DocumentStatus.REFERENCE
        ).update(
            title=Concat("title", Value(f" {mark}")),
            body=Concat("body", Value(f" {mark}")),
            search_text=Concat("search_text", Value(f" {mark}")),
        )
        Task.objects.filter(document__issuer__path__startswith=province.path).update(
            text=Concat("text", Value(f" {mark}"))
        )
        Target.objects.filter(document__issuer__path__startswith=province.path).update(
            text=Concat("text", Value(f" {mark}"))
        )
        ReportRequest.objects.filter(unit__path__startswith=province.path).update(
            results=Concat("results", Value(f" {mark}")),
            subject=Concat("subject", Value(f" {mark}")),
        )
        ReportRequirement.objects.filter(receiver__path__startswith=province.path).update(
            title=Concat("title", Value(f" {mark}"))
        )
        ProgressUpdate.objects.filter(assignment__unit__path__startswith=province.path).update(
            note=Concat("note", Value(f" {mark}"))
        )


def _add_files(staff_of: Callable) -> None:
    """Evidence, a report attachment and an annual report file, so their downloads are swept."""
    from reports import services as report_services
    from reports.models import AnnualReportFile, RenderState, ReportRequest, ReportState
    from tasks import services as task_services
    from tasks.models import Assignment
    from units.models import Unit

    for province in Unit.objects.filter(depth=2):
        assignment = (
            Assignment.objects.filter(unit__path__startswith=province.path)
            .select_related("unit")
            .order_by("pk")
            .first()
        )
        if assignment is not None:
            task_services.progress_add(
                actor=staff_of(assignment.unit),
                assignment=assignment,
                note=f"Đã triển khai {canary(province.path)}",
                status="in_progress",
                files=[SimpleUploadedFile(f"minh-chung-{canary(province.path)}.txt", b"evidence")],
            )
        report = (
            ReportRequest.objects.filter(
                unit__path__startswith=province.path,
                state__in=[ReportState.NOT_STARTED, ReportState.DRAFT],
            )
            .select_related("unit")
            .order_by("pk")
            .first()
        )
        if report is not None:
            report_services.report_attachment_add(
                actor=staff_of(report.unit),
                report=report,
                upload=SimpleUploadedFile(f"phu-luc-{canary(province.path)}.txt", b"annex"),
            )
            file = AnnualReportFile.objects.create(
                unit=report.unit,
                cascade_root=report.cascade_root,
                year=date.today().year,
                state=RenderState.DONE,
                name=f"bao-cao-{canary(province.path)}.pdf",
            )
            file.file.save(f"annual-{file.pk}.pdf", io.BytesIO(b"%PDF-1.4 annual"), save=True)


def build_world() -> World:
    from tests.factories import UserFactory
    from units.models import Membership, Role, Unit

    staff: dict[int, object] = {}

    def staff_of(unit):
        if unit.pk not in staff:
            user = UserFactory(username=f"staff-{unit.pk}")
            Membership.objects.create(user=user, unit=unit, role=Role.STAFF)
            staff[unit.pk] = user
        return staff[unit.pk]

    _add_files(staff_of)
    _mark_provinces()
    provinces = list(Unit.objects.filter(depth=2).order_by("path"))
    leaders = {}
    query_ids = {}
    from plans.models import Document
    from reports.models import ReportRequest
    from tasks.models import Task

    for province in provinces:
        leader = UserFactory(username=f"leader-{province.pk}")
        Membership.objects.create(user=leader, unit=province, role=Role.LEADER)
        leaders[province.path] = leader
        document = (
            Document.objects.filter(issuer__path__startswith=province.path).order_by("pk").first()
        )
        task = Task.objects.filter(document__issuer__path__startswith=province.path).first()
        report = ReportRequest.objects.filter(unit__path__startswith=province.path).first()
        unit = Unit.objects.filter(path__startswith=province.path).order_by("-depth").first()
        query_ids[province.path] = {
            "q": canary(province.path)[:-1],
            "unit": str(unit.pk),
            "node": str(unit.pk),
            "plan": str(document.pk if document else ""),
            "document": str(document.pk if document else ""),
            "task": str(task.pk if task else ""),
            "report": str(report.pk if report else ""),
            "object_id": str(document.pk if document else ""),
        }
    outsider = UserFactory(username="outsider")
    return World(
        provinces=provinces,
        outsider=outsider,
        leaders=leaders,
        staff_of=staff_of,
        query_ids=query_ids,
    )
