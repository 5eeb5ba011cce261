"""What every dashboard section shares: the names of the task states and coverage states,
and percentages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

STATES = (
    ("done_on_time", _("Done on time")),
    ("done_late", _("Done late")),
    ("in_progress", _("In progress")),
    ("overdue", _("Overdue")),
    ("not_started", _("Not started")),
)
COVERAGE_STATES = (
    ("issued", _("Plan issued")),
    ("pending", _("Not yet, not late")),
    ("late", _("Late")),
)


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None
