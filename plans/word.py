"""A plan as a Word file laid out like its PDF (docs/official-layouts.md): the two-column head
in a table without borders with its rules, the title, every part of the outline, "Nơi nhận"
beside the signature, page numbers from page 2. A clerk edits it instead of retyping it, and
the importer reads it back to the same document."""

from __future__ import annotations

import io
import re

from docx import Document as Docx
from docx.enum.section import WD_SECTION_START
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from plans.letterhead import Letterhead
from plans.outline import Outline, Paragraph

FONT = "Times New Roman"
TEXT_WIDTH_CM = 16.5  # A4 less 30 mm left and 15 mm right
HEAD_LEFT_CM = 6.9
PARTY_HEAD_LEFT_CM = 7.6
TAIL_LEFT_CM = 7.9


# Characters XML 1.0 does not allow (control characters pasted from Word, such as its vertical
# tab for a manual line break): a line or page break prints as a space, the rest are dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub(lambda m: " " if m.group() in "\x0b\x0c" else "", text)


def _run(
    paragraph: DocxParagraph,
    text: str,
    *,
    size: float = 14,
    bold=False,
    italic=False,
    underline=False,
):
    run = paragraph.add_run(_xml_safe(text))
    run.font.size = Pt(size)
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.name = FONT
    return run


def _spacing(
    paragraph: DocxParagraph, *, after: float = 0, before: float = 0, line: float = 1.0
) -> None:
    fmt = paragraph.paragraph_format
    fmt.space_after, fmt.space_before = Pt(after), Pt(before)
    fmt.line_spacing = line


def _centred(container, text: str, **style) -> DocxParagraph:
    paragraph = container.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(paragraph)
    if text:
        _run(paragraph, text, **style)
    return paragraph


def _rule(container, *, width_cm: float, column_cm: float) -> None:
    """A short centred line: a paragraph's bottom border, narrowed by its indents."""
    paragraph = container.add_paragraph()
    _spacing(paragraph, before=1, after=3)
    # A few points high, so the line sits just under the words above it, not through them.
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph.paragraph_format.line_spacing = Pt(5)
    side = max((column_cm - width_cm) / 2, 0)
    paragraph.paragraph_format.left_indent = Cm(side)
    paragraph.paragraph_format.right_indent = Cm(side)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)
    _run(paragraph, "", size=2)


def _table(doc, widths: tuple[float, float]):
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for cell, width in zip(table.rows[0].cells, widths, strict=True):
        cell.width = Cm(width)
        # A new cell holds one empty paragraph; the writers below add their own.
        cell._tc.remove(cell.paragraphs[0]._p)
    return table.rows[0].cells


def _head(doc, head: Letterhead) -> None:
    # The state's right column holds the national title at 12 pt (about 9.5 cm); the party's
    # holds a shorter line, so its left column, at 14 pt, takes more.
    left_cm = PARTY_HEAD_LEFT_CM if head.party else HEAD_LEFT_CM
    left, right = _table(doc, (left_cm, TEXT_WIDTH_CM - left_cm))
    size = head.sizes
    for line in head.superior_lines:
        _centred(left, line, size=size["head"])
    for line in head.issuer_lines:
        _centred(left, line, size=size["head"], bold=True)
    if head.separator:
        _centred(left, head.separator, size=size["head"])
    else:
        _rule(left, width_cm=2.6, column_cm=left_cm)
    _centred(left, head.number_line, size=size["number"])
    for at, line in enumerate(head.right_lines):
        _centred(
            right,
            line.replace(" ", "\u00a0"),
            size=size["motto"] if at == 0 else 13,
            bold=True,
            underline=head.layout != "state",
        )
    if head.layout == "state":
        _rule(right, width_cm=5.6, column_cm=TEXT_WIDTH_CM - left_cm)
    _centred(right, "", size=6)
    date = _centred(right, head.place_date, size=14, italic=True)
    date.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fill(left)
    _fill(right)


def _fill(cell: _Cell) -> None:
    if not cell.paragraphs:
        cell.add_paragraph()


def _body_paragraph(doc, paragraph: Paragraph) -> None:
    out = doc.add_paragraph()
    out.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt = out.paragraph_format
    fmt.first_line_indent = Cm(1.27)
    _spacing(out, after=6, line=1.1)
    heading = paragraph.kind == "heading"
    # A heading is never left alone at the foot of a page.
    fmt.keep_with_next = heading
    bold = heading and paragraph.strong and paragraph.level <= 3
    italic = heading and paragraph.strong and paragraph.level >= 3
    if paragraph.marker:
        _run(out, paragraph.marker + " ", bold=heading, italic=italic)
    _run(out, paragraph.text, bold=bold, italic=italic)
    if paragraph.note:
        note = doc.add_paragraph()
        note.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        note.paragraph_format.first_line_indent = Cm(1.27)
        _spacing(note, after=6)
        _run(note, paragraph.note, size=13, italic=True)


def _tail(doc, outline: Outline) -> None:
    _centred(doc, "", size=6)
    left, right = _table(doc, (TAIL_LEFT_CM, TEXT_WIDTH_CM - TAIL_LEFT_CM))
    if outline.recipient_lines:
        label = left.add_paragraph()
        _spacing(label)
        _run(
            label,
            "Nơi nhận:",
            size=12,
            bold=True,
            italic=not outline.party,
            underline=outline.party,
        )
        for entry in outline.recipient_lines:
            line = left.add_paragraph()
            _spacing(line)
            _run(line, entry, size=11)
    for line in outline.signer_capacity:
        _centred(right, line, size=14, bold=True)
    if outline.signer_title:
        _centred(right, outline.signer_title, size=14, bold=not outline.party)
    for _ in range(4):
        _centred(right, "", size=14)
    if outline.signer_name:
        _centred(right, outline.signer_name, size=14, bold=True)
    _fill(left)
    _fill(right)


def _page_numbers(section) -> None:
    """Page numbers top centre from page 2: the first page's header is left empty."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    run.font.size = Pt(13)
    run.font.name = FONT
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def outline_docx(outline: Outline) -> bytes:
    """The Word file of a laid-out plan."""
    doc = Docx()
    section = doc.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    section.header_distance = Cm(1)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    _page_numbers(section)
    _head(doc, outline.head)
    if outline.draft:
        mark = doc.add_paragraph()
        mark.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _spacing(mark, before=6)
        _run(mark, "Dự thảo", bold=True)
    _centred(doc, "", size=8)
    _centred(doc, outline.type_title, size=outline.head.sizes["type"], bold=True)
    _centred(doc, outline.title, size=14, bold=True)
    _rule(doc, width_cm=4, column_cm=TEXT_WIDTH_CM)
    for paragraph in outline.paragraphs:
        _body_paragraph(doc, paragraph)
    _tail(doc, outline)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
