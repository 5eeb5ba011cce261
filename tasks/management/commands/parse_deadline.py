"""``manage.py parse_deadline``: read deadline phrases from standard input, one per line, and
print what the parser makes of each, in the same order."""

import json
import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tasks.deadlines import parse_deadline


class Command(BaseCommand):
    help = (
        "Parse Vietnamese deadline phrases (one per line on standard input). With --json, print "
        "one JSON object per line: text, kind, due, next, on_demand."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--issued-on",
            help="The document's issue date (YYYY-MM-DD) the phrases are read against.",
        )
        parser.add_argument("--json", action="store_true", help="Print JSON lines.")

    def handle(self, *args, **options) -> None:
        issued_on = None
        if options["issued_on"]:
            try:
                issued_on = date.fromisoformat(options["issued_on"])
            except ValueError:
                raise CommandError(
                    f"--issued-on must be a date written YYYY-MM-DD, not {options['issued_on']!r}."
                ) from None
        # Bytes that are not UTF-8 are replaced rather than refused: each line still gets its
        # answer (unparsed), so the output stays aligned with the input.
        raw = sys.stdin.buffer.read().decode("utf-8", errors="replace")
        lines = raw.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        out = self.stdout
        for line in lines:
            result = parse_deadline(line.rstrip("\r"), issued_on).as_json(issued_on)
            if options["json"]:
                out.write(json.dumps(result, ensure_ascii=False))
            else:
                due = result["due"] or "—"
                upcoming = ", ".join(result["next"])
                demand = " +on demand" if result["on_demand"] else ""
                out.write(f"{result['kind']:<10} {due:<10} {upcoming}{demand}  | {result['text']}")
