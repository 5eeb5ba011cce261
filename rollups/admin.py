from django.contrib import admin

from rollups.models import CompletionRollup, OccurrenceRollup


class RollupAdmin(admin.ModelAdmin):
    """Roll-ups are derived data: shown for checking, never edited by hand (``manage.py
    rebuild_rollups`` recomputes them)."""

    list_select_related = ("unit", "document")
    raw_id_fields = ("unit", "document")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OccurrenceRollup)
class OccurrenceRollupAdmin(RollupAdmin):
    list_display = ("unit", "document", "due_month", "bucket", "count")
    list_filter = ("bucket", "due_month")
    search_fields = ("unit__name", "document__identifier")


@admin.register(CompletionRollup)
class CompletionRollupAdmin(RollupAdmin):
    list_display = ("unit", "document", "done_month", "count")
    list_filter = ("done_month",)
    search_fields = ("unit__name", "document__identifier")
