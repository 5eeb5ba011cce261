"""The default periodic jobs: report requests generated at 05:30, the daily reminder sweep at
06:00 and the outbox sender every five minutes (``manage.py setup_schedules`` re-creates them
if deleted)."""

from django.db import migrations

SCHEDULES = [
    {
        "name": "Generate report requests",
        "job": "reports.jobs.generate_report_requests",
        "minute": "30",
        "hour": "5",
        "description": "Creates the report requests of periods that have begun or begin soon.",
    },
    {
        "name": "Daily reminder sweep",
        "job": "notifications.jobs.sweep_reminders",
        "minute": "0",
        "hour": "6",
        "description": "Reminders, overdue notices, escalations, then e-mails and digests.",
    },
    {
        "name": "Send queued e-mails",
        "job": "notifications.jobs.send_outbox",
        "minute": "*/5",
        "hour": "*",
        "description": "Sends the outbox; e-mails the mail server refused are retried.",
    },
]


def create(apps, schema_editor):
    ScheduledJob = apps.get_model("notifications", "ScheduledJob")
    for spec in SCHEDULES:
        ScheduledJob.objects.get_or_create(name=spec["name"], defaults=spec)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
