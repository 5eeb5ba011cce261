"""Plans kept before outlines existed get theirs on migration, losing nothing: read from the
kept text with each task at its paragraph, or laid out from the tasks when no text was kept."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from plans.importing import extract_plan, read_source
from plans.importing.extract import _read_assignment

SEED = Path(__file__).resolve().parent.parent / "demo" / "seeds" / "001.txt"
BEFORE = [("plans", "0003_document_confidential_index"), ("tasks", "0004_task_requires_plan_index")]
AFTER = [("plans", "0005_rebuild_outlines"), ("tasks", "0005_outline")]


@pytest.mark.django_db(transaction=True)
def test_existing_plans_get_their_outline_with_every_task_and_word_kept():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Document, Task = old.get_model("plans", "Document"), old.get_model("tasks", "Task")
    text = SEED.read_text(encoding="utf-8")
    read = extract_plan(read_source(text), today=date(2023, 8, 10))
    kept = Document.objects.create(
        doc_type="KH",
        style="party",
        issuer_code="QU",
        identifier="-KH/QU",
        status="issued",
        issued_on=date(2023, 8, 10),
        title=read["title"],
        body=text,
    )
    no_text = Document.objects.create(
        doc_type="KH",
        style="party",
        issuer_code="QU",
        identifier="7-KH/QU",
        number="7",
        status="issued",
        issued_on=date(2023, 8, 10),
        title="Không lưu văn bản",
    )
    # As the importer saved them before: "Giao X chủ trì, …" cut from the task's words.
    saved_words = []
    for task in read["tasks"]:
        found = _read_assignment(task["text"])
        saved_words.append(found[1] if found and found[1] else task["text"])
    cut = next(i for i, t in enumerate(read["tasks"]) if saved_words[i] != t["text"])
    edit = 0 if cut else 1
    saved_words[edit] = "Nhiệm vụ người dùng đã sửa lại lời"
    saved_words.append("Nhiệm vụ thêm bằng tay")
    for position, words in enumerate(saved_words):
        Task.objects.create(document=kept, position=position, text=words)
    Task.objects.create(document=no_text, position=0, text="Một nhiệm vụ")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Document, Task = new.get_model("plans", "Document"), new.get_model("tasks", "Task")
    Part = new.get_model("plans", "Part")
    kept = Document.objects.get(pk=kept.pk)
    assert kept.outline_source == "text"
    tasks = list(Task.objects.filter(document=kept).order_by("position"))
    assert all(task.part_id for task in tasks)
    parts = list(Part.objects.filter(document=kept).order_by("position"))
    assert len(parts) == len(read["outline"]) + 1  # the hand-added task at the end
    # The cut task has its lead back; the edited one stands at its paragraph with its edit;
    # the hand-added one at the end; every other task at its own paragraph.
    assert tasks[cut].text == read["tasks"][cut]["text"]
    edited = tasks[edit]
    assert edited.text == "Nhiệm vụ người dùng đã sửa lại lời"
    assert Part.objects.get(pk=edited.part_id).position == read["tasks"][edit]["part"]
    assert Part.objects.get(pk=tasks[-1].part_id).position == len(parts) - 1
    for number, task in enumerate(tasks[:-1]):
        assert Part.objects.get(pk=task.part_id).position == read["tasks"][number]["part"]
    # Paragraphs that are not tasks keep their words.
    words = {part.text for part in parts}
    assert read["outline"][0]["text"] in words
    no_text = Document.objects.get(pk=no_text.pk)
    assert no_text.outline_source == "tasks"
    assert Task.objects.get(document=no_text).part_id is not None
