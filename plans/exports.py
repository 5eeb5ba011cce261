"""Plans out of the system: Word (.docx) and PDF in the official layout, so a plan entered or
imported here goes back into the office's usual workflow."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db.models import Min, Q
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from cascade.spreadsheets import Sheet, xlsx_bytes
from plans.models import Document
from plans.outline import Outline, plan_outline
from plans.word import outline_docx
from tasks.models import Task, TaskStatus

FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"


def plan_docx(document: Document) -> bytes:
    """The plan as a Word file in the layout of its PDF (``plans.word``)."""
    return outline_docx(plan_outline(document))


def plan_pdf(document: Document) -> bytes:
    """The plan as a PDF in the party or state layout, with the project's own fonts so it
    looks the same on every machine."""
    from weasyprint import HTML

    html = plan_html(plan_outline(document))
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def plan_html(outline: Outline) -> str:
    """The laid-out plan as HTML: a whole page for the PDF."""
    return render_to_string(
        "documents/plan_pdf.html", {"outline": outline, "font_dir": FONT_DIR.as_uri()}
    )


def plan_tasks_xlsx(document: Document) -> bytes:
    """The plan's tasks as a spreadsheet: one row per task with its section, its lead and
    coordinating units, the deadline as written and as read, the next open due date and its
    state. Headings follow the reader's language; the plan's own words stay as written."""
    tasks = (
        Task.objects.filter(document=document)
        .order_by("position", "pk")
        .annotate(
            next_due=Min("occurrences__due_on", filter=~Q(occurrences__status=TaskStatus.DONE))
        )
    )
    header = [
        _("No."),
        _("Section"),
        _("Task"),
        _("Lead"),
        _("Coordinating"),
        _("Deadline as written"),
        _("First due date"),
        _("Next due date"),
        _("Status"),
    ]
    rows = [
        [
            index,
            task.section,
            task.text,
            task.lead_text,
            task.support_text,
            task.deadline_text,
            task.due_on,
            task.next_due,
            task.get_status_display(),
        ]
        for index, task in enumerate(tasks, start=1)
    ]
    return xlsx_bytes([Sheet(title=str(_("Tasks")), header=header, rows=rows)])
