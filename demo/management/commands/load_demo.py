"""``manage.py load_demo``: load the demo cascade of Chỉ thị 21-CT/TW (idempotent)."""

from django.core.management.base import BaseCommand

from audit.services import current_source
from demo.loader import DEMO_PASSWORD, load_demo
from notifications.services import demo_reminders


class Command(BaseCommand):
    help = "Load the demo cascade of Chỉ thị 21-CT/TW and its five seed plans (idempotent)."

    def handle(self, *args, **options) -> None:
        token = current_source.set("command:load_demo")
        try:
            result = load_demo()
            # Some work due in a few days and some overdue, so reminders show on the day.
            reminders = demo_reminders()
        finally:
            current_source.reset(token)
        if result.created:
            self.stdout.write(self.style.SUCCESS("Demo cascade loaded."))
        else:
            self.stdout.write("Demo cascade already present: nothing changed.")
        self.stdout.write(f"Reminders for today: {reminders.summary()}")
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for username, unit, role in result.logins:
            self.stdout.write(f"  {username:<32} {role:<12} {unit}")
