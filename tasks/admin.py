from django.contrib import admin

from tasks.models import (
    Assignment,
    Occurrence,
    ProgressAttachment,
    ProgressUpdate,
    Task,
    TaskGroup,
)


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    raw_id_fields = ["unit", "fulfilled_by", "group"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["__str__", "document", "section", "deadline_text", "deadline_kind", "due_on"]
    list_filter = ["status", "deadline_kind", "deadline_corrected", "requires_plan"]
    search_fields = ["text", "document__identifier", "deadline_text"]
    raw_id_fields = ["document"]
    # A task's place in its document's text is set by the import and the task services.
    readonly_fields = ["part"]
    inlines = [AssignmentInline]


@admin.register(TaskGroup)
class TaskGroupAdmin(admin.ModelAdmin):
    list_display = ["label", "task", "anchor", "role", "depth"]
    raw_id_fields = ["task", "anchor"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["task", "unit", "role", "status", "completed_on"]
    list_filter = ["role", "status"]
    raw_id_fields = ["task", "unit", "group", "fulfilled_by"]


class AttachmentInline(admin.TabularInline):
    model = ProgressAttachment
    extra = 0


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    list_display = ["assignment", "author", "status", "created_at"]
    raw_id_fields = ["assignment", "author"]
    inlines = [AttachmentInline]


@admin.register(ProgressAttachment)
class ProgressAttachmentAdmin(admin.ModelAdmin):
    list_display = ["name", "update", "size"]
    raw_id_fields = ["update"]


@admin.register(Occurrence)
class OccurrenceAdmin(admin.ModelAdmin):
    list_display = ["task", "unit", "due_on", "status", "completed_on"]
    list_filter = ["status"]
    date_hierarchy = "due_on"
    raw_id_fields = ["assignment", "task", "unit"]
