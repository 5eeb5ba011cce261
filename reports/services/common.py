"""What the other parts share."""

from __future__ import annotations

import logging

from django.conf import settings

from reports.models import (
    ReportState,
)

logger = logging.getLogger(__name__)

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_LEAD_DAYS = 120
REQUIREMENT_FIELDS = [
    "title",
    "receiver",
    "reporters_mode",
    "frequency",
    "also_on_demand",
    "due_offset_days",
    "level_lead_days",
    "cutoff_shift_days",
    "starts_on",
    "ends_on",
    "active",
]
NARRATIVE_FIELDS = ["results", "limitations", "proposals"]
TRANSITIONS = {
    ReportState.NOT_STARTED: {ReportState.DRAFT},
    ReportState.DRAFT: {ReportState.SUBMITTED},
    ReportState.RETURNED: {ReportState.SUBMITTED},
    ReportState.SUBMITTED: {ReportState.RETURNED, ReportState.ACCEPTED},
    ReportState.ACCEPTED: {ReportState.RETURNED},
}


def lookahead_days() -> int:
    return int(getattr(settings, "REPORTS_LOOKAHEAD_DAYS", 45))


GENERATE_LOCK = "reports.generate"
