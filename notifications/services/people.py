"""Reading notifications and each person's choices: e-mail mode, muted plans, calendar feeds."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from notifications.models import (
    EmailMode,
    Notification,
    NotificationPreference,
    PlanMute,
    UnitCalendar,
)
from plans.models import Document
from units.models import Unit

# --- reading notifications ---------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, actor: User, notification: Notification) -> None:
    """Mark one of the actor's own notifications as read."""
    if notification.recipient_id != actor.pk:
        raise PermissionDenied(_("This notification is not yours."))
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())


@transaction.atomic
def notifications_mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of the actor as read; returns how many."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- a person's choices ------------------------------------------------------------------


def _new_token() -> str:
    return secrets.token_urlsafe(24)


def preference_for(*, user: User) -> NotificationPreference:
    """The person's preferences, created with the defaults (and a calendar secret) on first
    use."""
    preference = NotificationPreference.objects.filter(user=user).first()
    if preference is None:
        try:
            with transaction.atomic():
                preference = NotificationPreference.objects.create(
                    user=user, calendar_token=_new_token()
                )
        except IntegrityError:
            preference = NotificationPreference.objects.get(user=user)
    return preference


@transaction.atomic
def preference_update(
    *, actor: User, email_mode: str, muted: list[Document]
) -> NotificationPreference:
    """Set how the actor is e-mailed and which plans they do not want reminders about."""
    if email_mode not in EmailMode.values:
        raise ValidationError({"email_mode": _("Choose how you want to be e-mailed.")})
    visible = set(
        Document.objects.visible_to(actor)
        .filter(pk__in=[d.pk for d in muted])
        .values_list("pk", flat=True)
    )
    if len(visible) != len({d.pk for d in muted}):
        raise ValidationError({"muted": _("You can only mute plans you can see.")})
    preference = preference_for(user=actor)
    before = {
        "email_mode": preference.email_mode,
        "muted": sorted(PlanMute.objects.filter(user=actor).values_list("document_id", flat=True)),
    }
    preference.email_mode = email_mode
    preference.save(update_fields=["email_mode"])
    PlanMute.objects.filter(user=actor).exclude(document__in=visible).delete()
    PlanMute.objects.bulk_create(
        [PlanMute(user=actor, document_id=pk) for pk in visible], ignore_conflicts=True
    )
    after = {"email_mode": email_mode, "muted": sorted(visible)}
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    audit_record(
        actor=actor, action="notification_preferences", instance=preference, changes=changes
    )
    return preference


@transaction.atomic
def plan_mute_set(*, actor: User, document: Document, muted: bool) -> None:
    """Mute or unmute one plan for the actor."""
    if not Document.objects.visible_to(actor).filter(pk=document.pk).exists():
        raise PermissionDenied(_("You cannot see this plan."))
    if muted:
        PlanMute.objects.get_or_create(user=actor, document=document)
    else:
        PlanMute.objects.filter(user=actor, document=document).delete()
    audit_record(actor=actor, action="plan_mute" if muted else "plan_unmute", instance=document)


@transaction.atomic
def calendar_token_regenerate(*, actor: User) -> NotificationPreference:
    """Give the actor a new personal calendar secret; the old feed address stops working."""
    preference = preference_for(user=actor)
    preference.calendar_token = _new_token()
    preference.save(update_fields=["calendar_token"])
    audit_record(actor=actor, action="calendar_token_regenerate", instance=preference)
    return preference


def unit_calendar_for(*, unit: Unit) -> UnitCalendar:
    """The unit's calendar secret, created on first use."""
    calendar = UnitCalendar.objects.filter(unit=unit).first()
    if calendar is None:
        try:
            with transaction.atomic():
                calendar = UnitCalendar.objects.create(unit=unit, token=_new_token())
        except IntegrityError:
            calendar = UnitCalendar.objects.get(unit=unit)
    return calendar


@transaction.atomic
def unit_calendar_regenerate(*, actor: User, unit: Unit) -> UnitCalendar:
    """Give a unit's feed a new secret (its staff and administrators may)."""
    if not Unit.objects.editable_by(actor).filter(pk=unit.pk).exists():
        raise PermissionDenied(_("You may not change this unit's calendar."))
    calendar = unit_calendar_for(unit=unit)
    calendar.token = _new_token()
    calendar.save(update_fields=["token"])
    audit_record(actor=actor, action="calendar_token_regenerate", instance=calendar)
    return calendar
