"""The unit page, and the search behind the unit pickers of forms."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from accounts.services import may_manage
from units import pickers, selectors
from units.models import Unit


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
    return render(
        request,
        "units/unit_detail.html",
        {
            "unit": unit,
            "ancestors": Unit.objects.get_ancestors(unit),
            "children": Unit.objects.get_children(unit),
            "successors": unit.successors.all(),
            "predecessors": unit.predecessors.all(),
            "documents": selectors.unit_documents(user=request.user, unit=unit),
            "assignments": selectors.unit_assignments(user=request.user, unit=unit),
            "can_manage_members": may_manage(request.user, unit),
        },
    )


def _picker_params(request: HttpRequest) -> dict:
    """The picker's own settings, sent back by its search box (see ``units.pickers``)."""
    under = request.GET.get("under", "")
    field = request.GET.get("field", "")[:60]
    base_id = request.GET.get("id", "")[:80]
    return {
        "field": field if field.replace("-", "").replace("_", "").isalnum() else "unit",
        "base_id": base_id if base_id.replace("-", "").replace("_", "").isalnum() else "picker",
        "scope": request.GET.get("scope", "visible"),
        "under": int(under) if under.isdecimal() and len(under) < 19 else None,
        "active": request.GET.get("active") == "1",
        "multiple": request.GET.get("multiple") == "1",
    }


def _picker_context(request: HttpRequest, params: dict) -> dict:
    query = {
        key: request.GET.get(key, "")
        for key in ("field", "id", "scope", "multiple", "under", "active")
    }
    return {
        "field": params["field"],
        "base_id": params["base_id"],
        "input_type": "checkbox" if params["multiple"] else "radio",
        "query_string": urlencode(query),
    }


@login_required
@require_GET
def unit_picker(request: HttpRequest) -> HttpResponse:
    """The units matching what was typed in a picker's search box (an htmx fragment)."""
    params = _picker_params(request)
    query = request.GET.get(f"{params['field']}_search", "")[:200]
    units = pickers.picker_search(
        user=request.user,
        scope=params["scope"],
        query=query,
        under=params["under"],
        active=params["active"],
        # The units already chosen (their ticked boxes come along) are not offered twice.
        exclude=[
            int(pk)
            for pk in request.GET.getlist(params["field"])[:500]
            if pk.isdecimal() and len(pk) < 19
        ],
    )
    context = {**_picker_context(request, params), "units": units, "query": query.strip()}
    return render(request, "units/picker_results.html#results", context)


@login_required
@require_GET
def unit_picker_pick(request: HttpRequest) -> HttpResponse:
    """A unit found by the search, moved to the chosen ones (an htmx fragment)."""
    params = _picker_params(request)
    pk = request.GET.get("unit", "")
    candidates = pickers.picker_units(
        user=request.user, scope=params["scope"], under=params["under"], active=params["active"]
    )
    unit = get_object_or_404(candidates, pk=int(pk) if pk.isdecimal() and len(pk) < 19 else 0)
    context = {**_picker_context(request, params), "unit": unit}
    return render(request, "units/picker_results.html#picked", context)
