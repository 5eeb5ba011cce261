"""The choices of the dashboard's filters: plans and directives."""

from __future__ import annotations

from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
)

from dashboard.filters import Filters
from plans.models import Document
from tasks.models import Task

# --- Choices for the filters ----------------------------------------------------------------
from units.models import Unit


def plan_choices(filters: Filters, *, limit: int = 200) -> list[Document]:
    """Documents of the cascade offered in the plan filter and listed by plan: those issued
    by the unit looked at, by units above it, or by units at most three levels below it (a
    central unit's communes, a province's grassroots), at most ``limit`` (one query)."""
    unit = filters.scope.unit
    step = Unit.steplen
    above = [unit.path[:end] for end in range(step, len(unit.path) + 1, step)]
    near = Q(issuer__path__in=above)
    if filters.scope.subtree:
        near |= Q(issuer__path__startswith=unit.path, issuer__depth__lte=unit.depth + 3)
    if filters.plan is not None:
        near |= Q(pk=filters.plan.pk)
    return list(
        Document.objects.visible_to(filters.user)
        .filter(root_id=filters.directive.pk)
        .filter(near)
        .select_related("issuer")
        .order_by("depth", "issued_on", "identifier")[:limit]
    )


def directive_choices(user, *, limit: int = 100) -> QuerySet[Document]:
    """The tops of the cascades the user can see — documents implementing nothing that
    have plans below them or tasks of their own — newest first (one query; unlike the home
    page's list it counts nothing, so it stays fast however large the cascades)."""
    return (
        Document.objects.visible_to(user)
        .filter(implements__isnull=True)
        .filter(
            Exists(Document.objects.filter(root_id=OuterRef("pk")))
            | Exists(Task.objects.filter(document_id=OuterRef("pk")))
        )
        .select_related("issuer")
        .order_by("-issued_on", "identifier")[:limit]
    )
