"""The domain rules the code implements are written in ``docs/``: every citation of a page
(and of a heading, when one is named) in the code points at something that is there, and no
code cites a document outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CITATION = re.compile(r"docs/([\w.-]+\.md)(?:,\s*\"([^\"]+)\")?")
CODE_DIRS = [
    "accounts",
    "api",
    "audit",
    "cascade",
    "dashboard",
    "national",
    "notifications",
    "plans",
    "reports",
    "tasks",
    "units",
    "tests",
    "benchmarks",
    "scripts",
]


def _sources():
    for folder in CODE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def _headings(page: Path) -> set[str]:
    return {
        line.lstrip("#").strip()
        for line in page.read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    }


def test_every_citation_of_a_rule_points_into_docs():
    cited = 0
    problems = []
    for path in _sources():
        text = " ".join(path.read_text(encoding="utf-8").replace("#", " ").split())
        for name, heading in CITATION.findall(text):
            cited += 1
            page = ROOT / "docs" / name
            if not page.exists():
                problems.append(f"{path.relative_to(ROOT)} cites docs/{name}, which is missing")
            elif heading and not any(h.startswith(heading) for h in _headings(page)):
                problems.append(
                    f"{path.relative_to(ROOT)} cites a heading {heading!r} not in {name}"
                )
    assert not problems, "\n".join(problems)
    assert cited >= 5


def test_no_code_cites_a_document_kept_outside_the_repository():
    offenders = [
        str(path.relative_to(ROOT))
        for path in _sources()
        if path.name != "test_docs.py" and "DOMAIN.md" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_every_page_of_docs_is_listed_in_its_index():
    index = (ROOT / "docs" / "README.md").read_text(encoding="utf-8")
    pages = {p.name for p in (ROOT / "docs").glob("*.md")} - {"README.md"}
    assert pages and all(f"({name})" in index for name in pages)
