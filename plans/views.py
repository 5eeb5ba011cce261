"""Pages of documents and the cascade. Views only read input, call a selector or a service,
and render."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audit.selectors import may_read_document_history
from cascade.forms import add_service_errors
from plans import exports, selectors, services
from plans.forms import DocumentForm
from plans.models import Document
from plans.outline import plan_outline
from tasks.selectors import open_assignments_for
from units.models import memberships_of


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The directives the user follows and the work given to their units."""
    return render(
        request,
        "plans/home.html",
        {
            "directives": selectors.directives_for(user=request.user),
            "memberships": memberships_of(request.user),
            "assignments": open_assignments_for(user=request.user)[:50],
        },
    )


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Documents by identifier or title, units by name; the results fragment for htmx."""
    query = request.GET.get("q", "")[:200]
    documents, units = selectors.search(user=request.user, query=query)
    context = {"query": query, "documents": documents, "units": units}
    template = "plans/search.html#results" if request.htmx else "plans/search.html"
    return render(request, template, context)


@login_required
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        document = selectors.document_for_page(user=request.user, pk=pk)
    except Document.DoesNotExist:
        raise Http404 from None
    editable = Document.objects.editable_by(request.user).filter(pk=pk).exists()
    return render(
        request,
        "plans/document_detail.html",
        {
            "document": document,
            "editable": editable,
            "today": timezone.localdate(),
            "history_allowed": may_read_document_history(request.user, document),
            "outline": None if document.is_reference else plan_outline(document),
        },
    )


@login_required
def document_cascade(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(Document.objects.visible_to(request.user), pk=pk)
    tree = selectors.cascade_tree(user=request.user, document=document)
    ancestors = selectors.cascade_ancestors(user=request.user, document=document)
    return render(
        request,
        "plans/cascade.html",
        {"document": document, "tree": tree, "ancestors": ancestors},
    )


@login_required
def document_cascade_children(request: HttpRequest, pk: int) -> HttpResponse:
    """One page of the documents implementing a document, for a node opened in a large
    cascade (an htmx fragment)."""
    document = get_object_or_404(Document.objects.visible_to(request.user), pk=pk)
    offset = request.GET.get("offset", "")
    offset = int(offset) if offset.isdigit() and len(offset) < 9 else 0
    children, more_from = selectors.cascade_children(
        user=request.user, document=document, offset=offset
    )
    return render(
        request,
        "plans/cascade.html#children",
        {"parent": document, "children": children, "more_from": more_from},
    )


@login_required
def document_file(request: HttpRequest, pk: int) -> FileResponse:
    """The original file, only for those who may see the document."""
    document = get_object_or_404(Document.objects.visible_to(request.user), pk=pk)
    if not document.original_file:
        raise Http404
    return FileResponse(document.original_file.open("rb"), as_attachment=True)


def _document_fields(data: dict) -> dict:
    return {
        "doc_type": data["doc_type"],
        "issuer": data["issuer"],
        "status": data["status"],
        "number": data["number"],
        "issued_on": data["issued_on"],
        "place": data["place"],
        "title": data["title"],
        "implements": data["implements"],
        "signer_capacity": data["signer_capacity"],
        "signer_title": data["signer_title"],
        "signer_name": data["signer_name"],
        "body": data["body"],
        "original_file": data["original_file"],
        "confidential": data["confidential"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def document_create(request: HttpRequest) -> HttpResponse:
    form = DocumentForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_create(
                actor=request.user, **_document_fields(form.cleaned_data)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("document", pk=document.pk)
    return render(request, "plans/document_form.html", {"form": form, "title": _("New document")})


@login_required
@require_http_methods(["GET", "POST"])
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(Document.objects.editable_by(request.user), pk=pk)
    initial = {
        name: getattr(document, name)
        for name in DocumentForm.base_fields
        if name != "original_file"
    }
    form = DocumentForm(
        request.POST or None, request.FILES or None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.document_update(
                actor=request.user, document=document, **_document_fields(form.cleaned_data)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("document", pk=document.pk)
    return render(
        request,
        "plans/document_form.html",
        {"form": form, "document": document, "title": _("Edit document")},
    )


def _download(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _export_name(document: Document, suffix: str) -> str:
    identifier = document.identifier.strip("-/") or str(document.pk)
    return f"{document.get_doc_type_display()} {identifier.replace('/', '-')}.{suffix}"


@login_required
def document_export_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan as a Word document, for those who may see it."""
    document = get_object_or_404(Document.objects.visible_to(request.user), pk=pk)
    return _download(
        exports.plan_docx(document),
        filename=_export_name(document, "docx"),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


@login_required
def document_export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's tasks as a spreadsheet, for those who may see the plan."""
    document = get_object_or_404(Document.objects.visible_to(request.user), pk=pk)
    return _download(
        exports.plan_tasks_xlsx(document),
        filename=_export_name(document, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
def document_export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan as a PDF in the official layout, for those who may see it."""
    document = get_object_or_404(Document.objects.visible_to(request.user), pk=pk)
    return _download(
        exports.plan_pdf(document),
        filename=_export_name(document, "pdf"),
        content_type="application/pdf",
    )
