"""``manage.py export_plan (--document ID | --identifier "470/KH-LĐLĐ") --format pdf|docx|xlsx
--out FILE``: write a plan as its PDF, Word file or task spreadsheet, for scripts and tests."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from plans import exports
from plans.models import Document, DocumentStatus

WRITERS = {"pdf": exports.plan_pdf, "docx": exports.plan_docx, "xlsx": exports.plan_tasks_xlsx}


class Command(BaseCommand):
    help = "Export a plan as PDF, Word or a spreadsheet of its tasks."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--document", type=int, help="The document's number in Cascade.")
        which.add_argument(
            "--identifier",
            help='The identifier as written, e.g. "470/KH-LĐLĐ"; one without a number starts '
            'with a dash, so join it with "=": --identifier=-KH/HU.',
        )
        parser.add_argument("--format", choices=sorted(WRITERS), required=True)
        parser.add_argument("--out", required=True, help="The file to write.")

    def handle(self, *args, **options) -> None:
        documents = Document.objects.exclude(status=DocumentStatus.REFERENCE)
        if options["document"] is not None:
            found = list(documents.filter(pk=options["document"]))
            wanted = f"document {options['document']}"
        else:
            wanted = " ".join(options["identifier"].split())
            found = list(documents.filter(identifier=wanted)[:2])
        if not found:
            raise CommandError(f"No plan with its text in Cascade matches {wanted}.")
        if len(found) > 1:
            raise CommandError(
                f"{wanted} names more than one document (identifiers repeat across issuers and "
                "years): use --document with its number."
            )
        data = WRITERS[options["format"]](found[0])
        out = Path(options["out"])
        try:
            out.write_bytes(data)
        except OSError as error:
            raise CommandError(f"Cannot write {out}: {error.strerror}.") from None
        self.stdout.write(
            f"{found[0].identifier or found[0].title[:60]} → {out} ({len(data):,} bytes)"
        )
