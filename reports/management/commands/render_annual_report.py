"""``manage.py render_annual_report --unit NAME --year YYYY --out FILE.pdf``: render a unit's
annual report from whatever data exists, for operators and checks."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cascade.text import fold
from plans.models import Document
from reports.annual import annual_outline, annual_pdf
from units.models import Unit


def unit_named(name: str) -> Unit:
    """The unit shown in the product as ``name`` (diacritics and case must match unless only
    one unit matches without them); a clear error when none or several do."""
    exact = list(Unit.objects.filter(name=name.strip()))
    if len(exact) == 1:
        return exact[0]
    key = fold(name)
    loose = exact or [
        unit for unit in Unit.objects.filter(search_text__contains=key) if fold(unit.name) == key
    ]
    if len(loose) == 1:
        return loose[0]
    if not loose:
        raise CommandError(f'No unit is called "{name}". Give the name as the product shows it.')
    places = "; ".join(f"{unit.name} (id {unit.pk})" for unit in loose[:10])
    raise CommandError(f'Several units are called "{name}": {places}. Use --unit-id.')


class Command(BaseCommand):
    help = (
        "Render a unit's annual report on a directive for a year as a PDF, from its report "
        "and the accepted reports below it (or, without a report, from its plans and tasks). "
        "Anything not accepted carries the DỰ THẢO mark."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--unit", help="the unit's name as the product shows it")
        parser.add_argument("--unit-id", type=int, help="the unit's id, when names repeat")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--out", required=True, help="the PDF file to write")
        parser.add_argument(
            "--directive", help="identifier of the directive (default: the unit's cascade)"
        )

    def handle(self, *args, **options) -> None:
        if options["unit_id"]:
            unit = Unit.objects.filter(pk=options["unit_id"]).first()
            if unit is None:
                raise CommandError(f"No unit has id {options['unit_id']}.")
        elif options["unit"]:
            unit = unit_named(options["unit"])
        else:
            raise CommandError("Give --unit NAME (or --unit-id).")
        if not 2000 <= options["year"] <= 2100:
            raise CommandError("--year must be a year such as 2025.")
        directive = None
        if options["directive"]:
            directive = (
                Document.objects.filter(identifier=options["directive"], depth=0)
                .order_by("pk")
                .first()
            )
            if directive is None:
                raise CommandError(f"No directive {options['directive']} is in the system.")
        try:
            outline = annual_outline(unit=unit, year=options["year"], directive=directive)
        except ValueError as error:
            raise CommandError(str(error)) from None
        out = Path(options["out"])
        try:
            out.write_bytes(annual_pdf(outline))
        except OSError as error:
            raise CommandError(f"Cannot write {out}: {error.strerror}.") from None
        state = "draft" if outline.draft else "accepted"
        self.stdout.write(f"{out} ({state}, {outline.directive.identifier}, {unit.name})")
