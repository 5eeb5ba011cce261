"""A plan as its issuer wrote it: the head, the title, every part of its outline in order
(basis, headings, paragraphs, tasks at their place, closing), recipients and signature. The
plan page, the PDF and the Word file all render this one structure; the layout rules are in
:mod:`plans.letterhead` and docs/official-layouts.md."""

from __future__ import annotations

from dataclasses import dataclass, field

from plans.letterhead import (
    Letterhead,
    date_line,
    letterhead,
    number_line,
    recipient_lines,
    signature_lines,
    superior_line,
)
from plans.models import (
    DocType,
    Document,
    DocumentStatus,
    OutlineSource,
    Part,
    PartKind,
    RecipientPurpose,
)
from tasks.models import Task

__all__ = ["TYPE_TITLES", "Outline", "date_line", "plan_outline", "superior_line"]

# The mark each purpose carries after a recipient's name.
PURPOSE_MARKS: dict[str, str] = {
    RecipientPurpose.REPORT_TO: " (b/c)",
    RecipientPurpose.CARRY_OUT: " (t/h)",
    RecipientPurpose.INFORMATION: " (để biết)",
}
TYPE_TITLES: dict[str, str] = {
    DocType.PLAN: "KẾ HOẠCH",
    DocType.DIRECTIVE: "CHỈ THỊ",
    DocType.GUIDE: "HƯỚNG DẪN",
    DocType.PROGRAMME: "CHƯƠNG TRÌNH",
    DocType.ACTION_PROGRAMME: "CHƯƠNG TRÌNH HÀNH ĐỘNG",
    DocType.RESOLUTION: "NGHỊ QUYẾT",
    DocType.CONCLUSION: "KẾT LUẬN",
    DocType.REPORT: "BÁO CÁO",
    DocType.NOTICE: "THÔNG BÁO",
    DocType.SCHEME: "ĐỀ ÁN",
}
# A numbered heading longer than this is a numbered paragraph: only its marker is bold.
SHORT_HEADING = 160


@dataclass
class Piece:
    """Words of a paragraph; ``task_id`` when they are a task's (the page links them)."""

    text: str
    task_id: int | None = None


@dataclass
class Paragraph:
    """One printed paragraph: a heading (level 1–6) or text, its marker as written, and its
    words, possibly several tasks' duties joined by "; "."""

    kind: str
    level: int
    marker: str
    pieces: list[Piece]
    note: str = ""  # who leads, for tasks of an outline not read from a text

    @property
    def text(self) -> str:
        return "; ".join(piece.text for piece in self.pieces)

    @property
    def line(self) -> str:
        return f"{self.marker} {self.text}".strip() if self.marker else self.text

    @property
    def strong(self) -> bool:
        """A heading prints bold in full when it names a section; a numbered paragraph that
        is long or gives work ("2- Hội đồng nhân dân huyện tăng cường giám sát …") has only
        its marker bold."""
        return (
            self.kind == PartKind.HEADING
            and len(self.text) <= SHORT_HEADING
            and all(piece.task_id is None for piece in self.pieces)
        )

    @property
    def css(self) -> str:
        if self.kind == PartKind.HEADING:
            return f"heading h{min(self.level, 6)}{'' if self.strong else ' long'}"
        return "para"


@dataclass
class Outline:
    """Everything an official rendering of a plan needs, already worded."""

    head: Letterhead
    type_title: str
    title: str
    draft: bool
    paragraphs: list[Paragraph] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    archive: str = ""
    signer_capacity: list[str] = field(default_factory=list)
    signer_title: str = ""
    signer_name: str = ""
    source: str = ""

    @property
    def party(self) -> bool:
        return self.head.party

    @property
    def recipient_lines(self) -> list[str]:
        return recipient_lines(self.recipients, self.archive, layout=self.head.layout)


def _note(task: Task) -> str:
    """ "Chủ trì: …; phối hợp: …; thời hạn: …" for a task whose words were not read from a
    text (entered here, or rebuilt from tasks): the assignment is otherwise not on paper."""
    bits = []
    if task.lead_text:
        bits.append(f"Chủ trì: {task.lead_text}")
    if task.support_text:
        bits.append(f"phối hợp: {task.support_text}")
    if task.deadline_text:
        bits.append(f"thời hạn: {task.deadline_text}")
    return "; ".join(bits) + ("." if bits else "")


def _paragraphs(document: Document, parts: list[Part], tasks: dict[int, Task]) -> list[Paragraph]:
    with_notes = document.outline_source != OutlineSource.TEXT
    paragraphs: list[Paragraph] = []
    for part in parts:
        task = tasks.get(part.pk)
        piece = Piece(task.text if task is not None else part.text, task.pk if task else None)
        if not piece.text:
            # The place of a task deleted since: nothing is written there any more.
            continue
        if part.joins and paragraphs:
            paragraphs[-1].pieces.append(piece)
            continue
        paragraphs.append(
            Paragraph(
                kind=part.kind,
                level=part.level,
                marker=part.marker,
                pieces=[piece],
                note=_note(task) if task is not None and with_notes else "",
            )
        )
    return paragraphs


def _unplaced(tasks: list[Task]) -> list[Paragraph]:
    """Tasks written straight to the database without a place in the text (the synthetic
    nation's) still print, at the end, with who leads them."""
    return [
        Paragraph(
            kind=PartKind.TEXT, level=0, marker="-", pieces=[Piece(t.text, t.pk)], note=_note(t)
        )
        for t in tasks
    ]


def plan_outline(document: Document) -> Outline:
    """Lay out ``document`` for the page and the exports, in a fixed number of queries: its
    parts, tasks and recipients are read once each, or taken from the caller's prefetch (the
    plan's page prefetches them for its other sections)."""
    parts = list(document.parts.all())
    tasks: dict[int, Task] = {}
    unplaced: list[Task] = []
    for task in sorted(document.tasks.all(), key=lambda t: (t.position, t.pk)):
        if task.part_id is None:
            unplaced.append(task)
        else:
            tasks[task.part_id] = task
    issuer = document.issuer
    head = letterhead(
        issuer=issuer,
        issuer_name=document.issuer_name,
        number=number_line(
            layout="",
            identifier=document.identifier,
            number=document.number,
            doc_type=document.doc_type,
            issuer_code=document.issuer_code,
        ),
        place_date=date_line(document.place, document.issued_on, year=document.issued_year),
        style=document.style,
    )
    # The number line depends on the layout, known once the head is.
    head.number_line = number_line(
        layout=head.layout,
        identifier=document.identifier,
        number=document.number,
        doc_type=document.doc_type,
        issuer_code=document.issuer_code,
    )
    outline = Outline(
        head=head,
        type_title=TYPE_TITLES.get(document.doc_type, document.get_doc_type_display().upper()),
        title=document.title,
        draft=document.status != DocumentStatus.ISSUED,
        paragraphs=_paragraphs(document, parts, tasks) + _unplaced(unplaced),
        signer_capacity=signature_lines(document.signer_capacity),
        signer_title=document.signer_title,
        signer_name=document.signer_name,
        source=document.outline_source,
    )
    for recipient in document.recipients.all():
        if recipient.purpose == RecipientPurpose.ARCHIVE:
            outline.archive = f"Lưu: {recipient.name}"
        else:
            outline.recipients.append(recipient.name + PURPOSE_MARKS.get(recipient.purpose, ""))
    return outline
