"""The daily sweep reminds about reports still owed: the reporting unit's staff before the due
date and when late, the receiving unit's leaders after the escalation delay, each once."""

import datetime
from collections import Counter

import pytest
from django.core import mail
from django.urls import reverse

from notifications import services
from notifications.models import Notification, NotificationKind, OutboxEmail
from reports import services as report_services
from reports.models import ReportRequest, ReportState
from tests.factories import member
from tests.test_reports_support import build_chain, report_and_accept, request_of
from units.models import Role

TODAY = datetime.date(2025, 1, 20)


@pytest.fixture
def chain(db):
    """The report chain, with every request due far away except the ones a test moves, and
    people in the district (which reports to the province) and in the province."""
    built = build_chain(communes=2)
    ReportRequest.objects.update(due_on=datetime.date(2030, 1, 1))
    people = {
        "staff1": member(built.district, Role.STAFF),
        "staff2": member(built.district, Role.STAFF),
        "admin": member(built.district, Role.ADMINISTRATOR),
        "district_leader": member(built.district, Role.LEADER),
        "province_leader": member(built.province, Role.LEADER),
        "province_staff": member(built.province, Role.STAFF),
    }
    Notification.objects.all().delete()
    OutboxEmail.objects.all().delete()
    mail.outbox.clear()
    return built, people


def due(report: ReportRequest, day: datetime.date) -> ReportRequest:
    ReportRequest.objects.filter(pk=report.pk).update(due_on=day)
    report.refresh_from_db()
    return report


def report_keys() -> Counter:
    return Counter(
        (n.recipient.username, n.kind, n.offset_days)
        for n in Notification.objects.filter(report_request__isnull=False).select_related(
            "recipient"
        )
    )


def test_a_report_due_in_three_days_reminds_the_reporting_units_staff_once(chain):
    built, people = chain
    report = due(request_of(built.district), TODAY + datetime.timedelta(days=3))

    result = services.reminders_sweep(today=TODAY)

    expected = Counter(
        {(people[name].username, NotificationKind.DUE_SOON, 3): 1 for name in ("staff1", "staff2")}
        | {(people["admin"].username, NotificationKind.DUE_SOON, 3): 1}
    )
    assert report_keys() == expected
    assert result.notifications == 3
    assert result.escalations == 0
    notification = Notification.objects.get(recipient=people["staff1"])
    assert notification.report_request_id == report.pk
    assert notification.unit_id == built.district.pk
    assert notification.document_id == built.middle.document_id
    assert notification.due_on == report.due_on


def test_running_the_sweep_twice_creates_nothing_more(chain):
    built, _people = chain
    due(request_of(built.district), TODAY + datetime.timedelta(days=3))
    services.reminders_sweep(today=TODAY)
    before = Notification.objects.count()

    again = services.reminders_sweep(today=TODAY)

    assert again.notifications == 0
    assert Notification.objects.count() == before


def test_an_overdue_report_escalates_to_the_receiving_units_leaders_after_the_delay(chain):
    built, people = chain
    report = due(request_of(built.district), TODAY - datetime.timedelta(days=3))

    services.reminders_sweep(today=TODAY)
    assert not Notification.objects.filter(kind=NotificationKind.ESCALATION).exists()
    assert report_keys()[(people["staff1"].username, NotificationKind.OVERDUE, 0)] == 1

    result = services.reminders_sweep(today=report.due_on + datetime.timedelta(days=7))

    escalations = Notification.objects.filter(kind=NotificationKind.ESCALATION)
    assert [n.recipient for n in escalations] == [people["province_leader"]]
    assert escalations.get().report_request_id == report.pk
    assert escalations.get().offset_days == 7
    assert result.escalations == 1
    assert result.notifications == 1
    assert report_keys()[(people["staff1"].username, NotificationKind.OVERDUE, 0)] == 1


def test_a_submitted_or_accepted_report_is_not_reminded(chain):
    built, _people = chain
    first, second = built.communes
    staff = [member(first, Role.STAFF), member(second, Role.STAFF)]
    accepted = report_and_accept(request_of(first), 10, 20)
    submitted = report_services.report_start(actor=None, report=request_of(second))
    report_services.report_save_draft(
        actor=None, report=submitted, results="Đã triển khai.", lines={}, measurements={}
    )
    report_services.report_submit(actor=None, report=submitted)
    submitted.refresh_from_db()
    assert accepted.state == ReportState.ACCEPTED
    assert submitted.state == ReportState.SUBMITTED
    due(accepted, TODAY + datetime.timedelta(days=1))
    due(submitted, TODAY - datetime.timedelta(days=10))

    services.reminders_sweep(today=TODAY)

    assert not Notification.objects.filter(recipient__in=staff).exists()
    assert not Notification.objects.filter(report_request__isnull=False).exists()


def test_the_list_and_the_email_say_which_report_and_link_to_it(chain, client):
    built, people = chain
    report = due(request_of(built.district), TODAY + datetime.timedelta(days=3))
    services.reminders_sweep(today=TODAY)
    client.force_login(people["staff1"])

    page = client.get(reverse("notifications:list")).content.decode()

    link = reverse("reports:detail", args=[report.pk])
    assert link in page
    assert built.district.name in page
    assert report.period_label in page

    people["staff1"].email = "staff1@example.org"
    people["staff1"].save(update_fields=["email"])
    services.emails_queue(today=TODAY, digests=True, send_after_commit=False)
    assert services.outbox_send() >= 1
    body = next(m.body for m in mail.outbox if "staff1@example.org" in m.to)
    assert link in body
    assert report.due_on.strftime("%d/%m/%Y") in body
