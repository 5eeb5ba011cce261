"""The import flow: upload or paste → review beside the source → save on confirmation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cascade.forms import add_service_errors
from plans.importing import SourceError, extract_plan, read_source
from plans.importing import staging as import_staging
from plans.importing.forms import (
    ImportSourceForm,
    ReviewHeaderForm,
    ReviewPartFormSet,
    ReviewRecipientFormSet,
    ReviewTargetFormSet,
    review_initial,
    reviewed_extraction,
)
from plans.importing.service import plan_import_preview, plan_import_save
from units.models import Unit


def _review(request: HttpRequest, *, forms: dict, preview, source: str, status: int = 200):
    return render(
        request,
        "plans/import_review.html",
        {**forms, "preview": preview, "source": source},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    """Upload a .docx/.txt or paste text; on success show the review page (nothing saved)."""
    form = ImportSourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        try:
            if upload:
                data = upload.read()
                text = read_source(data, filename=upload.name)
            else:
                data, text = b"", read_source(form.cleaned_data["text"])
        except SourceError as error:
            form.add_error(
                "file" if upload else "text",
                error.message_vi if get_language() == "vi" else error.message_en,
            )
        else:
            extraction = extract_plan(text, today=timezone.localdate())
            editable = Unit.objects.editable_by(request.user)
            preview = plan_import_preview(user=request.user, extraction=extraction)
            issuer = preview.issuer if preview.issuer in editable else None
            if issuer is None and editable.count() == 1:
                issuer = editable.get()
                preview = plan_import_preview(
                    user=request.user, extraction=extraction, issuer=issuer
                )
            initial = review_initial(extraction)
            initial["header"]["issuer"] = issuer
            initial["header"]["body"] = text
            if upload:
                initial["header"]["staged"] = import_staging.stage(
                    upload, data=data, user=request.user
                )
            forms = {
                "header": ReviewHeaderForm(initial=initial["header"], user=request.user),
                "parts": ReviewPartFormSet(initial=initial["parts"], prefix="parts"),
                "targets": ReviewTargetFormSet(initial=initial["targets"], prefix="targets"),
                "recipients": ReviewRecipientFormSet(
                    initial=initial["recipients"], prefix="recipients"
                ),
            }
            return _review(request, forms=forms, preview=preview, source=text)
    return render(request, "plans/import_start.html", {"form": form})


@login_required
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Save the reviewed plan; any error shows the review again with nothing saved."""
    forms = {
        "header": ReviewHeaderForm(request.POST, user=request.user),
        "parts": ReviewPartFormSet(request.POST, prefix="parts"),
        "targets": ReviewTargetFormSet(request.POST, prefix="targets"),
        "recipients": ReviewRecipientFormSet(request.POST, prefix="recipients"),
    }
    header = forms["header"]
    source = request.POST.get("body", "")[:2_000_000]
    preview = None
    if all(form.is_valid() for form in forms.values()):
        extraction = reviewed_extraction(
            header.cleaned_data,
            forms["parts"].cleaned_data,
            forms["targets"].cleaned_data,
            forms["recipients"].cleaned_data,
        )
        issuer = header.cleaned_data["issuer"]
        preview = plan_import_preview(user=request.user, extraction=extraction, issuer=issuer)
        try:
            document = plan_import_save(
                actor=request.user,
                extraction=extraction,
                issuer=issuer,
                body=header.cleaned_data["body"],
                add_units=header.cleaned_data["add_units"],
                original_file=import_staging.take(header.cleaned_data["staged"], user=request.user),
                preview=preview,
            )
        except ValidationError as error:
            add_service_errors(header, error)
        except PermissionDenied as error:
            header.add_error(None, str(error) or _("You may not save this plan."))
        else:
            import_staging.discard(header.cleaned_data["staged"], user=request.user)
            messages.success(
                request,
                _("%(identifier)s was saved with %(count)s tasks.")
                % {"identifier": document.identifier, "count": document.tasks.count()},
            )
            return redirect("document", pk=document.pk)
    return _review(request, forms=forms, preview=preview, source=source, status=400)
