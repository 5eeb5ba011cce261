"""``manage.py import_plan PATH [--dry-run] --json``: extract a plan from a .docx or .txt file
and, unless --dry-run, save it into the cascade as the review page would after confirmation."""

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from audit.services import current_source
from plans.importing import SourceError, extract_plan, read_source
from plans.importing.service import plan_import_preview, plan_import_save
from units.models import Unit
from units.selectors import resolve_unit


class Command(BaseCommand):
    help = "Import an implementing plan from a .docx or .txt file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The .docx or .txt file.")
        parser.add_argument("--dry-run", action="store_true", help="Extract only; save nothing.")
        parser.add_argument("--json", action="store_true", help="Print the extraction as JSON.")
        parser.add_argument(
            "--issuer", help="The issuing unit's name, when the text does not say it plainly."
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["path"])
        try:
            text = read_source(path)
        except SourceError as error:
            raise CommandError(f"{path.name}: {error.message_en}") from None
        extraction = extract_plan(text, today=timezone.localdate())
        root = Unit.objects.filter(depth=1).order_by("path").first()
        issuer = None
        if options["issuer"]:
            issuer = resolve_unit(options["issuer"], near=root) if root else None
            if issuer is None:
                raise CommandError(f"No unit is called {options['issuer']!r}.")
        if not options["dry_run"]:
            preview = plan_import_preview(user=None, extraction=extraction, issuer=issuer)
            if preview.issuer is None:
                raise CommandError(
                    f"The issuing body {extraction.get('issuer')!r} is not a unit of the "
                    "system; name it with --issuer."
                )
            token = current_source.set("command:import_plan")
            try:
                document = plan_import_save(
                    actor=None,
                    extraction=extraction,
                    issuer=preview.issuer,
                    body=text,
                    preview=preview,
                )
            except (ValidationError, PermissionDenied) as error:
                raise CommandError(f"Not saved: {error}") from None
            finally:
                current_source.reset(token)
            extraction["saved"] = {"id": document.pk, "identifier": document.identifier}
        if options["json"]:
            payload = {key: value for key, value in extraction.items() if key != "sections"}
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
        else:
            self.stdout.write(
                f"{extraction.get('identifier') or '(no number)'} — {extraction.get('issuer')}: "
                f"{len(extraction.get('tasks') or [])} tasks, "
                f"{len(extraction.get('warnings') or [])} warnings"
            )
