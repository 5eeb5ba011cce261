"""What background jobs need from the database to stay correct under faults: a lock row for
jobs that must run alone (where the database has no advisory locks), and the jobs that could
not be handed to the broker, kept until it is back.

The lowest layer after ``audit``: it imports no other app of the project.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _


class JobLock(models.Model):
    """A named lock held by one running job at a time.

    PostgreSQL uses advisory locks, which end with the session of a killed worker; this row
    is the portable fallback (SQLite), claimed by a conditional UPDATE and released when the
    job ends, or taken over once ``expires_at`` has passed (a holder that died)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    holder = models.CharField(_("held by"), max_length=200, blank=True)
    acquired_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("job lock")
        verbose_name_plural = _("job locks")

    def __str__(self) -> str:
        return f"{self.name}: {self.holder or '-'}"


class PendingJob(models.Model):
    """A job queued after a commit that the broker (Redis) did not take.

    Written instead of losing the job; the scheduler (Celery beat, or ``run_scheduler``)
    hands these to the broker again once it answers, oldest first, and deletes each row
    once it is handed over."""

    job = models.CharField(_("job"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    created_at = models.DateTimeField(_("queued at"), db_default=Now())
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("job waiting for the broker")
        verbose_name_plural = _("jobs waiting for the broker")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.job}{tuple(self.args)}"
