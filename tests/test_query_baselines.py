"""Exact query counts of the pages people use most, kept in ``tests/query_counts.json`` (as
NetBox keeps its baselines): a change that adds a query to a page fails here with the page,
the old and the new count, so it is a decision and not an accident.

Counts depend on the database and on whether Redis counts the API's rate limits, so the file
holds one baseline per set-up (``sqlite``, ``postgresql+redis``…). After a change that is
meant to cost a query, record the new figures with ``UPDATE_QUERY_COUNTS=1`` (on each set-up
CI runs) and commit the file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

BASELINES = Path(__file__).with_name("query_counts.json")


def _setup() -> str:
    cache = settings.CACHES["default"]["BACKEND"].lower()
    return connection.vendor + ("+redis" if "redis" in cache else "")


def _pages(directive, plan, task, report) -> dict[str, tuple[str, str]]:
    """Page name → (who, address)."""
    return {
        "home (staff)": ("canbo.konray", reverse("home")),
        "document (staff)": ("canbo.konray", reverse("document", args=[plan.pk])),
        "cascade (staff)": ("canbo.konray", reverse("cascade", args=[directive.pk])),
        "task (staff)": ("canbo.konray", reverse("task", args=[task.pk])),
        "task edit (staff)": ("canbo.konray", reverse("task_edit", args=[task.pk])),
        "report (staff)": ("canbo.konray", reverse("reports:detail", args=[report.pk])),
        "reports list (staff)": ("canbo.konray", reverse("reports:list")),
        "notifications (staff)": ("canbo.konray", reverse("notifications:list")),
        "search (staff)": ("canbo.konray", reverse("search") + "?q=ke+hoach"),
        "dashboard (superuser)": ("admin", reverse("dashboard")),
        "home (superuser)": ("admin", reverse("home")),
        "audit search (superuser)": ("admin", reverse("audit:search")),
        "api documents (staff)": ("canbo.konray", "/api/documents/"),
        "api tasks (staff)": ("canbo.konray", "/api/tasks/"),
    }


def _measure(client, address: str) -> int:
    client.get(address)  # warm: caches of content types, translations, templates
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200, (address, response.status_code)
    return len(captured)


@pytest.mark.django_db
def test_the_pages_people_use_most_cost_exactly_their_baseline(demo, client):
    from plans.models import Document
    from reports.models import ReportRequest
    from tasks.models import Task

    directive = Document.objects.get(identifier="21-CT/TW", issuer__code="TW")
    konray = get_user_model().objects.get(username="canbo.konray")
    plan = Document.objects.filter(issuer__in=konray.memberships.values("unit")).first()
    task = Task.objects.filter(document=plan).order_by("position", "pk").first()
    report = ReportRequest.objects.visible_to(konray).order_by("pk").first()
    assert plan and task and report, "the demo should give Kon Rẫy a plan, a task and a report"
    measured: dict[str, int] = {}
    for name, (username, address) in _pages(directive, plan, task, report).items():
        client.force_login(get_user_model().objects.get(username=username))
        measured[name] = _measure(client, address)
    stored = json.loads(BASELINES.read_text(encoding="utf-8")) if BASELINES.exists() else {}
    setup = _setup()
    if os.environ.get("UPDATE_QUERY_COUNTS"):
        stored[setup] = measured
        BASELINES.write_text(
            json.dumps(stored, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        return
    assert setup in stored, f"No baseline for {setup}: run with UPDATE_QUERY_COUNTS=1."
    changed = {
        name: (stored[setup].get(name), count)
        for name, count in measured.items()
        if stored[setup].get(name) != count
    }
    assert not changed, "Query counts changed (page: baseline → now): " + "; ".join(
        f"{name}: {old} → {new}" for name, (old, new) in changed.items()
    )
