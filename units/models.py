"""The organisation tree (party committees, People's Committees, the Front, mass organisations…)
and who belongs to which unit with which role."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class Bloc(models.TextChoices):
    PARTY_COMMITTEE = "party_committee", _("Party committee")
    PARTY_BOARD = "party_board", _("Party board or office")
    GOVERNMENT = "government", _("Government")
    GOVERNMENT_DEPARTMENT = "government_department", _("Government department")
    FRONT = "front", _("Fatherland Front")
    MASS_ORGANISATION = "mass_organisation", _("Mass organisation")
    SCHOOL = "school", _("School or centre")
    ENTERPRISE = "enterprise", _("Enterprise")


class Level(models.TextChoices):
    CENTRAL = "central", _("Central")
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")
    GRASSROOTS = "grassroots", _("Grassroots")


class Role(models.TextChoices):
    STAFF = "staff", _("Staff")
    LEADER = "leader", _("Leader")
    ADMINISTRATOR = "administrator", _("Administrator")
    # Reads the whole subtree and changes nothing (e.g. an inspection committee).
    OBSERVER = "observer", _("Observer (read-only)")


# The one vocabulary of permissions: what each role lets a person do, named once and asked
# through ``scope_q`` (as a condition), ``reaches`` (for one unit) and ``holds_role``.
#
# Roles whose membership reaches the whole subtree below the unit for reading. Writing is
# decided separately (``editable_by``: staff and administrators), so an observer reads
# everything a leader reads and can change nothing.
SUBTREE_ROLES = frozenset({Role.LEADER, Role.ADMINISTRATOR, Role.OBSERVER})
# Roles that may act (ask for reports, set reporting duties…), not only read: all but observers.
ACTING_ROLES = (Role.STAFF, Role.LEADER, Role.ADMINISTRATOR)
# Roles that write on the unit's behalf: its documents, tasks, progress and reports.
WRITING_ROLES = (Role.STAFF, Role.ADMINISTRATOR)
# Roles that lead: review the reports sent up, are offered two-step sign-in.
LEADING_ROLES = (Role.LEADER, Role.ADMINISTRATOR)
# Roles that shape the tree below and manage its members, tokens and audit search.
ADMINISTERING_ROLES = (Role.ADMINISTRATOR,)


PARTY_BLOCS = frozenset({Bloc.PARTY_COMMITTEE, Bloc.PARTY_BOARD})


class UnitQuerySet(MP_NodeQuerySet):
    """Units, with the one scoping rule every page, job and endpoint uses."""

    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> UnitQuerySet:
        """Units the user may look at: every unit of the tree is public knowledge within the
        system (names and structure are not confidential), but only to signed-in members."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser or memberships_of(user):
            return self.all()
        return self.none()

    def readable_by(self, user: AbstractBaseUser | AnonymousUser) -> UnitQuerySet:
        """Units whose internal work (documents, tasks, reports) the user may read: their own
        units, and for leaders, administrators and observers the whole subtree below."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(scope_q(user, roles=None))

    def actionable_by(self, user: AbstractBaseUser | AnonymousUser) -> UnitQuerySet:
        """Units the user reads and may act for beyond editing documents (set reporting
        duties, ask for reports): ``readable_by`` without observers' reach."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(scope_q(user, roles=ACTING_ROLES))

    def editable_by(self, user: AbstractBaseUser | AnonymousUser) -> UnitQuerySet:
        """Units on whose behalf the user may write: units where they are staff or
        administrator (administrators also for their subtree)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(scope_q(user, roles=WRITING_ROLES))

    def administered_by(self, user: AbstractBaseUser | AnonymousUser) -> UnitQuerySet:
        """Units the user administers: those where they are administrator, and the subtree
        below (every unit for a superuser)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(scope_q(user, roles=ADMINISTERING_ROLES))


class UnitManager(MP_NodeManager.from_queryset(UnitQuerySet)):  # type: ignore[misc]
    """Treebeard's manager (ordered by path) with the scoping methods."""

    def get_queryset(self) -> UnitQuerySet:
        # Treebeard's manager builds its own queryset class; ours adds the scoping methods.
        return UnitQuerySet(self.model, using=self._db).order_by("path")


def scope_q(
    user: AbstractBaseUser | AnonymousUser, *, roles: tuple[str, ...] | None, prefix: str = ""
) -> Q:
    """The condition "this unit (reached through ``prefix``) is within the user's reach".

    A membership reaches its own unit; leaders', administrators' and observers' memberships
    also reach the subtree below (a materialized-path prefix, so one indexed comparison). Used
    by every queryset method below so that the rule is written exactly once.
    """
    condition = Q(pk__in=[])
    for membership in memberships_of(user):
        if roles is not None and membership.role not in roles:
            continue
        if membership.role in SUBTREE_ROLES:
            condition |= Q(**{f"{prefix}path__startswith": membership.unit.path})
        else:
            condition |= Q(**{f"{prefix}pk": membership.unit_id})
    return condition


def reaches(user: AbstractBaseUser | AnonymousUser, unit: Unit, roles: Iterable[str]) -> bool:
    """Whether ``user`` holds one of ``roles`` in ``unit``, or (for the roles reaching a
    subtree) in a unit above it; always for a superuser. No query beyond the memberships
    loaded once per request."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    wanted = set(roles)
    return any(
        m.role in wanted
        and (
            m.unit_id == unit.pk or (m.role in SUBTREE_ROLES and unit.path.startswith(m.unit.path))
        )
        for m in memberships_of(user)
    )


def holds_role(user: AbstractBaseUser | AnonymousUser, roles: Iterable[str]) -> bool:
    """Whether ``user`` holds one of ``roles`` anywhere (superusers: always)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    wanted = set(roles)
    return any(m.role in wanted for m in memberships_of(user))


def memberships_of(user: AbstractBaseUser | AnonymousUser) -> list[Membership]:
    """The user's memberships with their units, loaded once per user object (so once per
    request): the scoping rule is consulted many times while a page is built."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_cascade_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("unit"))
        user._cascade_memberships = cached  # type: ignore[union-attr]
    return cached


def ancestor_paths(path: str) -> list[str]:
    """Materialized paths of every ancestor of the node at ``path`` (itself excluded)."""
    step = Unit.steplen
    return [path[:end] for end in range(step, len(path), step)]


class Unit(MP_Node):
    """A node of the organisation tree: a party committee, one of its boards, a People's
    Committee, a department, the Fatherland Front, a mass organisation, a school…

    The tree is a materialized path (django-treebeard), so a subtree is a single indexed prefix
    query. Units are never deleted when dissolved: ``active_until`` closes them and
    ``successors`` says who carries their work on, so history stays readable (the 2025
    arrangement: docs/reform-2025.md).
    """

    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    code = models.CharField(
        _("document code"),
        max_length=30,
        blank=True,
        help_text=_("Abbreviation used in document numbers: TU, HU, QU, ĐU, UBND, LĐLĐ…"),
    )
    bloc = models.CharField(_("bloc"), max_length=30, choices=Bloc.choices)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    active_from = models.DateField(_("active from"), null=True, blank=True)
    active_until = models.DateField(_("active until"), null=True, blank=True)
    successors = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="predecessors",
        blank=True,
        verbose_name=_("successor units"),
    )
    aliases = models.JSONField(
        _("other names"),
        default=list,
        blank=True,
        help_text=_("Other ways documents name this unit, used when matching names."),
    )
    search_text = models.TextField(editable=False, default="")

    objects = UnitManager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        indexes = [
            # Prefix (LIKE 'abc%') lookups on PostgreSQL need the pattern operator class
            # unless the database collation is C.
            models.Index(
                fields=["path"], name="unit_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["bloc", "level"], name="unit_bloc_level"),
            # The levels just below a unit ("depth <= n under this path"): at the root the
            # path prefix matches every unit, the depth only a few.
            models.Index(fields=["depth", "path"], name="unit_depth_path"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.active_until is None

    @property
    def uses_party_style(self) -> bool:
        """Party bodies number documents as ``21-CT/TW``; the state as ``470/KH-LĐLĐ``."""
        return self.bloc in PARTY_BLOCS


class Membership(models.Model):
    """A user's place in a unit and what they may do there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.STAFF)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="membership_unique_user_unit")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.unit} ({self.get_role_display()})"
