"""The dashboard's roll-up tables stay equal to a fresh count of the occurrences through
everything the task services do, and the repair command puts them right when they are not."""

import io
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps

if not apps.is_installed("dashboard"):
    pytest.skip("the dashboard app is not in INSTALLED_APPS", allow_module_level=True)

from django.core.management import CommandError, call_command
from django.utils import timezone

from rollups.models import CompletionRollup, OccurrenceRollup
from rollups.services import rollup_differences, stored_rollups, tally
from tasks import services as task_services
from tasks.models import Assignment, DeadlineKind, Occurrence, Task, TaskStatus
from tests.factories import make_document, make_task, make_unit, member
from units.models import Level, Role


def assert_fresh():
    assert rollup_differences() == {}


@pytest.fixture
def setting(db):
    province = make_unit("Tỉnh ủy Roll-up", code="TU")
    districts = [
        make_unit(f"Huyện ủy {i}", parent=province, level=Level.DISTRICT, code="HU")
        for i in range(3)
    ]
    plan = make_document(province, number="5", issued_on=date(2024, 1, 10))
    staff = member(province, Role.ADMINISTRATOR)
    return SimpleNamespace(districts=districts, plan=plan, staff=staff)


def test_the_demo_loads_with_roll_ups_equal_to_a_fresh_count(demo):
    assert OccurrenceRollup.objects.exists()
    assert sum(stored_rollups().values()) >= Occurrence.objects.count()
    assert_fresh()


def test_progress_keeps_the_roll_ups_current(setting):
    districts, plan, staff = setting.districts, setting.plan, setting.staff
    task = make_task(plan, lead=districts, deadline_text="hằng quý")
    assert_fresh()
    occurrences = list(Occurrence.objects.filter(task=task).order_by("due_on", "pk"))
    first, second, third = occurrences[:3]
    today = timezone.localdate()
    task_services.progress_add(
        actor=staff,
        assignment=first.assignment,
        occurrence=first,
        note="Xong.",
        status=TaskStatus.DONE,
        completed_on=min(first.due_on, today),
    )
    task_services.progress_add(
        actor=staff,
        assignment=second.assignment,
        occurrence=second,
        note="Xong muộn.",
        status=TaskStatus.DONE,
        completed_on=min(second.due_on + timedelta(days=9), today),
    )
    task_services.progress_add(
        actor=staff, assignment=third.assignment, note="Đang làm.", status=TaskStatus.IN_PROGRESS
    )
    assert_fresh()
    buckets = {
        row.bucket for row in OccurrenceRollup.objects.filter(document=plan).exclude(count=0)
    }
    assert {"done_on_time", "in_progress", "not_started"} <= buckets
    assert CompletionRollup.objects.filter(document=plan, count__gt=0).exists()
    # Re-opening a done period takes it out of "done" again.
    task_services.progress_add(
        actor=staff,
        assignment=first.assignment,
        occurrence=first,
        note="Làm lại.",
        status=TaskStatus.IN_PROGRESS,
    )
    assert_fresh()


def test_correcting_a_deadline_moves_the_occurrences_between_months(setting):
    districts, plan, staff = setting.districts, setting.plan, setting.staff
    task = make_task(plan, lead=districts[:2], deadline_text="không rõ thời hạn nào")
    assert task.deadline_kind == DeadlineKind.UNPARSED
    assert_fresh()
    task_services.task_correct_deadline(
        actor=staff, task=task, kind=DeadlineKind.ONCE, due_on=date(2024, 9, 30)
    )
    assert_fresh()
    september = OccurrenceRollup.objects.filter(document=plan, due_month=date(2024, 9, 1))
    assert sum(september.values_list("count", flat=True)) == 2
    task_services.task_correct_deadline(
        actor=staff, task=task, kind=DeadlineKind.RECURRING, frequency="monthly"
    )
    assert_fresh()
    months = OccurrenceRollup.objects.filter(document=plan, count__gt=0).values("due_month")
    assert months.distinct().count() > 12


def test_changing_a_tasks_words_and_units_keeps_the_roll_ups_current(setting):
    districts, plan, staff = setting.districts, setting.plan, setting.staff
    task = make_task(plan, lead=districts[:2], deadline_text="quý III/2024")
    logged = Assignment.objects.get(task=task, unit=districts[0])
    task_services.progress_add(
        actor=staff, assignment=logged, note="Đã bắt đầu.", status=TaskStatus.IN_PROGRESS
    )
    assert_fresh()
    # Another deadline, one lead removed (the one without progress), another added.
    task_services.task_update(
        actor=staff,
        task=task,
        text=task.text,
        deadline_text="hằng quý",
        assignees=task_services.Assignees(lead=[districts[0], districts[2]]),
    )
    assert_fresh()
    assert not Assignment.objects.filter(task=task, unit=districts[1]).exists()
    units = set(Occurrence.objects.filter(task=task).values_list("unit_id", flat=True))
    assert units == {districts[0].pk, districts[2].pk}
    # Made a coordinator: its untouched periods go, the roll-ups follow.
    task_services.task_update(
        actor=staff,
        task=task,
        text=task.text,
        deadline_text="hằng quý",
        assignees=task_services.Assignees(lead=[districts[0]], support=[districts[2]]),
    )
    assert_fresh()


def test_a_share_fulfilled_by_an_implementing_plan_counts_as_done(setting):
    districts, plan = setting.districts, setting.plan
    task = make_task(plan, lead=[districts[1]], deadline_text="quý II/2024", requires_plan=True)
    assert_fresh()
    make_document(districts[1], number="9", implements=plan, issued_on=date(2024, 7, 2))
    assert_fresh()
    row = OccurrenceRollup.objects.get(document=plan, unit=districts[1], count=1)
    assert (row.due_month, row.bucket) == (date(2024, 6, 1), "done_late")
    assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE


def test_the_repair_command_finds_and_fixes_differences(setting):
    districts, plan = setting.districts, setting.plan
    make_task(plan, lead=districts, deadline_text="hằng quý")
    OccurrenceRollup.objects.filter(document=plan).update(count=99)
    CompletionRollup.objects.create(
        unit=districts[0], document=plan, done_month=date(2024, 1, 1), count=3
    )
    with pytest.raises(CommandError):
        call_command("rebuild_rollups", "--check", stdout=io.StringIO(), stderr=io.StringIO())
    out = io.StringIO()
    call_command("rebuild_rollups", stdout=out)
    assert "rebuilt" in out.getvalue()
    call_command("rebuild_rollups", "--check", stdout=io.StringIO())
    assert stored_rollups() == tally(Occurrence.objects.all())


def test_the_task_services_do_not_need_the_dashboard(setting, monkeypatch):
    """With the app switched off, the hooks do nothing (and the services still work)."""
    districts, plan = setting.districts, setting.plan
    real = apps.is_installed
    monkeypatch.setattr(apps, "is_installed", lambda name: name != "dashboard" and real(name))
    task = make_task(plan, lead=districts, deadline_text="hằng quý")
    assert Occurrence.objects.filter(task=task).exists()
    assert not OccurrenceRollup.objects.filter(document=plan).exists()
    monkeypatch.undo()
    assert rollup_differences() != {}
    # The services ran with the app off; a rebuild brings the tables back.
    call_command("rebuild_rollups", stdout=io.StringIO())
    assert_fresh()
