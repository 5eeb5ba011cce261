"""Recompute the dashboard's roll-up tables from the occurrences (repair after changes made
outside the services, e.g. rows deleted in the admin), or only check them."""

from django.core.management.base import BaseCommand, CommandError

from audit.services import current_source
from rollups.services import describe, rollup_differences, rollups_rebuild


class Command(BaseCommand):
    help = "Recompute the dashboard roll-ups from the task occurrences (or --check them)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only compare; exit with an error listing the differences, if any.",
        )

    def handle(self, *args, check: bool = False, **options):
        token = current_source.set("command:rebuild_rollups")
        try:
            if check:
                differences = sorted(rollup_differences().items(), key=str)
                if differences:
                    for line in describe(differences[:50]):
                        self.stderr.write(line)
                    raise CommandError(f"{len(differences)} roll-up rows differ.")
                self.stdout.write("Roll-ups match the occurrences.")
                return
            rows = rollups_rebuild()
            self.stdout.write(f"Roll-ups rebuilt: {rows} rows.")
        finally:
            current_source.reset(token)
