"""Reminders for the demo."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from notifications.services.reminders import SweepResult, send_reminders
from notifications.sweep import STAFF_ROLES
from plans.models import DocType, Document, DocumentStatus
from units.models import Membership, Unit

# --- demo --------------------------------------------------------------------------------

DEMO_PLAN_TITLE = (
    "Kế hoạch minh họa nhắc việc (dữ liệu mẫu của bản trình diễn, không phải văn bản thật)"
)
DEMO_TASK_TEXT = "Rà soát, báo cáo tiến độ triển khai Kế hoạch (nhiệm vụ minh họa nhắc việc)"


def _demo_plan(unit: Unit, seed: Document, today: date) -> Document:
    """The unit's demo plan, created once: the seed plans stay exactly as issued, so what the
    demo needs to show reminders lives in a plan of its own that says it is a demo. It carries
    out the unit's seed plan, so its tasks show in that cascade's dashboard."""
    from plans.services import document_create

    plan = Document.objects.filter(issuer=unit, title=DEMO_PLAN_TITLE).first()
    if plan is None:
        plan = document_create(
            actor=None,
            doc_type=DocType.PLAN,
            title=DEMO_PLAN_TITLE,
            issuer=unit,
            issuer_code=unit.code,
            # Issued so its tasks are live, on the day the demo is loaded.
            status=DocumentStatus.ISSUED,
            issued_on=today,
            implements=seed,
        )
    return plan


def demo_reminders(*, today: date | None = None) -> SweepResult:
    """Make the demo's reminders visible on the day it is loaded.

    For each unit that issued a demo plan and has a demo login, a demo plan of its own (once)
    with two small tasks led by that unit: one due in three days and one overdue by ten days
    (so it is also escalated); the demo logins get an example address so their digest shows
    in the console; then the day's sweep runs, queues the digests and sends them."""
    from tasks.services import Assignees, task_create

    today = today or timezone.localdate()
    staffed = set(Membership.objects.filter(role__in=STAFF_ROLES).values_list("unit_id", flat=True))
    seeds = (
        Document.objects.filter(
            status=DocumentStatus.ISSUED, issuer__in=staffed, tasks__isnull=False
        )
        .exclude(title=DEMO_PLAN_TITLE)
        .select_related("issuer")
        .distinct()
        .order_by("issuer_id", "-issued_on", "pk")
    )
    firsts: dict[int, Document] = {}
    for seed in seeds:
        if seed.issuer is not None:
            firsts.setdefault(seed.issuer.pk, seed)
    for seed in firsts.values():
        unit = seed.issuer
        assert unit is not None
        plan = _demo_plan(unit, seed, today)
        if plan.tasks.exists():
            continue
        for days, label in ((3, "sắp đến hạn"), (-10, "quá hạn")):
            due = today + timedelta(days=days)
            task_create(
                actor=None,
                document=plan,
                text=f"{DEMO_TASK_TEXT} — {label}",
                deadline_text=f"ngày {due.day}/{due.month}/{due.year}",
                assignees=Assignees(lead=[unit]),
            )
    User = get_user_model()
    for user in User.objects.filter(email="", memberships__isnull=False).distinct():
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    return send_reminders(today=today)
