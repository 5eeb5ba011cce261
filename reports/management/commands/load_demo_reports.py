"""``manage.py load_demo_reports``: the demo's report chain (after ``load_demo``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from audit.services import current_source
from reports.demo import load_demo_reports


class Command(BaseCommand):
    help = "Create the demo's reporting duties, their requests and the 2024 Kon Rẫy reports."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-fill", action="store_true", help="requests only, no reports")

    def handle(self, *args, no_fill: bool, **options) -> None:
        token = current_source.set("command:load_demo_reports")
        try:
            result = load_demo_reports(fill=not no_fill)
        finally:
            current_source.reset(token)
        if result.created:
            self.stdout.write(
                f"Demo reports loaded: {len(result.requirements)} reporting duties, "
                f"{result.requests} requests."
            )
        else:
            self.stdout.write("Demo reports were already loaded.")
