"""Per-user API tokens: a partner system acts as the person the token was issued to.

Only a SHA-256 hash of a token is stored; the token itself is shown once, when it is issued.
A token is random (256 bits), so a fast hash is enough: nothing can be guessed from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from units.models import ADMINISTERING_ROLES, Membership, scope_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def users_manageable_by(user: AbstractBaseUser | AnonymousUser) -> models.QuerySet:
    """People whose API tokens ``user`` may issue and revoke: everyone for a superuser; for a
    unit administrator the people whose whole power lies inside the subtree they administer.

    A token carries all of its holder's power, so an administrator may give one only to
    someone who can do nothing they could not: not a superuser or an account of the admin
    site, and not someone who is also a member (in any role) of a unit outside that subtree.
    """
    people = get_user_model().objects.all()
    if not user.is_authenticated:
        return people.none()
    if user.is_superuser:
        return people
    within = scope_q(user, roles=ADMINISTERING_ROLES, prefix="unit__")
    members = Membership.objects.filter(within)
    elsewhere = Membership.objects.exclude(within)
    return people.filter(pk__in=members.values("user"), is_superuser=False, is_staff=False).exclude(
        pk__in=elsewhere.values("user")
    )


class ApiTokenQuerySet(models.QuerySet):
    """API tokens, with who may see and manage them."""

    def active(self) -> ApiTokenQuerySet:
        """Tokens that still authenticate: not revoked, not expired."""
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )

    def manageable_by(self, user: AbstractBaseUser | AnonymousUser) -> ApiTokenQuerySet:
        """Tokens ``user`` may issue and revoke (see ``users_manageable_by``)."""
        return self.filter(user__in=users_manageable_by(user))

    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> ApiTokenQuerySet:
        """Tokens ``user`` may list: their own and those they manage."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(user=user) | Q(user__in=users_manageable_by(user)))


class ApiToken(models.Model):
    """A secret that lets a partner system call the API as ``user``, with exactly that
    person's permissions. Issued and revoked by an administrator, each change audited."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, e.g. the partner system.")
    )
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()
