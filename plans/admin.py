from django.contrib import admin

from plans import services
from plans.models import Document, DocumentRecipient, Part, Target


class RecipientInline(admin.TabularInline):
    model = DocumentRecipient
    extra = 0
    autocomplete_fields = ["unit"]


class TargetInline(admin.StackedInline):
    model = Target
    extra = 0
    fk_name = "document"
    raw_id_fields = ["parent"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["identifier", "doc_type", "issuer", "issued_on", "status"]
    list_filter = ["doc_type", "status", "style"]
    search_fields = ["identifier", "title", "search_text"]
    readonly_fields = ["identifier", "root", "depth", "created_at", "updated_at"]
    autocomplete_fields = ["issuer", "implements"]
    filter_horizontal = ["cites"]
    inlines = [TargetInline, RecipientInline]
    date_hierarchy = "issued_on"

    def save_model(self, request, obj, form, change):
        # The services derive the identifier, check uniqueness and keep the cascade; the admin
        # goes through them like every other entry point.
        fields = {
            name: form.cleaned_data[name]
            for name in services.DOCUMENT_FIELDS
            if name in form.cleaned_data
        }
        if change:
            saved = services.document_update(actor=request.user, document=obj, **fields)
        else:
            saved = services.document_create(actor=request.user, **fields)
        obj.pk = saved.pk
        obj.refresh_from_db()


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["text", "document", "low", "high", "unit", "horizon_year"]
    search_fields = ["text", "document__identifier"]
    raw_id_fields = ["document", "parent"]


@admin.register(DocumentRecipient)
class RecipientAdmin(admin.ModelAdmin):
    list_display = ["name", "document", "purpose", "unit"]
    list_filter = ["purpose"]
    raw_id_fields = ["document", "unit"]


@admin.register(Part)
class PartAdmin(admin.ModelAdmin):
    """Parts are read: an outline is written by the importer and the task services, which
    keep a task's words in one place; the admin shows them to check an import."""

    list_display = ["document", "position", "kind", "level", "marker", "text"]
    list_filter = ["kind"]
    search_fields = ["text", "document__identifier"]
    raw_id_fields = ["document"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # A part deleted here would leave its task without a place and its words unprinted.
        return False
