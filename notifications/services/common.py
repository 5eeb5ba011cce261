"""What the other parts share: limits, the names of the locks, and queueing a job."""

from __future__ import annotations

import logging
from typing import Any

from background import services as background

logger = logging.getLogger(__name__)

DEFAULT_BATCH = 5000
# A digest lists this many notifications at most, then says how many more are in the list.
DIGEST_MAX_ITEMS = 100
MAX_OFFSET_DAYS = 366
# One sweep and one outbox sender at a time (background.services.run_alone).
SWEEP_LOCK = "notifications.sweep"
OUTBOX_LOCK = "notifications.outbox"


# --- queueing jobs -----------------------------------------------------------------------


def enqueue_on_commit(job_name: str, *args: Any) -> None:
    """Queue ``notifications.jobs.<job_name>(*args)`` once the current transaction commits
    (``background.services.enqueue_on_commit``: kept while the broker is down)."""
    background.enqueue_on_commit(f"notifications.jobs.{job_name}", *args)
