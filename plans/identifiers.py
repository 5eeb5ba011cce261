"""Document identifiers ("số, ký hiệu") in the party and state styles.

Party (Hướng dẫn 36-HD/VPTW): ``NUMBER-TYPE/ISSUER`` (``21-CT/TW``), numbered per type within
a committee's term, numbers under 10 written 01–09. State (Nghị định 30/2020/NĐ-CP):
``NUMBER/TYPE-ISSUER`` (``470/KH-LĐLĐ``), numbered per calendar year; legal documents add the
year (``15/2019/NĐ-CP``); an official letter has no type (``516/VP-KGVX``). The rules:
docs/identifiers.md, "Number and symbol".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

Style = Literal["party", "state", "legal"]

# Types that never carry a type segment in the identifier.
UNTYPED = frozenset({"CV", "Luật"})
# Types whose state-style identifiers always carry the year (legal normative documents).
LEGAL_TYPES = frozenset({"NĐ", "Luật", "TT", "QĐ"})

_PARTY = re.compile(r"^(?P<number>\d*)\s*-\s*(?P<type>[^\W\d_]+)\s*/\s*(?P<issuer>[\w-]+)$")
_LEGAL = re.compile(
    r"^(?P<number>\d+)/(?P<year>\d{4})/(?:(?P<type>[^\W\d_]+)-)?(?P<issuer>[\w-]+)$"
)
_STATE = re.compile(r"^(?P<number>\d*)\s*/\s*(?P<type>[^\W\d_]+)-(?P<issuer>[\w-]+)$")


@dataclass(frozen=True, slots=True)
class Identifier:
    """The parts of a document identifier."""

    style: Style
    number: str
    doc_type: str
    issuer_code: str
    year: int | None = None

    def __str__(self) -> str:
        return format_identifier(
            style=self.style,
            number=self.number,
            doc_type=self.doc_type,
            issuer_code=self.issuer_code,
            year=self.year,
        )


def format_number(number: str, *, style: Style) -> str:
    """Party numbers under 10 are written with a leading zero (01–09)."""
    number = number.strip()
    if style == "party" and number.isdigit() and len(number) == 1:
        return f"0{number}"
    return number


def format_identifier(
    *, style: Style, number: str, doc_type: str, issuer_code: str, year: int | None = None
) -> str:
    """Write an identifier; a blank number (a draft) leaves the number out (``-KH/HU``)."""
    number = format_number(number, style=style)
    if style == "party":
        return f"{number}-{doc_type}/{issuer_code}"
    if style == "legal":
        middle = issuer_code if doc_type in UNTYPED else f"{doc_type}-{issuer_code}"
        return f"{number}/{year}/{middle}" if year else f"{number}/{middle}"
    if doc_type in UNTYPED:
        return f"{number}/{issuer_code}"
    return f"{number}/{doc_type}-{issuer_code}"


def parse_identifier(text: str) -> Identifier | None:
    """Read ``21-CT/TW``, ``470/KH-LĐLĐ`` or ``15/2019/NĐ-CP``; None when it is neither."""
    text = re.sub(r"\s+", "", text or "")
    if match := _LEGAL.match(text):
        return Identifier(
            style="legal",
            number=match["number"],
            doc_type=match["type"] or "Luật",
            issuer_code=match["issuer"],
            year=int(match["year"]),
        )
    if match := _PARTY.match(text):
        return Identifier("party", match["number"], match["type"], match["issuer"])
    if match := _STATE.match(text):
        return Identifier("state", match["number"], match["type"], match["issuer"])
    return None


def numbering_period(*, style: Style, issued_on: date | None) -> str:
    """The span within which a number is unique: the calendar year for state documents, the
    committee's five-year term for party documents.

    Party congresses of a term are held through the year ending in 0 or 5 (provinces by
    October), so documents from October of such a year belong to the new term. Where a unit's
    congress fell earlier, the period can be corrected on the document.
    """
    if issued_on is None:
        return ""
    if style != "party":
        return str(issued_on.year)
    start = issued_on.year - (issued_on.year - 2020) % 5
    if issued_on.year == start and issued_on.month < 10:
        start -= 5
    return f"{start}-{start + 5}"
