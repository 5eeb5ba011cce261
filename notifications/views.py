"""Pages of notifications: the bell (an htmx fragment), the list, the digest, a person's
preferences, and the calendar feeds (reached by a secret address, without signing in)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cascade.forms import add_service_errors
from notifications import ical, selectors, services
from notifications.forms import PreferenceForm
from notifications.models import (
    MailStatus,
    Notification,
    NotificationPreference,
    OutboxEmail,
    OutboxKind,
    UnitCalendar,
)
from units.models import Unit, memberships_of


@login_required
@require_GET
def bell(request: HttpRequest) -> HttpResponse:
    """The bell with the unread count, redrawn by htmx every minute."""
    return render(request, "notifications/bell.html#bell", {})


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = selectors.notifications_for(user=request.user)
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread_only": unread_only, "today": timezone.localdate()},
    )


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    # Only a path of this site: ``redirect()`` would read other words as a view's name.
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, {request.get_host()}
    ):
        target = reverse("notifications:list")
    return HttpResponseRedirect(target)


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(selectors.notifications_for(user=request.user), pk=pk)
    services.notification_mark_read(actor=request.user, notification=notification)
    if request.htmx:
        notification.refresh_from_db()
        response = render(
            request,
            "notifications/list.html#item",
            {"n": notification, "today": timezone.localdate()},
        )
        response["HX-Trigger"] = "notifications-changed"
        return response
    return _back(request)


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(actor=request.user)
    messages.success(request, _("%(count)s notifications marked as read.") % {"count": count})
    return _back(request)


@login_required
@require_GET
def digest(request: HttpRequest) -> HttpResponse:
    """The person's latest daily digest, as e-mailed; and what waits for the next one."""
    latest = (
        OutboxEmail.objects.filter(recipient=request.user, kind=OutboxKind.DIGEST)
        .order_by("-digest_on", "-pk")
        .first()
    )
    mine = selectors.notifications_for(user=request.user)
    order = ("document_id", "due_on", "pk")  # grouped by plan on the page
    items = list(mine.filter(email=latest).order_by(*order)[:500]) if latest else []
    waiting = list(mine.filter(mail_status=MailStatus.PENDING).order_by(*order)[:500])
    return render(
        request,
        "notifications/digest.html",
        {
            "latest": latest,
            "items": items,
            "waiting": waiting,
            "today": timezone.localdate(),
            "preference": NotificationPreference.objects.filter(user=request.user).first(),
        },
    )


def _feed_links(request: HttpRequest) -> dict:
    preference = services.preference_for(user=request.user)
    personal = request.build_absolute_uri(
        reverse("notifications:feed_user", args=[preference.calendar_token])
    )
    editable = set(Unit.objects.editable_by(request.user).values_list("pk", flat=True))
    units = []
    for membership in memberships_of(request.user):
        calendar = services.unit_calendar_for(unit=membership.unit)
        units.append(
            {
                "unit": membership.unit,
                "url": request.build_absolute_uri(
                    reverse("notifications:feed_unit", args=[calendar.token])
                ),
                "can_regenerate": membership.unit_id in editable,
            }
        )
    return {"preference": preference, "personal_feed": personal, "unit_feeds": units}


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """Digest or immediate e-mail, muted plans, and the calendar feed addresses."""
    preference = services.preference_for(user=request.user)
    plans = (
        selectors.mutable_plans(user=request.user) | selectors.muted_plans(user=request.user)
    ).distinct()
    form = PreferenceForm(
        request.POST or None,
        plans=plans,
        initial={
            "email_mode": preference.email_mode,
            "muted": list(selectors.muted_plans(user=request.user)),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.preference_update(
                actor=request.user,
                email_mode=form.cleaned_data["email_mode"],
                muted=list(form.cleaned_data["muted"]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your preferences were saved."))
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form, **_feed_links(request)})


@login_required
@require_POST
def calendar_regenerate(request: HttpRequest) -> HttpResponse:
    services.calendar_token_regenerate(actor=request.user)
    messages.success(request, _("Your calendar has a new address; the old one no longer works."))
    return redirect("notifications:preferences")


@login_required
@require_POST
def unit_calendar_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.readable_by(request.user), pk=pk)
    try:
        services.unit_calendar_regenerate(actor=request.user, unit=unit)
    except PermissionDenied:
        raise Http404 from None
    messages.success(
        request,
        _("The calendar of %(unit)s has a new address; the old one no longer works.")
        % {"unit": unit.name},
    )
    return redirect("notifications:preferences")


def _ics(request: HttpRequest, name: str, occurrences) -> HttpResponse:
    def link(occurrence) -> str:
        return request.build_absolute_uri(reverse("task", args=[occurrence.task_id]))

    body = ical.calendar(
        name=name, occurrences=occurrences, link=link, host=request.get_host().split(":")[0]
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="cascade.ics"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def feed_user(request: HttpRequest, token: str) -> HttpResponse:
    """A person's deadlines, by the secret address alone (calendar apps cannot sign in)."""
    preference = (
        NotificationPreference.objects.select_related("user").filter(calendar_token=token).first()
    )
    if preference is None or not token or not preference.user.is_active:
        raise Http404
    user = preference.user
    occurrences = selectors.feed_for_user(user=user, today=timezone.localdate())
    return _ics(request, _("Cascade — %(name)s") % {"name": user.get_username()}, occurrences)


@require_GET
def feed_unit(request: HttpRequest, token: str) -> HttpResponse:
    """A unit's deadlines, by the unit's secret address."""
    calendar = UnitCalendar.objects.select_related("unit").filter(token=token).first()
    if calendar is None or not token:
        raise Http404
    occurrences = selectors.feed_for_unit(unit=calendar.unit, today=timezone.localdate())
    return _ics(request, _("Cascade — %(name)s") % {"name": calendar.unit.name}, occurrences)


__all__ = ["Notification"]
