"""``{% load accounts_tags %}``: whether to offer two-step sign-in in the header."""

from django import template

from accounts.two_factor import is_offered_to

register = template.Library()


@register.filter
def two_factor_offered(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and is_offered_to(user)
