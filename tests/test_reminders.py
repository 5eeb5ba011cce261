"""The reminder sweep: one reminder per offset per person, overdue notices, escalation to the
unit above, policies per unit and plan, coordinating units, mutes, digests and the command."""

import datetime
import io
import json
from collections import Counter

import pytest
from django.core import mail
from django.core.management import call_command

from notifications import services
from notifications.models import (
    EmailMode,
    MailStatus,
    Notification,
    NotificationKind,
    NotificationPreference,
    OutboxEmail,
    OutboxKind,
    OutboxStatus,
    PlanMute,
)
from notifications.selectors import Policy
from plans.models import DocumentStatus
from tasks.models import Occurrence, TaskStatus
from tests.factories import make_document, make_task, make_unit, member
from units.models import Level, Role

DUE = datetime.date(2023, 12, 30)


@pytest.fixture
def world(province):
    """A plan of the province giving one task to a district (lead) and a board (support)."""
    district = make_unit("Huyện ủy Chủ Trì", parent=province, level=Level.DISTRICT, code="HU")
    board = make_unit("Ban Phối Hợp", parent=province, level=Level.PROVINCE, code="BTGTU")
    people = {
        "staff1": member(district, Role.STAFF),
        "staff2": member(district, Role.STAFF),
        "admin": member(district, Role.ADMINISTRATOR),
        "district_leader": member(district, Role.LEADER),
        "province_leader": member(province, Role.LEADER),
        "province_staff": member(province, Role.STAFF),
        "board_staff": member(board, Role.STAFF),
    }
    plan = make_document(province, issued_on=datetime.date(2023, 8, 10))
    task = make_task(
        plan,
        lead=[district],
        support=[board],
        text="Tổ chức hội nghị quán triệt",
        deadline_text="ngày 30/12/2023",
    )
    forget_assignment_notices()
    return {"district": district, "board": board, "plan": plan, "task": task, **people}


def forget_assignment_notices() -> None:
    """Start from no notifications and no e-mails (tasks may have told their units)."""
    Notification.objects.all().delete()
    OutboxEmail.objects.all().delete()
    mail.outbox.clear()


def sweep(day: datetime.date) -> services.SweepResult:
    return services.reminders_sweep(today=day)


def keys(**filters) -> Counter:
    return Counter(
        (n.recipient.username, n.kind, n.offset_days)
        for n in Notification.objects.filter(**filters).select_related("recipient")
    )


def test_the_stage_of_a_day_is_the_nearest_offset_reached():
    policy = Policy(offsets=(7, 3, 1), escalate_after_days=7)
    assert policy.lead_stages(8) == []
    assert policy.lead_stages(7) == [("due_soon", 7)]
    assert policy.lead_stages(5) == [("due_soon", 7)]
    assert policy.lead_stages(3) == [("due_soon", 3)]
    assert policy.lead_stages(1) == [("due_soon", 1)]
    assert policy.lead_stages(0) == [("due_soon", 1)]
    assert policy.lead_stages(-1) == [("overdue", 0)]
    assert policy.lead_stages(-7) == [("overdue", 0), ("escalation", 7)]
    assert policy.support_stage(3) is None
    assert policy.support_stage(1) == ("support_due", 1)
    assert policy.support_stage(-2) == ("support_overdue", 0)


def test_a_task_falling_due_reminds_each_lead_staff_member_once_per_offset(world):
    for day in range(12, -4, -1):  # every day from 12 days before to 3 days after
        sweep(DUE - datetime.timedelta(days=day))
    lead = keys(kind__in=[NotificationKind.DUE_SOON, NotificationKind.OVERDUE])
    for name in ("staff1", "staff2", "admin"):
        username = world[name].username
        assert lead[(username, "due_soon", 7)] == 1
        assert lead[(username, "due_soon", 3)] == 1
        assert lead[(username, "due_soon", 1)] == 1
        assert lead[(username, "overdue", 0)] == 1
    assert sum(lead.values()) == 12
    # Leaders of the lead unit and the province's staff are not reminded; no escalation yet.
    recipients = {n.recipient for n in Notification.objects.all()}
    assert world["district_leader"] not in recipients
    assert world["province_staff"] not in recipients
    assert not Notification.objects.filter(kind=NotificationKind.ESCALATION).exists()


def test_an_overdue_task_escalates_to_the_leaders_of_the_unit_above_after_the_delay(world):
    assert sweep(DUE + datetime.timedelta(days=6)).escalations == 0
    result = sweep(DUE + datetime.timedelta(days=7))
    assert result.escalations == 1
    [escalation] = Notification.objects.filter(kind=NotificationKind.ESCALATION)
    assert escalation.recipient == world["province_leader"]
    assert escalation.offset_days == 7
    assert escalation.unit == world["district"]
    assert sweep(DUE + datetime.timedelta(days=30)).escalations == 0


def test_the_escalation_delay_is_set_per_unit_and_the_plan_policy_wins(world, province):
    services.reminder_policy_set(actor=None, unit=province, offsets=[10, 2], escalate_after_days=3)
    sweep(DUE - datetime.timedelta(days=9))
    assert keys(kind="due_soon")[(world["staff1"].username, "due_soon", 10)] == 1
    assert sweep(DUE + datetime.timedelta(days=3)).escalations == 1

    Notification.objects.all().delete()
    services.reminder_policy_set(
        actor=None, document=world["plan"], offsets=[5], escalate_after_days=20
    )
    sweep(DUE - datetime.timedelta(days=4))
    assert keys(kind="due_soon")[(world["staff1"].username, "due_soon", 5)] == 1
    assert sweep(DUE + datetime.timedelta(days=19)).escalations == 0
    assert sweep(DUE + datetime.timedelta(days=20)).escalations == 1


def test_a_policy_refuses_nonsense_and_strangers(world, province):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError):
        services.reminder_policy_set(actor=None, unit=province, offsets=[-1], escalate_after_days=3)
    with pytest.raises(ValidationError):
        services.reminder_policy_set(actor=None, offsets=[1], escalate_after_days=3)
    with pytest.raises(PermissionDenied):
        services.reminder_policy_set(
            actor=world["board_staff"], unit=province, offsets=[1], escalate_after_days=3
        )


def test_escalation_goes_further_up_when_the_unit_above_has_no_leader(world, province):
    commune = make_unit("Đảng ủy xã Dưới", parent=world["district"], level=Level.COMMUNE)
    worker = member(commune, Role.STAFF)
    make_task(world["plan"], lead=[commune], deadline_text="ngày 30/12/2023")
    world["district_leader"].memberships.all().delete()
    sweep(DUE + datetime.timedelta(days=8))
    escalated = {n.recipient for n in Notification.objects.filter(kind="escalation")}
    assert escalated == {world["province_leader"]}
    assert Notification.objects.filter(recipient=worker, kind="overdue").count() == 1


def test_coordinating_units_get_one_lighter_notice_before_and_one_when_late(world):
    for day in range(10, -10, -1):
        sweep(DUE - datetime.timedelta(days=day))
    board = keys(recipient=world["board_staff"])
    assert board == Counter(
        {
            (world["board_staff"].username, "support_due", 1): 1,
            (world["board_staff"].username, "support_overdue", 0): 1,
        }
    )


def test_done_work_and_draft_plans_remind_nobody(world, province):
    Occurrence.objects.update(status=TaskStatus.DONE)
    draft = make_document(province, status=DocumentStatus.DRAFT, number="")
    make_task(draft, lead=[world["district"]], deadline_text="ngày 30/12/2023")
    assert sweep(DUE - datetime.timedelta(days=1)).notifications == 0
    assert sweep(DUE + datetime.timedelta(days=10)).notifications == 0


def test_a_muted_plan_reminds_nobody_who_muted_it(world):
    services.plan_mute_set(actor=world["staff1"], document=world["plan"], muted=True)
    sweep(DUE - datetime.timedelta(days=3))
    recipients = {n.recipient for n in Notification.objects.all()}
    assert world["staff1"] not in recipients
    assert world["staff2"] in recipients
    services.plan_mute_set(actor=world["staff1"], document=world["plan"], muted=False)
    assert not PlanMute.objects.exists()
    sweep(DUE - datetime.timedelta(days=2))
    assert keys(recipient=world["staff1"]) == Counter(
        {(world["staff1"].username, "due_soon", 3): 1}
    )


def test_the_command_prints_what_this_run_did_and_a_second_run_does_nothing(
    world, django_capture_on_commit_callbacks
):
    def run() -> dict:
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", "--today", "2024-01-10", stdout=out)
        return json.loads(out.getvalue().strip().splitlines()[-1])

    forget_assignment_notices()
    first = run()
    # Overdue: three lead staff, the board's staff; escalated to the province's leader.
    assert first == {"notifications": 5, "emails": 5, "escalations": 1}
    assert len(mail.outbox) == 5
    assert all(m.subject for m in mail.outbox)
    assert run() == {"notifications": 0, "emails": 0, "escalations": 0}
    assert len(mail.outbox) == 5


def test_the_command_refuses_a_malformed_day():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("send_reminders", "--today", "30/12/2023", stdout=io.StringIO())


def test_a_digest_gathers_the_day_and_immediate_sends_each(world):
    NotificationPreference.objects.create(
        user=world["staff2"], email_mode=EmailMode.IMMEDIATE, calendar_token="t-staff2"
    )
    NotificationPreference.objects.create(
        user=world["admin"], email_mode=EmailMode.NONE, calendar_token="t-admin"
    )
    make_task(
        world["plan"],
        lead=[world["district"]],
        text="Việc thứ hai",
        deadline_text="ngày 31/12/2023",
    )
    forget_assignment_notices()
    services.send_reminders(today=datetime.date(2024, 1, 10))
    to = Counter(address for m in mail.outbox for address in m.to)
    assert to[world["staff1"].email] == 1  # one digest with both tasks
    assert to[world["staff2"].email] == 2  # one e-mail per notification
    assert to[world["admin"].email] == 0  # chose no e-mail
    digest = OutboxEmail.objects.get(recipient=world["staff1"])
    assert digest.kind == OutboxKind.DIGEST and digest.status == OutboxStatus.SENT
    assert "Tổ chức hội nghị quán triệt" in digest.body and "Việc thứ hai" in digest.body
    assert Notification.objects.filter(recipient=world["admin"], mail_status=MailStatus.NONE)

    # Later the same day: new notifications wait for tomorrow's digest.
    make_task(
        world["plan"], lead=[world["district"]], text="Việc thứ ba", deadline_text="ngày 1/1/2024"
    )
    Notification.objects.filter(kind="assigned").delete()
    services.send_reminders(today=datetime.date(2024, 1, 10))
    assert OutboxEmail.objects.filter(recipient=world["staff1"]).count() == 1
    services.send_reminders(today=datetime.date(2024, 1, 11))
    assert OutboxEmail.objects.filter(recipient=world["staff1"]).count() == 2


def test_assignment_notices_tell_each_assignee_unit_what_and_by_when(world, province):
    plan = make_document(province, issued_on=datetime.date(2023, 9, 1))
    task = make_task(
        plan, lead=[world["district"]], support=[world["board"]], deadline_text="ngày 30/11/2023"
    )
    Notification.objects.filter(kind="assigned").delete()
    assert services.assignment_notices_create(task=task) == 4
    notice = Notification.objects.get(recipient=world["staff1"], kind="assigned")
    assert notice.due_on == datetime.date(2023, 11, 30)
    assert notice.task == task
    assert Notification.objects.filter(recipient=world["board_staff"], kind="assigned").exists()
    assert services.assignment_notices_create(task=task) == 0
    draft = make_document(province, status=DocumentStatus.DRAFT, number="")
    draft_task = make_task(draft, lead=[world["district"]])
    assert services.assignment_notices_create(task=draft_task) == 0


def test_immediate_assignment_notices_are_emailed_after_the_commit(
    world, province, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(
        user=world["staff1"], email_mode=EmailMode.IMMEDIATE, calendar_token="t-staff1"
    )
    plan = make_document(province, issued_on=datetime.date(2023, 9, 1))
    task = make_task(plan, lead=[world["district"]], deadline_text="ngày 30/11/2023")
    forget_assignment_notices()
    with django_capture_on_commit_callbacks(execute=True):
        services.assignment_notices_create(task=task)
    assert [m.to for m in mail.outbox] == [[world["staff1"].email]]
    assert "30/11/2023" in mail.outbox[0].body


def test_the_demo_shows_due_soon_overdue_escalated_work_and_a_digest(demo, client):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    User = get_user_model()
    # load_demo (the fixture) has already run the day's reminders.
    assert Notification.objects.filter(kind="escalation").exists()
    assert OutboxEmail.objects.exists()
    staff = User.objects.get(username="canbo.kienan")
    kinds = set(Notification.objects.filter(recipient=staff).values_list("kind", flat=True))
    assert {"due_soon", "overdue"} <= kinds
    leader = User.objects.get(username="lanhdao.haiphong")
    assert Notification.objects.filter(recipient=leader, kind="escalation").exists()
    assert OutboxEmail.objects.filter(recipient=staff, kind=OutboxKind.DIGEST).exists()
    client.force_login(staff)
    assert '<span class="badge late">' in client.get(reverse("home")).content.decode()
    assert "nhắc việc" in client.get(reverse("notifications:digest")).content.decode()
    # Loading the demo again changes nothing.
    again = services.demo_reminders()
    assert (again.notifications, again.emails) == (0, 0)
