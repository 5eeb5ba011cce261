"""The report chain in the admin: for looking, not for changing. Every change to a report
goes through ``reports.services`` so that its history and the audit trail are written."""

from django.contrib import admin

from reports.models import (
    AnnualReportFile,
    ReportAttachment,
    ReportMeasurement,
    ReportRequest,
    ReportRequirement,
    ReportStateChange,
    ReportTaskLine,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class MeasurementInline(ReadOnlyInline):
    model = ReportMeasurement
    fields = ["target", "numerator", "denominator", "rolled_numerator", "rolled_denominator"]


class StateChangeInline(ReadOnlyInline):
    model = ReportStateChange
    fields = ["at", "from_state", "to_state", "actor_label", "comment"]
    readonly_fields = ["at"]


@admin.register(ReportRequirement)
class ReportRequirementAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "document", "receiver", "frequency", "due_offset_days", "active"]
    list_filter = ["frequency", "active", "reporters_mode"]
    search_fields = ["title", "document__identifier", "receiver__name"]


@admin.register(ReportRequest)
class ReportRequestAdmin(ReadOnlyAdmin):
    list_display = ["unit", "receiver", "period_key", "due_on", "state", "is_stale"]
    list_filter = ["state", "frequency", "is_ad_hoc", "is_stale"]
    search_fields = ["unit__name", "receiver__name", "period_key"]
    date_hierarchy = "due_on"
    inlines = [MeasurementInline, StateChangeInline]


@admin.register(ReportTaskLine)
class ReportTaskLineAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "report", "status", "due_on"]
    list_filter = ["status"]


@admin.register(ReportMeasurement)
class ReportMeasurementAdmin(ReadOnlyAdmin):
    list_display = ["report", "target", "numerator", "denominator"]


@admin.register(ReportStateChange)
class ReportStateChangeAdmin(ReadOnlyAdmin):
    list_display = ["report", "from_state", "to_state", "actor_label", "at"]
    list_filter = ["to_state"]


@admin.register(ReportAttachment)
class ReportAttachmentAdmin(ReadOnlyAdmin):
    list_display = ["name", "report", "size", "uploaded_at"]


@admin.register(AnnualReportFile)
class AnnualReportFileAdmin(ReadOnlyAdmin):
    list_display = ["unit", "year", "cascade_root", "state", "draft", "pages", "created_at"]
    list_filter = ["state", "draft", "year"]
    search_fields = ["unit__name"]
