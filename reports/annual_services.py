"""Writes around the annual report PDF: asking for one, rendering it in a background job,
and rendering, every night, those of the reports accepted since their last rendering."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from background import services as background
from cascade.services import atomic_service
from plans.models import Document
from reports import annual
from reports.models import (
    AnnualReportFile,
    Frequency,
    RenderState,
    ReportRequest,
    ReportState,
)
from reports.selectors import units_with_reports_acted_on_by
from units.models import Unit

logger = logging.getLogger(__name__)

FIRST_YEAR, LAST_YEAR = 2000, 2100


RENDER_ACCEPTED_LOCK = "reports.render_accepted"
DEFAULT_RENDER_TIMEOUT = 15 * 60


def render_timeout() -> timedelta:
    """How long a render may go without progress before it is taken to be dead."""
    return timedelta(
        seconds=int(getattr(settings, "REPORTS_RENDER_TIMEOUT", DEFAULT_RENDER_TIMEOUT))
    )


def enqueue_render(file_id: int) -> None:
    """Render ``file_id`` once the transaction commits (in-process without a broker). When the
    broker cannot be reached the job is kept until it is back (and the nightly job would pick
    the file up)."""
    background.enqueue_on_commit("reports.jobs.render_annual_report", file_id)


@atomic_service
def annual_report_request(
    *,
    actor: AbstractBaseUser | None,
    unit: Unit,
    year: int,
    directive: Document | None = None,
) -> AnnualReportFile:
    """Ask for the annual report of ``unit`` for ``year`` as a PDF; a job renders it.

    The actor must act for the unit or for one its reports go to (staff, a leader or an
    administrator; an observer reads the reports but changes nothing, and asking for a
    rendering writes a file); ``None`` is the system (the nightly job, a command).
    """
    if actor is not None and not units_with_reports_acted_on_by(actor).filter(pk=unit.pk).exists():
        raise PermissionDenied(
            _("Observers read the reports; asking for a PDF is for those who act.")
        )
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError({"year": _("Give a year between 2000 and 2100.")})
    directive = directive or annual.find_directive(unit=unit, year=year)
    if directive is None:
        raise ValidationError(_("There is no directive in the system to report on."))
    report = annual.annual_report_of(unit=unit, year=year, directive=directive)
    pending = AnnualReportFile.objects.filter(
        unit=unit,
        year=year,
        cascade_root=directive,
        state__in=(RenderState.QUEUED, RenderState.RUNNING),
    ).first()
    if pending is not None:
        # Asking twice while it is being prepared shows the same progress.
        return pending
    file = AnnualReportFile.objects.create(
        unit=unit,
        year=year,
        cascade_root=directive,
        report=report,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action="create",
        instance=file,
        changes={"unit": unit.pk, "year": year, "directive": directive.pk},
    )
    enqueue_render(file.pk)
    return file


def annual_report_render(*, file_id: int) -> AnnualReportFile:
    """Render the PDF of a requested annual report and keep it.

    Not one transaction: each step's progress is committed at once so that the page polling
    it can show how far the job is. A failure is recorded on the row (and in the log) rather
    than lost, and the person sees it.
    """
    now = timezone.now()
    claimed = (
        AnnualReportFile.objects.filter(pk=file_id)
        .filter(
            Q(state__in=(RenderState.QUEUED, RenderState.FAILED))
            | Q(state=RenderState.RUNNING, heartbeat_at__lt=now - render_timeout())
            | Q(state=RenderState.RUNNING, heartbeat_at__isnull=True)
        )
        .update(state=RenderState.RUNNING, progress=5, error="", heartbeat_at=now)
    )
    file = AnnualReportFile.objects.select_related("unit", "cascade_root").get(pk=file_id)
    if not claimed:
        # Already rendered, or being rendered by a live worker (a redelivered message).
        logger.info("Annual report %s is rendered or being rendered; nothing to do.", file_id)
        return file

    def progress(percent: int) -> None:
        AnnualReportFile.objects.filter(pk=file_id).update(
            progress=percent, heartbeat_at=timezone.now()
        )

    try:
        outline = annual.annual_outline(
            unit=file.unit, year=file.year, directive=file.cascade_root, progress=progress
        )
        pdf, pages = annual.annual_pdf_with_pages(outline, progress=progress)
    except Exception as error:
        logger.exception("Annual report %s failed.", file_id)
        AnnualReportFile.objects.filter(pk=file_id).update(
            state=RenderState.FAILED, error=str(error)[:1000], finished_at=timezone.now()
        )
        file.refresh_from_db()
        audit_record(actor=None, action="fail", instance=file, changes={"error": file.error})
        return file
    with transaction.atomic():
        file.file.save(annual.file_name(outline), ContentFile(pdf), save=False)
        file.name = annual.file_name(outline)
        file.draft = outline.draft
        file.pages = pages
        file.report = outline.report
        file.state = RenderState.DONE
        file.progress = 100
        file.finished_at = timezone.now()
        file.save()
        audit_record(
            actor=None,
            action="render",
            instance=file,
            changes={"state": RenderState.DONE, "draft": file.draft, "pages": pages},
        )
    return file


def annual_reports_render_accepted(*, year: int | None = None) -> int:
    """Ask for the PDF of every accepted annual report (of ``year``, or of every year) that
    has no final rendering made since it was accepted, so the files are ready when leaders
    look; and render again the files whose render died with its worker. Returns how many
    were asked for.

    One run at a time: a second one started meanwhile returns 0 and says so in the log."""
    with background.run_alone(RENDER_ACCEPTED_LOCK) as alone:
        if not alone:
            logger.warning("The nightly renders are running already; this run does nothing.")
            return 0
        return _render_accepted(year=year)


@atomic_service
def _render_accepted(*, year: int | None) -> int:
    stale = AnnualReportFile.objects.filter(
        Q(heartbeat_at__lt=timezone.now() - render_timeout()) | Q(heartbeat_at__isnull=True),
        state=RenderState.RUNNING,
    )
    if year is not None:
        stale = stale.filter(year=year)
    for file_id in stale.values_list("pk", flat=True):
        enqueue_render(file_id)
    rendered = AnnualReportFile.objects.filter(
        report=OuterRef("pk"),
        state=RenderState.DONE,
        draft=False,
        finished_at__gte=OuterRef("accepted_at"),
    )
    waiting = AnnualReportFile.objects.filter(
        report=OuterRef("pk"), state__in=(RenderState.QUEUED, RenderState.RUNNING)
    )  # a stale running one is queued again above
    reports = ReportRequest.objects.filter(
        state=ReportState.ACCEPTED, frequency=Frequency.ANNUAL, is_ad_hoc=False
    ).filter(~Q(Exists(rendered)), ~Q(Exists(waiting)))
    if year is not None:
        reports = reports.filter(period_key=str(year))
    count = 0
    for report in reports.select_related("unit", "cascade_root").order_by(F("unit__path")):
        annual_report_request(
            actor=None,
            unit=report.unit,
            year=int(report.period_key[:4]),
            directive=report.cascade_root,
        )
        count += 1
    return count
