"""The annual report on carrying out a directive, laid out as the official document a leader
signs ("Báo cáo kết quả thực hiện Chỉ thị số 21-CT/TW năm 2025"), and rendered to PDF.

Built from whatever exists for the unit and the year: its annual report in the cascade (the
narrative, the task lines and the target figures) and the accepted reports of the units below
it, rolled up; without a report, from the unit's own plans and task occurrences of the period.
Anything not accepted carries the "DỰ THẢO" mark; confidential ("mật") plans and their tasks
are left out, since the report leaves their circle. The party layout (Hướng dẫn 36-HD/VPTW) or
the state layout (Nghị định 30/2020) follows the issuing unit's bloc, as for plans.

The words of the document are Vietnamese whatever the reader's language: it is the official
text, so everything here is built and rendered with Vietnamese active.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation

from plans.letterhead import (
    Letterhead,
    date_line,
    layout_for,
    letterhead,
    number_line,
    recipient_lines,
    signature_lines,
)
from plans.models import Document, DocumentStatus, Target
from plans.outline import TYPE_TITLES
from reports import rollup, selectors
from reports.models import Frequency, ReportRequest, ReportState, percent
from reports.periods import period
from tasks.models import Assignment, AssignmentRole, Occurrence, TaskStatus
from units.models import Unit

Progress = Callable[[int], None]


@dataclass
class TargetRow:
    """One line of the target table: the statement, the range the plan set, the unit's own
    figure and the figure summed from the accepted reports below."""

    text: str
    goal: str
    own: tuple[int | None, int | None]
    below: tuple[int | None, int | None]
    below_reports: int

    @property
    def own_percent(self) -> float | None:
        return percent(*self.own)

    @property
    def below_percent(self) -> float | None:
        return percent(*self.below)


@dataclass
class TaskRow:
    """One line of the task table."""

    text: str
    due_on: date | None
    status: str
    status_label: str
    evidence: str = ""
    lead: str = ""
    deadline_text: str = ""


@dataclass
class AnnualOutline:
    """Everything the annual report's rendering needs, already worded."""

    unit: Unit
    year: int
    directive: Document
    report: ReportRequest | None
    party: bool
    head: Letterhead
    title: str
    situation: list[str] = field(default_factory=list)
    results: list[str] = field(default_factory=list)
    targets: list[TargetRow] = field(default_factory=list)
    tasks: list[TaskRow] = field(default_factory=list)
    task_counts: tuple[int, int, int] = (0, 0, 0)
    chain_counts: tuple[int, int, int] | None = None
    expected_below: int = 0
    accepted_below: int = 0
    missing: list[tuple[str, str]] = field(default_factory=list)
    limitations: list[str] = field(default_factory=list)
    proposals: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    archive: str = "Lưu: VT"
    signer_capacity: list[str] = field(default_factory=list)
    signer_title: str = ""
    signer_name: str = ""
    draft: bool = True

    @property
    def recipient_lines(self) -> list[str]:
        return recipient_lines(self.recipients, self.archive, layout=self.head.layout)

    @property
    def watermark(self) -> bool:
        """A report not yet accepted is stamped across every page."""
        return self.draft

    @property
    def heading(self) -> str:
        return f"Báo cáo {self.title[0].lower()}{self.title[1:]}"


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# A title written to stand alone ("Thực hiện Chỉ thị…") continues a sentence in lower case;
# other first words may be names ("Chương trình mục tiêu quốc gia…") and keep their capital.
_SENTENCE_STARTS = ("thực", "triển", "về", "tổ", "quán", "tiếp", "nâng", "đẩy", "tăng", "học")


def _continuing(title: str) -> str:
    title = title.strip().rstrip(".")
    first = title.split(" ", 1)[0].lower()
    return title[0].lower() + title[1:] if first in _SENTENCE_STARTS else title


def _day(value: date | None) -> str:
    """ "04/5/2023": as dates are written in official text (months 1 and 2 take a zero)."""
    if value is None:
        return ""
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"{value.day:02d}/{month}/{value.year}"


def _goal(target: Target) -> str:
    def num(value: Decimal) -> str:
        return f"{value.normalize():f}".replace(".", ",")

    # "50–55%" but "90 cơ sở".
    unit = target.unit or ""
    unit = unit if unit == "%" or not unit else f" {unit}"
    if target.low is not None and target.high is not None and target.low != target.high:
        text = f"{num(target.low)}–{num(target.high)}{unit}"
    elif target.low is not None or target.high is not None:
        text = f"{num(target.low if target.low is not None else target.high)}{unit}"
    else:
        return ""
    return f"{text} (năm {target.horizon_year})" if target.horizon_year else text


def _number_line(unit: Unit) -> str:
    # The number is given when the office registers the report, so it stays blank here.
    return number_line(
        layout=layout_for(unit),
        identifier="",
        number="",
        doc_type="BC",
        issuer_code=unit.code or "…",
    )


def default_signer(unit: Unit, *, party: bool) -> tuple[str, str]:
    """Who signs for the unit when none of its plans says: the standing committee's secretary
    for a party committee, the chair for a People's Committee, the head otherwise."""
    if party:
        return "T/M BAN THƯỜNG VỤ", "BÍ THƯ"
    if unit.bloc == "government":
        return "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"
    return "TM. BAN THƯỜNG VỤ", "CHỦ TỊCH"


def find_directive(*, unit: Unit, year: int) -> Document | None:
    """The cascade the unit reports on for the year: the one of its annual report if it has
    one, else the one its latest plan belongs to, else the first directive at the top."""
    report = (
        ReportRequest.objects.filter(
            unit=unit, frequency=Frequency.ANNUAL, period_key=str(year), is_ad_hoc=False
        )
        .select_related("cascade_root")
        .order_by("pk")
        .first()
    )
    if report is not None:
        return report.cascade_root
    plan = (
        Document.objects.filter(issuer=unit, root__isnull=False)
        .select_related("root")
        .order_by("-issued_on", "-pk")
        .first()
    )
    if plan is not None:
        return plan.root
    return Document.objects.filter(depth=0, implementations__isnull=False).order_by("pk").first()


def annual_report_of(*, unit: Unit, year: int, directive: Document) -> ReportRequest | None:
    """The unit's annual report for ``year`` in the cascade of ``directive``, if asked for."""
    return (
        ReportRequest.objects.filter(
            unit=unit,
            frequency=Frequency.ANNUAL,
            period_key=str(year),
            cascade_root=directive,
            is_ad_hoc=False,
        )
        # The report that goes up and out is never the one owed to a confidential plan.
        .exclude(requirement__document__confidential=True)
        .select_related("receiver", "requirement__document")
        .order_by("pk")
        .first()
    )


def annual_outline(
    *, unit: Unit, year: int, directive: Document | None = None, progress: Progress | None = None
) -> AnnualOutline:
    """Gather the annual report of ``unit`` for ``year`` in the cascade of ``directive`` (found
    when not given). A fixed number of queries, whatever the number of tasks or units below."""
    step = progress or (lambda _percent: None)
    with translation.override("vi"):
        directive = directive or find_directive(unit=unit, year=year)
        if directive is None:
            raise ValueError("There is no directive to report on.")
        party = unit.uses_party_style
        parent = Unit.objects.get_parent(unit)
        report = annual_report_of(unit=unit, year=year, directive=directive)
        # A confidential ("mật") plan stays inside its circle: the report goes up and out.
        plans = list(
            Document.objects.filter(issuer=unit, confidential=False)
            .filter(Q(root=directive) | Q(pk=directive.pk))
            .exclude(status=DocumentStatus.REFERENCE)
            .order_by("issued_on", "pk")
        )
        step(15)
        signer_plan = next((p for p in reversed(plans) if p.signer_title), None)
        capacity, title = default_signer(unit, party=party)
        if signer_plan is not None:
            capacity = signer_plan.signer_capacity or capacity
            title = signer_plan.signer_title
        place = next((p.place for p in reversed(plans) if p.place), "")
        when = None
        if report is not None and report.state in (ReportState.SUBMITTED, ReportState.ACCEPTED):
            when = (report.submitted_at or report.accepted_at).date()
        type_name = TYPE_TITLES.get(directive.doc_type, directive.get_doc_type_display()).lower()
        issued = f" ngày {_day(directive.issued_on)}" if directive.issued_on else ""
        outline = AnnualOutline(
            unit=unit,
            year=year,
            directive=directive,
            report=report,
            party=party,
            head=letterhead(
                issuer=unit,
                issuer_name="",
                number=_number_line(unit),
                place_date=date_line(place, when),
            ),
            title=(
                f"Kết quả thực hiện {type_name.capitalize()} số {directive.identifier}{issued} "
                f"của {directive.issuer_label} năm {year}"
            ),
            # "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH" is two lines of the signature block.
            signer_capacity=signature_lines(capacity),
            signer_title=title,
            signer_name=signer_plan.signer_name if signer_plan else "",
            draft=report is None or report.state != ReportState.ACCEPTED,
        )
        _situation(outline, plans)
        step(30)
        if report is not None:
            _from_report(outline, report)
        else:
            _from_plans(outline, plans)
        step(60)
        receiver = report.receiver if report is not None else parent
        if receiver is not None:
            outline.recipients.append(f"{receiver.name} (b/c)")
        return outline


def _situation(outline: AnnualOutline, plans: list[Document]) -> None:
    """Section I: what the unit issued to carry the directive out, and how far the units
    below have gone."""
    unit, directive = outline.unit, outline.directive
    for plan in plans:
        if plan.pk == directive.pk:
            continue
        type_name = TYPE_TITLES.get(plan.doc_type, plan.get_doc_type_display()).capitalize()
        about = _continuing(plan.title)
        if plan.status == DocumentStatus.DRAFT:
            outline.situation.append(
                f"{unit.name} đang hoàn thiện dự thảo {type_name} {about}.".replace("  ", " ")
            )
            continue
        issued = f" ngày {_day(plan.issued_on)}" if plan.issued_on else ""
        outline.situation.append(
            f"{unit.name} đã ban hành {type_name} số {plan.identifier}{issued} {about}."
        )
    if not outline.situation:
        outline.situation.append(
            f"{unit.name} chưa ghi nhận văn bản triển khai {directive.identifier} trong hệ thống."
        )
    below = (
        Document.objects.filter(root=directive, issuer__path__startswith=unit.path)
        .exclude(issuer=unit)
        .exclude(status=DocumentStatus.REFERENCE)
        .exclude(confidential=True)
        .values("issuer")
        .distinct()
        .count()
    )
    if below:
        outline.situation.append(
            f"Có {below} đơn vị trực thuộc đã ban hành văn bản triển khai thực hiện."
        )


def _from_report(outline: AnnualOutline, report: ReportRequest) -> None:
    outline.results = _paragraphs(report.results)
    outline.limitations = _paragraphs(report.limitations)
    outline.proposals = _paragraphs(report.proposals)
    outline.task_counts = (report.tasks_done, report.tasks_in_progress, report.tasks_not_started)
    lines = report.task_lines.exclude(task__document__confidential=True)
    for line in lines.order_by("position", "pk"):
        outline.tasks.append(
            TaskRow(
                text=line.task_text,
                due_on=line.due_on,
                status=line.status,
                status_label=str(TaskStatus(line.status).label),
                evidence=line.evidence,
            )
        )
    summed = selectors.rollup_for(report)
    for measurement in report.measurements.select_related("target").order_by("position", "pk"):
        outline.targets.append(
            TargetRow(
                text=measurement.target.text,
                goal=_goal(measurement.target),
                own=(measurement.numerator, measurement.denominator),
                below=summed.totals.get(measurement.target_id, (None, None)),
                below_reports=summed.reporting.get(measurement.target_id, 0),
            )
        )
    _below(outline, summed)


def _from_plans(outline: AnnualOutline, plans: list[Document]) -> None:
    """No report yet: the unit's task occurrences of the year and its plans' targets, with
    whatever the units below have had accepted."""
    year = period(Frequency.ANNUAL, outline.year)
    in_cascade = Q(task__document__root=outline.directive) | Q(task__document=outline.directive)
    # Given to the unit, or set by its own plans for the units it leads.
    concerned = Q(unit=outline.unit) | Q(task__document__in=plans)
    assignments = list(
        Assignment.objects.filter(concerned, in_cascade, role=AssignmentRole.LEAD)
        .exclude(task__document__confidential=True)
        .select_related("task", "unit")
        .order_by("task__document", "task__position", "pk")
    )
    occurrences: dict[int, list[Occurrence]] = {}
    for occurrence in Occurrence.objects.filter(
        assignment__in=assignments, due_on__range=(year.starts_on, year.ends_on)
    ).order_by("due_on", "pk"):
        occurrences.setdefault(occurrence.assignment_id, []).append(occurrence)
    dated = set(
        Occurrence.objects.filter(assignment__in=assignments)
        .values_list("assignment_id", flat=True)
        .distinct()
    )
    # One line per task and due date, its lead units together (a task given to "các Công
    # đoàn ngành" is one task of the plan, not one per union).
    lines: dict[tuple[int, date | None], list[tuple[str, str]]] = {}
    for assignment in assignments:
        lead = assignment.unit.name if assignment.unit_id != outline.unit.pk else ""
        if assignment.pk in dated:
            # Dated work counts in the years it falls due.
            rows = [(o.due_on, o.status) for o in occurrences.get(assignment.pk, [])]
        else:
            # Words that give no date ("thường xuyên" without a cut-off, none at all) are
            # still the unit's work this year.
            rows = [(None, assignment.status)]
        for due_on, status in rows:
            lines.setdefault((assignment.task_id, due_on), []).append((lead, status))
    tasks = {a.task_id: a.task for a in assignments}
    counts = {TaskStatus.DONE: 0, TaskStatus.IN_PROGRESS: 0, TaskStatus.NOT_STARTED: 0}
    for (task_id, due_on), leads in lines.items():
        states = {status for _lead, status in leads}
        if states == {TaskStatus.DONE}:
            status = TaskStatus.DONE
        elif states == {TaskStatus.NOT_STARTED}:
            status = TaskStatus.NOT_STARTED
        else:
            status = TaskStatus.IN_PROGRESS
        counts[status] += 1
        task = tasks[task_id]
        outline.tasks.append(
            TaskRow(
                text=task.text,
                due_on=due_on,
                deadline_text=task.deadline_text,
                status=status,
                status_label=str(TaskStatus(status).label),
                lead=", ".join(dict.fromkeys(lead for lead, _status in leads if lead)),
            )
        )
    outline.task_counts = (
        counts[TaskStatus.DONE],
        counts[TaskStatus.IN_PROGRESS],
        counts[TaskStatus.NOT_STARTED],
    )
    targets = list(Target.objects.filter(document__in=plans).order_by("document", "position"))
    refs = [
        rollup.TargetRef(pk=t.pk, root_pk=root, text=t.text, unit=t.unit)
        for t, root in zip(
            targets, (selectors.root_targets(targets).get(t.pk, t.pk) for t in targets), strict=True
        )
    ]
    summed = rollup.compute(
        receiver_id=outline.unit.pk,
        period_key=str(outline.year),
        cascade_root_id=outline.directive.pk,
        targets=refs,
    )
    for target in targets:
        outline.targets.append(
            TargetRow(
                text=target.text,
                goal=_goal(target),
                own=(None, None),
                below=summed.totals.get(target.pk, (None, None)),
                below_reports=summed.reporting.get(target.pk, 0),
            )
        )
    _below(outline, summed)


def _below(outline: AnnualOutline, summed: rollup.Rollup) -> None:
    outline.expected_below = summed.expected
    outline.accepted_below = len(summed.accepted)
    if summed.expected:
        done, in_progress, not_started = outline.task_counts
        below = summed.tasks
        outline.chain_counts = (done + below[0], in_progress + below[1], not_started + below[2])
    outline.missing = [(source.unit_name, source.state_label()) for source in summed.missing]


FONT_DIR = settings.BASE_DIR / "static" / "fonts"


def annual_pdf_with_pages(
    outline: AnnualOutline, *, progress: Progress | None = None
) -> tuple[bytes, int]:
    """The annual report as a PDF, with the project's own fonts, and its number of pages."""
    from weasyprint import HTML

    step = progress or (lambda _percent: None)
    with translation.override("vi"):
        html = render_to_string(
            "documents/annual_report.html",
            {"outline": outline, "font_dir": FONT_DIR.as_uri()},
        )
    step(70)
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    step(90)
    return document.write_pdf(), len(document.pages)


def annual_pdf(outline: AnnualOutline) -> bytes:
    """The annual report as a PDF."""
    return annual_pdf_with_pages(outline)[0]


def file_name(outline: AnnualOutline) -> str:
    """ "bao-cao-21-CT-TW-2024-huyen-uy-kon-ray.pdf": plain letters, safe in any browser."""
    from cascade.text import fold

    words = "-".join(fold(outline.unit.name).split())
    identifier = outline.directive.identifier.replace("/", "-")
    return f"bao-cao-{fold(identifier).replace(' ', '-')}-{outline.year}-{words}.pdf"
