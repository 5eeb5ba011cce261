"""The nightly rendering of accepted annual reports, in the schedules kept in the database."""

from django.db import migrations

SCHEDULE = {
    "name": "Annual report PDFs",
    "job": "reports.jobs.render_accepted_annual_reports",
    "minute": "15",
    "hour": "2",
    "description": "Renders the PDF of every annual report accepted since its last rendering.",
}


def create(apps, schema_editor):
    ScheduledJob = apps.get_model("notifications", "ScheduledJob")
    ScheduledJob.objects.get_or_create(name=SCHEDULE["name"], defaults=SCHEDULE)


def remove(apps, schema_editor):
    apps.get_model("notifications", "ScheduledJob").objects.filter(name=SCHEDULE["name"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_annual_report_files"),
        ("notifications", "0002_default_schedules"),
    ]

    operations = [migrations.RunPython(create, remove)]
