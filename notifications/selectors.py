"""Reads for notifications: which policy applies, who escalations go to, a person's
notifications, and what their calendar feeds show."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from notifications.models import (
    EmailMode,
    Notification,
    NotificationKind,
    NotificationPreference,
    PlanMute,
    ReminderPolicy,
    UnitCalendar,
)
from plans.models import Document, DocumentStatus
from reports.models import ReportRequest
from tasks.models import Occurrence, TaskStatus
from units.models import Membership, Role, Unit, ancestor_paths, memberships_of

# How far back and ahead a calendar feed reaches, and how many events it holds at most.
FEED_PAST_DAYS = 90
FEED_AHEAD_DAYS = 400
FEED_MAX_EVENTS = 1000


@dataclass(frozen=True, slots=True)
class Policy:
    """When reminders go out: days before the due date (largest first), after how many days
    overdue the unit above is told, and whether coordinating units get their lighter notice."""

    offsets: tuple[int, ...]
    escalate_after_days: int
    notify_support: bool = True

    @classmethod
    def of(cls, row: ReminderPolicy) -> Policy:
        return cls(
            offsets=tuple(sorted({int(o) for o in row.offsets}, reverse=True)),
            escalate_after_days=row.escalate_after_days,
            notify_support=row.notify_support,
        )

    def lead_stages(self, days_left: int) -> list[tuple[NotificationKind, int]]:
        """The (kind, offset) reminders the lead unit is due when ``days_left`` days remain
        (negative: overdue). Only the stage the day falls in: a sweep that missed a day still
        sends that stage's reminder, and an occurrence created late gets no stale ones."""
        if days_left >= 0:
            reached = [offset for offset in self.offsets if days_left <= offset]
            return [(NotificationKind.DUE_SOON, min(reached))] if reached else []
        stages = [(NotificationKind.OVERDUE, 0)]
        if -days_left >= self.escalate_after_days:
            stages.append((NotificationKind.ESCALATION, self.escalate_after_days))
        return stages

    def support_stage(self, days_left: int) -> tuple[NotificationKind, int] | None:
        """Coordinating units' lighter notice: once at the last reminder, once when late."""
        if not self.notify_support:
            return None
        if days_left < 0:
            return (NotificationKind.SUPPORT_OVERDUE, 0)
        if self.offsets and days_left <= min(self.offsets):
            return (NotificationKind.SUPPORT_DUE, min(self.offsets))
        return None


def default_policy() -> Policy:
    offsets = getattr(settings, "NOTIFICATIONS_REMINDER_OFFSETS", (7, 3, 1))
    return Policy(
        offsets=tuple(sorted(set(offsets), reverse=True)),
        escalate_after_days=int(getattr(settings, "NOTIFICATIONS_ESCALATE_AFTER_DAYS", 7)),
    )


@dataclass
class PolicyBook:
    """Every reminder policy, loaded once for a sweep: the plan's own wins, else the lead
    unit's or its nearest ancestor's, else the defaults."""

    default: Policy
    by_document: dict[int, Policy] = field(default_factory=dict)
    by_unit_path: dict[str, Policy] = field(default_factory=dict)
    _by_path_cache: dict[str, Policy] = field(default_factory=dict)

    @classmethod
    def load(cls) -> PolicyBook:
        book = cls(default=default_policy())
        for row in ReminderPolicy.objects.select_related("unit"):
            if row.document_id:
                book.by_document[row.document_id] = Policy.of(row)
            elif row.unit is not None:
                book.by_unit_path[row.unit.path] = Policy.of(row)
        return book

    def policy_for(self, *, document_id: int | None, unit_path: str) -> Policy:
        if document_id in self.by_document:
            return self.by_document[document_id]
        cached = self._by_path_cache.get(unit_path)
        if cached is None:
            cached = self.default
            for path in [unit_path, *reversed(ancestor_paths(unit_path))]:
                if path in self.by_unit_path:
                    cached = self.by_unit_path[path]
                    break
            self._by_path_cache[unit_path] = cached
        return cached

    def max_offset(self) -> int:
        policies = [self.default, *self.by_document.values(), *self.by_unit_path.values()]
        return max((max(p.offsets) for p in policies if p.offsets), default=0)


def effective_policy(*, document: Document | None, unit: Unit) -> Policy:
    """The policy for one unit's work on one plan (for pages and tests)."""
    return PolicyBook.load().policy_for(
        document_id=document.pk if document else None, unit_path=unit.path
    )


@dataclass
class UnitMap:
    """Paths of every unit and which units have leaders, loaded once for a sweep."""

    path_of: dict[int, str]
    id_of: dict[str, int]
    with_leaders: set[int]
    _above: dict[int, int | None] = field(default_factory=dict)

    @classmethod
    def load(cls) -> UnitMap:
        path_of = dict(Unit.objects.order_by().values_list("pk", "path"))
        leaders = set(
            Membership.objects.filter(role=Role.LEADER, user__is_active=True)
            .order_by()
            .values_list("unit_id", flat=True)
        )
        return cls(
            path_of=path_of, id_of={p: pk for pk, p in path_of.items()}, with_leaders=leaders
        )

    def escalation_unit(self, unit_id: int) -> int | None:
        """Whose leaders hear of a late task: the unit above the lead unit; when it has no
        leader in the system, the nearest unit above that has one (so no escalation is lost)."""
        if unit_id not in self._above:
            target = None
            for path in reversed(ancestor_paths(self.path_of.get(unit_id, ""))):
                candidate = self.id_of.get(path)
                if candidate in self.with_leaders:
                    target = candidate
                    break
            self._above[unit_id] = target
        return self._above[unit_id]


def email_mode_of(user: User) -> str:
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference.email_mode if preference else EmailMode.DIGEST


def email_modes(user_ids: Iterable[int]) -> dict[int, str]:
    """Each user's e-mail choice (the default, a digest, for those without a row)."""
    ids = list(user_ids)
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=ids).values_list("user_id", "email_mode")
    )
    return {pk: chosen.get(pk, EmailMode.DIGEST) for pk in ids}


def notifications_for(*, user: User | AnonymousUser) -> QuerySet[Notification]:
    """The user's own notifications about documents they may read, newest first."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return (
        Notification.objects.filter(readable_q(user), recipient=user)
        .select_related("task", "document", "unit", "report_request")
        .order_by("-created_at", "-id")
    )


def readable_q(user: User, *, among: QuerySet[Notification] | None = None) -> Q:
    """Notifications whose subject ``user`` may still read: the plan of a task's, the report
    of a report request's. ``among``: only the subjects of those notifications are checked
    (a user's few unread ones), rather than everything the user may read."""
    documents = Document.objects.visible_to(user)
    reports = ReportRequest.objects.visible_to(user)
    if among is not None:
        documents = documents.filter(pk__in=among.values("document_id"))
        reports = reports.filter(pk__in=among.values("report_request_id"))
    return Q(report_request__isnull=True, document__in=documents) | Q(report_request__in=reports)


def unread_count(*, user: User | AnonymousUser) -> int:
    """The user's unread notifications whose subject they may still read (the bell on every
    page). Only the subjects of the unread ones are checked: asking of every document the
    user may see (tens of thousands for a centre) cost 10 ms at every page."""
    if not user.is_authenticated:
        return 0
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if not unread.exists():  # most pages, most people: no scoping to work out
        return 0
    return unread.filter(readable_q(user, among=unread)).count()


def muted_plans(*, user: User) -> QuerySet[Document]:
    return Document.objects.filter(
        pk__in=PlanMute.objects.filter(user=user).values("document")
    ).order_by("identifier")


def mutable_plans(*, user: User) -> QuerySet[Document]:
    """Plans the user could mute: those their units have work in, or they were told about."""
    told = Notification.objects.filter(recipient=user).values("document")
    unit_ids = [m.unit_id for m in memberships_of(user)]
    return (
        Document.objects.visible_to(user)
        .filter(
            status=DocumentStatus.ISSUED,
            pk__in=told.union(
                Occurrence.objects.filter(unit__in=unit_ids).values("task__document")
            ),
        )
        .order_by("-issued_on", "identifier")
    )


def calendar_units(*, user: User) -> list[UnitCalendar | Unit]:
    """The user's own units (their membership units), for the unit feed links."""
    return [m.unit for m in memberships_of(user)]


def _feed_occurrences(today: date) -> QuerySet[Occurrence]:
    return (
        Occurrence.objects.filter(
            task__document__status=DocumentStatus.ISSUED,
            due_on__gte=today - timedelta(days=FEED_PAST_DAYS),
            due_on__lte=today + timedelta(days=FEED_AHEAD_DAYS),
        )
        .exclude(status=TaskStatus.DONE)
        .select_related("task", "task__document", "unit")
        .order_by("due_on", "id")
    )


def feed_for_user(*, user: User, today: date) -> list[Occurrence]:
    """Open deadlines of the person's own units, on plans they may read."""
    unit_ids = [m.unit_id for m in memberships_of(user)]
    return list(
        _feed_occurrences(today).filter(
            unit__in=unit_ids, task__document__in=Document.objects.visible_to(user)
        )[:FEED_MAX_EVENTS]
    )


def feed_for_unit(*, unit: Unit, today: date) -> list[Occurrence]:
    """Open deadlines of one unit: work given to it, which its members may read."""
    return list(_feed_occurrences(today).filter(unit=unit)[:FEED_MAX_EVENTS])
