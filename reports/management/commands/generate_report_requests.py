"""Generate the report requests that are due (what the daily job does), from the shell."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandParser

from audit.services import current_source
from reports import services


class Command(BaseCommand):
    help = "Create the report requests of every period that has begun (or begins soon)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--until", type=date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--requirement", type=int, help="only this requirement's id")

    def handle(self, *args, until: date | None, requirement: int | None, **options) -> None:
        token = current_source.set("command:generate_report_requests")
        try:
            created = services.report_requests_generate_due(until=until, requirement_id=requirement)
        finally:
            current_source.reset(token)
        self.stdout.write(f"{created} report request(s) created.")
