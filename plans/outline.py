"""A plan laid out as an official document (Nghị định 30/2020 for the state, Hướng dẫn
36-HD/VPTW for the party): the parts every export writes, in order. The rules each part
follows: docs/official-layouts.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch

from cascade.text import fold
from plans.models import DocType, Document, DocumentStatus, RecipientPurpose
from tasks.models import Assignment, AssignmentRole, Task
from units.models import Unit

# The mark each purpose carries after a recipient's name.
PURPOSE_MARKS = {
    RecipientPurpose.REPORT_TO: " (b/c)",
    RecipientPurpose.CARRY_OUT: " (t/h)",
    RecipientPurpose.INFORMATION: " (để biết)",
}
TYPE_TITLES = {
    DocType.PLAN: "KẾ HOẠCH",
    DocType.DIRECTIVE: "CHỈ THỊ",
    DocType.GUIDE: "HƯỚNG DẪN",
    DocType.PROGRAMME: "CHƯƠNG TRÌNH",
    DocType.ACTION_PROGRAMME: "CHƯƠNG TRÌNH HÀNH ĐỘNG",
    DocType.RESOLUTION: "NGHỊ QUYẾT",
    DocType.CONCLUSION: "KẾT LUẬN",
    DocType.REPORT: "BÁO CÁO",
    DocType.NOTICE: "THÔNG BÁO",
    DocType.SCHEME: "ĐỀ ÁN",
}


@dataclass
class OutlineTask:
    """A task as the document writes it: what, who leads, who coordinates, by when."""

    section: str
    text: str
    leads: list[str]
    supports: list[str]
    deadline: str


@dataclass
class Outline:
    """Everything an official rendering of a plan needs, already worded."""

    party: bool
    superior: str
    issuer: str
    number_line: str
    place_date: str
    type_title: str
    title: str
    basis: str
    targets: list[str] = field(default_factory=list)
    tasks: list[OutlineTask] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    archive: str = "Lưu: VT."
    signer_capacity: str = ""
    signer_title: str = ""
    signer_name: str = ""
    draft: bool = False


_PARTY_BODIES = (
    ("tinh uy ", "Đảng bộ tỉnh "),
    ("thanh uy ", "Đảng bộ thành phố "),
    ("huyen uy ", "Đảng bộ huyện "),
    ("quan uy ", "Đảng bộ quận "),
    ("thi uy ", "Đảng bộ thị xã "),
    ("dang uy ", "Đảng bộ "),
)


def superior_line(parent: Unit | None, *, party: bool) -> str:
    """The superior body above the issuer's name. A party document names the party
    organisation ("ĐẢNG BỘ TỈNH KON TUM"), not its committee ("Tỉnh ủy Kon Tum")."""
    if parent is None:
        return ""
    if not party and parent.uses_party_style:
        # A People's Committee sits under its party committee in the tree, but a state
        # document names only a state body above it (Nghị định 30/2020).
        return ""
    name = parent.name
    if party:
        folded = fold(name) + " "
        for prefix, body in _PARTY_BODIES:
            if folded.startswith(prefix):
                name = body + name.split(" ", 2 if prefix.count(" ") == 2 else 1)[-1]
                break
    return name.upper()


def date_line(place: str, day: date | None) -> str:
    """ "Lai Châu, ngày 23 tháng 8 năm 2023": days under 10 and months 1 and 2 take a leading
    zero, as Nghị định 30/2020 writes them; a blank date keeps its blanks for the signer."""
    prefix = f"{place}, " if place else ""
    if day is None:
        return f"{prefix}ngày     tháng     năm     "
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{prefix}ngày {day.day:02d} tháng {month} năm {day.year}"


def _names(assignments: list[Assignment], role: str, task: Task) -> list[str]:
    """Groups by their words, single units by name, in the order they were given."""
    words: list[str] = []
    seen_groups: set[int] = set()
    groups = {g.pk: g.label for g in task.groups.all()}
    for assignment in assignments:
        if assignment.role != role:
            continue
        if assignment.group_id:
            if assignment.group_id not in seen_groups:
                seen_groups.add(assignment.group_id)
                words.append(groups.get(assignment.group_id, ""))
        else:
            words.append(assignment.unit.name)
    written = task.lead_text if role == AssignmentRole.LEAD else task.support_text
    # Vague words ("các cơ quan liên quan") have no assignment; keep them from the text.
    for part in (p.strip() for p in written.split(",")) if not words else ():
        if part:
            words.append(part)
    return [w for w in words if w]


def plan_outline(document: Document) -> Outline:
    """Lay out ``document`` for an export (a fixed number of queries)."""
    document = (
        Document.objects.select_related("issuer", "implements", "implements__issuer")
        .prefetch_related(
            Prefetch(
                "tasks",
                queryset=Task.objects.order_by("position", "pk").prefetch_related(
                    Prefetch(
                        "assignments",
                        queryset=Assignment.objects.select_related("unit").order_by("pk"),
                    ),
                    "groups",
                ),
            ),
            "targets",
            "recipients",
        )
        .get(pk=document.pk)
    )
    issuer = document.issuer
    parent = Unit.objects.get_parent(issuer) if issuer else None
    party = issuer.uses_party_style if issuer else document.style == "party"
    number_line = f"Số {document.identifier}" if party else f"Số: {document.identifier}"
    basis = ""
    if document.implements_id:
        parent_doc = document.implements
        when = (
            f", ngày {parent_doc.issued_on.day:02d}/{parent_doc.issued_on.month}/"
            f"{parent_doc.issued_on.year}"
            if parent_doc.issued_on
            else ""
        )
        type_name = TYPE_TITLES.get(parent_doc.doc_type, parent_doc.get_doc_type_display())
        basis = (
            f"Thực hiện {type_name.capitalize()} số {parent_doc.identifier}{when} của "
            f"{parent_doc.issuer_label}, {issuer.name if issuer else document.issuer_name} "
            f"xây dựng kế hoạch thực hiện như sau:"
        )
    outline = Outline(
        party=party,
        superior=superior_line(parent, party=party),
        issuer=(issuer.name if issuer else document.issuer_name).upper(),
        number_line=number_line,
        place_date=date_line(document.place, document.issued_on),
        type_title=TYPE_TITLES.get(document.doc_type, document.get_doc_type_display().upper()),
        title=document.title,
        basis=basis,
        signer_capacity=document.signer_capacity,
        signer_title=document.signer_title,
        signer_name=document.signer_name,
        draft=document.status != DocumentStatus.ISSUED,
    )
    for target in document.targets.all():
        outline.targets.append(target.text)
    for task in document.tasks.all():
        assignments = list(task.assignments.all())
        outline.tasks.append(
            OutlineTask(
                section=task.section,
                text=task.text,
                leads=_names(assignments, AssignmentRole.LEAD, task),
                supports=_names(assignments, AssignmentRole.SUPPORT, task),
                deadline=task.deadline_text,
            )
        )
    archive = [r for r in document.recipients.all() if r.purpose == RecipientPurpose.ARCHIVE]
    for recipient in document.recipients.all():
        if recipient.purpose != RecipientPurpose.ARCHIVE:
            outline.recipients.append(recipient.name + PURPOSE_MARKS.get(recipient.purpose, ""))
    if archive:
        outline.archive = f"Lưu: {archive[0].name}."
    return outline


def assignment_sentence(task: OutlineTask) -> str:
    """ "Giao Ban Tuyên giáo Quận ủy chủ trì, phối hợp Ủy ban nhân dân quận thực hiện.
    Hoàn thành trong quý III/2023." — the sentence plans use, which the importer reads back."""
    if not task.leads:
        return ""
    sentence = f"Giao {', '.join(task.leads)} chủ trì"
    if task.supports:
        sentence += f", phối hợp {', '.join(task.supports)}"
    sentence += " thực hiện."
    if task.deadline:
        # Under its label, the words exactly as the plan wrote them, so they read back the same.
        sentence += f" Thời hạn: {task.deadline.rstrip('.')}."
    return sentence
