from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from units.models import Membership, Unit
from units.services import unit_search_text


@admin.register(Unit)
class UnitAdmin(TreeAdmin):
    form = movenodeform_factory(Unit, exclude=["search_text"])
    list_display = ["name", "code", "bloc", "level", "active_until"]
    list_filter = ["bloc", "level"]
    search_fields = ["name", "short_name", "code", "search_text"]
    filter_horizontal = ["successors"]

    def save_model(self, request, obj, form, change):
        # Treebeard's move form places the node; keep the derived search text in step.
        obj.search_text = unit_search_text(obj)
        super().save_model(request, obj, form, change)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "unit__name"]
    autocomplete_fields = ["unit"]
    raw_id_fields = ["user"]
