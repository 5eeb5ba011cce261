"""What a dashboard view is about: the directive (or one plan of its cascade), the unit whose
subtree is looked at, the period, bloc and level; read from the query string, checked against
the one scoping rule, and written back into links so that a view can be shared."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from urllib.parse import urlencode

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404, QueryDict
from django.utils.translation import gettext as _

from plans.models import Document, confidential_q
from units.models import SUBTREE_ROLES, Bloc, Level, Unit, memberships_of, reaches

User = AbstractBaseUser | AnonymousUser
_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?P<part>H[12]|Q[1-4]|M(?:0[1-9]|1[0-2])))?$")


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class PeriodChoice:
    """A calendar period the task figures are limited to (by due date): a year, a half, a
    quarter or a month, keyed as the reporting periods are (``2025``, ``2025-H1``,
    ``2025-Q3``, ``2025-M07``); the empty key is "all periods"."""

    key: str = ""
    first: date | None = None  # first day of its first month
    last: date | None = None  # first day of its last month

    @property
    def label(self) -> str:
        return period_label(self.key)

    def months(self) -> list[date]:
        if self.first is None or self.last is None:
            return []
        count = (self.last.year - self.first.year) * 12 + self.last.month - self.first.month
        return [add_months(self.first, step) for step in range(count + 1)]


def parse_period(key: str) -> PeriodChoice:
    """The period for ``key``; anything not understood is "all periods"."""
    match = _PERIOD.match((key or "").strip())
    if not match:
        return PeriodChoice()
    year, part = int(match["year"]), match["part"] or ""
    if not 1900 <= year <= 2200:
        return PeriodChoice()
    first_month, months = 1, 12
    if part.startswith("H"):
        first_month, months = 1 + 6 * (int(part[1]) - 1), 6
    elif part.startswith("Q"):
        first_month, months = 1 + 3 * (int(part[1]) - 1), 3
    elif part.startswith("M"):
        first_month, months = int(part[1:]), 1
    first = date(year, first_month, 1)
    return PeriodChoice(key=match.group(0), first=first, last=add_months(first, months - 1))


def period_label(key: str) -> str:
    if not key:
        return _("All periods")
    year, _sep, part = key.partition("-")
    if not part:
        return _("Year %(year)s") % {"year": year}
    if part.startswith("H"):
        return _("Half %(half)s/%(year)s") % {"half": part[1], "year": year}
    if part.startswith("Q"):
        roman = {"1": "I", "2": "II", "3": "III", "4": "IV"}[part[1]]
        return _("Quarter %(quarter)s/%(year)s") % {"quarter": roman, "year": year}
    return _("Month %(month)s/%(year)s") % {"month": int(part[1:]), "year": year}


def period_options(first_year: int, last_year: int) -> list[tuple[str, list[tuple[str, str]]]]:
    """The periods offered in the filter, grouped by year, latest first."""
    groups = []
    for year in range(last_year, first_year - 1, -1):
        keys = [f"{year}", f"{year}-H1", f"{year}-H2"] + [f"{year}-Q{q}" for q in range(1, 5)]
        keys += [f"{year}-M{m:02d}" for m in range(1, 13)]
        groups.append((str(year), [(key, period_label(key)) for key in keys]))
    return groups


@dataclass(frozen=True)
class Scope:
    """The units looked at: ``unit`` and, for those who may read it, its whole subtree."""

    unit: Unit
    subtree: bool

    def q(self, prefix: str = "") -> Q:
        if self.subtree:
            return Q(**{f"{prefix}path__startswith": self.unit.path})
        return Q(**{f"{prefix}pk": self.unit.pk})


@dataclass
class Filters:
    """Everything a dashboard selector needs to know, already checked."""

    user: User
    directive: Document
    scope: Scope
    today: date
    plan: Document | None = None
    period: PeriodChoice = field(default_factory=PeriodChoice)
    bloc: str = ""
    level: str = ""

    @property
    def current_month(self) -> date:
        return month_start(self.today)

    @cached_property
    def hides_confidential(self) -> bool:
        """Whether the directive's cascade holds a confidential plan the user may not see (then
        figures pre-summed over whole cascades cannot be used)."""
        return (
            Document.objects.filter(root_id=self.directive.pk, confidential=True)
            .exclude(confidential_q(self.user))
            .exists()
        )

    @property
    def document(self) -> Document:
        """The document whose cascade is counted: the plan when one is chosen."""
        return self.plan or self.directive

    def documents_q(self, prefix: str = "") -> Q:
        """The condition "this document (reached through ``prefix``) is counted": the chosen
        plan alone, or every document of the directive's cascade."""
        # Confidential plans count only for those inside their circle (plans.models).
        circle = confidential_q(self.user, prefix=prefix)
        if self.plan is not None:
            return Q(**{f"{prefix}pk": self.plan.pk}) & circle
        return (
            Q(**{f"{prefix}root_id": self.directive.pk}) | Q(**{f"{prefix}pk": self.directive.pk})
        ) & circle

    def documents(self) -> QuerySet[Document]:
        return Document.objects.filter(self.documents_q())

    def documents_in(self, field: str) -> Q:
        """The condition "``field`` (a document id) is counted", as ``IN (subquery)``: the
        database then reads the few roll-up rows of a unit first and checks their documents,
        where a join on the documents' own conditions had it hash the whole cascade."""
        return Q(**{f"{field}__in": self.documents().values("pk")})

    def units_q(self, prefix: str = "") -> Q:
        """The condition "this working unit is counted": in scope, of the bloc and level."""
        condition = self.scope.q(prefix)
        if self.bloc:
            condition &= Q(**{f"{prefix}bloc": self.bloc})
        if self.level:
            condition &= Q(**{f"{prefix}level": self.level})
        return condition

    def months_q(self, field_name: str) -> Q:
        """The period as a condition on a month (first day) or date field."""
        condition = Q()
        if self.period.first is not None:
            condition &= Q(**{f"{field_name}__gte": self.period.first})
        if self.period.last is not None:
            condition &= Q(**{f"{field_name}__lt": add_months(self.period.last, 1)})
        return condition

    def params(self, **overrides: object) -> dict[str, str]:
        values = {
            "directive": str(self.directive.pk),
            "plan": str(self.plan.pk) if self.plan else "",
            "unit": str(self.scope.unit.pk),
            "period": self.period.key,
            "bloc": self.bloc,
            "level": self.level,
        }
        values.update(
            {key: "" if value is None else str(value) for key, value in overrides.items()}
        )
        return {key: value for key, value in values.items() if value}

    def query(self, **overrides: object) -> str:
        """The query string of this view (with ``overrides``), for links and downloads."""
        return urlencode(self.params(**overrides))

    def with_unit(self, unit: Unit) -> Filters:
        narrowed = replace(self, scope=Scope(unit=unit, subtree=self.scope.subtree))
        if "hides_confidential" in self.__dict__:
            # The same cascade and reader: asked once per request, not once per copy.
            narrowed.__dict__["hides_confidential"] = self.hides_confidential
        return narrowed


class NoAccess(Exception):
    """The user belongs to no unit (and is not a superuser): nothing to show."""


class NoDirective(Exception):
    """No cascade is visible to the user yet: nothing to show."""


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 19 else None


def reaches_subtree(user: User, unit: Unit) -> bool:
    """Whether ``user`` reads the whole subtree of ``unit`` (and not just the unit)."""
    return reaches(user, unit, SUBTREE_ROLES)


def default_unit(user: User, directive: Document) -> Unit | None:
    """Where a dashboard opens: the widest unit the user leads, else their first unit; for
    a superuser the directive's issuer (else the first root of the tree)."""
    if user.is_superuser:
        if directive.issuer_id:
            return directive.issuer
        return Unit.get_first_root_node()
    memberships = memberships_of(user)
    leading = [m for m in memberships if m.role in SUBTREE_ROLES]
    chosen = min(
        leading or memberships, key=lambda m: (len(m.unit.path), m.unit.path), default=None
    )
    return chosen.unit if chosen else None


def resolve(user: User, data: QueryDict | dict, *, today: date) -> Filters:
    """Read and check the filters. Raises Http404 for a directive, plan or unit the user may
    not look at, NoAccess for a user who belongs to no unit, and NoDirective when no
    directive was asked for and none is visible."""
    if not user.is_authenticated or not (user.is_superuser or memberships_of(user)):
        raise NoAccess
    visible = Document.objects.visible_to(user).select_related("issuer", "root", "root__issuer")
    directive_pk = _int(data.get("directive"))
    if directive_pk is not None:
        directive = visible.filter(pk=directive_pk).first()
        if directive is None:
            raise Http404
    else:
        from dashboard.selectors import directive_choices

        directive = directive_choices(user, limit=1).first()
        if directive is None:
            raise NoDirective
    plan = None
    if directive.root_id:
        directive, plan = directive.root, directive
    plan_pk = _int(data.get("plan"))
    if plan_pk is not None and plan_pk != directive.pk:
        # A plan of another cascade (left in the form when the directive changed) is dropped.
        plan = visible.filter(pk=plan_pk, root_id=directive.pk).first()
    unit_pk = _int(data.get("unit"))
    if unit_pk is not None:
        unit = Unit.objects.readable_by(user).filter(pk=unit_pk).first()
        if unit is None:
            raise Http404
    else:
        unit = default_unit(user, directive)
        if unit is None:
            raise NoAccess
    bloc = data.get("bloc") or ""
    level = data.get("level") or ""
    return Filters(
        user=user,
        directive=directive,
        plan=plan,
        scope=Scope(unit=unit, subtree=reaches_subtree(user, unit)),
        today=today,
        period=parse_period(data.get("period") or ""),
        bloc=bloc if bloc in Bloc.values else "",
        level=level if level in Level.values else "",
    )
