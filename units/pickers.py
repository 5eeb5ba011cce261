"""Choosing units by typing part of their name: the picker every form uses for units.

A select listing every unit a person may assign would hold up to 60,000 options (or, cut
short, miss the very unit a task already has). The picker shows the units chosen and a search
box; the search asks ``picker_search``, which looks through the same scoping rule as the form
that validates the choice (``Unit.objects.visible_to`` or ``editable_by``), so whatever can be
found can be chosen, and nothing else can be posted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from cascade.text import search_tokens
from units.models import Unit

type User = AbstractBaseUser | AnonymousUser

SCOPES: dict[str, Callable[[User], QuerySet[Unit]]] = {
    "visible": lambda user: Unit.objects.visible_to(user),
    "editable": lambda user: Unit.objects.editable_by(user),
}
RESULTS = 20


def picker_units(
    *, user: User, scope: str, under: int | None = None, active: bool = False
) -> QuerySet[Unit]:
    """Every unit the picker may offer: the scope's units, under a unit, open ones only."""
    units = SCOPES.get(scope, SCOPES["visible"])(user)
    if under is not None:
        anchor = Unit.objects.filter(pk=under).values_list("path", flat=True).first()
        units = units.filter(path__startswith=anchor) if anchor else units.none()
    if active:
        units = units.filter(active_until__isnull=True)
    return units


def picker_search(
    *,
    user: User,
    scope: str,
    query: str,
    under: int | None = None,
    active: bool = False,
    exclude: Iterable[int] = (),
) -> list[Unit]:
    """The first ``RESULTS`` units whose name (diacritics ignored) holds every word typed,
    the higher levels first."""
    tokens = search_tokens(query)
    if not tokens:
        return []
    units = picker_units(user=user, scope=scope, under=under, active=active)
    for token in tokens:
        units = units.filter(search_text__contains=token)
    return list(units.exclude(pk__in=list(exclude)).order_by("depth", "name")[:RESULTS])


class UnitPicker(forms.Widget):
    """The chosen units as ticked boxes (untick to remove) and a search box whose results
    are added with a tick. ``multiple=False`` for a single unit (radio buttons)."""

    template_name = "units/picker.html"

    def __init__(
        self,
        *,
        scope: str = "visible",
        multiple: bool = True,
        under: int | None = None,
        active: bool = False,
        attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(attrs)
        self.scope, self.multiple, self.under, self.active = scope, multiple, under, active
        # Django gives a choice field's widget its choices; the picker never lists them.
        self.choices: Any = ()

    def render(self, name, value, attrs=None, renderer=None):
        # Rendered by the project's templates (Django's form renderer only reads its own).
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))

    def format_value(self, value: Any) -> list[str]:
        if value in (None, "", []):
            return []
        values = value if isinstance(value, (list, tuple)) else [value]
        return [str(getattr(v, "pk", v)) for v in values if str(getattr(v, "pk", v)).isdecimal()]

    def value_from_datadict(self, data, files, name):
        if self.multiple:
            return data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        return data.get(name)

    def value_omitted_from_data(self, data, files, name) -> bool:
        # An unticked box sends nothing: "none chosen", not "field missing".
        return False

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        ids = [int(pk) for pk in self.format_value(value) if len(pk) < 19]
        chosen = {unit.pk: unit for unit in Unit.objects.filter(pk__in=ids)}
        query = {
            "field": name,
            "id": context["widget"]["attrs"].get("id") or f"id_{name}",
            "scope": self.scope,
            "multiple": "1" if self.multiple else "",
            "under": "" if self.under is None else str(self.under),
            "active": "1" if self.active else "",
        }
        context["widget"].update(
            {
                "chosen": [chosen[pk] for pk in ids if pk in chosen],
                "input_type": "checkbox" if self.multiple else "radio",
                "base_id": query["id"],
                "query_string": urlencode(query),
            }
        )
        return context


# Up to this many units a plain list is quicker to use than a search.
SHORT_LIST = 30


def use_picker_when_long(field: forms.ModelChoiceField, *, scope: str) -> None:
    """Give ``field`` (one unit out of its queryset) the picker when its queryset holds more
    than ``SHORT_LIST`` units; a short list stays a plain select."""
    if field.queryset is not None and field.queryset.count() > SHORT_LIST:
        field.widget = UnitPicker(scope=scope, multiple=False)
