"""Pages of tasks and their progress logs, with htmx fragments where a round trip is saved."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from audit.selectors import may_read_document_history
from cascade.forms import add_service_errors, conflict_context
from plans.forms import TaskForm
from plans.models import Document
from plans.selectors import summarise_assignees
from tasks import selectors, services
from tasks.forms import DeadlineCorrectionForm, ProgressForm
from tasks.models import (
    Assignment,
    AssignmentRole,
    DeadlineKind,
    ProgressAttachment,
    Task,
    TaskStatus,
)
from tasks.schedules import describe_recurrence


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        task = selectors.task_for_page(user=request.user, pk=pk)
    except Task.DoesNotExist:
        raise Http404 from None
    updatable = set(
        Assignment.objects.updatable_by(request.user).filter(task=task).values_list("pk", flat=True)
    )
    editable = Document.objects.editable_by(request.user).filter(pk=task.document_id).exists()
    return render(
        request,
        "tasks/task_detail.html",
        {
            **_schedule_context(task),
            "updatable": updatable,
            "editable": editable,
            "progress_form": ProgressForm(),
            "history_allowed": may_read_document_history(request.user, task.document),
        },
    )


def _schedule_context(task: Task, form: DeadlineCorrectionForm | None = None) -> dict:
    today = timezone.localdate()
    leads = [a for a in task.assignments.all() if a.role == AssignmentRole.LEAD]
    open_dates = sorted(
        o.due_on for a in leads for o in a.occurrences.all() if o.status != TaskStatus.DONE
    )
    return {
        "task": task,
        "today": today,
        "next_due": open_dates[0] if open_dates else None,
        "overdue": bool(open_dates) and open_dates[0] < today,
        "recurrence": describe_recurrence(task.deadline_rrule) if task.deadline_rrule else "",
        "correction_form": form or DeadlineCorrectionForm(initial=_correction_initial(task)),
    }


def _correction_initial(task: Task) -> dict:
    kind = task.deadline_kind if task.deadline_kind != DeadlineKind.UNPARSED else DeadlineKind.ONCE
    return {"kind": kind, "due_on": task.due_on, "on_demand": task.deadline_on_demand}


@login_required
@require_http_methods(["GET", "POST"])
def deadline_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Set a task's schedule by hand; with htmx the schedule block is redrawn in place."""
    task = get_object_or_404(Task.objects.editable_by(request.user), pk=pk)
    form = DeadlineCorrectionForm(request.POST or None, initial=_correction_initial(task))
    if request.method == "POST" and form.is_valid():
        try:
            services.task_correct_deadline(actor=request.user, task=task, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                return redirect("task", pk=task.pk)
            form = None
    task = selectors.task_for_page(user=request.user, pk=task.pk)
    context = {**_schedule_context(task, form), "editable": True}
    if request.htmx:
        return render(request, "tasks/task_detail.html#schedule", context)
    return render(request, "tasks/deadline_correct.html", context)


@login_required
def deadlines_review(request: HttpRequest) -> HttpResponse:
    """Deadlines whose words were not understood, for a person to read and set."""
    tasks = selectors.deadlines_to_review(user=request.user)[:200]
    return render(
        request,
        "tasks/deadlines_review.html",
        {"tasks": tasks, "correction_form": DeadlineCorrectionForm()},
    )


def _assignees(data: dict) -> services.Assignees:
    return services.Assignees(lead=list(data["lead"]), support=list(data["support"]))


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a task to a document; with htmx the form opens in place and the new row is
    swapped in without leaving the page."""
    document = get_object_or_404(Document.objects.editable_by(request.user), pk=pk)
    form = TaskForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task = services.task_create(
                actor=request.user,
                document=document,
                text=data["text"],
                section=data["section"],
                deadline_text=data["deadline_text"],
                requires_plan=data["requires_plan"],
                assignees=_assignees(data),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if request.htmx:
                task = selectors.task_for_page(user=request.user, pk=task.pk)
                summarise_assignees(task)
                response = render(
                    request,
                    "tasks/task_created.html",
                    {"task": task, "document": document, "created": True, "oob": True},
                )
                return reswap(retarget(response, "#task-rows"), "beforeend")
            return redirect("document", pk=document.pk)
    template = "tasks/task_form.html#form" if request.htmx else "tasks/task_form.html"
    return render(request, template, {"form": form, "document": document})


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(
        Task.objects.editable_by(request.user).select_related("document"), pk=pk
    )
    assignments = list(task.assignments.filter(group__isnull=True).select_related("unit"))
    initial = {
        "section": task.section,
        "text": task.text,
        "deadline_text": task.deadline_text,
        "requires_plan": task.requires_plan,
        "lead": [a.unit for a in assignments if a.role == AssignmentRole.LEAD],
        "support": [a.unit for a in assignments if a.role == AssignmentRole.SUPPORT],
        "version": task.version,
    }
    lead_groups = [group.label for group in task.groups.all() if group.role == AssignmentRole.LEAD]
    form = TaskForm(
        request.POST or None, user=request.user, initial=initial, lead_groups=lead_groups
    )
    conflict: dict = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        groups = list(task.groups.select_related("anchor"))
        assignees = _assignees(data)
        # Groups are kept as they were; the form edits the single units.
        for group in groups:
            spec = services.GroupSpec(
                label=group.label,
                anchor=group.anchor,
                blocs=group.blocs,
                levels=group.levels,
                depth=group.depth,
            )
            target = (
                assignees.lead_groups
                if group.role == AssignmentRole.LEAD
                else assignees.support_groups
            )
            target.append(spec)
        try:
            services.task_update(
                actor=request.user,
                task=task,
                text=data["text"],
                section=data["section"],
                deadline_text=data["deadline_text"],
                requires_plan=data["requires_plan"],
                assignees=assignees,
                # Without a version (an old form) the save is not checked: the field is
                # hidden, so only a hand-made request lacks it.
                expected_version=data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            conflict = conflict_context(form, error)
        else:
            return redirect("task", pk=task.pk)
    return render(
        request,
        "tasks/task_form.html",
        {"form": form, "document": task.document, "task": task, **conflict},
    )


@login_required
@require_POST
def progress_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Log progress on one unit's share; with htmx only that unit's log is re-rendered."""
    assignment = get_object_or_404(Assignment.objects.updatable_by(request.user), pk=pk)
    form = ProgressForm(request.POST, request.FILES)
    occurrence = None
    saved = False
    chosen = request.POST.get("occurrence", "").strip()
    if chosen:
        if chosen.isdecimal() and len(chosen) < 19:
            occurrence = assignment.occurrences.filter(pk=int(chosen)).first()
        if occurrence is None:
            form.add_error(None, _("That period is not one of this unit's."))
    if form.is_valid():
        try:
            services.progress_add(
                actor=request.user,
                assignment=assignment,
                occurrence=occurrence,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                return redirect("task", pk=assignment.task_id)
            form, saved = ProgressForm(), True
    task = selectors.task_for_page(user=request.user, pk=assignment.task_id)
    assignment = next(a for a in task.assignments.all() if a.pk == assignment.pk)
    context = {
        **_schedule_context(task),
        "assignment": assignment,
        "progress_form": form,
        "can_update": True,
        "progress_saved": saved,
    }
    if request.htmx:
        return render(request, "tasks/task_detail.html#assignment", context)
    return render(
        request,
        "tasks/task_detail.html",
        {**context, "updatable": {assignment.pk}, "editable": False},
        status=400,
    )


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """Evidence files, only for those who may see the task."""
    attachment = get_object_or_404(
        ProgressAttachment.objects.filter(
            update__assignment__in=Assignment.objects.visible_to(request.user)
        ),
        pk=pk,
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=attachment.name)
