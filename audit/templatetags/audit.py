"""Template helpers of the audit trail."""

from django import template

from audit.selectors import may_search

register = template.Library()


@register.filter
def may_search_audit(user) -> bool:
    """Whether ``user`` may open the audit search (superusers and unit administrators)."""
    return may_search(user)
