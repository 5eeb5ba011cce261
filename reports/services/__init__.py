"""Writes of the report chain, one module a part: requirements and the requests generated
from them, ad hoc ones included (``requirements``, ``requests``), writing, submitting and
reviewing reports (``writing``), and rolling figures up from the level below (``rollup``).

Every service is keyword-only, validates its input and the actor's right to act, runs in one
transaction and writes the audit trail. ``actor=None`` is the system itself (jobs, the demo).
Callers use ``reports.services.<name>``.
"""

from reports.services.common import (  # noqa: F401
    GENERATE_LOCK,
    MAX_ATTACHMENT_BYTES,
    MAX_LEAD_DAYS,
    NARRATIVE_FIELDS,
    REQUIREMENT_FIELDS,
    TRANSITIONS,
    lookahead_days,
)
from reports.services.consolidation import (  # noqa: F401
    _prefill,
)
from reports.services.requests import (  # noqa: F401
    _generate_due,
    report_request_create_ad_hoc,
    report_request_reschedule,
    report_requests_generate,
    report_requests_generate_due,
)
from reports.services.requirements import (  # noqa: F401
    _check_may_manage,
    _clean_lead_days,
    _derived_offset,
    _redate,
    _standard_period,
    enqueue_generation,
    may_set_requirements,
    report_requirement_create,
    report_requirement_create_from_task,
    report_requirement_update,
)
from reports.services.writing import (  # noqa: F401
    ReportActions,
    _check_may_review,
    _check_may_write,
    _clean_count,
    _lock,
    _mark_above_stale,
    _recount_tasks,
    _start,
    _transition,
    report_accept,
    report_actions,
    report_attachment_add,
    report_reopen,
    report_return,
    report_save_draft,
    report_start,
    report_submit,
    rollup_prefill,
)
