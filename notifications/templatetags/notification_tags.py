"""Template helpers for notifications: the bell's count and one line per notification."""

from __future__ import annotations

from datetime import date

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Notification, NotificationKind
from notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    """The signed-in person's unread notifications (0 for anyone else)."""
    request = context.get("request")
    if request is None:
        return 0
    return unread_count(user=request.user)


@register.filter
def notification_link(notification: Notification) -> str:
    """Where a notification leads: its report's page, its task's, or its plan's."""
    if notification.report_request_id:
        return reverse("reports:detail", args=[notification.report_request_id])
    if notification.task_id:
        return reverse("task", args=[notification.task_id])
    return reverse("document", args=[notification.document_id])


@register.filter
def notification_subject(notification: Notification) -> str:
    """What the notification is about, in a few words: the task, the report, or the plan."""
    if notification.report_request_id:
        report = notification.report_request
        return _("Report of %(unit)s for %(period)s") % {
            "unit": notification.unit.name,
            "period": report.period_label,
        }
    if notification.task_id and notification.task.text:
        return notification.task.text
    return notification.document.title


@register.filter
def notification_text(notification: Notification, today: date | None = None) -> str:
    """One line saying what the notification is about."""
    today = today or timezone.localdate()
    kind = notification.kind
    due = notification.due_on.strftime("%d/%m/%Y") if notification.due_on else ""
    unit = notification.unit.name
    if notification.report_request_id:
        return _report_text(notification, today, unit=unit, due=due)
    if kind in (NotificationKind.DUE_SOON, NotificationKind.SUPPORT_DUE):
        days = (notification.due_on - today).days if notification.due_on else 0
        if days <= 0:
            when = _("due today (%(due)s)") % {"due": due}
        else:
            when = _("due on %(due)s, in %(days)s days") % {"due": due, "days": days}
        if kind == NotificationKind.SUPPORT_DUE:
            return _("You coordinate: %(unit)s's work is %(when)s") % {"unit": unit, "when": when}
        return _("%(unit)s: %(when)s") % {"unit": unit, "when": when}
    if kind == NotificationKind.OVERDUE:
        return _("%(unit)s: overdue since %(due)s") % {"unit": unit, "due": due}
    if kind == NotificationKind.SUPPORT_OVERDUE:
        return _("You coordinate: %(unit)s's work is overdue since %(due)s") % {
            "unit": unit,
            "due": due,
        }
    if kind == NotificationKind.ESCALATION:
        return _("%(unit)s, a unit below yours, is %(days)s days late (due %(due)s)") % {
            "unit": unit,
            "days": (today - notification.due_on).days if notification.due_on else 0,
            "due": due,
        }
    if due:
        return _("%(unit)s was given a task, due %(due)s") % {"unit": unit, "due": due}
    return _("%(unit)s was given a task") % {"unit": unit}


def _report_text(notification: Notification, today: date, *, unit: str, due: str) -> str:
    """One line about a report still owed: whose report, for which period, by when."""
    kind = notification.kind
    period = notification.report_request.period_label
    values = {"unit": unit, "period": period, "due": due}
    if kind == NotificationKind.DUE_SOON:
        days = (notification.due_on - today).days if notification.due_on else 0
        if days <= 0:
            return _("%(unit)s's report for %(period)s is due today (%(due)s)") % values
        return _("%(unit)s's report for %(period)s is due on %(due)s, in %(days)s days") % {
            **values,
            "days": days,
        }
    if kind == NotificationKind.ESCALATION:
        return _(
            "%(unit)s, a unit reporting to yours, is %(days)s days late with its report for "
            "%(period)s (due %(due)s)"
        ) % {**values, "days": (today - notification.due_on).days if notification.due_on else 0}
    return _("%(unit)s's report for %(period)s is overdue since %(due)s") % values
