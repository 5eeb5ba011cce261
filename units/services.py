"""Writes to the organisation tree and memberships."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from audit.services import audit_record, diff, snapshot
from cascade.services import atomic_service
from cascade.text import fold
from units.models import ADMINISTERING_ROLES, Membership, Role, Unit, reaches

UNIT_FIELDS = [
    "name",
    "short_name",
    "code",
    "bloc",
    "level",
    "active_from",
    "active_until",
    "aliases",
]


def unit_search_text(unit: Unit) -> str:
    return fold(" ".join([unit.name, unit.short_name, unit.code, *unit.aliases]))


def _check_may_administer(actor: User | None, unit: Unit | None) -> None:
    """Only superusers and administrators of ``unit`` or a unit above it shape the tree;
    ``actor=None`` is the system itself (the demo loader, data migrations)."""
    if actor is None or actor.is_superuser:
        return
    if unit is not None and reaches(actor, unit, ADMINISTERING_ROLES):
        return
    raise PermissionDenied(_("You may not change the organisation tree here."))


@atomic_service
def unit_create(
    *,
    actor: User | None,
    parent: Unit | None,
    name: str,
    bloc: str,
    level: str,
    short_name: str = "",
    code: str = "",
    active_from: date | None = None,
    active_until: date | None = None,
    aliases: Iterable[str] = (),
    via_import: bool = False,
) -> Unit:
    """Create a unit under ``parent`` (a new root when None).

    Administrators shape the tree; ``via_import`` also lets the parent's own staff add a unit
    named by a plan they are importing, which they confirmed on the review page.
    """
    staff_may = (
        via_import
        and actor is not None
        and parent is not None
        and Unit.objects.editable_by(actor).filter(pk=parent.pk).exists()
    )
    if not staff_may:
        _check_may_administer(actor, parent)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("A unit needs a name.")})
    if active_from and active_until and active_until < active_from:
        raise ValidationError({"active_until": _("A unit cannot end before it starts.")})
    fields: dict[str, Any] = {
        "name": name,
        "short_name": short_name.strip(),
        "code": code.strip(),
        "bloc": bloc,
        "level": level,
        "active_from": active_from,
        "active_until": active_until,
        "aliases": [alias.strip() for alias in aliases if alias.strip()],
    }
    probe = Unit(**fields)
    probe.full_clean(exclude=["path", "depth", "numchild", "search_text"])
    fields["search_text"] = unit_search_text(probe)
    unit = Unit.objects.add_child(parent, fields) if parent else Unit.objects.add_root(fields)
    audit_record(actor=actor, action="create", instance=unit, changes=snapshot(unit, UNIT_FIELDS))
    return unit


@atomic_service
def unit_update(*, actor: User | None, unit: Unit, **fields: Any) -> Unit:
    """Change a unit's own fields (not its place in the tree: see ``unit_move``)."""
    _check_may_administer(actor, unit)
    unknown = set(fields) - set(UNIT_FIELDS)
    if unknown:
        raise TypeError(f"unit_update() got unexpected fields {sorted(unknown)}")
    before = snapshot(unit, UNIT_FIELDS)
    for name, value in fields.items():
        setattr(unit, name, value)
    unit.full_clean(exclude=["path", "depth", "numchild", "search_text"])
    unit.search_text = unit_search_text(unit)
    unit.save()
    audit_record(
        actor=actor,
        action="update",
        instance=unit,
        changes=diff(before, snapshot(unit, UNIT_FIELDS)),
    )
    return unit


@atomic_service
def unit_move(*, actor: User | None, unit: Unit, new_parent: Unit) -> Unit:
    """Put ``unit`` (with its subtree) under ``new_parent``; refuses to create a cycle."""
    _check_may_administer(actor, unit)
    _check_may_administer(actor, new_parent)
    if new_parent.pk == unit.pk or new_parent.path.startswith(unit.path):
        raise ValidationError(
            _("%(unit)s cannot be placed under %(parent)s: that is inside its own subtree.")
            % {"unit": unit.name, "parent": new_parent.name}
        )
    old_parent = Unit.objects.get_parent(unit)
    Unit.objects.move(unit, new_parent, pos="last-child")
    unit.refresh_from_db()
    audit_record(
        actor=actor,
        action="move",
        instance=unit,
        changes={"parent": [old_parent.pk if old_parent else None, new_parent.pk]},
    )
    return unit


@atomic_service
def unit_set_successors(*, actor: User | None, unit: Unit, successors: Iterable[Unit]) -> Unit:
    """Record who carries a dissolved or merged unit's work on; refuses succession cycles."""
    _check_may_administer(actor, unit)
    successors = list(successors)
    for successor in successors:
        if successor.pk == unit.pk or _succeeds(successor, unit):
            raise ValidationError(
                _("%(successor)s cannot succeed %(unit)s: %(unit)s already comes after it.")
                % {"successor": successor.name, "unit": unit.name}
            )
    before = sorted(unit.successors.values_list("pk", flat=True))
    unit.successors.set(successors)
    audit_record(
        actor=actor,
        action="update",
        instance=unit,
        changes={"successors": [before, sorted(s.pk for s in successors)]},
    )
    return unit


def _succeeds(start: Unit, target: Unit) -> bool:
    """Whether ``target`` is reachable from ``start`` by following successors."""
    seen: set[int] = set()
    frontier = {start.pk}
    while frontier:
        if target.pk in frontier:
            return True
        seen |= frontier
        frontier = (
            set(
                Unit.successors.through.objects.filter(from_unit__in=frontier).values_list(
                    "to_unit", flat=True
                )
            )
            - seen
        )
    return False


@atomic_service
def membership_set(*, actor: User | None, user: User, unit: Unit, role: str) -> Membership:
    """Give ``user`` a ``role`` in ``unit`` (creating or changing the membership)."""
    _check_may_administer(actor, unit)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    membership, created = Membership.objects.get_or_create(
        user=user, unit=unit, defaults={"role": role}
    )
    if created:
        audit_record(actor=actor, action="create", instance=membership, changes={"role": role})
    elif membership.role != role:
        old = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        audit_record(
            actor=actor, action="update", instance=membership, changes={"role": [old, role]}
        )
    return membership
