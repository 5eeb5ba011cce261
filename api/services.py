"""Writes of the API app: issuing and revoking API tokens, and recognising a token."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from api.models import ApiToken, users_manageable_by
from audit.services import audit_record
from cascade.services import atomic_service

TOKEN_PREFIX = "csc_"  # noqa: S105 - a public marker, not a secret
# How often a token's "last used" time is written: once a minute is enough to tell whether a
# token is still in use, and spares a write on every request of a busy partner system.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(key: str) -> str:
    """The stored form of a token: its SHA-256, hex."""
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    """A token just issued and its secret, which is shown this once and never stored; empty
    when the secret went to its holder by e-mail instead (``sent_to``)."""

    token: ApiToken
    key: str
    sent_to: str = ""


def _delivers_to_holder(actor: User | None, user: User) -> bool:
    """Whether the secret goes to the holder rather than to whoever issued it: an
    administrator issuing for someone else never sees it, since the holder may read what the
    administrator may not (a confidential plan of the holder's unit). Superusers and the
    operator (``actor=None``) may see every token's power already."""
    return actor is not None and not actor.is_superuser and actor.pk != user.pk


def _check_may_manage(actor: User | None, user: User) -> None:
    """``actor=None`` is the system itself (a management command run by the operator)."""
    if actor is None:
        return
    if not users_manageable_by(actor).filter(pk=user.pk).exists():
        raise PermissionDenied(_("You may not manage the API tokens of this person."))


@atomic_service
def api_token_issue(
    *,
    actor: User | None,
    user: User,
    name: str,
    expires_at: datetime | None = None,
) -> IssuedToken:
    """Issue a new API token for ``user``; the secret is returned once and only its hash is
    kept. The token acts with exactly ``user``'s power, so an administrator may issue one
    only for someone whose power lies inside their own (``users_manageable_by``)."""
    _check_may_manage(actor, user)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Say what the token is for.")})
    if len(name) > 100:
        raise ValidationError({"name": _("Keep the name under 100 characters.")})
    if not user.is_active:
        raise ValidationError({"user": _("This person's account is disabled.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    delivered = _delivers_to_holder(actor, user)
    if delivered and not (user.email or "").strip():
        raise ValidationError(
            {"user": _("This person has no e-mail address to receive the token.")}
        )
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[: len(TOKEN_PREFIX) + 8],
        key_hash=hash_key(key),
        created_by=actor if actor is not None and actor.is_authenticated else None,
        expires_at=expires_at,
    )
    audit_record(
        actor=actor,
        action="issue",
        instance=token,
        changes={"user": user.pk, "name": name, "prefix": token.prefix, "expires_at": expires_at},
    )
    if delivered:
        # Through the outbox, in this transaction; its text is dropped once sent.
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("Your API token “%(name)s”") % {"name": name}
            body = render_to_string(
                "api/token_email.txt", {"token": token, "key": key, "issuer": actor}
            )
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        return IssuedToken(token=token, key="", sent_to=user.email)
    return IssuedToken(token=token, key=key)


@atomic_service
def api_token_revoke(*, actor: User | None, token: ApiToken) -> ApiToken:
    """Revoke a token at once; revoking a revoked token changes nothing. People may revoke
    their own tokens too."""
    if actor is None or token.user_id != actor.pk:
        _check_may_manage(actor, token.user)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = actor if actor is not None and actor.is_authenticated else None
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=actor, action="revoke", instance=token, changes={"revoked_at": token.revoked_at}
    )
    return token


def api_token_authenticate(*, key: str) -> ApiToken | None:
    """The active token whose secret is ``key``, with its user, or None. Notes when it was
    last used (bookkeeping, not audited: it changes nothing a person decided)."""
    if not key.startswith(TOKEN_PREFIX) or len(key) > 200:
        return None
    token = ApiToken.objects.active().select_related("user").filter(key_hash=hash_key(key)).first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
