"""Turning an extracted plan (``plans.importing``) into documents, tasks and links: the preview
a person reviews, and the service that saves it once they confirm."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from audit.services import audit_batch
from background import services as background
from cascade.services import atomic_service
from cascade.text import fold
from plans import services as plan_services
from plans.identifiers import parse_identifier
from plans.importing.groups import guess_group
from plans.models import (
    DocType,
    Document,
    DocumentStatus,
    OutlineSource,
    PartKind,
    RecipientPurpose,
    Target,
)
from plans.outline_services import PartSpec, outline_set
from tasks import services as task_services
from tasks.models import GroupDepth
from units import services as unit_services
from units.models import Bloc, Level, Unit
from units.selectors import resolve_unit

type Reader = User | AnonymousUser

# A unit proposed from a name the tree does not know: its bloc guessed from the words.
_BLOC_HINTS = (
    ("ban ", Bloc.PARTY_BOARD),
    ("van phong", Bloc.PARTY_BOARD),
    ("phong ", Bloc.GOVERNMENT_DEPARTMENT),
    ("uy ban nhan dan", Bloc.GOVERNMENT),
    ("hoi dong nhan dan", Bloc.GOVERNMENT),
    ("mat tran", Bloc.FRONT),
    ("truong", Bloc.SCHOOL),
    ("trung tam", Bloc.SCHOOL),
    ("cong doan", Bloc.MASS_ORGANISATION),
    ("doan", Bloc.MASS_ORGANISATION),
    ("hoi ", Bloc.MASS_ORGANISATION),
    ("dang uy", Bloc.PARTY_COMMITTEE),
)


# Words that name whoever is concerned rather than a unit: kept as written, never a new unit.
VAGUE_NAMES = frozenset(
    {
        "chinh quyen",
        "chinh quyen dia phuong",
        "chinh quyen cac cap",
        "dia phuong",
        "co quan, don vi",
        "co quan don vi",
        "nhan dan",
    }
)


@dataclass
class NameMatch:
    """How one name a plan gives work to was understood."""

    words: str
    unit: Unit | None = None
    group: task_services.GroupSpec | None = None
    group_size: int = 0
    unknown: bool = False  # looks like a single unit the tree does not have

    @property
    def vague(self) -> bool:
        return self.unit is None and self.group is None and not self.unknown


@dataclass
class ImportPreview:
    """What saving an extraction would do, for the review page; nothing is written."""

    extraction: dict[str, Any]
    issuer: Unit | None
    existing: Document | None  # the document known by reference that this text fills in
    implements: Document | None
    matches: dict[str, NameMatch] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def unknown_names(self) -> list[str]:
        return sorted(words for words, match in self.matches.items() if match.unknown)


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def guess_bloc(words: str) -> str:
    """The bloc a unit's name suggests (for units proposed by an import)."""
    folded = fold(words) + " "
    for hint, bloc in _BLOC_HINTS:
        if folded.startswith(hint) or f" {hint}" in f" {folded}":
            return bloc
    return Bloc.GOVERNMENT_DEPARTMENT


def match_name(words: str, *, issuer: Unit) -> NameMatch:
    """Understand a lead or coordinating entry: a unit of the tree, a group of units under
    the issuer, a single unit the tree lacks, or vague words kept for a person to read."""
    unit = resolve_unit(words, near=issuer)
    if unit is not None:
        return NameMatch(words=words, unit=unit)
    guess = guess_group(words)
    if guess is not None:
        anchor = issuer
        if guess.anchor_words:
            anchor = resolve_unit(guess.anchor_words, near=issuer) or issuer
        depth = GroupDepth.SUBTREE if guess.everywhere_below else GroupDepth.CHILDREN
        spec = task_services.GroupSpec(
            label=guess.label, anchor=anchor, blocs=guess.blocs, levels=guess.levels, depth=depth
        )
        from tasks.models import TaskGroup
        from tasks.selectors import group_members

        probe = TaskGroup(
            anchor=anchor, blocs=list(spec.blocs), levels=list(spec.levels), depth=spec.depth
        )
        size = group_members(probe).count()
        if size == 0 and depth == GroupDepth.CHILDREN:
            # "các phòng, ban, ngành" sit under the People's Committee, not the committee
            # itself: look further down before giving up.
            spec = task_services.GroupSpec(
                label=spec.label,
                anchor=anchor,
                blocs=spec.blocs,
                levels=spec.levels,
                depth=GroupDepth.SUBTREE,
            )
            probe.depth = GroupDepth.SUBTREE
            size = group_members(probe).count()
        return NameMatch(words=words, group=spec, group_size=size)
    folded = fold(words)
    if (
        folded.startswith(("cac ", "nhung "))
        or " cac " in f" {folded} "
        or len(folded) < 4
        or folded in VAGUE_NAMES
        or "lien quan" in folded
    ):
        return NameMatch(words=words)
    return NameMatch(words=words, unknown=True)


def _issuer_for(extraction: dict[str, Any], near: Unit) -> Unit | None:
    name = extraction.get("issuer") or ""
    return resolve_unit(name, near=near) if name else None


def _chain(unit: Unit) -> list[Unit]:
    """``unit`` and the units above it, nearest first."""
    return [unit, *reversed(list(Unit.objects.get_ancestors(unit)))]


def _reference_issuer(identifier: str, chain: list[Unit]) -> Unit | None:
    """A cited document's issuer: the unit at or above the citing unit (``chain``, nearest
    first) whose document code is the identifier's issuer part (a district plan's "…/TU" is
    its own province's)."""
    parts = parse_identifier(identifier)
    if parts is None:
        return None
    return next((unit for unit in chain if unit.code == parts.issuer_code), None)


def _find_document(identifier: str | None, issuer: Unit | None) -> Document | None:
    parts = parse_identifier(identifier or "")
    if parts is None or not parts.number:
        return None
    found = Document.objects.filter(
        doc_type=parts.doc_type,
        number=plan_services.clean_number(parts.number),
        issuer_code=parts.issuer_code,
    )
    if issuer is not None:
        found = found.filter(issuer=issuer)
    return found.order_by("pk").first()


def plan_import_preview(
    *, user: Reader | None, extraction: dict[str, Any], issuer: Unit | None = None
) -> ImportPreview:
    """What the extraction would become, with every name matched and every doubt listed."""
    root = Unit.objects.filter(depth=1).order_by("path").first()
    issuer = issuer or (_issuer_for(extraction, root) if root else None)
    warnings = list(extraction.get("warnings") or [])
    if issuer is None:
        warnings.append(
            _("The issuing body “%(name)s” is not a unit of the system: choose the issuer.")
            % {"name": extraction.get("issuer") or "?"}
        )
    existing = _find_document(extraction.get("identifier"), issuer)
    if existing is None and issuer is not None and extraction.get("number"):
        # A reviewed extraction carries the number; the identifier follows from the issuer.
        existing = (
            Document.objects.filter(
                issuer=issuer,
                doc_type=extraction.get("doc_type") or DocType.PLAN,
                number=plan_services.clean_number(str(extraction["number"])),
            )
            .order_by("pk")
            .first()
        )
    if existing is not None and existing.status != DocumentStatus.REFERENCE:
        warnings.append(
            _("%(identifier)s is already in the system: saving would refuse a duplicate.")
            % {"identifier": existing.identifier}
        )
    implements = None
    basis = extraction.get("basis") or []
    if basis and issuer is not None:
        first = basis[0]
        parent_issuer = resolve_unit(first.get("issuer") or "", near=issuer) or _reference_issuer(
            first.get("identifier") or "", _chain(issuer)
        )
        implements = _find_document(first.get("identifier"), parent_issuer)
    preview = ImportPreview(
        extraction=extraction,
        issuer=issuer,
        existing=existing if existing and existing.status == DocumentStatus.REFERENCE else None,
        implements=implements,
        warnings=warnings,
    )
    if issuer is not None:
        for task in extraction.get("tasks") or []:
            for words in [*(task.get("lead") or []), *(task.get("support") or [])]:
                if words not in preview.matches:
                    preview.matches[words] = match_name(words, issuer=issuer)
        parent_targets = _targets_above(implements)
        for target in extraction.get("targets") or []:
            parent = match_parent_target(
                target.get("text") or "", target.get("unit") or "%", parent_targets
            )
            if parent is not None and (
                _decimal(target.get("low")) != parent.low
                or _decimal(target.get("high")) != parent.high
            ):
                preview.warnings.append(
                    _("Target “%(text)s” differs from %(identifier)s's figure.")
                    % {
                        "text": (target.get("text") or "")[:80],
                        "identifier": parent.document.identifier,
                    }
                )
    for words in preview.unknown_names:
        preview.warnings.append(
            _(
                "“%(name)s” is not a unit of the system; it will be added under %(issuer)s if "
                "you confirm."
            )
            % {"name": words, "issuer": issuer.name if issuer else "?"}
        )
    return preview


def _targets_above(document: Document | None) -> list[Target]:
    cursor = document
    while cursor is not None:
        targets = list(cursor.targets.select_related("document"))
        if targets:
            return targets
        cursor = cursor.implements
    return []


def match_parent_target(text: str, unit: str, candidates: list[Target]) -> Target | None:
    """The implemented document's target this one carries down: same unit of measure and the
    most words in common (at least three)."""
    words = set(fold(text).split())
    best, best_score = None, 2
    for candidate in candidates:
        if candidate.unit != unit:
            continue
        score = len(words & set(fold(candidate.text).split()))
        if score > best_score:
            best, best_score = candidate, score
    return best


@atomic_service
def plan_import_save(
    *,
    actor: User | None,
    extraction: dict[str, Any],
    issuer: Unit,
    body: str = "",
    add_units: bool = True,
    original_file: UploadedFile | None = None,
    preview: ImportPreview | None = None,
) -> Document:
    """Save a reviewed extraction as a plan in the cascade, all or nothing.

    The document it implements and the documents it cites are linked, created as "known by
    reference" where the system has none; if this plan was itself known only by reference,
    that document is filled in (its links kept). Leads and coordinators become assignments
    (groups expand to one per unit); names the tree lacks become units under the issuer when
    ``add_units``; vague words are kept as written.
    """
    with audit_batch():
        return _save(
            actor=actor,
            extraction=extraction,
            issuer=issuer,
            body=body,
            add_units=add_units,
            original_file=original_file,
            preview=preview,
        )


def _save(
    *,
    actor: User | None,
    extraction: dict[str, Any],
    issuer: Unit,
    body: str,
    add_units: bool,
    original_file: UploadedFile | None,
    preview: ImportPreview | None,
) -> Document:
    doc_type = extraction.get("doc_type") or DocType.PLAN
    if doc_type not in DocType.values:
        raise ValidationError(
            {"doc_type": _("Unknown document type %(type)s.") % {"type": doc_type}}
        )
    is_draft = bool(extraction.get("is_draft"))
    issued_on = _date(extraction.get("issued_on"))
    if not is_draft and issued_on is None:
        raise ValidationError({"issued_on": _("Give the issue date, or mark the plan as a draft.")})
    parts = parse_identifier(extraction.get("identifier") or "")
    if preview is None or preview.issuer != issuer or preview.extraction is not extraction:
        preview = plan_import_preview(user=actor, extraction=extraction, issuer=issuer)
    implements = preview.implements
    chain = _chain(issuer)
    basis = extraction.get("basis") or []
    if implements is None and basis:
        first = basis[0]
        parent_issuer = resolve_unit(first.get("issuer") or "", near=issuer) or _reference_issuer(
            first.get("identifier") or "", chain
        )
        implements = plan_services.document_reference(
            actor=actor,
            identifier=first.get("identifier") or "",
            issued_on=_date(first.get("issued_on")),
            issuer=parent_issuer,
            issuer_name="" if parent_issuer else (first.get("issuer") or ""),
        )
    signer = extraction.get("signer") or {}
    fields: dict[str, Any] = {
        "doc_type": doc_type,
        "title": extraction.get("title") or "",
        "status": DocumentStatus.DRAFT if is_draft else DocumentStatus.ISSUED,
        "number": (extraction.get("number") or "") if not is_draft else "",
        "issued_on": issued_on,
        "issued_year": extraction.get("issued_year") if issued_on is None else None,
        "place": extraction.get("place") or "",
        "body": body,
        "implements": implements,
        "signer_capacity": signer.get("capacity") or "",
        "signer_title": signer.get("title") or "",
        "signer_name": signer.get("name") or "",
    }
    if preview.existing is not None:
        document = plan_services.document_update(
            actor=actor, document=preview.existing, original_file=original_file, **fields
        )
    else:
        document = plan_services.document_create(
            actor=actor,
            issuer=issuer,
            issuer_code=parts.issuer_code if parts else (extraction.get("issuer_code") or ""),
            original_file=original_file,
            **fields,
        )
    cited = plan_services.document_references(
        actor=actor,
        wanted=[
            plan_services.Reference(identifier, issuer=_reference_issuer(identifier, chain))
            for identifier in extraction.get("references") or []
            if parse_identifier(identifier) is not None
        ],
    )
    plan_services.document_set_citations(actor=actor, document=document, cited=cited)
    parent_targets = _targets_above(implements)
    for target in extraction.get("targets") or []:
        unit = target.get("unit") or "%"
        plan_services.target_create(
            actor=actor,
            document=document,
            text=target.get("text") or "",
            low=_decimal(target.get("low")),
            high=_decimal(target.get("high")),
            unit=unit,
            horizon_year=target.get("year"),
            parent=match_parent_target(target.get("text") or "", unit, parent_targets),
        )
    places = _outline_save(actor, document, extraction)
    created_units: dict[str, Unit] = {}
    for position, task in enumerate(extraction.get("tasks") or []):
        assignees = task_services.Assignees()
        for role in ("lead", "support"):
            for words in task.get(role) or []:
                match = preview.matches.get(words) or match_name(words, issuer=issuer)
                unit = match.unit
                if match.unknown and add_units:
                    unit = created_units.get(words)
                    if unit is None:
                        unit = unit_services.unit_create(
                            actor=actor,
                            parent=issuer,
                            name=words,
                            bloc=guess_bloc(words),
                            level=issuer.level if issuer.level != Level.CENTRAL else Level.CENTRAL,
                            via_import=True,
                        )
                        created_units[words] = unit
                if unit is not None:
                    (assignees.lead if role == "lead" else assignees.support).append(unit)
                elif match.group is not None:
                    target = assignees.lead_groups if role == "lead" else assignees.support_groups
                    target.append(match.group)
        task_services.task_create(
            actor=actor,
            document=document,
            text=task.get("text") or "",
            section=task.get("section") or "",
            deadline_text=task.get("deadline_text") or "",
            requires_plan=bool(task.get("requires_plan")),
            lead_text=task.get("lead_text") or ", ".join(task.get("lead") or []),
            support_text=", ".join(task.get("support") or []),
            assignees=assignees,
            position=position,
            part=places.get(position),
            notify=False,
        )
    first = document.recipients.count() if preview.existing is not None else 0
    for offset, recipient in enumerate(extraction.get("recipients") or []):
        purpose = recipient.get("purpose") or RecipientPurpose.UNSPECIFIED
        plan_services.recipient_add(
            actor=actor,
            document=document,
            position=first + offset,
            name=recipient.get("name") or "",
            purpose=purpose if purpose in RecipientPurpose.values else RecipientPurpose.UNSPECIFIED,
            unit=resolve_unit(recipient.get("name") or "", near=issuer),
        )
    # Told once the import is saved, by a job (the notification layer sits above plans).
    background.enqueue_on_commit("notifications.jobs.notify_document_assigned", document.pk)
    return document


def _outline_save(actor: User | None, document: Document, extraction: dict[str, Any]) -> dict:
    """Write the outline read from the text and return, for each task (by its index), the
    part it stands at. A part that is a task keeps no words of its own: the task's are the
    document's there. A part whose task was left out keeps its words as a paragraph."""
    entries = extraction.get("outline") or []
    if not entries:
        return {}
    claimed: dict[int, int] = {}
    for number, task in enumerate(extraction.get("tasks") or []):
        at = task.get("part")
        if isinstance(at, int) and 0 <= at < len(entries) and at not in claimed:
            claimed[at] = number
    saved = outline_set(
        actor=actor,
        document=document,
        parts=[
            PartSpec(
                kind=entry.get("kind") or PartKind.TEXT,
                text="" if at in claimed else str(entry.get("text") or ""),
                level=int(entry.get("level") or 0),
                marker=str(entry.get("marker") or ""),
                joins=bool(entry.get("joins")),
            )
            for at, entry in enumerate(entries)
        ],
        source=OutlineSource.TEXT,
    )
    return {number: saved[at] for at, number in claimed.items()}
