"""Reads of the leader's dashboard. Every figure is counted in the database, each function
costs a fixed number of queries whatever the size of the tree, and every one takes the same
checked ``Filters`` (directive or plan, the unit and whether its subtree is readable, period,
bloc, level), so pages, fragments and downloads see exactly the same rows.

Task figures come from the roll-up tables (``rollups.models``), except the part of
"overdue" that depends on today: open occurrences due earlier in the current month are
counted live, a small query on one month of due dates.

One module per section (``dashboard.sections`` names them): ``tasks`` (states, plans,
branches, overdue, trend), ``coverage``, ``tree``, ``laggards``, ``choices``; ``common``
holds what they share. Callers use ``dashboard.selectors.<name>`` as before.
"""

from dashboard.selectors.choices import *  # noqa: F403
from dashboard.selectors.common import *  # noqa: F403
from dashboard.selectors.coverage import *  # noqa: F403
from dashboard.selectors.laggards import *  # noqa: F403
from dashboard.selectors.tasks import *  # noqa: F403
from dashboard.selectors.tree import *  # noqa: F403
