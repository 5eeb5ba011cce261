"""The unit page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.services import may_manage
from units import selectors
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
