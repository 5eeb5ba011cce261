"""``manage.py setup_schedules``: create the periodic jobs' default schedules (idempotent)."""

from django.core.management.base import BaseCommand

from notifications import services
from notifications.models import ScheduledJob


class Command(BaseCommand):
    help = (
        "Create the daily reminder sweep and the outbox sender in the database schedule if "
        "they are missing; schedules an administrator changed are kept."
    )

    def handle(self, *args, **options) -> None:
        created = services.schedules_ensure()
        self.stdout.write(f"{created} schedule(s) created.")
        for job in ScheduledJob.objects.all():
            state = "on" if job.enabled else "off"
            self.stdout.write(
                f"  {job.name}: {job.minute} {job.hour} * * {job.day_of_week} ({state}) {job.job}"
            )
