"""Notifications in the browser (bell, list, mark read, preferences), the calendar feeds and
their secrecy, the outbox's retries, and the database schedules."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from notifications import services
from notifications.models import (
    EmailMode,
    Notification,
    NotificationPreference,
    OutboxEmail,
    OutboxStatus,
    PlanMute,
    ScheduledJob,
    UnitCalendar,
)
from tests.factories import make_document, make_task, make_unit, member
from units.models import Level, Role

ROOT = Path(__file__).resolve().parent.parent


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("connection refused")


@pytest.fixture
def due_soon(province):
    """A district with a staff member whose task falls due in three days."""
    district = make_unit("Huyện ủy Nhắc Việc", parent=province, level=Level.DISTRICT, code="HU")
    other = make_unit("Huyện ủy Khác", parent=province, level=Level.DISTRICT, code="HU")
    staff = member(district, Role.STAFF)
    stranger = member(other, Role.STAFF)
    today = timezone.localdate()
    due = today + datetime.timedelta(days=3)
    plan = make_document(province, issued_on=today - datetime.timedelta(days=30))
    task = make_task(
        plan,
        lead=[district],
        text="Báo cáo sơ kết việc học nghề",
        deadline_text=f"ngày {due.day}/{due.month}/{due.year}",
    )
    other_task = make_task(
        plan,
        lead=[other],
        text="Việc riêng của huyện khác",
        deadline_text=f"ngày {due.day}/{due.month}/{due.year}",
    )
    Notification.objects.all().delete()
    services.reminders_sweep(today=today)
    return {
        "district": district,
        "other": other,
        "staff": staff,
        "stranger": stranger,
        "plan": plan,
        "task": task,
        "other_task": other_task,
    }


def test_the_bell_counts_unread_notifications_and_refreshes_as_a_fragment(client, due_soon):
    client.force_login(due_soon["staff"])
    page = client.get(reverse("home")).content.decode()
    assert 'id="notification-bell"' in page
    assert 'hx-get="/notifications/bell/"' in page
    fragment = client.get(reverse("notifications:bell"), headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert fragment.status_code == 200
    assert body.strip().startswith('<a id="notification-bell"')
    assert '<span class="badge late">1<span class="visually-hidden"> chưa đọc</span></span>' in body
    assert "<html" not in body


def test_the_bell_counts_only_notifications_whose_plan_can_still_be_read(due_soon):
    from notifications.selectors import notifications_for, unread_count
    from plans.models import Document

    staff = due_soon["staff"]
    mine = Notification.objects.get(recipient=staff)
    # One more unread notice, about a plan the staff member cannot read.
    hidden_plan = make_document(due_soon["other"], issued_on=timezone.localdate())
    hidden_task = make_task(hidden_plan, lead=[due_soon["other"]], deadline_text="ngày 1/1/2099")
    Document.objects.filter(pk=hidden_plan.pk).update(confidential=True)
    Notification.objects.create(
        recipient=staff,
        kind=mine.kind,
        occurrence=hidden_task.occurrences.get(),
        task=hidden_task,
        document=hidden_plan,
        unit=due_soon["other"],
        due_on=mine.due_on,
        offset_days=99,
    )
    readable = notifications_for(user=staff).filter(read_at__isnull=True).count()
    assert unread_count(user=staff) == readable == 1
    stranger = due_soon["stranger"]
    theirs = notifications_for(user=stranger).filter(read_at__isnull=True).count()
    assert unread_count(user=stranger) == theirs >= 1


def test_the_list_shows_only_ones_own_notifications_and_marks_them_read(client, due_soon):
    client.force_login(due_soon["staff"])
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Báo cáo sơ kết việc học nghề" in page
    assert "Việc riêng của huyện khác" not in page
    mine = Notification.objects.get(recipient=due_soon["staff"])
    response = client.post(
        reverse("notifications:read", args=[mine.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "notifications-changed"
    mine.refresh_from_db()
    assert mine.read_at is not None

    theirs = Notification.objects.get(recipient=due_soon["stranger"])
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_empties_the_bell(client, due_soon):
    client.force_login(due_soon["staff"])
    response = client.post(reverse("notifications:read_all"), {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("notifications:list")
    assert not Notification.objects.filter(recipient=due_soon["staff"], read_at__isnull=True)
    body = client.get(reverse("notifications:bell")).content.decode()
    assert "badge" not in body


def test_preferences_choose_immediate_email_and_mute_a_plan(client, due_soon):
    client.force_login(due_soon["staff"])
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "/notifications/calendar/" in page
    response = client.post(
        reverse("notifications:preferences"),
        {"email_mode": EmailMode.IMMEDIATE, "muted": [due_soon["plan"].pk]},
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=due_soon["staff"])
    assert preference.email_mode == EmailMode.IMMEDIATE
    assert PlanMute.objects.filter(user=due_soon["staff"], document=due_soon["plan"]).exists()
    client.post(reverse("notifications:preferences"), {"email_mode": EmailMode.DIGEST})
    assert not PlanMute.objects.filter(user=due_soon["staff"]).exists()


def test_the_digest_page_shows_what_was_and_will_be_emailed(client, due_soon):
    services.emails_queue(today=timezone.localdate())
    services.outbox_send()
    client.force_login(due_soon["staff"])
    page = client.get(reverse("notifications:digest")).content.decode()
    assert "Báo cáo sơ kết việc học nghề" in page
    assert len(mail.outbox) == 2  # the staff member's and the stranger's digests


def test_the_personal_feed_lists_ones_own_deadlines_by_secret_address(client, due_soon):
    preference = services.preference_for(user=due_soon["staff"])
    url = reverse("notifications:feed_user", args=[preference.calendar_token])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    due = timezone.localdate() + datetime.timedelta(days=3)
    assert f"DTSTART;VALUE=DATE:{due:%Y%m%d}" in body
    unfolded = body.replace("\r\n ", "")
    assert "Báo cáo sơ kết việc học nghề" in unfolded
    assert "Việc riêng của huyện khác" not in unfolded
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_a_wrong_or_regenerated_feed_address_is_not_found(client, due_soon):
    assert client.get(reverse("notifications:feed_user", args=["guess"])).status_code == 404
    assert client.get(reverse("notifications:feed_unit", args=["guess"])).status_code == 404
    old = services.preference_for(user=due_soon["staff"]).calendar_token
    client.force_login(due_soon["staff"])
    client.post(reverse("notifications:calendar_regenerate"))
    client.logout()
    assert client.get(reverse("notifications:feed_user", args=[old])).status_code == 404
    new = NotificationPreference.objects.get(user=due_soon["staff"]).calendar_token
    assert new != old
    assert client.get(reverse("notifications:feed_user", args=[new])).status_code == 200


def test_the_unit_feed_shows_that_units_deadlines_and_only_its_staff_renew_it(client, due_soon):
    token = services.unit_calendar_for(unit=due_soon["district"]).token
    body = client.get(reverse("notifications:feed_unit", args=[token])).content.decode()
    unfolded = body.replace("\r\n ", "")
    assert "Báo cáo sơ kết việc học nghề" in unfolded
    assert "Việc riêng của huyện khác" not in unfolded

    client.force_login(due_soon["stranger"])
    url = reverse("notifications:unit_calendar_regenerate", args=[due_soon["district"].pk])
    assert client.post(url).status_code == 404
    assert UnitCalendar.objects.get(unit=due_soon["district"]).token == token
    client.force_login(due_soon["staff"])
    assert client.post(url).status_code == 302
    assert UnitCalendar.objects.get(unit=due_soon["district"]).token != token
    assert client.get(reverse("notifications:feed_unit", args=[token])).status_code == 404


def test_feeds_leave_out_plans_the_person_cannot_see(due_soon, province):
    from notifications import selectors

    plan = make_document(province)
    make_task(plan, lead=[due_soon["district"]], deadline_text="ngày 30/12/2030")
    outsider = member(make_unit("Tỉnh ủy Xa", code="TU"), Role.STAFF)
    assert selectors.feed_for_user(user=outsider, today=timezone.localdate()) == []


def test_the_outbox_keeps_emails_while_the_mail_server_is_down_and_sends_them_later(
    due_soon, settings
):
    services.emails_queue(today=timezone.localdate())
    assert OutboxEmail.objects.filter(status=OutboxStatus.PENDING).count() == 2
    settings.MAILERS = {
        **settings.MAILERS,
        "outbox": {"BACKEND": "tests.test_notifications.FailingBackend"},
    }
    assert services.outbox_send() == 0
    for email in OutboxEmail.objects.all():
        assert email.status == OutboxStatus.PENDING
        assert email.attempts == 1
        assert "refused" in email.last_error
        assert email.next_attempt_at > timezone.now()
    # Not before their next attempt is due, even with the server back.
    settings.MAILERS = {
        **settings.MAILERS,
        "outbox": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    }
    assert services.outbox_send() == 0
    later = timezone.now() + datetime.timedelta(hours=3)
    assert services.outbox_send(now=later) == 2
    assert len(mail.outbox) == 2
    assert services.outbox_send(now=later) == 0
    assert set(OutboxEmail.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}


def test_the_schedules_are_in_the_database_and_setup_is_idempotent(db):
    services.schedules_ensure()  # schedules added since the migration that made the first ones
    names = set(ScheduledJob.objects.values_list("name", flat=True))
    assert names == {
        "Daily reminder sweep",
        "Prune sign-in counters",
        "Send queued e-mails",
        "Generate report requests",
        "Annual report PDFs",
    }
    ScheduledJob.objects.filter(name="Daily reminder sweep").update(hour="7")
    ScheduledJob.objects.filter(name="Send queued e-mails").delete()
    assert services.schedules_ensure() == 1
    assert services.schedules_ensure() == 0
    assert ScheduledJob.objects.get(name="Daily reminder sweep").hour == "7"


def test_run_scheduler_runs_due_jobs_once_and_records_it(due_soon):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("run_scheduler", "--once", stdout=out)
    assert "Daily reminder sweep" in out.getvalue()
    assert ScheduledJob.objects.filter(last_run_at__isnull=True).count() == 0
    assert len(mail.outbox) == 2
    again = StringIO()
    call_command("run_scheduler", "--once", stdout=again)
    assert "Daily reminder sweep" not in again.getvalue()


def test_beat_reads_its_schedule_from_the_database(db):
    from cascade.celery import app
    from notifications.beat import DatabaseScheduler

    scheduler = DatabaseScheduler(app=app, lazy=False)
    entries = scheduler.schedule
    assert entries["Daily reminder sweep"].task == "notifications.jobs.sweep_reminders"
    assert entries["Daily reminder sweep"].is_due()[0]  # never ran: due at once
    entry = entries["Daily reminder sweep"]
    scheduler.reserve(entry)
    # Reserved is not run: the row is written once the job is handed over.
    assert ScheduledJob.objects.get(name="Daily reminder sweep").last_run_at is None
    scheduler.apply_entry(entry)
    assert ScheduledJob.objects.get(name="Daily reminder sweep").last_run_at is not None
    assert not scheduler.schedule["Daily reminder sweep"].is_due()[0]


def test_the_admin_lists_every_notifications_model(admin_client):
    from django.apps import apps

    for model in apps.get_app_config("notifications").get_models():
        url = reverse(f"admin:notifications_{model._meta.model_name}_changelist")
        assert admin_client.get(url).status_code == 200, url


REDIS_DOWN_SCRIPT = r"""
import datetime, json, logging
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.db import transaction
from django.test import Client
from django.utils import timezone
from notifications import services
from notifications.models import EmailMode, NotificationPreference, OutboxEmail
from tests.factories import make_document, make_task, make_unit, member
from units.models import Level, Role
logging.disable(logging.WARNING)

province = make_unit("Tỉnh ủy Thử", code="TU")
district = make_unit("Huyện ủy Thử", parent=province, level=Level.DISTRICT, code="HU")
staff = member(district, Role.STAFF)
NotificationPreference.objects.create(
    user=staff, email_mode=EmailMode.IMMEDIATE, calendar_token="x"
)
plan = make_document(province, issued_on=timezone.localdate())
client = Client()
client.force_login(staff)
pages = [client.get(url).status_code for url in ("/", "/notifications/", "/notifications/bell/",
         f"/documents/{plan.pk}/", "/notifications/preferences/")]
# Saving a task, with its assignment notice queued for e-mail after the commit.
with transaction.atomic():
    task = make_task(plan, lead=[district], deadline_text="trong năm 2030")
    services.assignment_notices_create(task=task)
page = client.get(f"/tasks/{task.pk}/").status_code
from background.models import PendingJob
print(json.dumps({"pages": pages, "task_page": page,
                  "pending": OutboxEmail.objects.filter(status="pending").count(),
                  "jobs_kept": list(PendingJob.objects.values_list("job", flat=True))}))
"""


def test_with_redis_unreachable_pages_render_saving_works_and_mail_waits_in_the_outbox(
    tmp_path,
):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'down.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:1/0",  # nothing listens on port 1
    }
    down = subprocess.run(
        [sys.executable, "-c", REDIS_DOWN_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert down.returncode == 0, down.stderr[-3000:]
    import json

    outcome = json.loads(down.stdout.strip().splitlines()[-1])
    # The job that could not be queued is kept, not lost.
    assert outcome == {
        "pages": [200] * 5,
        "task_page": 200,
        "pending": 1,
        # The task's own assignment notice job, and the e-mail's.
        "jobs_kept": ["notifications.jobs.notify_task_assigned", "notifications.jobs.send_outbox"],
    }
    # The broker is back (here in-process jobs): the kept job is handed over and sends.
    env.pop("REDIS_URL")
    back = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from notifications.models import OutboxEmail;"
            "from background.models import PendingJob;"
            "from background.services import pending_jobs_flush; print(pending_jobs_flush(),"
            " OutboxEmail.objects.filter(status='sent').count(), PendingJob.objects.count())",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert back.returncode == 0, back.stderr[-3000:]
    # Both kept jobs handed over; the one e-mail sent once (the notice job finds the
    # assignment already told).
    assert back.stdout.split() == ["2", "1", "0"]
