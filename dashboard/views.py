"""The leader's dashboard: one page, htmx fragments (the whole dashboard when a filter
changes or a unit is drilled into, one level of the unit tree when it is opened) and
downloads. Every one reads its filters through ``dashboard.filters.resolve``, which applies
the one scoping rule, and its figures through ``dashboard.selectors``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_htmx.http import push_url

from dashboard import caching, charts, exports, selectors
from dashboard.filters import Filters, NoAccess, NoDirective, period_options, resolve
from units.models import Bloc, Level, Unit

# Plans listed by name on the page (nearest first); the others are summed in one row, and
# the download lists them all. A centre's table of two hundred rows is read by nobody.
PLAN_ROWS_SHOWN = 40
RENDERED_SECTIONS = ("targets", "reports", "laggards")


def _filters(request: HttpRequest) -> Filters:
    return resolve(request.user, request.GET, today=timezone.localdate())


def _branch_coverage(filters: Filters, node: Unit, version: int) -> dict | None:
    """The coverage of each branch under ``node``, from the cache when it is current."""
    if not filters.scope.subtree:
        return None
    return caching.cached("coverage_by_branch", filters.with_unit(node), version=version)


def page_context(filters: Filters) -> dict:
    """Everything on the page, in a fixed number of queries whatever the data. The sections
    that read the whole subtree come from the cache while current (``dashboard.caching``);
    the task figures are always read live from the subtree roll-ups."""
    version = caching.figures_version()

    def cached(section: str):
        return caching.cached(section, filters, version=version)

    # The first level of the unit tree covers every unit in scope: its sums are the totals.
    node = filters.scope.unit
    level = selectors.tree_level(
        filters, node, branch_coverage=_branch_coverage(filters, node, version)
    )
    states, coverage = level.states, level.coverage
    plans = cached("plans")
    plan_figures = cached("plan_rows")
    plan_rows, other_plans = selectors.states_by_plan(
        filters, plans, states, figures=plan_figures, shown=PLAN_ROWS_SHOWN
    )
    trend = selectors.trend(filters)
    directives = list(selectors.directive_choices(filters.user))
    if filters.directive.pk not in {d.pk for d in directives}:
        directives.insert(0, filters.directive)
    # These sections stand alone on the page: kept rendered beside their figures. Their
    # values stay in the context beside the HTML.
    rendered: dict[str, object] = {}
    for section in RENDERED_SECTIONS:
        value, html = caching.cached_rendered(
            section,
            filters,
            version=version,
            template=f"dashboard/dashboard.html#{section}-section",
        )
        rendered[section] = value
        rendered[f"{section}_html"] = html
    first_year = filters.directive.issued_on.year if filters.directive.issued_on else None
    first_year = min(first_year or filters.today.year, filters.today.year)
    return {
        "filters": filters,
        "ancestors": selectors.ancestors_in_reach(filters),
        "directives": directives,
        "plans": [p for p in plans if p.pk != filters.directive.pk],
        "period_groups": period_options(first_year, filters.today.year + 1),
        "blocs": Bloc.choices,
        "levels": Level.choices,
        "states": states,
        "state_bar": charts.stacked_bar([(k, label, n) for k, label, n, _p in states.rows()]),
        "plan_rows": plan_rows,
        "plan_rows_total": len(plan_figures[0]),
        "other_plans": other_plans,
        "trend": trend,
        "trend_chart": charts.trend_chart([(p.month, p.due, p.completed) for p in trend]),
        "overdue": cached("overdue"),
        "coverage": coverage,
        "coverage_bar": charts.stacked_bar([(k, label, n) for k, label, n, _p in coverage.rows()]),
        "coverage_list": cached("coverage_list"),
        "level": level,
        **rendered,
    }


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    try:
        filters = _filters(request)
    except NoAccess:
        if any(request.GET.get(key) for key in ("directive", "plan", "unit")):
            raise Http404 from None
        return render(request, "dashboard/dashboard.html", {"no_access": True})
    except NoDirective:
        return render(request, "dashboard/dashboard.html", {"no_directive": True})
    context = page_context(filters)
    if request.htmx:
        response = render(request, "dashboard/dashboard.html#dashboard", context)
        return push_url(response, f"{reverse('dashboard')}?{filters.query()}")
    return render(request, "dashboard/dashboard.html", context)


@login_required
@require_GET
def tree(request: HttpRequest) -> HttpResponse:
    """One level of the unit tree, under ``node`` (a unit within the subtree looked at)."""
    try:
        filters = _filters(request)
    except (NoAccess, NoDirective):
        raise Http404 from None
    node_pk = request.GET.get("node", "")
    scope = filters.scope
    node = (
        Unit.objects.filter(scope.q(), pk=int(node_pk)).first()
        if node_pk.isdigit() and len(node_pk) < 19
        else None
    )
    if node is None:
        raise Http404
    version = caching.figures_version()
    level = selectors.tree_level(
        filters, node, branch_coverage=_branch_coverage(filters, node, version)
    )
    context = {"filters": filters, "level": level, "opened": node}
    return render(request, "dashboard/dashboard.html#tree-level", context)


@login_required
@require_GET
def export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    """A dashboard table as CSV or Excel, scoped exactly as the page is."""
    if table not in exports.TABLES or fmt not in exports.FORMATS:
        raise Http404
    try:
        filters = _filters(request)
    except (NoAccess, NoDirective):
        raise Http404 from None
    if fmt == "csv":
        return exports.as_csv(table, filters)
    return exports.as_xlsx(table, filters)
