"""The API token page: administrators issue and revoke their people's tokens in the browser;
everyone sees and may revoke their own. The views only call the services."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from api.forms import TokenIssueForm
from api.models import ApiToken, users_manageable_by
from api.services import api_token_issue, api_token_revoke
from cascade.forms import add_service_errors


def _page(
    request: HttpRequest,
    form: TokenIssueForm,
    *,
    key: str = "",
    sent_to: str = "",
    status: int = 200,
):
    tokens = ApiToken.objects.visible_to(request.user).select_related("user", "created_by")
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "may_issue": users_manageable_by(request.user).exists(),
            "tokens": tokens[:200],
            "key": key,
            "sent_to": sent_to,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def token_page(request: HttpRequest) -> HttpResponse:
    """The tokens the person may see; issuing one shows its secret on this answer only."""
    form = TokenIssueForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data.get("days")
        try:
            issued = api_token_issue(
                actor=request.user,
                user=form.cleaned_data["user"],
                name=form.cleaned_data["name"],
                expires_at=timezone.now() + timedelta(days=days) if days else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            # Rendered, not redirected: the secret must not land in a URL or a session.
            fresh = TokenIssueForm(user=request.user)
            return _page(request, fresh, key=issued.key, sent_to=issued.sent_to)
    return _page(request, form, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.visible_to(request.user), pk=pk)
    try:
        api_token_revoke(actor=request.user, token=token)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The token %(prefix)s… is revoked.") % {"prefix": token.prefix})
    return redirect("api:token_page")
