"""Reminders for the demo."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from notifications.services.reminders import SweepResult, send_reminders
from notifications.sweep import STAFF_ROLES
from plans.models import Document, DocumentStatus
from units.models import Membership

# --- demo --------------------------------------------------------------------------------

DEMO_TASK_TEXT = "Rà soát, báo cáo tiến độ triển khai Kế hoạch (nhiệm vụ minh họa nhắc việc)"


def demo_reminders(*, today: date | None = None) -> SweepResult:
    """Make the demo's reminders visible on the day it is loaded.

    For each issued demo plan whose issuing unit has a demo login, add (once) two small
    tasks led by that unit: one due in three days and one overdue by ten days (so it is also
    escalated); give the demo logins an example address so their digest shows in the
    console; then run the day's sweep, queue the digests and send them."""
    from tasks.services import Assignees, task_create

    today = today or timezone.localdate()
    staffed = set(Membership.objects.filter(role__in=STAFF_ROLES).values_list("unit_id", flat=True))
    plans = Document.objects.filter(
        status=DocumentStatus.ISSUED, issuer__in=staffed, tasks__isnull=False
    ).distinct()
    for plan in plans:
        if plan.tasks.filter(text__startswith=DEMO_TASK_TEXT).exists():
            continue
        for days, label in ((3, "sắp đến hạn"), (-10, "quá hạn")):
            due = today + timedelta(days=days)
            task_create(
                actor=None,
                document=plan,
                text=f"{DEMO_TASK_TEXT} — {label}",
                deadline_text=f"ngày {due.day}/{due.month}/{due.year}",
                assignees=Assignees(lead=[plan.issuer] if plan.issuer else []),
            )
    User = get_user_model()
    for user in User.objects.filter(email="", memberships__isnull=False).distinct():
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    return send_reminders(today=today)
