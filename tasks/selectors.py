"""Reads of tasks and assignments."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Min, Prefetch, Q, QuerySet
from django.utils import timezone

from tasks.models import (
    Assignment,
    DeadlineKind,
    GroupDepth,
    Occurrence,
    ProgressUpdate,
    Task,
    TaskGroup,
    TaskStatus,
)
from units.models import Unit, memberships_of


def group_members(group: TaskGroup, *, on: date | None = None) -> QuerySet[Unit]:
    """The units a task group stands for: matching blocs and levels under its anchor, active
    on the day ``on`` (the document's issue date; today when unknown)."""
    on = on or timezone.localdate()
    anchor = group.anchor
    units = Unit.objects.filter(path__startswith=anchor.path).exclude(pk=anchor.pk)
    if group.depth == GroupDepth.CHILDREN:
        units = units.filter(depth=anchor.depth + 1)
    if group.blocs:
        units = units.filter(bloc__in=group.blocs)
    if group.levels:
        units = units.filter(level__in=group.levels)
    return units.filter(
        Q(active_until__isnull=True) | Q(active_until__gte=on),
        Q(active_from__isnull=True) | Q(active_from__lte=on),
    ).order_by("path")


def open_assignments_for(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Assignment]:
    """Unfinished work given to the user's own units, oldest plan first."""
    if not user.is_authenticated:
        return Assignment.objects.none()
    unit_ids = [membership.unit_id for membership in memberships_of(user)]
    return (
        Assignment.objects.visible_to(user)
        .filter(unit__in=unit_ids)
        .exclude(status=TaskStatus.DONE)
        .select_related("task", "task__document", "unit")
        .order_by("task__document__issued_on", "task__position")
    )


def task_for_page(*, user: AbstractBaseUser | AnonymousUser, pk: int) -> Task:
    """A task with its assignments and their progress logs, prefetched."""
    updates = ProgressUpdate.objects.select_related("author").prefetch_related("attachments")
    return (
        Task.objects.visible_to(user)
        .select_related("document", "document__issuer")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("unit", "fulfilled_by")
                .prefetch_related(
                    Prefetch("updates", queryset=updates.select_related("occurrence")),
                    Prefetch("occurrences", queryset=Occurrence.objects.order_by("due_on")),
                )
                .order_by("-role", "unit__path"),
            ),
            "groups",
        )
        .get(pk=pk)
    )


def with_next_due(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Annotate each task with ``next_due``, the earliest due date of its periods not done."""
    return tasks.annotate(
        next_due=Min("occurrences__due_on", filter=~Q(occurrences__status=TaskStatus.DONE))
    )


def deadlines_to_review(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Task]:
    """Tasks whose deadline words were not understood, in documents the user may edit."""
    return (
        Task.objects.editable_by(user)
        .filter(deadline_kind=DeadlineKind.UNPARSED)
        .select_related("document", "document__issuer")
        .order_by("document__issued_on", "document_id", "position")
    )
