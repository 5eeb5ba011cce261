"""Give every plan kept before the outline existed its outline, losing nothing.

Where the plan's text was kept (``body``), the outline is read from it and each task is put at
the paragraph it was read from: a task whose saved words are that paragraph's (or its words
after the lead, as the importer kept them before) takes its place; a task edited since takes
the place left between its neighbours when that is unambiguous, its edited words printed
there; any other task keeps its words and stands at the end. A task's words are never
replaced, only completed with the lead they were saved without. Where no text was kept, the
outline is laid out from the tasks in their order. ``outline_source`` says which.
"""

from __future__ import annotations

from datetime import date

from django.db import migrations


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _read(body: str, issued_on: date | None) -> list[dict]:
    """The outline the importer reads from a kept text, or [] when it cannot (the plan is then
    laid out from its tasks, and says so)."""
    try:
        from plans.importing import extract_plan, read_source

        outline = extract_plan(read_source(body), today=issued_on or date.today())["outline"]
    except Exception:  # an unreadable text falls back to the tasks
        return []
    return [entry for entry in outline if isinstance(entry, dict) and entry.get("text")]


def _same_words(task_words: str, paragraph: str) -> bool:
    """The task's saved words are the paragraph's, or, as the importer kept them before,
    the paragraph's after its lead ("Giao X chủ trì, phối hợp Y …")."""
    return bool(task_words) and (paragraph == task_words or paragraph.endswith(" " + task_words))


def _place(tasks: list, entries: list[dict]) -> dict[int, int]:
    """Task index → entry index. First each task whose words are a paragraph's, in order;
    then, between two placed tasks, tasks edited since take the paragraphs left there when
    there are as many of each (their edited words are what is printed)."""
    slots = [i for i, e in enumerate(entries) if e.get("task") is not None]
    placed: dict[int, int] = {}
    cursor = 0
    for number, task in enumerate(tasks):
        words = _fold(task.text)
        for at in range(cursor, len(slots)):
            if _same_words(words, _fold(entries[slots[at]]["text"])):
                placed[number] = slots[at]
                cursor = at + 1
                break
    claimed = set(placed.values())
    number = 0
    while number < len(tasks):
        if number in placed:
            number += 1
            continue
        run_end = number
        while run_end < len(tasks) and run_end not in placed:
            run_end += 1
        low = placed[number - 1] if number > 0 else -1
        high = placed[run_end] if run_end < len(tasks) else len(entries)
        free = [at for at in slots if low < at < high and at not in claimed]
        if len(free) == run_end - number:
            for offset, at in enumerate(free):
                placed[number + offset] = at
                claimed.add(at)
        number = run_end
    return placed


def rebuild(apps, schema_editor):
    Document = apps.get_model("plans", "Document")
    Part = apps.get_model("plans", "Part")
    Task = apps.get_model("tasks", "Task")
    pending = Document.objects.exclude(status="reference").filter(parts__isnull=True)
    for document in pending.distinct().iterator(chunk_size=200):
        tasks = list(Task.objects.filter(document=document).order_by("position", "pk"))
        entries = _read(document.body, document.issued_on) if document.body.strip() else []
        if not entries and not tasks:
            continue
        placed = _place(tasks, entries)
        at_entry = {at: number for number, at in placed.items()}
        parts = []
        for position, entry in enumerate(entries):
            heading = entry.get("kind") == "heading"
            parts.append(
                Part(
                    document=document,
                    position=position,
                    kind="heading" if heading else "text",
                    level=min(int(entry.get("level") or 1), 6) if heading else 0,
                    marker=str(entry.get("marker") or "")[:20],
                    text="" if position in at_entry else entry["text"],
                    joins=bool(entry.get("joins")) and position > 0,
                )
            )
        rest = [task for number, task in enumerate(tasks) if number not in placed]
        for _task in rest:
            parts.append(
                Part(document=document, position=len(parts), kind="text", marker="-", text="")
            )
        saved = Part.objects.bulk_create(parts)
        for number, at in placed.items():
            task = tasks[number]
            task.part_id = saved[at].pk
            fields = ["part"]
            paragraph = entries[at]["text"]
            if _fold(task.text) != _fold(paragraph) and _same_words(
                _fold(task.text), _fold(paragraph)
            ):
                # Saved without its lead ("Giao X chủ trì, …"), which the plan's words hold:
                # the task's words become the paragraph's again, nothing of them lost.
                task.text = paragraph
                fields.append("text")
            task.save(update_fields=fields)
        for task, part in zip(rest, saved[len(entries) :], strict=True):
            task.part_id = part.pk
            task.save(update_fields=["part"])
        document.outline_source = "text" if entries else "tasks"
        document.save(update_fields=["outline_source"])


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0004_outline"),
        ("tasks", "0005_outline"),
    ]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
