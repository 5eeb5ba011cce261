"""Numbers of the report chain in the reader's format (1.234 and 33,3% in Vietnamese), and
the "Reports" section a plan's page can include."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

from reports.models import percent

register = template.Library()


@register.filter
def num(value: int | None) -> str:
    """A whole number with thousands grouped, or a dash."""
    if value is None:
        return "—"
    return number_format(value, decimal_pos=0, force_grouping=True)


@register.simple_tag
def fraction(numerator: int | None, denominator: int | None) -> str:
    """ "132/410", "132" for a count without a denominator, or a dash when nothing is given."""
    if numerator is None and denominator is None:
        return "—"
    if denominator is None:
        return num(numerator)
    return f"{num(numerator)}/{num(denominator)}"


@register.simple_tag
def pct(numerator: int | None, denominator: int | None) -> str:
    """numerator ÷ denominator as a percentage with one decimal, or a dash."""
    return pct_value(percent(numerator, denominator))


@register.filter
def pct_value(value: float | None) -> str:
    if value is None:
        return "—"
    return number_format(round(value, 1), decimal_pos=1, force_grouping=True) + "%"


@register.inclusion_tag("reports/document_section.html", takes_context=True)
def reports_for_document(context, document):
    """The plan's reporting duties, for its page: ``{% reports_for_document document %}``."""
    from reports import selectors, services

    user = context["request"].user
    return {
        "document": document,
        "requirements": selectors.requirements_for_document(user=user, document=document),
        "can_add": services.may_set_requirements(user, document),
        "request": context["request"],
    }
