"""Optimistic locking: two people editing the same object cannot silently overwrite each
other. A form carries the version it was opened at; the service refuses a save made against an
older version with ``EditConflict``, which says who changed it and when."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _


class EditConflict(ValidationError):
    """The object was saved by someone else after the form was opened.

    A ``ValidationError``, so every view showing a service's refusal shows this one too; views
    that know it also show the other person's change (``last_change``) beside the form,
    which keeps what the person typed.
    """

    def __init__(self, *, instance: models.Model, last_change: Any | None) -> None:
        self.instance = instance
        self.last_change = last_change
        self.current_version: int = instance.version  # type: ignore[attr-defined]
        if last_change is not None:
            message = _(
                "%(who)s saved this %(what)s at %(when)s, after you opened it. Your input is "
                "kept below; compare it with their change and save again to keep yours."
            ) % {
                "who": last_change.actor_label,
                "what": instance._meta.verbose_name,
                "when": formats.date_format(
                    timezone.localtime(last_change.at), "SHORT_DATETIME_FORMAT"
                ),
            }
        else:
            message = _(
                "Someone else saved this %(what)s after you opened it. Your input is kept "
                "below; compare it with their change and save again to keep yours."
            ) % {"what": instance._meta.verbose_name}
        super().__init__(message, code="edit_conflict")


def check_version(instance: models.Model, expected_version: int | None) -> None:
    """Refuse the save when ``instance`` (locked by the caller) is no longer at the version the
    form was opened at. ``None``: the caller did not say (a job, an import): no check."""
    if expected_version is None or expected_version == instance.version:  # type: ignore[attr-defined]
        return
    from audit.models import AuditEvent

    last_change = AuditEvent.objects.filter(
        object_type=instance._meta.label_lower, object_id=str(instance.pk)
    ).first()
    raise EditConflict(instance=instance, last_change=last_change)
