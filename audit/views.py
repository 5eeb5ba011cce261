"""The history of a document, task or report, and the audit search for administrators.
Each object is fetched through its scoping queryset, so a history one may not read is a 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from audit import selectors
from audit.forms import AuditSearchForm
from plans.models import Document
from reports.models import ReportRequest
from tasks.models import Task


def _render_history(request: HttpRequest, instance: Model, back: str) -> HttpResponse:
    context = {
        "object": instance,
        "back": back,
        "events": [
            (event, selectors.change_rows(event))
            for event in selectors.history_for(instance=instance)
        ],
    }
    template = "audit/history.html#history" if request.htmx else "audit/history.html"
    return render(request, template, context)


@login_required
@require_GET
def document_history(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(Document.objects.visible_to(request.user), pk=pk)
    if not selectors.may_read_document_history(request.user, document):
        raise Http404
    return _render_history(request, document, reverse("document", args=[document.pk]))


@login_required
@require_GET
def task_history(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(
        Task.objects.visible_to(request.user).select_related("document"), pk=pk
    )
    if not selectors.may_read_document_history(request.user, task.document):
        raise Http404
    return _render_history(request, task, reverse("task", args=[task.pk]))


@login_required
@require_GET
def report_history(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(ReportRequest.objects.visible_to(request.user), pk=pk)
    return _render_history(request, report, reverse("reports:detail", args=[report.pk]))


@login_required
@require_GET
def audit_search(request: HttpRequest) -> HttpResponse:
    """Search the trail by user, kind of object, dates and text (administrators)."""
    if not selectors.may_search(request.user):
        raise Http404
    form = AuditSearchForm(request.GET or None, object_types=selectors.object_types())
    events = []
    if form.is_valid():
        events = selectors.search(user=request.user, **form.cleaned_data)
    elif not request.GET:
        events = selectors.search(user=request.user)
    context = {
        "form": form,
        "events": [(event, selectors.change_rows(event)) for event in events],
    }
    template = "audit/search.html#results" if request.htmx else "audit/search.html"
    return render(request, template, context)
