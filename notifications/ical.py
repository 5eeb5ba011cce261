"""iCalendar (RFC 5545) feeds of deadlines, written by hand: one all-day event per open
occurrence."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, timedelta

from django.utils import timezone

from tasks.models import Occurrence

PRODID = "-//Cascade//Deadlines//VI"


def escape(text: str) -> str:
    """Escape a TEXT value (backslash, semicolon, comma, newline)."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = b""
    limit = 75
    for char in line:
        piece = char.encode("utf-8")
        if len(current) + len(piece) > limit:
            parts.append(current.decode("utf-8"))
            current = b""
            limit = 74  # continuation lines start with a space
        current += piece
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def calendar(
    *, name: str, occurrences: Iterable[Occurrence], link: Callable[[Occurrence], str], host: str
) -> str:
    """The feed: ``link(occurrence)`` gives each event's address."""
    stamp_text = timezone.now().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
        "X-PUBLISHED-TTL:PT6H",
    ]
    for occurrence in occurrences:
        task = occurrence.task
        document = task.document
        plan = f"{document.get_doc_type_display()} {document.identifier}".strip()
        summary = f"{task.text[:120]} — {occurrence.unit.name}"
        description = "\n".join(
            part
            for part in (
                task.text,
                plan,
                f"{occurrence.unit.name} ({occurrence.get_status_display()})",
                task.deadline_text and f"“{task.deadline_text}”",
                link(occurrence),
            )
            if part
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:occurrence-{occurrence.pk}@{host}",
            f"DTSTAMP:{stamp_text}",
            f"DTSTART;VALUE=DATE:{occurrence.due_on:%Y%m%d}",
            f"DTEND;VALUE=DATE:{occurrence.due_on + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{escape(summary)}",
            f"DESCRIPTION:{escape(description)}",
            f"URL:{link(occurrence)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(fold(line) for line in lines) + "\r\n"
