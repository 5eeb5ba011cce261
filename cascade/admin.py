"""The admin site, scoped for everyone but superusers.

Django's admin shows every row of a model to anyone holding its "view" permission; here a
non-superuser staff account sees only the rows the product's one scoping rule gives them (the
same queryset methods pages use), and nothing at all of a model without a rule. Every model
registered on the site gets this, whoever registers it, so a new admin cannot forget it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

type Scope = Callable[[QuerySet, object], QuerySet]


def _through(field: str, model_label: str, method: str = "visible_to") -> Scope:
    """Rows whose ``field`` points at an object the user may see."""

    def scope(queryset: QuerySet, user) -> QuerySet:
        from django.apps import apps

        related = apps.get_model(model_label)
        return queryset.filter(**{f"{field}__in": getattr(related.objects, method)(user)})

    return scope


def _own(field: str) -> Scope:
    """Personal rows: the user's own."""
    return lambda queryset, user: queryset.filter(**{field: user})


def _method(method: str) -> Scope:
    return lambda queryset, user: getattr(queryset, method)(user)


# Model label → what a non-superuser sees of it. A model missing here shows no rows.
SCOPES: dict[str, Scope] = {
    "units.unit": _method("readable_by"),
    "units.membership": _through("unit", "units.Unit", "readable_by"),
    "plans.document": _method("visible_to"),
    "plans.target": _through("document", "plans.Document"),
    "plans.documentrecipient": _through("document", "plans.Document"),
    "tasks.task": _method("visible_to"),
    "tasks.taskgroup": _through("task", "tasks.Task"),
    "tasks.assignment": _method("visible_to"),
    "tasks.occurrence": _through("assignment", "tasks.Assignment"),
    "tasks.progressupdate": _through("assignment", "tasks.Assignment"),
    "tasks.progressattachment": _through("update__assignment", "tasks.Assignment"),
    "reports.reportrequirement": _method("visible_to"),
    "reports.reportrequest": _method("visible_to"),
    "reports.reporttaskline": _through("report", "reports.ReportRequest"),
    "reports.reportmeasurement": _through("report", "reports.ReportRequest"),
    "reports.reportstatechange": _through("report", "reports.ReportRequest"),
    "reports.reportattachment": _through("report", "reports.ReportRequest"),
    "reports.annualreportfile": _method("visible_to"),
    "notifications.notification": _own("recipient"),
    "notifications.outboxemail": _own("recipient"),
    "notifications.notificationpreference": _own("user"),
    "notifications.planmute": _own("user"),
    "notifications.unitcalendar": _through("unit", "units.Unit", "readable_by"),
    "api.apitoken": _method("visible_to"),
    "accounts.invitation": _through("unit", "units.Unit", "readable_by"),
}


def scoped(queryset: QuerySet, user) -> QuerySet:
    """``queryset`` cut down to what ``user`` may see (everything for a superuser)."""
    if getattr(user, "is_superuser", False):
        return queryset
    scope = SCOPES.get(queryset.model._meta.label_lower)
    return scope(queryset, user) if scope else queryset.none()


class ScopedModelAdminMixin:
    """Rows, related-object choices and lookups limited to what the user may see."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return scoped(super().get_queryset(request), request.user)  # type: ignore[misc]

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        if field is not None and hasattr(field, "queryset"):
            field.queryset = scoped(field.queryset, request.user)
        return field

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]
        if field is not None and hasattr(field, "queryset"):
            field.queryset = scoped(field.queryset, request.user)
        return field


class ScopedAdminSite(admin.AdminSite):
    """The project's admin site: every registered ModelAdmin is given the scoping mixin, and
    signing in happens on the site's own page (lockout and second step), never on the
    admin's."""

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        # Whatever is posted here is not checked: the admin's form would sign in with the
        # password alone. Send the person to the one sign-in flow and back.
        target = request.GET.get(REDIRECT_FIELD_NAME) or reverse(
            "admin:index", current_app=self.name
        )
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}) or not (
            target.startswith("/")
        ):
            target = reverse("admin:index", current_app=self.name)
        return redirect_to_login(target, login_url=reverse("login"))

    def register(self, model_or_iterable, admin_class=None, **options) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, ScopedModelAdminMixin):
            admin_class = type(admin_class.__name__, (ScopedModelAdminMixin, admin_class), {})
        super().register(model_or_iterable, admin_class, **options)
