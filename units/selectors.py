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
    diacritics, case and punctuation; None when nothing matches exactly, or when several
    units are equally near ("Ban Tuyên giáo Tỉnh ủy" of three provinces) rather than guess.

    One query: every unit whose search text holds the name, ranked in memory by how long a
    branch it shares with ``near``.
    """
    key = fold(name)
    if not key:
        return None
    step = Unit.steplen
    matches = [
        unit
        for unit in Unit.objects.filter(search_text__contains=key)
        if key == fold(unit.name) or any(key == fold(alias) for alias in unit.aliases)
    ]
    if not matches:
        return None

    def scope(unit: Unit) -> int:
        # The deepest ancestor of ``near`` (or ``near`` itself) whose subtree holds the unit.
        depth = 0
        while depth < len(near.path) and unit.path[: depth + step] == near.path[: depth + step]:
            depth += step
        return depth

    def shared(unit: Unit) -> int:
        common = 0
        limit = min(len(unit.path), len(near.path))
        while common < limit and unit.path[common] == near.path[common]:
            common += 1
        return common

    nearest = max(scope(unit) for unit in matches)
    candidates = [unit for unit in matches if scope(unit) == nearest]
    if len(candidates) == 1:
        return candidates[0]
    best = max(shared(unit) for unit in candidates)
    closest = [unit for unit in candidates if shared(unit) == best]
    return closest[0] if len(closest) == 1 else None
