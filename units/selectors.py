"""Reads of units for their pages."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from cascade.text import fold
from plans.models import Document
from plans.selectors import documents_with_task_counts
from tasks.models import Assignment
from units.models import Unit

User = AbstractBaseUser | AnonymousUser


def unit_documents(*, user: User, unit: Unit) -> QuerySet[Document]:
    """Documents issued by ``unit`` that ``user`` may see."""
    return documents_with_task_counts(
        Document.objects.visible_to(user).filter(issuer=unit).select_related("implements")
    ).order_by("-issued_on", "identifier")


def unit_assignments(*, user: User, unit: Unit) -> QuerySet[Assignment]:
    """The tasks given to ``unit`` (as lead or coordinator) that ``user`` may see."""
    return (
        Assignment.objects.visible_to(user)
        .filter(unit=unit)
        .select_related("task", "task__document", "task__document__issuer", "fulfilled_by")
        .order_by("task__document__issued_on", "task__position")
    )


def resolve_unit(name: str, *, near: Unit) -> Unit | None:
    """The unit a document calls ``name``, looked for nearest first: in ``near``'s subtree,
    then in the subtree of each unit above it. Names and aliases are compared ignoring
    diacritics, case and punctuation; None when nothing matches exactly."""
    key = fold(name)
    if not key:
        return None
    scopes = [near, *reversed(list(Unit.objects.get_ancestors(near)))]
    for scope in scopes:
        candidates = Unit.objects.filter(
            path__startswith=scope.path, search_text__contains=key
        ).order_by("depth", "path")
        matches = [
            unit
            for unit in candidates
            if key == fold(unit.name) or any(key == fold(alias) for alias in unit.aliases)
        ]
        if len(matches) == 1:
            return matches[0]
        if matches:
            # Several units answer to the name here ("Ban Tuyên giáo Tỉnh ủy" of three
            # provinces): take the one sharing the longest branch with ``near``, and none at
            # all when that is still a tie, rather than guess.
            def shared(unit: Unit) -> int:
                common = 0
                while common < min(len(unit.path), len(near.path)) and (
                    unit.path[common] == near.path[common]
                ):
                    common += 1
                return common

            best = max(shared(unit) for unit in matches)
            closest = [unit for unit in matches if shared(unit) == best]
            return closest[0] if len(closest) == 1 else None
    return None
