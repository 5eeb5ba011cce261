"""Authentication by API token: ``Authorization: Bearer csc_…`` (``Token`` also accepted)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from api.models import ApiToken
from api.services import api_token_authenticate

KEYWORDS = (b"bearer", b"token")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """A request carrying an API token acts as the token's user; ``request.auth`` is the
    token (the throttle counts per token)."""

    def authenticate(self, request: Request) -> tuple[object, ApiToken] | None:
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Give the token after the word Bearer, with no spaces in it.")
            )
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("The API token is not valid.")) from None
        token = api_token_authenticate(key=key)
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("The API token is not valid, has expired or was revoked.")
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This person's account is disabled."))
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # A 401 (not 403) with this header tells a client without credentials what to send.
        return 'Bearer realm="api"'
