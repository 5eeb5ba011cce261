"""Deadlines on tasks: the command, parsing on save, corrections that stick, occurrences."""

import csv
import datetime
import io
import itertools
import json
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from tasks import services
from tasks.models import DeadlineKind, Occurrence, Task, TaskStatus
from tests.factories import make_document, make_task, member

EXAMPLES = Path(__file__).parent / "data" / "deadline_examples.tsv"


def run_command(monkeypatch, data: bytes, *args: str) -> list[dict]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    out = io.StringIO()
    call_command("parse_deadline", *args, "--json", stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_the_command_reproduces_every_worked_example(monkeypatch):
    with EXAMPLES.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert len(rows) >= 29
    for row in rows:
        [result] = run_command(
            monkeypatch, (row["phrase"] + "\n").encode(), "--issued-on", row["issued_on"]
        )
        assert result["text"] == row["phrase"]
        assert result["kind"] == row["kind"], row
        assert result["due"] == (row["due"] or None), row
        assert result["next"] == [d for d in row["next"].split(",") if d], row
        assert result["on_demand"] == ("yêu cầu" in row["phrase"] or "đột xuất" in row["phrase"])


def test_the_command_answers_every_line_in_order_even_for_junk(monkeypatch):
    junk = b"\xff\xfe\x00binary\x80"
    data = b"quy III/2023\n\n" + junk + b"\n" + ("x" * 10_000).encode() + b"\nthuong xuyen\n"
    results = run_command(monkeypatch, data, "--issued-on", "2023-08-10")
    assert [r["kind"] for r in results] == [
        "once",
        "unparsed",
        "unparsed",
        "unparsed",
        "continuous",
    ]
    assert results[0]["due"] == "2023-09-30"


def test_a_malformed_issue_date_is_refused_with_a_message(monkeypatch):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run_command(monkeypatch, b"quy III/2023\n", "--issued-on", "10/08/2023")


def test_saving_a_task_reads_its_deadline(province, district):
    plan = make_document(province, number="3", issued_on=datetime.date(2023, 8, 10))
    task = make_task(plan, lead=[district], deadline_text="Hoàn thành trong quý III/2023")
    assert (task.deadline_kind, task.due_on) == (DeadlineKind.ONCE, datetime.date(2023, 9, 30))
    assert [o.due_on for o in task.occurrences.all()] == [datetime.date(2023, 9, 30)]


def test_a_recurring_task_gets_one_occurrence_per_period_ahead(province, district):
    plan = make_document(province, number="3", issued_on=datetime.date(2023, 8, 10))
    task = make_task(
        plan, lead=[district], deadline_text="định kỳ trước ngày 10/12 hằng năm hoặc khi có yêu cầu"
    )
    assert task.deadline_kind == DeadlineKind.RECURRING
    assert task.deadline_on_demand
    dues = [o.due_on for o in task.occurrences.order_by("due_on")]
    assert dues[:3] == [datetime.date(y, 12, 9) for y in (2023, 2024, 2025)]
    assert all(a < b for a, b in itertools.pairwise(dues))
    before = task.occurrences.count()
    from tasks.schedules import sync_occurrences

    assert sync_occurrences(task) == 0
    assert task.occurrences.count() == before


def test_continuous_work_is_reported_every_year(province, district):
    plan = make_document(province, number="3", issued_on=datetime.date(2023, 8, 10))
    task = make_task(plan, lead=[district], deadline_text="thường xuyên")
    dues = [o.due_on for o in task.occurrences.order_by("due_on")]
    assert dues[0] == datetime.date(2023, 12, 14)
    assert all(d.month == 12 and d.day == 14 for d in dues)


def test_a_person_corrects_an_unreadable_deadline_and_it_sticks(province, district):
    plan = make_document(province, number="3", issued_on=datetime.date(2023, 8, 10))
    staff = member(province)
    task = make_task(plan, lead=[district], deadline_text="sau hội nghị, tùy tình hình")
    assert task.deadline_kind == DeadlineKind.UNPARSED
    assert task.deadline_text == "sau hội nghị, tùy tình hình"
    services.task_correct_deadline(
        actor=staff, task=task, kind=DeadlineKind.ONCE, due_on=datetime.date(2023, 11, 30)
    )
    task = services.task_update(
        actor=staff,
        task=Task.objects.get(pk=task.pk),
        text="Việc đã sửa chữ",
        deadline_text="sau hội nghị, tùy tình hình",
    )
    assert (task.deadline_kind, task.due_on) == (DeadlineKind.ONCE, datetime.date(2023, 11, 30))
    assert task.deadline_corrected
    task = services.task_update(
        actor=staff, task=task, text=task.text, deadline_text="trong quý IV/2023"
    )
    assert not task.deadline_corrected
    assert task.due_on == datetime.date(2023, 12, 31)
    assert [o.due_on for o in task.occurrences.all()] == [datetime.date(2023, 12, 31)]


def test_a_yearly_correction_builds_a_recurrence(province, district):
    plan = make_document(province, number="3", issued_on=datetime.date(2023, 8, 10))
    task = make_task(plan, lead=[district], deadline_text="Định kỳ")
    task = services.task_correct_deadline(
        actor=member(province),
        task=task,
        kind=DeadlineKind.RECURRING,
        frequency="yearly",
        due_on=datetime.date(2000, 11, 30),
    )
    assert task.deadline_rrule == "FREQ=YEARLY;BYMONTH=11;BYMONTHDAY=30"
    assert task.due_on == datetime.date(2023, 11, 30)


def test_a_correction_needs_what_it_names(province, district):
    from django.core.exceptions import ValidationError

    plan = make_document(province, number="3")
    task = make_task(plan, lead=[district], deadline_text="Định kỳ")
    with pytest.raises(ValidationError) as error:
        services.task_correct_deadline(actor=None, task=task, kind=DeadlineKind.ONCE)
    assert "due_on" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.task_correct_deadline(actor=None, task=task, kind=DeadlineKind.RECURRING)


def test_completing_one_period_leaves_the_next_open(province, district):
    plan = make_document(province, number="3", issued_on=datetime.date(2023, 8, 10))
    task = make_task(plan, lead=[district], deadline_text="hằng năm")
    assignment = task.assignments.get()
    staff = member(district)
    services.task_complete(
        actor=staff,
        assignment=assignment,
        note="Báo cáo năm 2023",
        completed_on=datetime.date(2023, 12, 20),
    )
    first, second = Occurrence.objects.filter(assignment=assignment).order_by("due_on")[:2]
    assert first.status == TaskStatus.DONE and second.status == TaskStatus.NOT_STARTED
    assignment.refresh_from_db()
    assert assignment.status == TaskStatus.IN_PROGRESS


def test_the_task_page_shows_words_dates_and_overdue_state(client, province, district):
    plan = make_document(province, number="3", issued_on=datetime.date(2023, 8, 10))
    task = make_task(plan, lead=[district], deadline_text="Hoàn thành trong quý III/2023")
    client.force_login(member(district))
    page = client.get(reverse("task", args=[task.pk])).content.decode()
    assert "Hoàn thành trong quý III/2023" in page
    assert "30/09/2023" in page
    assert "quá hạn" in page  # overdue
    document_page = client.get(reverse("document", args=[plan.pk])).content.decode()
    assert "30/09/2023" in document_page


def test_unread_deadlines_are_listed_for_review_and_corrected_in_place(client, province, district):
    plan = make_document(province, number="3", issued_on=datetime.date(2023, 8, 10))
    task = make_task(plan, lead=[district], deadline_text="sau khi hội nghị kết thúc")
    make_task(plan, lead=[district], deadline_text="quý III/2023", text="Việc đã có hạn")
    client.force_login(member(province))
    review = client.get(reverse("deadlines_review")).content.decode()
    assert "sau khi hội nghị kết thúc" in review
    assert "Việc đã có hạn" not in review
    response = client.post(
        reverse("deadline_correct", args=[task.pk]),
        {"kind": "once", "due_on": "2023-10-15"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "15/10/2023" in response.content.decode()
    assert "<html" not in response.content.decode()
    assert (
        "sau khi hội nghị kết thúc" not in client.get(reverse("deadlines_review")).content.decode()
    )


def test_a_bad_correction_gets_a_message_and_changes_nothing(client, province, district):
    plan = make_document(province, number="3")
    task = make_task(plan, lead=[district], deadline_text="Định kỳ")
    client.force_login(member(province))
    response = client.post(reverse("deadline_correct", args=[task.pk]), {"kind": "recurring"})
    assert response.status_code == 200
    assert response.context["correction_form"].errors
    task.refresh_from_db()
    assert task.deadline_kind == DeadlineKind.UNPARSED


def test_every_demo_deadline_is_read_unless_the_words_give_no_date(demo):
    unread = set(
        Task.objects.filter(deadline_kind=DeadlineKind.UNPARSED).values_list(
            "deadline_text", flat=True
        )
    )
    # "Định kỳ" ("periodically") alone names no period and no date: it waits for a person.
    assert {text.lower() for text in unread} <= {"định kỳ"}
    dated = Task.objects.exclude(deadline_kind__in=[DeadlineKind.UNPARSED, DeadlineKind.NONE])
    assert dated.count() >= 25
    assert (
        not Task.objects.filter(deadline_kind=DeadlineKind.NONE).exclude(deadline_text="").exists()
    )
