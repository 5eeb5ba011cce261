"""The head and foot of an official document, by the issuer's bloc and level: which lines go
top left and top right, how the number and the date are written (blanks kept for the office),
where a long name may wrap, and how the signature block is laid out. One set of rules for the
plan page, its PDF and its Word file, and for the annual report. The rules and their sources:
docs/official-layouts.md."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from cascade.text import fold
from units.models import Bloc, Level, Unit

PARTY = "party"
STATE = "state"
YOUTH = "youth"

# Room left for a number or a day written by hand on signing.
GAP = "\u00a0" * 6
NBSP = "\u00a0"

_PARTY_BODIES = (
    ("tinh uy ", "Đảng bộ tỉnh "),
    ("thanh uy ", "Đảng bộ thành phố "),
    ("huyen uy ", "Đảng bộ huyện "),
    ("quan uy ", "Đảng bộ quận "),
    ("thi uy ", "Đảng bộ thị xã "),
    ("dang uy ", "Đảng bộ "),
)
# Where a body's name may wrap: before the word that opens its place ("ỦY BAN NHÂN DÂN /
# XÃ THANH THỦY"). "TỈNH ỦY", "HUYỆN ỦY" name a committee, not a place, and never wrap.
_PLACE_START = re.compile(
    r"\s(?=(?:TỈNH|THÀNH PHỐ|HUYỆN|QUẬN|THỊ XÃ|THỊ TRẤN|XÃ|PHƯỜNG|ĐẶC KHU|VIỆT NAM)\b(?! ỦY))"
)
# A header line longer than this (in capitals) does not fit its column at 13–14 pt: "ĐẢNG BỘ
# THÀNH PHỐ HẢI PHÒNG" (27) breaks as "ĐẢNG BỘ" / "THÀNH PHỐ HẢI PHÒNG".
HEAD_WIDTH = 25
# Each capacity opens a line of the signature block: "TM. ỦY BAN NHÂN DÂN" / "KT. CHỦ TỊCH".
_CAPACITY_START = re.compile(r"\s+(?=(?:TM|KT|TL|TUQ|Q|T/M|K/T|T/L)[./]\s*\S)")
_YOUTH_WORDS = (
    "doan tncs",
    "doan thanh nien",
    "tinh doan",
    "thanh doan",
    "huyen doan",
    "quan doan",
    "thi doan",
    "doan xa",
    "doan phuong",
)


def layout_for(unit: Unit | None, *, style: str = "") -> str:
    """The layout a body's documents follow: the party's (Hướng dẫn 36-HD/VPTW), the Youth
    Union's (its own head, "ĐOÀN TNCS HỒ CHÍ MINH" top right) or the state's (Nghị định
    30/2020), which the Front and the other mass organisations, the Labour Federation's
    unions among them, also use."""
    if unit is None:
        return PARTY if style == "party" else STATE
    if unit.uses_party_style:
        return PARTY
    if unit.bloc == Bloc.MASS_ORGANISATION and any(w in fold(unit.name) for w in _YOUTH_WORDS):
        return YOUTH
    return STATE


def superior_line(parent: Unit | None, *, party: bool) -> str:
    """The superior body above the issuer's name. A party document names the party
    organisation ("ĐẢNG BỘ TỈNH KON TUM"), not its committee ("Tỉnh ủy Kon Tum")."""
    if parent is None:
        return ""
    if party and parent.level == Level.CENTRAL:
        # A committee directly under the centre ("TỈNH ỦY LÂM ĐỒNG") has no line above it.
        return ""
    if not party and parent.uses_party_style:
        # A People's Committee sits under its party committee in the tree, but a state
        # document names only a state body above it (Nghị định 30/2020).
        return ""
    name = parent.name
    if party:
        folded = fold(name) + " "
        for prefix, body in _PARTY_BODIES:
            if folded.startswith(prefix):
                name = body + name.split(" ", 2 if prefix.count(" ") == 2 else 1)[-1]
                break
    return name.upper()


def head_lines(name: str) -> list[str]:
    """A body's name in capitals as header lines: one line when it fits, otherwise wrapped
    only between the organ and its place; inside each line the spaces do not break."""
    name = " ".join(name.upper().split())
    if not name:
        return []
    if len(name) <= HEAD_WIDTH:
        return [name.replace(" ", NBSP)]
    # The last place named is the body's own ("… VIỆT NAM / TỈNH LAI CHÂU").
    match = next(reversed(list(_PLACE_START.finditer(name, 1))), None)
    if match is None:
        # No place to wrap at: let the line wrap where it must rather than overflow.
        return [name]
    organ, place = name[: match.start()], name[match.end() :]
    return [part.replace(" ", NBSP) if len(part) <= HEAD_WIDTH else part for part in (organ, place)]


def number_line(
    *, layout: str, identifier: str, number: str, doc_type: str, issuer_code: str
) -> str:
    """ "Số 76-BC/HU" (party), "Số: 470/KH-LĐLĐ" (state), "Số: 12-KH/TĐTN" (Youth Union); an
    unnumbered copy keeps room for the number: "Số      -KH/HU", "Số:      /KH-UBND"."""
    label = "Số" if layout == PARTY else "Số:"
    if number and identifier:
        return f"{label} {identifier}"
    if not (doc_type or issuer_code):
        return f"{label}{GAP}"
    if layout == STATE:
        return f"{label}{GAP}/{doc_type}-{issuer_code}".rstrip("-")
    return f"{label}{GAP}-{doc_type}/{issuer_code}".rstrip("/")


def date_line(place: str, day: date | None, *, year: int | None = None) -> str:
    """ "Lai Châu, ngày 23 tháng 8 năm 2023": days under 10 and months 1 and 2 take a leading
    zero, as Nghị định 30/2020 writes them; a blank date keeps its blanks for the signer, and
    the year when the copy writes it ("ngày      tháng      năm 2026")."""
    prefix = f"{place}, " if place else ""
    if day is None:
        # The gaps are no-break spaces, which a strip would also take: join, don't strip.
        return f"{prefix}ngày{GAP}tháng{GAP}năm" + (f" {year}" if year else GAP)
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{prefix}ngày {day.day:02d} tháng {month} năm {day.year}"


def recipient_lines(recipients: list[str], archive: str, *, layout: str) -> list[str]:
    """ "Nơi nhận" entries with their ending: a comma each in party documents (Hướng dẫn
    36-HD/VPTW), a semicolon in the state's (Nghị định 30/2020); the last a full stop."""
    entries = [f"- {name}" for name in recipients]
    if archive:
        entries.append(f"- {archive}")
    mark = "," if layout == PARTY else ";"
    return [entry + ("." if at == len(entries) - 1 else mark) for at, entry in enumerate(entries)]


def signature_lines(capacity: str) -> list[str]:
    """The capacity of a signature block, one line per capacity: "TM. ỦY BAN NHÂN DÂN",
    "KT. CHỦ TỊCH" (written on one line or several in the source)."""
    lines: list[str] = []
    for line in capacity.splitlines():
        lines.extend(p.strip() for p in _CAPACITY_START.split(line.strip()) if p.strip())
    return lines


_COMMITTEE_SUFFIX = re.compile(
    r"\s+(?:tỉnh|thành|huyện|quận|thị|đảng)\s*ủy(?:\s+\S.*)?$", re.IGNORECASE
)


def _board_name(board: str, committee: str) -> str:
    """ "Ban Tuyên giáo" of "Ban Tuyên giáo Tỉnh ủy (Lâm Đồng)" under "Tỉnh ủy Lâm Đồng"."""
    if fold(board).endswith(" " + fold(committee)):
        return board[: len(board) - len(committee)].strip()
    return _COMMITTEE_SUFFIX.sub("", board).strip() or board


@dataclass
class Letterhead:
    """The top block of an official document, already worded and wrapped."""

    layout: str
    superior_lines: list[str]
    issuer_lines: list[str]
    number_line: str
    place_date: str
    right_lines: list[str] = field(default_factory=list)

    @property
    def party(self) -> bool:
        return self.layout == PARTY

    @property
    def sizes(self) -> dict[str, int]:
        """Type sizes in points: Hướng dẫn 36-HD/VPTW sets the party's head larger (14–15)
        than Nghị định 30/2020 sets the state's (12–13); the body is 14 in both."""
        if self.layout == PARTY:
            return {"head": 14, "number": 14, "motto": 15, "type": 15}
        if self.layout == YOUTH:
            # The Youth Union's guide: its head 14 pt, "ĐOÀN TNCS HỒ CHÍ MINH" 15 pt.
            return {"head": 14, "number": 14, "motto": 15, "type": 14}
        return {"head": 13, "number": 13, "motto": 12, "type": 14}

    @property
    def separator(self) -> str:
        """Under the issuer: "*" (party), "***" (Youth Union), a short rule (state)."""
        return {PARTY: "*", YOUTH: "***"}.get(self.layout, "")


def letterhead(
    *,
    issuer: Unit | None,
    issuer_name: str,
    number: str,
    place_date: str,
    style: str = "",
) -> Letterhead:
    """The head of a document of ``issuer`` (or of a body outside the tree, by name)."""
    layout = layout_for(issuer, style=style)
    parent = Unit.objects.get_parent(issuer) if issuer is not None else None
    name = issuer.name if issuer is not None else issuer_name
    superior = superior_line(parent, party=layout == PARTY)
    if issuer is not None and issuer.bloc == Bloc.PARTY_BOARD and parent is not None:
        # A board or office names its committee above it, as the guide's own head does
        # ("TỈNH ỦY LÂM ĐỒNG" / "BAN TUYÊN GIÁO"), and itself without the committee's name.
        superior, name = parent.name.upper(), _board_name(issuer.name, parent.name)
    elif layout == YOUTH:
        # The Youth Union names only the Đoàn committee above it, none above a province's.
        youth_parent = parent is not None and layout_for(parent) == YOUTH
        superior = parent.name.upper() if youth_parent and parent is not None else ""
    right = {
        PARTY: ["ĐẢNG CỘNG SẢN VIỆT NAM"],
        YOUTH: ["ĐOÀN TNCS HỒ CHÍ MINH"],
    }.get(layout, ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"])
    return Letterhead(
        layout=layout,
        superior_lines=head_lines(superior),
        issuer_lines=head_lines(name),
        number_line=number,
        place_date=place_date,
        right_lines=right,
    )
