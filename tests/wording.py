"""How much of a document's wording an export keeps: its words, in their order.

A word is a run of letters and digits (punctuation, Markdown marks and the conversion debris
of a text file, such as ``[bookmark: _GoBack]``, are not words). ``kept`` is the share of the
source's words found in the export in the same order (the longest common subsequence, as
``difflib`` finds it); ``added`` is the export's other words as a share of the source's."""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from docx import Document as Docx
from docx.oxml.ns import qn

_DEBRIS = re.compile(r"\[bookmark:[^\]]*\]")
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", _DEBRIS.sub(" ", text)))


@dataclass(frozen=True)
class Wording:
    kept: float
    added: float
    lost: list[str]


def compare(source: str, export: str) -> Wording:
    a, b = words(source), words(export)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    kept = sum(block.size for block in matcher.get_matching_blocks())
    lost = [
        " ".join(a[i1:i2])
        for tag, i1, i2, _, _ in matcher.get_opcodes()
        if tag in ("delete", "replace")
    ]
    return Wording(kept=kept / len(a), added=(len(b) - kept) / len(a), lost=lost)


def docx_text(data: bytes, tmp_path: Path) -> str:
    """Every paragraph of a Word file in reading order, table cells included."""
    path = tmp_path / "export.docx"
    path.write_bytes(data)
    body = Docx(str(path)).element.body
    return "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p")))


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "export.pdf"
    path.write_bytes(data)
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext (poppler-utils) is needed"
    return subprocess.run([tool, str(path), "-"], capture_output=True, check=True).stdout.decode()
