"""Writes to a document's outline: its parts in order, as read from its text or entered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.utils.translation import gettext as _

from audit.services import audit_record
from cascade.services import atomic_service
from plans.models import Document, OutlineSource, Part, PartKind

# Deeper than "I. > 1. > 1.1. > a) > - > +" no plan goes; a level past it is a reading slip.
MAX_LEVEL = 6
MAX_PARTS = 10_000


@dataclass(frozen=True, slots=True)
class PartSpec:
    """A part to write: a heading (``level`` 1–6) or a paragraph, its marker as written, its
    words, and whether it prints on in the paragraph above (a later duty after "; ")."""

    kind: str
    text: str
    level: int = 0
    marker: str = ""
    joins: bool = False


def _check_may_edit(actor: User | None, document: Document) -> None:
    if (
        actor is not None
        and not Document.objects.editable_by(actor).filter(pk=document.pk).exists()
    ):
        raise PermissionDenied(_("You may not change this document."))


def _validated(spec: PartSpec, at: int) -> Part:
    if spec.kind not in PartKind.values:
        raise ValidationError(_("Part %(at)s has an unknown kind.") % {"at": at + 1})
    level = spec.level if spec.kind == PartKind.HEADING else 0
    if spec.kind == PartKind.HEADING and not 1 <= level <= MAX_LEVEL:
        raise ValidationError(
            _("The heading at part %(at)s has level %(level)s; levels go from 1 to 6.")
            % {"at": at + 1, "level": spec.level}
        )
    return Part(
        kind=spec.kind,
        level=level,
        marker=spec.marker.strip()[:20],
        text=spec.text.strip(),
        joins=spec.joins and at > 0,
    )


@atomic_service
def outline_set(
    *,
    actor: User | None,
    document: Document,
    parts: Sequence[PartSpec],
    source: str = OutlineSource.TEXT,
) -> list[Part]:
    """Replace the outline of ``document`` with ``parts`` in their order and return the saved
    parts. A task keeps its own words (``Task.text``): callers link each task to its part.
    Tasks linked to the parts replaced lose their place, not themselves."""
    _check_may_edit(actor, document)
    if len(parts) > MAX_PARTS:
        raise ValidationError(
            _("A document of more than %(count)s parts cannot be kept.") % {"count": MAX_PARTS}
        )
    rows = [_validated(spec, at) for at, spec in enumerate(parts)]
    removed = document.parts.count()
    document.parts.all().delete()
    for position, row in enumerate(rows):
        row.document = document
        row.position = position
    saved = Part.objects.bulk_create(rows)
    Document.objects.filter(pk=document.pk).update(outline_source=source)
    document.outline_source = source
    audit_record(
        actor=actor,
        action="update",
        instance=document,
        changes={"outline": [f"{removed} parts", f"{len(saved)} parts ({source or 'none'})"]},
    )
    return saved


def part_append(*, document: Document, marker: str = "-") -> Part:
    """A new paragraph at the end of the outline, for a task added to the document (the
    caller is the task's service, inside its transaction and audit record). The document's
    row is locked first, so two tasks added at once take two places."""
    Document.objects.select_for_update().filter(pk=document.pk).first()
    last = document.parts.aggregate(last=Max("position"))["last"]
    if last is None and not document.outline_source:
        Document.objects.filter(pk=document.pk).update(outline_source=OutlineSource.ENTERED)
        document.outline_source = OutlineSource.ENTERED
    return Part.objects.create(
        document=document,
        position=0 if last is None else last + 1,
        kind=PartKind.TEXT,
        marker=marker,
    )
