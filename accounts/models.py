"""Invitations to join a unit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from units.models import Role, Unit


class Invitation(models.Model):
    """A unit administrator's invitation for an e-mail address to join ``unit`` with ``role``.

    The link sent is signed (``accounts.services.invitation_link``) and carries ``nonce``; it
    works once (``accepted_at``) and until ``expires_at``. Written only by the services.
    """

    email = models.EmailField(_("e-mail"))
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.STAFF)
    nonce = models.CharField(max_length=32, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.unit} ({self.get_role_display()})"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class TwoFactorDevice(models.Model):
    """A person's authenticator app (TOTP, RFC 6238): once confirmed, signing in also asks
    for the six-digit code it shows. Offered to leaders and administrators, whose accounts
    reach a whole subtree. ``last_step`` is the time step of the last code accepted, so a
    code seen over someone's shoulder cannot be used again. Written only by the services."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor"
    )
    secret = models.CharField(max_length=64, editable=False)
    confirmed_at = models.DateTimeField(_("turned on at"), null=True, blank=True)
    last_step = models.BigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("two-step sign-in")
        verbose_name_plural = _("two-step sign-ins")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_on(self) -> bool:
        return self.confirmed_at is not None


class Counter(models.Model):
    """A count of events under ``key`` within a time window, kept in the database so that
    every web process (and every server) sees the same count whether or not Redis is up.

    Used for failed sign-ins (``accounts.throttle``) and, when the cache cannot count, for the
    API's rate limits. Written only by ``accounts.counters``; bookkeeping, not audited."""

    key = models.CharField(max_length=120, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_ends_at = models.DateTimeField()
    last_at = models.DateTimeField()

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        indexes = [models.Index(fields=["window_ends_at"], name="counter_window_end")]

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
