"""The Vietnamese catalogue is complete and its compiled file matches it."""

import ast
import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def _entries(po: Path) -> list[dict[str, str]]:
    """A small reader for the .po files this project writes."""
    entries: list[dict[str, str]] = []
    current: dict[str, str] = {}
    key = ""
    for line in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if current:
                entries.append(current)
            current, key = {}, ""
        elif line.startswith("#,") and "fuzzy" in line:
            current["fuzzy"] = "yes"
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            current[key] = ast.literal_eval(value)
    return [e for e in entries if e.get("msgid")]


def test_every_vietnamese_message_is_translated_and_none_is_a_guess():
    entries = _entries(LOCALE / "vi" / "LC_MESSAGES" / "django.po")
    assert len(entries) > 300
    missing = [e["msgid"] for e in entries if not (e.get("msgstr") or e.get("msgstr[0]"))]
    assert missing == []
    assert [e["msgid"] for e in entries if e.get("fuzzy")] == []


def test_the_compiled_catalogue_matches_the_source():
    entries = _entries(LOCALE / "vi" / "LC_MESSAGES" / "django.po")
    with (LOCALE / "vi" / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in entries:
        if "msgid_plural" in entry:
            got = compiled.ngettext(entry["msgid"], entry["msgid_plural"], 1)
            assert got == entry["msgstr[0]"], entry["msgid"]
        elif "msgctxt" in entry:
            assert compiled.pgettext(entry["msgctxt"], entry["msgid"]) == entry["msgstr"]
        else:
            assert compiled.gettext(entry["msgid"]) == entry["msgstr"], entry["msgid"]


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_every_message_of_the_code_is_in_the_catalogue(tmp_path):
    """A string marked for translation but missing from the catalogue would show in English
    on a Vietnamese page: extract the messages afresh and compare."""
    root = LOCALE.parent
    source = tmp_path / "src"
    shutil.copytree(
        root,
        source,
        ignore=shutil.ignore_patterns(
            ".*",
            "locale",
            "tests",
            "benchmarks",
            "media",
            "staticfiles",
            "test-artifacts",
            "__pycache__",
            "*.sqlite3",
            "*.egg-info",
        ),
    )
    (source / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "vi", "--no-location", "-v", "0"],
        cwd=source,
        env={**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "cascade.settings"},
        check=True,
    )
    fresh = {e["msgid"] for e in _entries(source / "locale" / "vi" / "LC_MESSAGES" / "django.po")}
    known = {e["msgid"] for e in _entries(LOCALE / "vi" / "LC_MESSAGES" / "django.po")}
    assert sorted(fresh - known) == [], "Run ./scripts/translate and translate what it lists."
