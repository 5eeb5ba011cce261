"""Reminder policies: the offsets and the escalation delay per unit or plan."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from notifications.models import (
    ReminderPolicy,
)
from notifications.services.common import MAX_OFFSET_DAYS
from plans.models import Document
from units.models import Unit

# --- reminder policies -------------------------------------------------------------------


def _clean_offsets(offsets: list[int]) -> list[int]:
    try:
        cleaned = sorted({int(o) for o in offsets}, reverse=True)
    except (TypeError, ValueError):
        raise ValidationError({"offsets": _("Give whole numbers of days.")}) from None
    if any(o < 0 or o > MAX_OFFSET_DAYS for o in cleaned):
        raise ValidationError(
            {"offsets": _("Days before must be between 0 and %(max)s.") % {"max": MAX_OFFSET_DAYS}}
        )
    return cleaned


@transaction.atomic
def reminder_policy_set(
    *,
    actor: User | None,
    unit: Unit | None = None,
    document: Document | None = None,
    offsets: list[int],
    escalate_after_days: int,
    notify_support: bool = True,
) -> ReminderPolicy:
    """Set when reminders go out for a plan, or for a unit and the units below it."""
    if (unit is None) == (document is None):
        raise ValidationError(_("A reminder policy is for one unit or one plan."))
    if actor is not None and not actor.is_superuser:
        allowed = (
            Unit.objects.editable_by(actor).filter(pk=unit.pk).exists()
            if unit
            else document is not None
            and Document.objects.editable_by(actor).filter(pk=document.pk).exists()
        )
        if not allowed:
            raise PermissionDenied(_("You may not change reminders here."))
    if escalate_after_days < 0 or escalate_after_days > MAX_OFFSET_DAYS:
        raise ValidationError({"escalate_after_days": _("Give a number of days from 0 to 366.")})
    cleaned = _clean_offsets(offsets)
    policy, _created = ReminderPolicy.objects.update_or_create(
        unit=unit,
        document=document,
        defaults={
            "offsets": cleaned,
            "escalate_after_days": escalate_after_days,
            "notify_support": notify_support,
        },
    )
    audit_record(
        actor=actor,
        action="reminder_policy",
        instance=policy,
        changes={"offsets": cleaned, "escalate_after_days": escalate_after_days},
    )
    return policy
