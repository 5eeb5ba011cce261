"""``manage.py send_reminders [--today YYYY-MM-DD]``: run the daily reminder sweep once."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from audit.services import current_source
from notifications import services


class Command(BaseCommand):
    help = (
        "Run the reminder sweep once as of a day (default today): reminders, overdue notices, "
        "escalations, then e-mails and digests. The last line is a JSON summary of what this "
        'run created or sent: {"notifications": N, "emails": N, "escalations": N} '
        "(notifications include the escalations)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--today", help="the day to sweep as, YYYY-MM-DD")
        parser.add_argument("--batch-size", type=int, default=None)

    def handle(self, *args, **options) -> None:
        try:
            today = date.fromisoformat(options["today"]) if options["today"] else None
        except ValueError:
            raise CommandError("--today must be a date written YYYY-MM-DD.") from None
        token = current_source.set("command:send_reminders")
        try:
            result = services.send_reminders(today=today, batch_size=options["batch_size"])
        finally:
            current_source.reset(token)
        if options["verbosity"] > 1:
            self.stderr.write(f"{result.occurrences} occurrences looked at.")
        self.stdout.write(json.dumps(result.summary()))
