"""Plans out of the system: Word (.docx) and PDF in the official layout, so a plan entered or
imported here goes back into the office's usual workflow."""

from __future__ import annotations

import io
from pathlib import Path

from django.conf import settings
from django.db.models import Min, Q
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from docx import Document as Docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from cascade.spreadsheets import Sheet, xlsx_bytes
from plans.models import Document
from plans.outline import Outline, assignment_sentence, plan_outline
from tasks.models import Task, TaskStatus

FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"


def _paragraph(doc, text: str, *, bold=False, italic=False, center=False, indent=False, size=14):
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic
    run.font.size = Pt(size)
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif indent:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = Cm(1.27)
    paragraph.paragraph_format.space_after = Pt(6)
    return paragraph


def _body_lines(outline: Outline) -> list[tuple[str, str]]:
    """The body as (kind, text) lines, shared by every format."""
    lines: list[tuple[str, str]] = []
    if outline.basis:
        lines.append(("para", outline.basis))
    number = 1
    if outline.targets:
        lines.append(("heading", f"{_roman(number)}. MỤC TIÊU"))
        number += 1
        lines.extend(("para", f"- {target}") for target in outline.targets)
    if outline.tasks:
        lines.append(("heading", f"{_roman(number)}. NHIỆM VỤ VÀ TỔ CHỨC THỰC HIỆN"))
        for index, task in enumerate(outline.tasks, start=1):
            lines.append(("para", f"{index}. {task.text}"))
            sentence = assignment_sentence(task)
            if sentence:
                lines.append(("para", sentence))
    return lines


def _roman(number: int) -> str:
    return ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"][number - 1]


def plan_docx(document: Document) -> bytes:
    """The plan as a Word document: A4, Times New Roman 14 pt, official header and tail."""
    outline = plan_outline(document)
    doc = Docx()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(14)
    if outline.superior:
        _paragraph(doc, outline.superior, size=13)
    _paragraph(doc, outline.issuer, bold=True, size=13)
    if outline.party:
        _paragraph(doc, "*", size=13)
    _paragraph(doc, outline.number_line, size=13)
    if outline.party:
        _paragraph(doc, "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, size=13)
    else:
        _paragraph(doc, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=13)
        _paragraph(doc, "Độc lập - Tự do - Hạnh phúc", bold=True)
    _paragraph(doc, outline.place_date, italic=True)
    if outline.draft:
        _paragraph(doc, "Dự thảo", bold=True, center=True)
    _paragraph(doc, outline.type_title, bold=True, center=True)
    _paragraph(doc, outline.title, bold=True, center=True)
    for kind, text in _body_lines(outline):
        _paragraph(doc, text, bold=kind == "heading", indent=True)
    _paragraph(doc, "Nơi nhận:", bold=True, size=12)
    recipients = [f"- {name}," for name in outline.recipients]
    recipients.append(f"- {outline.archive}")
    for line in recipients:
        _paragraph(doc, line, size=11)
    for line, bold in (
        (outline.signer_capacity, True),
        (outline.signer_title, True),
        (outline.signer_name, True),
    ):
        if line:
            _paragraph(doc, line, bold=bold, center=True)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def plan_pdf(document: Document) -> bytes:
    """The plan as a PDF in the party or state layout, with the project's own fonts so it
    looks the same on every machine."""
    from weasyprint import HTML

    outline = plan_outline(document)
    html = render_to_string(
        "documents/plan_pdf.html",
        {"outline": outline, "lines": _body_lines(outline), "font_dir": FONT_DIR.as_uri()},
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def plan_tasks_xlsx(document: Document) -> bytes:
    """The plan's tasks as a spreadsheet: one row per task with its section, its lead and
    coordinating units, the deadline as written and as read, the next open due date and its
    state. Headings follow the reader's language; the plan's own words stay as written."""
    outline = plan_outline(document)
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
            ", ".join(written.leads),
            ", ".join(written.supports),
            task.deadline_text,
            task.due_on,
            task.next_due,
            task.get_status_display(),
        ]
        for index, (task, written) in enumerate(zip(tasks, outline.tasks, strict=True), start=1)
    ]
    return xlsx_bytes([Sheet(title=str(_("Tasks")), header=header, rows=rows)])
