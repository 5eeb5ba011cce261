"""Roll-up tables the leader's dashboard reads instead of counting occurrences live.

Both are derived data: the task services keep them current in the same transaction as the
change (``rollups.services``), and ``manage.py rebuild_rollups`` recomputes them from the
occurrences when they need repair. Rows are per working unit and per document, so a subtree
is one materialized-path prefix on the joined unit and a cascade one condition on the joined
document (its ``root`` is not copied here: moving a document in the cascade changes it).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.models import Document
from units.models import Unit


class Bucket(models.TextChoices):
    """Where an occurrence stands, as far as it does not depend on today. Overdue is an open
    bucket (not started, in progress) whose due date has passed, worked out when read."""

    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE_ON_TIME = "done_on_time", _("Done on time")
    DONE_LATE = "done_late", _("Done late")


OPEN_BUCKETS = (Bucket.NOT_STARTED, Bucket.IN_PROGRESS)
DONE_BUCKETS = (Bucket.DONE_ON_TIME, Bucket.DONE_LATE)


class OccurrenceRollup(models.Model):
    """How many occurrences of ``document``'s tasks, led by ``unit`` and due in
    ``due_month``, are in ``bucket``."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    due_month = models.DateField(_("due month"), help_text=_("The first day of the month."))
    bucket = models.CharField(_("state"), max_length=16, choices=Bucket.choices)
    count = models.IntegerField(_("occurrences"), default=0)

    class Meta:
        # Made by the dashboard app, which held these tables before.
        db_table = "dashboard_occurrencerollup"
        verbose_name = _("occurrence roll-up")
        verbose_name_plural = _("occurrence roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "document", "due_month", "bucket"], name="occurrence_rollup_key"
            )
        ]
        indexes = [models.Index(fields=["document", "due_month"], name="occurrence_rollup_doc")]

    def __str__(self) -> str:
        return (
            f"{self.unit_id}/{self.document_id} {self.due_month:%m/%Y} {self.bucket}: {self.count}"
        )


class CompletionRollup(models.Model):
    """How many occurrences of ``document``'s tasks, led by ``unit``, were completed in
    ``done_month`` (the trend chart's "completed per month")."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    done_month = models.DateField(_("completion month"), help_text=_("The first day of the month."))
    count = models.IntegerField(_("occurrences"), default=0)

    class Meta:
        # Made by the dashboard app, which held these tables before.
        db_table = "dashboard_completionrollup"
        verbose_name = _("completion roll-up")
        verbose_name_plural = _("completion roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "document", "done_month"], name="completion_rollup_key"
            )
        ]
        indexes = [models.Index(fields=["document", "done_month"], name="completion_rollup_doc")]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.document_id} {self.done_month:%m/%Y}: {self.count}"


class SubtreeRollup(models.Model):
    """``OccurrenceRollup`` summed over the whole subtree of ``unit`` and over every document
    of the cascade whose top document is ``cascade``.

    A dashboard looking at a unit's subtree for a whole cascade (what it opens on) reads a few
    hundred of these rows instead of every roll-up row below the unit: at national scale the
    centre's subtree holds millions. Kept by the same services in the same transaction as the
    per-unit rows; a document later moved into another cascade is corrected by
    ``manage.py rebuild_rollups``.
    """

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    cascade = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    due_month = models.DateField(_("due month"))
    bucket = models.CharField(_("state"), max_length=16, choices=Bucket.choices)
    count = models.IntegerField(_("occurrences"), default=0)

    class Meta:
        # Made by the dashboard app, which held these tables before.
        db_table = "dashboard_subtreerollup"
        verbose_name = _("subtree roll-up")
        verbose_name_plural = _("subtree roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "cascade", "due_month", "bucket"], name="subtree_rollup_key"
            )
        ]

    def __str__(self) -> str:
        month = f"{self.due_month:%m/%Y}"
        return f"{self.unit_id}/{self.cascade_id} {month} {self.bucket}: {self.count}"


class SubtreeCompletion(models.Model):
    """``CompletionRollup`` summed over the subtree of ``unit`` and the cascade of
    ``cascade`` (the trend's "completed per month" at any unit)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    cascade = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    done_month = models.DateField(_("completion month"))
    count = models.IntegerField(_("occurrences"), default=0)

    class Meta:
        # Made by the dashboard app, which held these tables before.
        db_table = "dashboard_subtreecompletion"
        verbose_name = _("subtree completion roll-up")
        verbose_name_plural = _("subtree completion roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "cascade", "done_month"], name="subtree_completion_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.cascade_id} {self.done_month:%m/%Y}: {self.count}"
