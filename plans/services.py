"""Writes to documents, their recipients, citations and targets."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from audit.services import audit_record, diff, snapshot
from background import services as background
from cascade.services import atomic_service
from cascade.text import fold
from plans.identifiers import Style, format_identifier, numbering_period, parse_identifier
from plans.models import (
    DocType,
    Document,
    DocumentRecipient,
    DocumentStatus,
    IdentifierStyle,
    RecipientPurpose,
    Target,
)
from units.models import Unit

DOCUMENT_FIELDS = [
    "doc_type",
    "style",
    "number",
    "issuer",
    "issuer_code",
    "issuer_name",
    "numbering_period",
    "status",
    "issued_on",
    "issued_year",
    "place",
    "title",
    "body",
    "signer_capacity",
    "signer_title",
    "signer_name",
    "implements",
    "confidential",
]
_LEGAL_TYPES = {DocType.DECREE, DocType.LAW, DocType.CIRCULAR}


def default_style(*, doc_type: str, issuer: Unit | None) -> str:
    """The identifier style a document of this type from this issuer uses."""
    if doc_type in _LEGAL_TYPES:
        return IdentifierStyle.LEGAL
    if issuer is not None and issuer.uses_party_style:
        return IdentifierStyle.PARTY
    return IdentifierStyle.STATE


def clean_number(number: str) -> str:
    """Numbers are stored without leading zeros; the party style adds them back (01–09)."""
    number = number.strip()
    return str(int(number)) if number.isdigit() else number


def _check_may_edit(actor: User | None, document: Document) -> None:
    if actor is None:
        return
    if not Document.objects.editable_by(actor).filter(pk=document.pk).exists():
        raise PermissionDenied(_("You may not change this document."))


def _check_may_issue_for(actor: User | None, issuer: Unit | None) -> None:
    if actor is None or actor.is_superuser:
        return
    if issuer is None or not Unit.objects.editable_by(actor).filter(pk=issuer.pk).exists():
        raise PermissionDenied(_("You may only enter documents of your own unit."))


def _identifier_year(document: Document) -> int | None:
    """Legal documents carry their year; a reference may know it only from its identifier."""
    if document.issued_on:
        return document.issued_on.year
    if document.numbering_period.isdigit():
        return int(document.numbering_period)
    return None


def _refresh_identity(document: Document) -> None:
    """Derive the identifier, numbering period and search text from the document's fields."""
    if document.issuer is not None and not document.issuer_code:
        document.issuer_code = document.issuer.code
    if document.status == DocumentStatus.DRAFT:
        document.number = ""
    if not document.numbering_period:
        document.numbering_period = numbering_period(
            style=cast(Style, document.style), issued_on=document.issued_on
        )
    document.identifier = format_identifier(
        style=cast(Style, document.style),
        number=document.number,
        doc_type=document.doc_type,
        issuer_code=document.issuer_code,
        year=_identifier_year(document),
    )
    with translation.override("vi"):
        type_vi = str(DocType(document.doc_type).label)
    with translation.override("en"):
        type_en = str(DocType(document.doc_type).label)
    document.search_text = fold(
        " ".join(
            [
                document.identifier,
                document.number,
                type_vi,
                type_en,
                document.title,
                document.issuer.name if document.issuer is not None else document.issuer_name,
            ]
        )
    )


def _validate(document: Document) -> None:
    """Field rules and the uniqueness of the number, with messages a person can act on."""
    errors: dict[str, list[str]] = {}
    if not document.title.strip():
        errors.setdefault("title", []).append(_("A document needs a title (trích yếu)."))
    if not document.issuer_code.strip():
        errors.setdefault("issuer_code", []).append(
            _("The issuer's code (TU, HU, UBND…) is needed to write the identifier.")
        )
    if document.number and not document.number.isdigit():
        errors.setdefault("number", []).append(_("The number is written in digits only."))
    if document.status == DocumentStatus.ISSUED and not document.issued_on:
        errors.setdefault("issued_on", []).append(_("An issued document has an issue date."))
    if errors:
        raise ValidationError(errors)
    if document.number:
        clash = Document.objects.filter(
            doc_type=document.doc_type,
            number=document.number,
            numbering_period=document.numbering_period,
        ).exclude(pk=document.pk)
        clash = (
            clash.filter(issuer=document.issuer)
            if document.issuer_id
            else clash.filter(issuer__isnull=True, issuer_code=document.issuer_code)
        )
        if clash.exists():
            raise ValidationError(
                {
                    "number": _(
                        "%(identifier)s is already used by another document of %(issuer)s in "
                        "%(period)s. Check the number, or open the existing document."
                    )
                    % {
                        "identifier": document.identifier,
                        "issuer": document.issuer_label or document.issuer_code,
                        "period": document.numbering_period,
                    }
                }
            )


def _place_in_cascade(document: Document, implements: Document | None) -> None:
    """Set the cascade edge, refusing cycles, and keep ``root``/``depth`` of the subtree."""
    if implements is not None and document.pk is not None:
        cursor: Document | None = implements
        while cursor is not None:
            if cursor.pk == document.pk:
                raise ValidationError(
                    {
                        "implements": _(
                            "%(document)s cannot implement %(parent)s: that would make a cycle."
                        )
                        % {"document": document, "parent": implements}
                    }
                )
            cursor = cursor.implements
    document.implements = implements
    document.root = implements.root or implements if implements else None
    document.depth = implements.depth + 1 if implements else 0


def _reroot_descendants(document: Document) -> None:
    """After a document moves in the cascade, bring its descendants' root and depth along."""
    new_root = document.root or document
    level = [document]
    while level:
        children = list(Document.objects.filter(implements__in=level))
        for child in children:
            child.root = new_root
            child.depth = next(p.depth for p in level if p.pk == child.implements_id) + 1
        Document.objects.bulk_update(children, ["root", "depth"])
        level = children


@atomic_service
def document_create(
    *,
    actor: User | None,
    doc_type: str,
    title: str,
    issuer: Unit | None,
    status: str = DocumentStatus.ISSUED,
    number: str = "",
    issued_on: date | None = None,
    issued_year: int | None = None,
    issuer_code: str = "",
    issuer_name: str = "",
    style: str | None = None,
    numbering_period: str = "",
    place: str = "",
    body: str = "",
    implements: Document | None = None,
    signer_capacity: str = "",
    signer_title: str = "",
    signer_name: str = "",
    original_file: UploadedFile | None = None,
    confidential: bool = False,
) -> Document:
    """Create a document of ``issuer`` (or of an outside body named by ``issuer_code``);
    ``confidential`` keeps it within the issuer and the units it names."""
    if status != DocumentStatus.REFERENCE:
        _check_may_issue_for(actor, issuer)
    if doc_type not in DocType.values:
        raise ValidationError({"doc_type": _("Unknown document type.")})
    document = Document(
        doc_type=doc_type,
        style=style or default_style(doc_type=doc_type, issuer=issuer),
        number=clean_number(number),
        issuer=issuer,
        issuer_code=issuer_code.strip(),
        issuer_name=issuer_name.strip(),
        numbering_period=numbering_period.strip(),
        status=status,
        issued_on=issued_on,
        issued_year=issued_year if issued_on is None else None,
        place=place.strip(),
        title=" ".join(title.split()),
        body=body,
        signer_capacity=signer_capacity.strip(),
        signer_title=signer_title.strip(),
        signer_name=signer_name.strip(),
        confidential=confidential,
    )
    _place_in_cascade(document, implements)
    _refresh_identity(document)
    _validate(document)
    if original_file is not None:
        document.original_file = original_file
    document.save()
    audit_record(
        actor=actor, action="create", instance=document, changes=snapshot(document, DOCUMENT_FIELDS)
    )
    if implements is not None:
        from tasks.services import assignments_fulfil_with_plan

        assignments_fulfil_with_plan(actor=actor, plan=document)
    return document


@atomic_service
def document_update(*, actor: User | None, document: Document, **fields: Any) -> Document:
    """Change a document's fields; ``implements`` moves it (and its subtree) in the cascade."""
    _check_may_edit(actor, document)
    unknown = set(fields) - set(DOCUMENT_FIELDS) - {"original_file"}
    if unknown:
        raise TypeError(f"document_update() got unexpected fields {sorted(unknown)}")
    document = Document.objects.select_for_update().get(pk=document.pk)
    before = snapshot(document, DOCUMENT_FIELDS)
    moved = "implements" in fields and fields["implements"] != document.implements
    for name, value in fields.items():
        if name == "implements":
            continue
        if name == "original_file" and value is None:
            continue
        if name == "number":
            value = clean_number(value)
        setattr(
            document, name, value.strip() if isinstance(value, str) and name != "body" else value
        )
    if "issued_on" in fields and "numbering_period" not in fields:
        document.numbering_period = ""
    if "issuer" in fields and "issuer_code" not in fields and document.issuer is not None:
        document.issuer_code = document.issuer.code
    if moved:
        _place_in_cascade(document, fields["implements"])
    _refresh_identity(document)
    _validate(document)
    document.save()
    if moved:
        _reroot_descendants(document)
    audit_record(
        actor=actor,
        action="update",
        instance=document,
        changes=diff(before, snapshot(document, DOCUMENT_FIELDS)),
    )
    if moved and document.implements_id:
        from tasks.services import assignments_fulfil_with_plan

        assignments_fulfil_with_plan(actor=actor, plan=document)
    if before["status"] == DocumentStatus.DRAFT and document.status == DocumentStatus.ISSUED:
        # Issuing a draft is when its units are told what they were given (after the
        # commit, by a job: the notification layer sits above plans).
        background.enqueue_on_commit("notifications.jobs.notify_document_assigned", document.pk)
    return document


@dataclass(frozen=True)
class Reference:
    """A document named by its identifier, optionally with its issuer and date."""

    identifier: str
    issuer: Unit | None = None
    issued_on: date | None = None


@atomic_service
def document_reference(
    *,
    actor: User | None,
    identifier: str,
    doc_type: str | None = None,
    issued_on: date | None = None,
    issuer: Unit | None = None,
    issuer_name: str = "",
    title: str = "",
    implements: Document | None = None,
) -> Document:
    """The document with ``identifier`` from that issuer, created as "known by reference only"
    when the system has no such document yet, so it can be linked now and filled in later."""
    wanted = Reference(identifier=identifier, issuer=issuer, issued_on=issued_on)
    return document_references(
        actor=actor,
        wanted=[wanted],
        doc_type=doc_type,
        issuer_name=issuer_name,
        title=title,
        implements=implements,
    )[0]


@atomic_service
def document_references(
    *,
    actor: User | None,
    wanted: Sequence[Reference],
    doc_type: str | None = None,
    issuer_name: str = "",
    title: str = "",
    implements: Document | None = None,
) -> list[Document]:
    """``document_reference`` for many identifiers at once (a plan cites a dozen): the
    existing documents are found in one query, and only the missing ones are created."""
    parsed = []
    for item in wanted:
        parts = parse_identifier(item.identifier)
        if parts is None:
            raise ValidationError(
                _("%(identifier)s is not a document identifier.") % {"identifier": item.identifier}
            )
        kind = doc_type or parts.doc_type
        if kind not in DocType.values:
            raise ValidationError(
                _("Unknown document type in %(identifier)s.") % {"identifier": item.identifier}
            )
        parsed.append((item, parts, kind))
    if not parsed:
        return []
    keys = Q(pk__in=[])
    for _item, parts, kind in parsed:
        keys |= Q(doc_type=kind, number=clean_number(parts.number), issuer_code=parts.issuer_code)
    candidates = list(Document.objects.filter(keys).order_by("pk"))
    found: list[Document] = []
    for item, parts, kind in parsed:
        match = next(
            (
                doc
                for doc in candidates
                if doc.doc_type == kind
                and doc.number == clean_number(parts.number)
                and doc.issuer_code == parts.issuer_code
                and (item.issuer is None or doc.issuer_id == item.issuer.pk)
                and (item.issued_on is None or doc.issued_on == item.issued_on)
                and (not parts.year or doc.numbering_period == str(parts.year))
            ),
            None,
        )
        if match is None:
            match = document_create(
                actor=actor,
                doc_type=kind,
                title=title or item.identifier,
                issuer=item.issuer,
                status=DocumentStatus.REFERENCE,
                number=parts.number,
                issued_on=item.issued_on,
                issuer_code=parts.issuer_code,
                issuer_name=issuer_name,
                style=parts.style,
                numbering_period=str(parts.year) if parts.year else "",
                implements=implements,
            )
            # A plan citing the same document twice links the one just created.
            candidates.append(match)
        found.append(match)
    return found


@atomic_service
def document_set_citations(
    *, actor: User | None, document: Document, cited: Iterable[Document]
) -> None:
    """Record the other documents this one cites (references, not cascade parents)."""
    _check_may_edit(actor, document)
    cited = [item for item in cited if item.pk != document.pk]
    before = sorted(document.cites.values_list("pk", flat=True))
    document.cites.set(cited)
    audit_record(
        actor=actor,
        action="update",
        instance=document,
        changes={"cites": [before, sorted(item.pk for item in cited)]},
    )


@atomic_service
def recipient_add(
    *,
    actor: User | None,
    document: Document,
    name: str,
    purpose: str = RecipientPurpose.UNSPECIFIED,
    unit: Unit | None = None,
    position: int | None = None,
) -> DocumentRecipient:
    """Add a line of "Nơi nhận" to a document (at the end unless ``position`` is given)."""
    _check_may_edit(actor, document)
    name = " ".join(name.split()).rstrip(",.;")
    if not name:
        raise ValidationError({"name": _("A recipient needs a name.")})
    if purpose not in RecipientPurpose.values:
        raise ValidationError({"purpose": _("Unknown purpose.")})
    recipient = DocumentRecipient.objects.create(
        document=document,
        name=name,
        unit=unit,
        purpose=purpose,
        position=document.recipients.count() if position is None else position,
    )
    audit_record(
        actor=actor,
        action="create",
        instance=recipient,
        changes={"document": document.pk, "name": name, "purpose": purpose},
    )
    return recipient


@atomic_service
def target_create(
    *,
    actor: User | None,
    document: Document,
    text: str,
    low: Decimal | None = None,
    high: Decimal | None = None,
    unit: str = "%",
    horizon_year: int | None = None,
    numerator_label: str = "",
    denominator_label: str = "",
    parent: Target | None = None,
) -> Target:
    """Add a target to a document; ``parent`` is the implemented document's target."""
    _check_may_edit(actor, document)
    text = " ".join(text.split())
    if not text:
        raise ValidationError({"text": _("A target needs a statement.")})
    if low is not None and high is not None and high < low:
        raise ValidationError({"high": _("The upper bound is below the lower bound.")})
    if unit.strip() == "%" and any(v is not None and not 0 <= v <= 100 for v in (low, high)):
        raise ValidationError({"low": _("A percentage lies between 0 and 100.")})
    target = Target.objects.create(
        document=document,
        text=text,
        low=low,
        high=high,
        unit=unit.strip(),
        horizon_year=horizon_year,
        numerator_label=numerator_label.strip(),
        denominator_label=denominator_label.strip(),
        parent=parent,
        position=document.targets.count(),
    )
    audit_record(
        actor=actor,
        action="create",
        instance=target,
        changes=snapshot(
            target, ["document", "text", "low", "high", "unit", "horizon_year", "parent"]
        ),
    )
    return target
