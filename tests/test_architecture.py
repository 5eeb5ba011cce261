"""The floor plan, checked: lower layers never import upper ones, services never import their
jobs modules (jobs are queued by name, ``background.services.enqueue_on_commit``), no module
grows past what one person holds in mind, and the permission and deadline vocabularies are
spelled in one place each. Pure Python: the source is read, nothing is imported."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Apps from the bottom up; an app may import its own layer and those below.
LOWER = ("background", "audit", "accounts", "units", "plans", "tasks", "rollups")
UPPER = ("reports", "notifications", "dashboard", "api", "national", "demo")
# The two modules that earn their size: one pure pipeline each.
LONG_ALLOWED = {"plans/importing/extract.py", "tasks/deadlines.py"}
MAX_LINES = 700


def _modules(folder: str):
    for path in sorted((ROOT / folder).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_units_plans_tasks_and_the_roll_ups_never_import_an_upper_layer():
    reaching_up = []
    for app in ("units", "plans", "tasks", "rollups", "background"):
        for path in _modules(app):
            for name in _imports(path):
                if name.split(".")[0] in UPPER:
                    reaching_up.append(f"{path.relative_to(ROOT)} imports {name}")
    assert reaching_up == []


def test_no_services_module_imports_a_jobs_module():
    circles = []
    for path in ROOT.glob("*/**/*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv", "tests/")) or "services" not in relative:
            continue
        for name in _imports(path):
            if name.endswith(".jobs") or ".jobs." in name or name.endswith(" jobs"):
                circles.append(f"{relative} imports {name}")
    assert circles == []


def test_no_module_is_longer_than_one_person_holds_in_mind():
    long = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv/", "build/")) or "/migrations/" in relative:
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES and relative not in LONG_ALLOWED:
            long.append(f"{relative}: {lines} lines")
    assert long == []


def test_role_sets_are_named_once_in_units():
    spelled = []
    pattern = re.compile(
        r"\(\s*[\"']staff[\"']\s*,\s*[\"']administrator[\"']\s*\)|"
        r"m\.role\s*==\s*Role\.ADMINISTRATOR"
    )
    for path in ROOT.glob("*/**/*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv", "tests/", "benchmarks/")) or "/migrations/" in relative:
            continue
        if pattern.search(path.read_text(encoding="utf-8")):
            spelled.append(relative)
    assert spelled == []


def test_only_the_deadline_reader_writes_recurrence_rules():
    writers = []
    for path in ROOT.glob("*/**/*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv", "tests/", "benchmarks/")) or "/migrations/" in relative:
            continue
        if relative == "tasks/deadlines.py":
            continue
        if re.search(r"[\"']FREQ=", path.read_text(encoding="utf-8")):
            writers.append(relative)
    assert writers == []


def test_the_readme_layout_table_names_every_folder():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| path | what it holds |") :].split("\n\n")[0]
    folders = {
        path.name
        for path in ROOT.iterdir()
        if path.is_dir()
        and not path.name.startswith((".", "_"))
        and path.name not in {"test-artifacts", "media", "staticfiles", "build"}
        and not path.name.endswith(".egg-info")
    }
    missing = sorted(name for name in folders if f"`{name}/`" not in table)
    assert missing == []
