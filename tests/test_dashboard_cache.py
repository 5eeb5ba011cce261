"""The dashboard's cached sections (``dashboard.caching``): served while current, shown stale
while a job computes them again after a saved change, computed at once when the cache server
is down, and never handed to a reader they were not computed for."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from dashboard import caching, selectors
from dashboard.filters import resolve
from tasks import services as task_services
from tasks.models import TaskStatus
from tests.factories import UserFactory, member
from units.models import Role


@pytest.fixture
def cache_on(settings):
    settings.DASHBOARD_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def _overdue_ids(response):
    return [row.occurrence.pk for row in response.context["overdue"]]


def test_a_saved_change_shows_in_the_counts_at_once_and_in_cached_lists_after_the_refresh_job(
    client, directive, centre_leader, cache_on, django_capture_on_commit_callbacks
):
    client.force_login(centre_leader)
    url = reverse("dashboard")
    first = client.get(url, {"directive": directive.pk})
    overdue = first.context["overdue"]
    assert overdue, "the demo has overdue work"
    occurrence = overdue[0].occurrence
    done_before = first.context["states"].done

    with django_capture_on_commit_callbacks(execute=True):
        task_services.progress_add(
            actor=member(occurrence.unit, Role.STAFF),
            assignment=occurrence.assignment,
            occurrence=occurrence,
            note="Đã hoàn thành.",
            status=TaskStatus.DONE,
            completed_on=timezone.localdate(),
        )

    # The next reader is not kept waiting: the counts come live from the roll-ups, the
    # overdue list is the cached one while a job computes it again.
    with django_capture_on_commit_callbacks(execute=False) as queued:
        stale = client.get(url, {"directive": directive.pk})
    assert stale.context["states"].done == done_before + 1
    assert occurrence.pk in _overdue_ids(stale)
    assert queued, "a refresh job was queued"
    for callback in queued:
        callback()

    fresh = client.get(url, {"directive": directive.pk})
    assert occurrence.pk not in _overdue_ids(fresh)
    assert fresh.context["states"].done == done_before + 1


def test_a_current_section_is_read_from_the_cache(
    client, directive, centre_leader, cache_on, django_assert_max_num_queries
):
    client.force_login(centre_leader)
    url = reverse("dashboard")
    client.get(url, {"directive": directive.pk})
    filters = resolve(centre_leader, {"directive": str(directive.pk)}, today=timezone.localdate())
    version = caching.figures_version()
    with django_assert_max_num_queries(1):  # hides_confidential, read once per filters
        laggards = caching.cached("laggards", filters, version=version)
    assert [row.unit.pk for row in laggards] == [
        row.unit.pk for row in selectors.laggards(filters, limit=10)
    ]


def test_figures_are_computed_when_the_cache_server_is_down(
    client, directive, centre_leader, cache_on, monkeypatch
):
    def down(*args, **kwargs):
        raise ConnectionError("cache server down")

    monkeypatch.setattr(cache, "get", down)
    client.force_login(centre_leader)
    response = client.get(reverse("dashboard"), {"directive": directive.pk})
    assert response.status_code == 200
    filters = resolve(centre_leader, {"directive": str(directive.pk)}, today=timezone.localdate())
    assert [row.occurrence.pk for row in response.context["overdue"]] == [
        row.occurrence.pk for row in selectors.overdue_list(filters, limit=20)
    ]


def test_a_refresh_for_someone_who_may_no_longer_look_stores_nothing(directive, cache_on):
    outsider = UserFactory()
    query = f"directive={directive.pk}&unit={directive.issuer_id}"
    stored = caching.refresh(
        section="laggards",
        user_id=outsider.pk,
        query=query,
        today=timezone.localdate(),
        language="vi",
    )
    assert stored is False
    assert caching.figures_version() == 0  # nothing was computed or stored meanwhile


def test_sections_read_per_user_are_kept_apart_and_shared_ones_are_not(
    directive, centre_leader, cache_on
):
    other_leader = member(directive.issuer, Role.LEADER)
    today = timezone.localdate()
    mine = resolve(centre_leader, {"directive": str(directive.pk)}, today=today)
    theirs = resolve(other_leader, {"directive": str(directive.pk)}, today=today)
    assert caching.filters_key("plans", mine) != caching.filters_key("plans", theirs)
    assert caching.filters_key("laggards", mine) == caching.filters_key("laggards", theirs)
    tomorrow = resolve(centre_leader, {"directive": str(directive.pk)}, today=today + timedelta(1))
    assert caching.filters_key("laggards", mine) != caching.filters_key("laggards", tomorrow)


def test_a_cached_section_is_rendered_once_until_its_figures_are_computed_again(
    client, directive, centre_leader, cache_on, monkeypatch
):
    today = timezone.localdate()
    filters = resolve(centre_leader, {"directive": str(directive.pk)}, today=today)
    version = caching.figures_version()
    template = "dashboard/dashboard.html#laggards-section"
    renders = []
    real_render = caching.render_to_string

    def counting_render(*args, **kwargs):
        renders.append(args[0])
        return real_render(*args, **kwargs)

    monkeypatch.setattr(caching, "render_to_string", counting_render)

    value, html = caching.cached_rendered("laggards", filters, version=version, template=template)
    assert value and 'id="laggard-table"' in html and value[0].unit.name in html
    again = caching.cached_rendered("laggards", filters, version=version, template=template)
    assert again[1] == html
    assert len(renders) == 1

    # A refresh computes the figures again: the next reader gets them rendered anew.
    assert caching.refresh(
        section="laggards",
        user_id=centre_leader.pk,
        query=filters.query(),
        today=today,
        language="vi",
    )
    _value, html_after = caching.cached_rendered(
        "laggards", filters, version=version, template=template
    )
    assert len(renders) == 2
    assert html_after == html  # the same figures, rendered again from the new computation

    client.force_login(centre_leader)
    page = client.get(reverse("dashboard"), {"directive": directive.pk}).content.decode()
    assert html in page
