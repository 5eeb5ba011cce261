"""``manage.py generate_nation``: load a synthetic national cascade of 21-CT/TW (about 60,000
units and a million tasks at scale 1) into a fresh database, deterministically from a seed."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from audit.services import current_source
from national.generator import SHAPES
from national.services import nation_generate


class Command(BaseCommand):
    help = "Generate a synthetic national cascade of Chỉ thị 21-CT/TW (bulk loaded)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--shape",
            choices=SHAPES,
            default="2025",
            help="2025: 34 provinces, 3,321 communes; pre2025: 63 provinces, "
            "696 districts, 10,035 communes and their successors",
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="share of the provinces and communes, e.g. 0.01 for a test",
        )
        parser.add_argument("--years", type=int, default=3, help="years of work and reports")
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="the day the data is generated as of (YYYY-MM-DD)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="write nothing; print the counts and the digest"
        )

    def handle(self, *args, seed, shape, scale, years, today, dry_run, **options):
        token = current_source.set("command:generate_nation")
        try:
            summary = nation_generate(
                seed=seed,
                shape=shape,
                scale=scale,
                years=years,
                today=today or date.today(),
                dry_run=dry_run,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        finally:
            current_source.reset(token)
        for label, count in sorted(summary.counts.items()):
            self.stdout.write(f"{label:<32} {count:>10,}")
        for stage, seconds in summary.seconds.items():
            self.stdout.write(f"{stage:<32} {seconds:>9.1f} s")
        self.stdout.write(f"digest {summary.digest}")
