"""Pages of the report chain. Views read input, call a selector or a service, and render;
every object is fetched through its scoping queryset, so what a user may not see is a 404."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cascade.forms import add_service_errors, conflict_context
from cascade.services import in_one_transaction
from plans.models import Document
from reports import annual_services, selectors, services
from reports.forms import (
    AdHocForm,
    AnnualReportForm,
    AttachmentForm,
    ReopenForm,
    ReportForm,
    RequirementForm,
    RequirementUpdateForm,
    RescheduleForm,
    ReviewForm,
)
from reports.models import (
    AnnualReportFile,
    Frequency,
    RenderState,
    ReportAttachment,
    ReportRequest,
    ReportRequirement,
    ReportState,
)
from reports.rollup import changes_since
from units.models import Unit


def _messages_from(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for messages_ in error.message_dict.values() for m in messages_]
    return list(error.messages)


def _show_errors(request: HttpRequest, error: ValidationError) -> None:
    """A service's refusal, shown at the top of the page the view redirects to."""
    for message in _messages_from(error):
        messages.error(request, message)


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    """The reports the user's units send and those sent to them, with state and due date."""
    box = request.GET.get("box", "")
    state = request.GET.get("state", "")
    period = request.GET.get("period", "")[:40]
    lists = selectors.report_list(user=request.user, box=box, state=state, period=period)
    context = {
        **lists,
        "box": box,
        "state": state,
        "period": period,
        "states": ReportState.choices,
        "today": timezone.localdate(),
    }
    template = "reports/report_list.html#lists" if request.htmx else "reports/report_list.html"
    return render(request, template, context)


def _page_context(request: HttpRequest, report: ReportRequest, form: ReportForm | None = None):
    user = request.user
    actions = services.report_actions(user=user, report=report)
    editable = actions.editable
    consolidating = report.rolled_up_at is not None or selectors.is_consolidating(report)
    summary = selectors.rollup_for(report) if consolidating else None
    changes = changes_since(report.rollup_snapshot, summary) if summary and report.is_stale else []
    if editable and form is None and report.state != ReportState.NOT_STARTED:
        form = ReportForm(report=report)
    return {
        "report": report,
        "editable": editable,
        "can_review": actions.review,
        "can_reopen": actions.reopen,
        "manageable": actions.manage,
        "summary": summary,
        "changes": changes,
        "form": form if editable else None,
        "review_form": ReviewForm(),
        "reopen_form": ReopenForm(),
        "attachment_form": AttachmentForm(),
        "reschedule_form": RescheduleForm(
            initial={
                "due_on": report.due_on,
                "period_starts_on": report.period_starts_on,
                "period_ends_on": report.period_ends_on,
            }
        ),
        "today": timezone.localdate(),
        "overdue": report.is_overdue(timezone.localdate()),
        "returned_comment": _returned_comment(report),
        **_annual_context(user, report),
    }


def _annual_context(user, report: ReportRequest) -> dict:
    """The annual report PDF section, on the page of an annual report."""
    if report.frequency != Frequency.ANNUAL or report.is_ad_hoc:
        return {}
    year = int(report.period_key[:4])
    return {
        "annual_year": year,
        # Observers see the files already made; the button is for those who may ask.
        "may_request_annual": selectors.units_with_reports_acted_on_by(user)
        .filter(pk=report.unit_id)
        .exists(),
        "annual_files": selectors.annual_files(
            user=user, unit=report.unit, year=year, cascade_root_id=report.cascade_root_id
        ),
    }


def _returned_comment(report: ReportRequest) -> str:
    """Why a returned report came back: the comment of its last return."""
    if report.state != ReportState.RETURNED:
        return ""
    returns = [h for h in report.history.all() if h.to_state == ReportState.RETURNED]
    return returns[-1].comment if returns else ""


def _report(request: HttpRequest, pk: int) -> ReportRequest:
    try:
        return selectors.report_for_page(user=request.user, pk=pk)
    except ReportRequest.DoesNotExist:
        raise Http404 from None


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    return render(request, "reports/report_detail.html", _page_context(request, report))


@login_required
@require_POST
def report_start(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(ReportRequest.objects.editable_by(request.user), pk=pk)
    services.report_start(actor=request.user, report=report)
    return redirect("reports:detail", pk=pk)


@login_required
@require_POST
def report_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the report; with ``action=submit`` also submit it. With htmx (saving a draft) the
    editor is redrawn in place."""
    report = _report(request, pk)
    if not ReportRequest.objects.editable_by(request.user).filter(pk=pk).exists():
        return _unsaved(request, report)
    form = ReportForm(request.POST, report=report)
    submit = request.POST.get("action") == "submit"
    saved = False
    conflict: dict = {}
    if form.is_valid():
        try:
            _save_and_submit(
                actor=request.user, report=report, submit=submit, **form.service_arguments()
            )
            saved = True
        except ValidationError as error:
            add_service_errors(form, error)
            conflict = conflict_context(form, error)
    if form.errors or not saved:
        context = {**_page_context(request, _report(request, pk), form), **conflict}
        # htmx swaps only successful responses: the form with its errors comes back as 200.
        template = "reports/report_detail.html#editor" if request.htmx else None
        return render(request, template or "reports/report_detail.html", context)
    if submit:
        messages.success(request, _("The report was submitted."))
        return redirect("reports:detail", pk=pk)
    if request.htmx:
        context = _page_context(request, _report(request, pk))
        context["saved_at"] = timezone.localtime()
        return render(request, "reports/report_detail.html#editor", context)
    messages.success(request, _("The draft was saved."))
    return redirect("reports:detail", pk=pk)


@in_one_transaction
def _save_and_submit(*, actor, report: ReportRequest, submit: bool, **arguments) -> None:
    """ "Save" and "save and submit" are one action: both services in one transaction, so a
    refused submit, or a worker killed between the two, leaves the report as it was."""
    services.report_save_draft(actor=actor, report=report, **arguments)
    if submit:
        services.report_submit(actor=actor, report=report)


def _unsaved(request: HttpRequest, report: ReportRequest) -> HttpResponse:
    """A save that can no longer be made (the report was submitted, accepted or taken out of
    this person's hands while they wrote): their text comes back to them instead of a 404,
    so nothing they typed is lost."""
    unsaved = [
        (_("Results"), request.POST.get("results", "")),
        (_("Limitations and causes"), request.POST.get("limitations", "")),
        (_("Proposals"), request.POST.get("proposals", "")),
    ]
    if request.htmx:
        context = {"report": report, "unsaved": unsaved}
        return render(request, "reports/report_detail.html#unsaved", context)
    context = {**_page_context(request, report), "unsaved": unsaved}
    return render(request, "reports/report_detail.html", context, status=409)


@login_required
@require_POST
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept or return a submitted report (the receiving unit's leaders)."""
    report = get_object_or_404(ReportRequest.objects.reviewable_by(request.user), pk=pk)
    form = ReviewForm(request.POST)
    form.is_valid()
    comment = form.cleaned_data.get("comment", "")
    try:
        if request.POST.get("action") == "accept":
            services.report_accept(actor=request.user, report=report, comment=comment)
            messages.success(request, _("The report was accepted."))
        else:
            services.report_return(actor=request.user, report=report, comment=comment)
            messages.success(request, _("The report was returned for revision."))
    except ValidationError as error:
        _show_errors(request, error)
    return redirect("reports:detail", pk=pk)


@login_required
@require_POST
def report_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(ReportRequest.objects.reviewable_by(request.user), pk=pk)
    form = ReopenForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        services.report_reopen(actor=request.user, report=report, comment=comment)
        messages.success(request, _("The report was re-opened for revision."))
    except ValidationError as error:
        _show_errors(request, error)
    return redirect("reports:detail", pk=pk)


@login_required
@require_POST
def report_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    """Fill the figures again from the accepted reports below."""
    report = get_object_or_404(ReportRequest.objects.editable_by(request.user), pk=pk)
    services.rollup_prefill(actor=request.user, report=report)
    messages.success(request, _("The figures were filled from the accepted reports below."))
    return redirect("reports:detail", pk=pk)


@login_required
@require_POST
def report_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(ReportRequest.objects.manageable_by(request.user), pk=pk)
    form = RescheduleForm(request.POST)
    if form.is_valid():
        try:
            services.report_request_reschedule(
                actor=request.user, report=report, **form.cleaned_data
            )
            messages.success(request, _("The dates were changed."))
        except ValidationError as error:
            _show_errors(request, error)
    else:
        messages.error(request, _("Give valid dates."))
    return redirect("reports:detail", pk=pk)


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(ReportRequest.objects.editable_by(request.user), pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.report_attachment_add(
                actor=request.user, report=report, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            _show_errors(request, error)
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("reports:detail", pk=pk)


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(
        ReportAttachment.objects.filter(report__in=ReportRequest.objects.visible_to(request.user)),
        pk=pk,
    )
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@login_required
@require_GET
def received(request: HttpRequest, unit_pk: int, document_pk: int, period_key: str):
    """What a unit received for a period in a cascade, summed: the view from the top."""
    unit = get_object_or_404(Unit.objects.readable_by(request.user), pk=unit_pk)
    document = get_object_or_404(Document.objects.visible_to(request.user), pk=document_pk)
    summary = selectors.received_summary(
        user=request.user, unit=unit, period_key=period_key[:40], document=document
    )
    return render(
        request,
        "reports/received.html",
        {"unit": unit, "document": document, "period_key": period_key, "summary": summary},
    )


# --- requirements ------------------------------------------------------------------------------


@login_required
def requirement_create(request: HttpRequest, document_pk: int) -> HttpResponse:
    document = get_object_or_404(Document.objects.visible_to(request.user), pk=document_pk)
    form = RequirementForm(request.POST or None, document=document, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["source_task"]:
                requirement = services.report_requirement_create_from_task(
                    actor=request.user,
                    task=data["source_task"],
                    receiver=data["receiver"],
                    frequency=data["frequency"] or None,
                    starts_on=data["starts_on"],
                )
            else:
                requirement = services.report_requirement_create(
                    actor=request.user,
                    document=document,
                    frequency=data["frequency"],
                    receiver=data["receiver"],
                    units=list(data["units"]) or None,
                    also_on_demand=data["also_on_demand"],
                    due_offset_days=data["due_offset_days"],
                    level_lead_days=form.lead_days(),
                    cutoff_shift_days=data["cutoff_shift_days"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("reports:requirement", pk=requirement.pk)
    return render(request, "reports/requirement_form.html", {"form": form, "document": document})


def _requirement_context(request: HttpRequest, requirement: ReportRequirement, **extra):
    manageable = (
        ReportRequirement.objects.manageable_by(request.user).filter(pk=requirement.pk).exists()
    )
    reporters = selectors.reporters_of(requirement)
    return {
        "requirement": requirement,
        "reporters": reporters,
        "requests": selectors.requirement_requests(user=request.user, requirement=requirement),
        "manageable": manageable,
        "adhoc_form": extra.get("adhoc_form")
        or AdHocForm(reporters=reporters, requirement=requirement),
        "update_form": extra.get("update_form") or RequirementUpdateForm(requirement=requirement),
        "today": timezone.localdate(),
    }


def _requirement(request: HttpRequest, pk: int) -> ReportRequirement:
    try:
        return selectors.requirement_for_page(user=request.user, pk=pk)
    except ReportRequirement.DoesNotExist:
        raise Http404 from None


@login_required
@require_GET
def requirement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    requirement = _requirement(request, pk)
    return render(
        request, "reports/requirement_detail.html", _requirement_context(request, requirement)
    )


@login_required
@require_POST
def requirement_update(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(ReportRequirement.objects.manageable_by(request.user), pk=pk)
    requirement = _requirement(request, pk)
    form = RequirementUpdateForm(request.POST, requirement=requirement)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.report_requirement_update(
                actor=request.user,
                requirement=requirement,
                title=data["title"],
                due_offset_days=data["due_offset_days"],
                level_lead_days=form.lead_days(),
                cutoff_shift_days=data["cutoff_shift_days"],
                ends_on=data["ends_on"],
                active=data["active"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The requirement was saved."))
            return redirect("reports:requirement", pk=pk)
    context = _requirement_context(request, requirement, update_form=form)
    return render(request, "reports/requirement_detail.html", context)


@login_required
@require_POST
def requirement_generate(request: HttpRequest, pk: int) -> HttpResponse:
    requirement = get_object_or_404(ReportRequirement.objects.manageable_by(request.user), pk=pk)
    until = timezone.localdate() + timedelta(days=services.lookahead_days())
    created = services.report_requests_generate(
        requirement=requirement, until=until, actor=request.user
    )
    messages.success(request, _("%(count)s report request(s) created.") % {"count": created})
    return redirect("reports:requirement", pk=pk)


@login_required
@require_POST
def requirement_adhoc(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(ReportRequirement.objects.manageable_by(request.user), pk=pk)
    requirement = _requirement(request, pk)
    form = AdHocForm(
        request.POST, reporters=selectors.reporters_of(requirement), requirement=requirement
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            created = services.report_request_create_ad_hoc(
                actor=request.user,
                requirement=requirement,
                subject=data["subject"],
                due_on=data["due_on"],
                units=list(data["units"]) or None,
                period_starts_on=data["period_starts_on"],
                period_ends_on=data["period_ends_on"],
                answers=data["answers"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("%(count)s unit(s) were asked to report.") % {"count": len(created)}
            )
            return redirect("reports:requirement", pk=pk)
    context = _requirement_context(request, requirement, adhoc_form=form)
    return render(request, "reports/requirement_detail.html", context)


@login_required
@require_GET
def document_section(request: HttpRequest, document_pk: int) -> HttpResponse:
    """The "Reports" section of a plan's page (an htmx fragment)."""
    document = get_object_or_404(Document.objects.visible_to(request.user), pk=document_pk)
    return render(
        request,
        "reports/document_section.html",
        {
            "document": document,
            "requirements": selectors.requirements_for_document(
                user=request.user, document=document
            ),
            "can_add": services.may_set_requirements(request.user, document),
        },
    )


# --- annual report PDF ---------------------------------------------------------------------


@login_required
@require_POST
def annual_request(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """Ask for a unit's annual report as a PDF; a job renders it while the page shows how far
    it has got (htmx polling) and then offers the file."""
    unit = get_object_or_404(selectors.units_with_reports_for(request.user), pk=unit_pk)
    form = AnnualReportForm(request.POST, user=request.user)
    back = request.POST.get("back_report")
    if form.is_valid():
        try:
            file = annual_services.annual_report_request(
                actor=request.user,
                unit=unit,
                year=form.cleaned_data["year"],
                directive=form.cleaned_data["directive"],
            )
        except ValidationError as error:
            _show_errors(request, error)
        else:
            if request.htmx:
                return render(request, "reports/annual_file.html#status", {"file": file})
            return redirect("reports:annual_file", pk=file.pk)
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    if back and back.isdigit():
        return redirect("reports:detail", pk=int(back))
    return redirect("unit", pk=unit.pk)


@login_required
@require_GET
def annual_file(request: HttpRequest, pk: int) -> HttpResponse:
    """A rendering's progress, then its file; the fragment polls itself until it is done."""
    file = get_object_or_404(
        AnnualReportFile.objects.visible_to(request.user).select_related("unit", "cascade_root"),
        pk=pk,
    )
    template = "reports/annual_file.html#status" if request.htmx else "reports/annual_file.html"
    return render(request, template, {"file": file})


@login_required
@require_GET
def annual_download(request: HttpRequest, pk: int) -> FileResponse:
    """The rendered PDF, for those who may see the unit's reports."""
    file = get_object_or_404(
        AnnualReportFile.objects.visible_to(request.user).filter(state=RenderState.DONE), pk=pk
    )
    return FileResponse(
        file.file.open("rb"),
        as_attachment=True,
        filename=file.name or "bao-cao.pdf",
        content_type="application/pdf",
    )
