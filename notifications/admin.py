from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from notifications import services
from notifications.models import (
    Notification,
    NotificationPreference,
    OutboxEmail,
    PlanMute,
    ReminderPolicy,
    ScheduledJob,
    UnitCalendar,
)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "offset_days", "due_on", "unit", "read_at"]
    list_filter = ["kind", "mail_status"]
    search_fields = ["recipient__username", "unit__name", "document__identifier"]
    raw_id_fields = [
        "recipient",
        "occurrence",
        "assignment",
        "report_request",
        "task",
        "document",
        "unit",
        "email",
    ]
    date_hierarchy = "created_at"


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "to_address",
        "kind",
        "digest_on",
        "status",
        "attempts",
        "sent_at",
        "error_words",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["to_address", "subject", "message_id", "last_error"]
    readonly_fields = [
        "sent_at",
        "last_error",
        "attempts",
        "body",
        "message_id",
        "claimed_by",
        "claimed_at",
    ]
    raw_id_fields = ["recipient"]
    actions = ["retry"]

    @admin.display(description=_("mail server's answer"))
    def error_words(self, email: OutboxEmail) -> str:
        """The last error, as the mail server said it (shortened for the list)."""
        text = email.last_error
        return text if len(text) <= 120 else f"{text[:119]}…"

    @admin.action(description=_("Send the selected failed e-mails again"))
    def retry(self, request, queryset):
        count = services.outbox_retry(actor=request.user, emails=list(queryset))
        self.message_user(request, _("%(count)s e-mails queued again.") % {"count": count})


class ReminderPolicyForm(forms.ModelForm):
    class Meta:
        model = ReminderPolicy
        fields = ["unit", "document", "offsets", "escalate_after_days", "notify_support"]


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    form = ReminderPolicyForm
    list_display = ["__str__", "unit", "document", "escalate_after_days", "notify_support"]
    raw_id_fields = ["unit", "document"]

    def save_model(self, request, obj, form, change):
        """Saved through the service, so the values are checked and the change audited."""
        try:
            saved = services.reminder_policy_set(
                actor=request.user,
                unit=obj.unit,
                document=obj.document,
                offsets=list(obj.offsets or []),
                escalate_after_days=obj.escalate_after_days,
                notify_support=obj.notify_support,
            )
        except ValidationError as error:
            self.message_user(request, "; ".join(error.messages), level=messages.ERROR)
            return
        obj.pk = saved.pk


class ScheduledJobForm(forms.ModelForm):
    class Meta:
        model = ScheduledJob
        fields = ["name", "job", "minute", "hour", "day_of_week", "enabled", "description"]

    def clean(self):
        data = super().clean()
        probe = ScheduledJob(
            minute=data.get("minute", ""),
            hour=data.get("hour", ""),
            day_of_week=data.get("day_of_week", ""),
        )
        from celery.schedules import ParseException

        try:
            probe.crontab()
        # Celery's parser raises its own exception (not a ValueError) for "1,,2" or "".
        except (ValueError, TypeError, ParseException) as error:
            raise ValidationError(_("Not a valid schedule: %(error)s") % {"error": error}) from None
        from celery import current_app

        current_app.loader.import_default_modules()
        if data.get("job") and data["job"] not in current_app.tasks:
            raise ValidationError({"job": _("No job of that name.")})
        return data


@admin.register(ScheduledJob)
class ScheduledJobAdmin(admin.ModelAdmin):
    form = ScheduledJobForm
    list_display = ["name", "job", "minute", "hour", "day_of_week", "enabled", "last_run_at"]
    readonly_fields = ["last_run_at"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email_mode"]
    list_filter = ["email_mode"]
    raw_id_fields = ["user"]
    exclude = ["calendar_token"]


@admin.register(PlanMute)
class PlanMuteAdmin(admin.ModelAdmin):
    list_display = ["user", "document", "created_at"]
    raw_id_fields = ["user", "document"]


@admin.register(UnitCalendar)
class UnitCalendarAdmin(admin.ModelAdmin):
    list_display = ["unit"]
    raw_id_fields = ["unit"]
    exclude = ["token"]
