"""Writes for notifications, one module a part: the daily reminder sweep (``reminders``),
assignment notices (``notices``), the e-mail outbox (``outbox``), reading notifications and
each person's choices (``people``), reminder policies (``policies``), the schedules of the
periodic jobs (``schedules``) and the demo (``demo``).

Jobs (``notifications/jobs.py``) and commands only call these. Everything that must not be
lost is a database row written in the caller's transaction; jobs are queued after the commit,
by name, and kept while the broker is down. Callers use ``notifications.services.<name>``.
"""

from notifications.services.common import (  # noqa: F401
    DEFAULT_BATCH,
    DIGEST_MAX_ITEMS,
    MAX_OFFSET_DAYS,
    OUTBOX_LOCK,
    SWEEP_LOCK,
    enqueue_on_commit,
)
from notifications.services.demo import (  # noqa: F401
    DEMO_TASK_TEXT,
    demo_reminders,
)
from notifications.services.notices import (  # noqa: F401
    _assignment_notices,
    assignment_notices_create,
    assignment_notices_for_document,
)
from notifications.services.outbox import (  # noqa: F401
    DEFAULT_RESEND_AFTER,
    _compose,
    _message_domain,
    _outbox_send,
    _resend_after,
    _transient,
    emails_hand_over,
    emails_queue,
    outbox_claim,
    outbox_retry,
    outbox_send,
    smtp_permanent_error,
)
from notifications.services.people import (  # noqa: F401
    _new_token,
    calendar_token_regenerate,
    notification_mark_read,
    notifications_mark_all_read,
    plan_mute_set,
    preference_for,
    preference_update,
    unit_calendar_for,
    unit_calendar_regenerate,
)
from notifications.services.policies import (  # noqa: F401
    _clean_offsets,
    reminder_policy_set,
)
from notifications.services.reminders import (  # noqa: F401
    SweepResult,
    _insert_report_notifications,
    _report_reminders,
    _rows_for_batch,
    _support_rows,
    reminders_sweep,
    send_reminders,
)
from notifications.services.schedules import (  # noqa: F401
    DEFAULT_SCHEDULES,
    scheduled_job_claim,
    schedules_ensure,
)
