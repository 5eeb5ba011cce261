"""Give every plan kept before the outline existed its outline, losing nothing.

Where the plan's text was kept (``body``), the outline is read from it and each task is put at
the paragraph it was read from (the task's words, kept as the person saved them, become the
words printed there when they are part of that paragraph; otherwise the task keeps its own
words and stands at the end). Where no text was kept, the outline is laid out from the tasks in
their order. ``outline_source`` says which.
"""

from __future__ import annotations

from datetime import date

from django.db import migrations


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _read(body: str, issued_on: date | None) -> list[dict]:
    try:
        from plans.importing import extract_plan, read_source

        return extract_plan(read_source(body), today=issued_on or date.today())["outline"]
    except Exception:  # noqa: BLE001 - an unreadable text falls back to the tasks
        return []


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
        claimed: dict[int, object] = {}
        cursor = 0
        task_entries = [i for i, e in enumerate(entries) if e.get("task") is not None]
        for task in tasks:
            words = _fold(task.text)
            found = None
            for at in task_entries[cursor:] + task_entries[:cursor]:
                if at not in claimed and words and words in _fold(entries[at]["text"]):
                    found = at
                    break
            if found is None:
                continue
            claimed[found] = task
            cursor = task_entries.index(found) + 1
        parts = []
        for position, entry in enumerate(entries):
            task = claimed.get(position)
            parts.append(
                Part(
                    document=document,
                    position=position,
                    kind=entry["kind"],
                    level=entry["level"] if entry["kind"] == "heading" else 0,
                    marker=entry["marker"][:20],
                    text="" if task is not None else entry["text"],
                    joins=bool(entry.get("joins")) and position > 0,
                )
            )
        placed = {id(t) for t in claimed.values()}
        rest = [t for t in tasks if id(t) not in placed]
        for task in rest:
            parts.append(
                Part(document=document, position=len(parts), kind="text", marker="-", text="")
            )
        saved = Part.objects.bulk_create(parts)
        for position, task in claimed.items():
            task.part_id = saved[position].pk
            # The paragraph as written holds the words saved before ("Giao X chủ trì, …").
            task.text = entries[position]["text"]
            task.save(update_fields=["part", "text"])
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
