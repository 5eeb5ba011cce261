"""Links that keep every dashboard filter, with some changed (``{% dash_url filters
"dashboard" unit=5 %}``), so that drilling down or downloading shows the same view."""

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def dash_url(filters, view: str = "dashboard", *args, **overrides) -> str:
    query = filters.query(**overrides)
    url = reverse(view, args=args)
    return f"{url}?{query}" if query else url
