"""Read an implementing plan (Kế hoạch) from its text: header, basis, outline, targets, tasks,
recipients and signature.

The text comes from :func:`plans.importing.sources.read_source`: Word paragraphs one per line, or a
Markdown-ish conversion with ``**bold**``, ``##`` headings, tabs, stray spaces and paragraphs
broken in the middle of a sentence (page breaks). The extractor never raises on odd input: what it
cannot read is left empty and explained in ``warnings`` (Vietnamese, for the person checking the
import).

The work is split the way a reader scans the page: :func:`_clean_line` and :func:`_paragraphs`
repair the text; :func:`_read_header` takes the top block (issuing bodies, number, place and date,
title); :func:`_read_basis` the opening "Thực hiện …/Căn cứ …" paragraph; :func:`_outline` the
numbered sections; :func:`_read_targets` and :func:`_read_tasks` what the sections ask for; and
:func:`_read_tail` the recipients and signature.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from plans.identifiers import parse_identifier

# --------------------------------------------------------------------------------------------
# Regular expressions (compiled once; the extractor runs on every upload and in a benchmark)
# --------------------------------------------------------------------------------------------

_BOOKMARK: Final = re.compile(r"\[bookmark:[^\]]*\]")
_MD_HEADING: Final = re.compile(r"^\s*(#{1,6})\s+")
_BOLD: Final = re.compile(r"\*\*|__")
# A single-asterisk italic span "*text*"; a bullet "* Ban …" has a space after its asterisk.
_ITALIC: Final = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_SPACES: Final = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u3000]+")
_RULE: Final = re.compile(r"^[-_=*.…\s]{3,}$")

# Outline markers. Order matters: "2.1." must be tried before "2.".
_ROMAN: Final = re.compile(r"^(?P<m>[IVX]{1,5})\s*[.\-/)]\s*(?P<t>\S.*)$")
_SUBNUMBER: Final = re.compile(r"^(?P<m>\d{1,2}(?:\.\d{1,2})+)\.?\s*(?P<t>[^\d\s.].*)$")
_NUMBER: Final = re.compile(r"^(?P<m>\d{1,2})\s*[.)\-]\s*(?P<t>[^\d\s%].*)$")
_LETTER: Final = re.compile(r"^(?P<m>[a-zđ])\s*\)\s*(?P<t>\S.*)$")
_BULLET: Final = re.compile(r"^(?P<m>[-–—•+*])\s*(?P<t>\S.*)$")

# Party style NUMBER-TYPE/ISSUER and state style NUMBER/[YEAR/]TYPE-ISSUER or NUMBER/YEAR/ISSUER.
# Stray spaces around the dash ("21- CT/TW") occur in converted Word files.
_CODE: Final = r"[A-ZĐ][A-Za-zĐđ0-9]*(?:-[A-ZĐ][A-Za-zĐđ0-9&]*)*"
_IDENTIFIER: Final = re.compile(
    r"(?<![\w/.-])(?:"
    rf"(?P<pn>\d{{1,4}})\s?-\s?(?P<pt>[A-ZĐ][A-Za-zĐđ]{{0,4}})/(?P<pi>{_CODE})"
    r"|"
    rf"(?P<sn>\d{{1,5}})/(?:(?P<sy>(?:19|20)\d\d)/)?(?P<sti>{_CODE})"
    r")(?![\w/])"
)
# "Số: 470/KH-LĐLĐ", "Số: -KH/HU", "Số /KH-UBND", "Số 76-BC/HU".
_NUMBER_LINE: Final = re.compile(r"^Số\s*:?\s*(?P<id>[\w\s/-]*?)\s*$", re.IGNORECASE)
_BLANK_PARTY: Final = re.compile(r"^(?P<n>\d*)\s*-\s*(?P<t>[^\W\d_]+)\s*/\s*(?P<i>[\w-]+)$")
_BLANK_STATE: Final = re.compile(r"^(?P<n>\d*)\s*/\s*(?P<t>[^\W\d_]+)\s*-\s*(?P<i>[\w-]+)$")
_PLACE_DATE: Final = re.compile(
    r"^(?:(?P<place>[^,\d]{2,60}),\s*)?ngày\s*(?P<d>\d{0,2})\s*tháng\s*(?P<m>\d{0,2})\s*năm\s*"
    r"(?P<y>\d{0,4})",
    re.IGNORECASE,
)
# A header line that opens with a place continues the body named on the line above.
_HEAD_PLACE: Final = re.compile(
    r"^(?:TỈNH|THÀNH PHỐ|HUYỆN|QUẬN|THỊ XÃ|THỊ TRẤN|XÃ|PHƯỜNG|ĐẶC KHU|VIỆT NAM)\b(?! ỦY)"
)
_DRAFT: Final = re.compile(r"^\(?\s*dự\s+thảo\s*(?:lần\s*\d+)?\s*\)?\.?$", re.IGNORECASE)
_PLAN_WORD: Final = re.compile(r"^KẾ\s*HOẠCH\b\.?\s*(?P<rest>.*)$")
_MOTTO: Final = re.compile(
    r"^(CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM|CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM|"
    r"ĐẢNG CỘNG SẢN VIỆT NAM|Độc lập\s*-\s*Tự do\s*-\s*Hạnh phúc)\s*$",
    re.IGNORECASE,
)
_BASIS_START: Final = re.compile(r"^(?:Thực hiện|Căn cứ|Triển khai)\b", re.IGNORECASE)
_BASIS_CLAUSE: Final = re.compile(r"(?:^|;\s*)(?:Thực hiện|Căn cứ)\s", re.IGNORECASE)
_DATE_AFTER_ID: Final = re.compile(
    r"^\s*,?\s*(?:ban hành\s+)?ngày\s+(?P<d>\d{1,2})\s*(?:[/.-]|\s+tháng\s+)\s*(?P<m>\d{1,2})"
    r"\s*(?:[/.-]|\s+năm\s+)\s*(?P<y>\d{4})"
)
_ISSUER_AFTER: Final = re.compile(
    r"^\s*,?\s*của\s+(?P<who>[^,;(“\"”]+?)(?=\s+(?:về|thực hiện|triển khai|quy định|"
    r"ban hành|khóa|khoá|nhiệm kỳ)\b|\s*[,;(“\"”.]|$)"
)
_ISSUER_SENTENCE: Final = re.compile(
    r"(?:^|[,;:.]\s*)(?P<who>[A-ZĐƯƠÂĂÊÔỦ][^,;:.]{2,120}?)\s+(?:ban hành|xây dựng|triển khai)\s+"
    r"(?:[Kk]ế hoạch)"
)

# Tail of the document.
_RECIPIENTS_HEAD: Final = re.compile(r"^Nơi\s+nhận\s*:?\s*(?P<rest>.*)$", re.IGNORECASE)
_CAPACITY: Final = re.compile(r"^(?:T/M|TM\.?|K/T|KT\.?|T/L|TL\.?|TUQ\.?|Q\.)\s*\S")
_CLOSING: Final = re.compile(r"^Trên đây là\b", re.IGNORECASE)
_ARCHIVE: Final = re.compile(r"^Lưu\s*:?\s*(?P<name>.*)$", re.IGNORECASE)
_PURPOSES: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (re.compile(r"\(?\s*(?:để\s+)?b/c\s*\)?", re.IGNORECASE), "report_to"),
    (re.compile(r"\(?\s*(?:để\s+)?báo cáo\s*\)", re.IGNORECASE), "report_to"),
    (re.compile(r"\(?\s*(?:để\s+)?t/h\s*\)?", re.IGNORECASE), "carry_out"),
    (re.compile(r"\(?\s*(?:để\s+)?thực hiện\s*\)", re.IGNORECASE), "carry_out"),
    (re.compile(r"\(?\s*để\s+biết(?:\s*,?\s*theo dõi)?\s*\)?", re.IGNORECASE), "information"),
)

# Targets: "45-50%", "từ 10% đến 15%", "khoảng 50%", "trên 55%".
_NUM: Final = r"\d{1,3}(?:[.,]\d+)?"
_RANGE_PERCENT: Final = re.compile(
    rf"(?:từ\s+)?(?P<low>{_NUM})\s*%?\s*(?:-|–|đến|tới)\s*(?P<high>{_NUM})\s*%", re.IGNORECASE
)
_ONE_PERCENT: Final = re.compile(
    r"(?:(?P<q>khoảng|trên|hơn|ít nhất|tối thiểu|không dưới|dưới|tối đa|không quá|gần)\s+)?"
    rf"(?P<v>{_NUM})\s*%",
    re.IGNORECASE,
)
_HORIZON: Final = re.compile(
    r"(?:đến|tới)\s+(?:hết\s+)?năm\s+(?P<y>(?:19|20)\d\d)|giai đoạn\s+(?:19|20)\d\d\s*[-–]\s*"
    r"(?P<y2>(?:19|20)\d\d)",
    re.IGNORECASE,
)

# Tasks. Verbs are matched in lower case only: inside unit names the same words are capitalised
# ("Ban Tổ chức - Kiểm tra", "Ban Tuyên giáo"), so case separates "who" from "what".
_VERBS: Final = (
    "chủ trì|phối hợp|chủ động|xây dựng|xây|tăng cường|thực hiện|triển khai|lãnh đạo|chỉ đạo|"
    "tổ chức|giúp|tham mưu|hướng dẫn|kiểm tra|đẩy mạnh|quán triệt|tuyên truyền|theo dõi|căn cứ|"
    "rà soát|nghiên cứu|phổ biến|vận động|đôn đốc|giám sát|cụ thể hóa|bố trí|định hướng|"
    "phát huy|tham gia|có trách nhiệm|chịu trách nhiệm|tiếp tục|khẩn trương|nghiêm túc|"
    "ban hành|báo cáo|đề xuất|bảo đảm|đảm bảo|quan tâm|sơ kết|tổng kết|phân công|nâng cao|"
    "cân đối|tập trung|thường xuyên|định kỳ|là cơ quan|làm đầu mối|chỉ đạo|tiến hành|"
    "khuyến khích|huy động|ưu tiên|đổi mới|hoàn thành|gửi"
)
_VERB: Final = re.compile(rf"(?<![\w-])(?:{_VERBS})(?!\w)")
# "tổ chức" is a noun in "các tổ chức", "tổ chức cơ sở đảng", "tổ chức chính trị - xã hội".
_NOUN_BEFORE: Final = re.compile(r"(?:các|những|Các|Những)\s+$")
_NOUN_AFTER: Final = re.compile(
    r"tổ chức\s+(?:cơ sở|chính trị|đảng|Đảng|đoàn thể|hội|thành viên|công đoàn|Công đoàn)"
)
_GIAO: Final = re.compile(r"^(?:Giao cho|Giao|Đề nghị)\s+")
_LEAD_VERB: Final = re.compile(r"(?<![\w-])chủ trì(?!\w)\s*,?\s*")
_SUPPORT: Final = re.compile(r"(?<![\w-])[Pp]hối hợp(?:\s+với)?\s+")
_UNITS_STOP: Final = re.compile(
    r"(?<![\w-])(?:để|nhằm|trong|trên|tại|về|theo|khi|từ|đến|bằng)(?!\w)|[.;:(“\"]"
)
_UNIT_HEAD: Final = re.compile(
    r"(?:[Cc]ác\s|[Cc]ấp ủy|Ban\s|Ủy ban|UB|Hội|Mặt trận|MTTQ|Phòng|Trung tâm|Trường|"
    r"Huyện ủy|Quận ủy|Thành ủy|Tỉnh ủy|Thị ủy|Đảng ủy|Đảng bộ|[Cc]hi bộ|[Đđ]ảng bộ|"
    r"Liên đoàn|Công đoàn|Đoàn\s|Huyện đoàn|Tỉnh đoàn|Thành đoàn|Sở\s|Văn phòng|Chi cục|"
    r"Cục\s|Bộ\s|Viện\s|Báo\s|Đài\s|Công an|Ban Chỉ huy|Thường trực|Tổ công tác|"
    r"chính quyền|[A-ZĐ]{2,})"
)
# "Các nhiệm vụ thường xuyên" is a topic, not a group of bodies.
_NOT_UNIT: Final = re.compile(
    r"[Cc]ác\s+(?:nhiệm vụ|nội dung|mục tiêu|giải pháp|chính sách|chương trình|hoạt động|lớp|"
    r"văn bản|chủ trương|quy định|phong trào|mô hình|tầng lớp|hình thức|biện pháp|chỉ tiêu|"
    r"ngành nghề|dự án|đối tượng)\b"
)
_LIST_SEPARATOR: Final = re.compile(r"\s*[,;]\s*")
_AND: Final = re.compile(r"\s+và\s+")
_LEVEL_WORD: Final = re.compile(
    r"(?<!\w)(?:tỉnh|huyện|quận|xã|phường|thị trấn|thị xã|thành phố|đặc khu)(?!\w)",
    re.IGNORECASE,
)
# Kinds of body, so a lower-case list continuation can be told apart from a new assignee.
_KINDS: Final[tuple[tuple[str, re.Pattern[str]], ...]] = tuple(
    (kind, re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE))
    for kind, words in (
        ("party", "cấp ủy|tổ chức đảng|tổ chức cơ sở đảng|chi bộ|đảng bộ|đảng ủy|chi"),
        ("government", "chính quyền"),
        ("department", "phòng|ban|ngành|sở"),
        ("agency", "địa phương|cơ quan|đơn vị|doanh nghiệp"),
        ("level", "tỉnh|huyện|quận|xã|phường|thị trấn|thị xã|thành phố"),
        ("mass", "đoàn thể|tổ chức chính trị|hội"),
    )
)
# Deadline words, best kind first: a date or period to finish by, a recurring period, a
# continuous duty, a bare "định kỳ", on demand. "Đến năm 2030" is a horizon, not a deadline.
_WHEN: Final = (
    r"(?:quý\s+[IVX\d]+\s*(?:[/-]|\s+năm\s+)\s*\d{4}"
    r"|tháng\s+\d{1,2}\s*(?:[/-]|\s+năm\s+)\s*\d{4}"
    r"|(?:6\s+tháng\s+(?:đầu|cuối)\s+)?năm\s+\d{4}"
    r"|ngày\s+\d{1,2}\s*[/-]\s*\d{1,2}(?:\s*[/-]\s*\d{4})?)"
)
_DEADLINE_KINDS: Final = (
    re.compile(
        r"(?:[Đđ]ịnh kỳ\s+)?(?:[Hh]oàn thành\s+)?"
        rf"(?:(?:[Tt]rong|[Tt]rước|[Cc]hậm nhất(?:\s+là)?)\s+{_WHEN}"
        r"|[Đđ]ến\s+ngày\s+\d{1,2}\s*[/-]\s*\d{1,2}(?:\s*[/-]\s*\d{4})?)"
        r"(?:\s+h[àằ]ng\s+năm)?(?:\s+hoặc\s+khi\s+có\s+yêu\s+cầu(?:\s+đột\s+xuất)?)?"
    ),
    re.compile(
        r"(?:[Đđ]ịnh kỳ\s+)?(?:(?:quý\s+[IVX\d]+|tháng\s+\d{1,2})\s+h[àằ]ng\s+năm"
        r"|[Hh][àằ]ng\s+(?:năm|quý|tháng|tuần)|6\s+tháng(?:\s+một\s+lần)?)"
    ),
    re.compile(r"[Tt]hường xuyên"),
    re.compile(r"[Đđ]ịnh kỳ"),
    re.compile(r"khi có yêu cầu(?:\s+đột xuất)?|[Đđ]ột xuất"),
)
_REQUIRES_PLAN: Final = re.compile(
    r"(?:xây dựng|ban hành)\s+(?:các\s+)?(?:chương trình,?\s+)?(?:kế hoạch|chương trình)",
    re.IGNORECASE,
)
_NON_TASK_HEADING: Final = re.compile(
    r"MỤC ĐÍCH|YÊU CẦU|MỤC TIÊU|QUAN ĐIỂM|HÌNH THỨC|TÌNH HÌNH|KẾT QUẢ|ĐÁNH GIÁ", re.IGNORECASE
)
# Issuer names: the standing committee acts for its committee, which is the issuing unit.
_STANDING: Final = re.compile(r"^(?:Ban Thường vụ|Ban Chấp hành|Thường trực)\s+(?=\S)")
_ABBREVIATIONS: Final = (
    (re.compile(r"(?<!\w)UBMTTQ(?!\w)"), "Ủy ban Mặt trận Tổ quốc"),
    (re.compile(r"(?<!\w)UBND(?!\w)"), "Ủy ban nhân dân"),
    (re.compile(r"(?<!\w)HĐND(?!\w)"), "Hội đồng nhân dân"),
    (re.compile(r"(?<!\w)LĐLĐ(?!\w)"), "Liên đoàn Lao động"),
    (re.compile(r"(?<!\w)MTTQ(?!\w)"), "Mặt trận Tổ quốc"),
)
_COMMITTEE_LEVEL: Final = {
    "Quận ủy": "quận",
    "Huyện ủy": "huyện",
    "Thành ủy": "thành phố",
    "Tỉnh ủy": "tỉnh",
    "Thị ủy": "thị xã",
}
_CLAUSE_WINDOW: Final = 600
_BASIS_WINDOW: Final = 600
_SUPPORT_WINDOW: Final = 600
_TARGET_LEAD_IN: Final = re.compile(
    r"^[^,:;]{0,40}?(?:đến|tới)\s+(?:hết\s+)?năm\s+\d{4}\s*[,:]\s*", re.IGNORECASE
)
_CONNECTIVE_END: Final = re.compile(
    r"(?:^|\s)(?:của|và|với|về|các|cho|trong|tại|đến|được|những|theo|từ|là|có|để|nhằm|giữa|"
    r"trên|thuộc|hoặc|cũng|như|nhất là|bao gồm|gồm|gắn với)$"
)

# Party committees and the code their documents carry after the slash.
_COMMITTEE_CODES: Final[tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]] = (
    (re.compile(r"Đảng ủy khối", re.IGNORECASE), ("ĐUK",)),
    (re.compile(r"Đảng ủy", re.IGNORECASE), ("ĐU",)),
    (re.compile(r"Tỉnh ủy", re.IGNORECASE), ("TU",)),
    (re.compile(r"Thành ủy", re.IGNORECASE), ("TU", "ThU")),
    (re.compile(r"Thị ủy", re.IGNORECASE), ("ThU", "TU")),
    (re.compile(r"Huyện ủy", re.IGNORECASE), ("HU",)),
    (re.compile(r"Quận ủy", re.IGNORECASE), ("QU",)),
    (re.compile(r"Trung ương|Ban Bí thư|Bộ Chính trị", re.IGNORECASE), ("TW",)),
)

# Caps lines of the header turned into proper names: these phrases keep their own casing, the
# administrative level words are lower case, and every other word is a place name (Title Case).
_PROPER_PHRASES: Final = (
    "Tổng Liên đoàn Lao động",
    "Liên đoàn Lao động",
    "Ban Chấp hành Trung ương",
    "Ban Chấp hành",
    "Ban Thường vụ",
    "Ban Tuyên giáo",
    "Ban Dân vận",
    "Ban Tổ chức",
    "Ban Nội chính",
    "Ban Bí thư",
    "Bộ Chính trị",
    "Ủy ban Mặt trận Tổ quốc",
    "Mặt trận Tổ quốc",
    "Ủy ban nhân dân",
    "Hội đồng nhân dân",
    "Ủy ban Kiểm tra",
    "Văn phòng",
    "Đảng bộ",
    "Đảng ủy",
    "Tỉnh ủy",
    "Thành ủy",
    "Huyện ủy",
    "Quận ủy",
    "Thị ủy",
    "Công đoàn",
    "Đoàn Thanh niên Cộng sản Hồ Chí Minh",
    "Hội Liên hiệp Phụ nữ",
    "Hội Nông dân",
    "Hội Cựu chiến binh",
    "Trung tâm",
    "Chi bộ",
)
_ADMIN_WORDS: Final = (
    "thành phố",
    "thị xã",
    "thị trấn",
    "đặc khu",
    "tỉnh",
    "huyện",
    "quận",
    "xã",
    "phường",
)
_PHRASE_TABLE: Final = sorted(
    ((tuple(p.lower().split()), p.split()) for p in _PROPER_PHRASES),
    key=lambda item: -len(item[0]),
)
_ADMIN_TABLE: Final = sorted((tuple(a.split()) for a in _ADMIN_WORDS), key=lambda a: -len(a))


# --------------------------------------------------------------------------------------------
# Text repair
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Para:
    """One logical paragraph after repair: its text and whether a blank line came before it."""

    text: str
    after_blank: bool = False
    heading_level: int = 0


def _clean_line(line: str) -> tuple[str, int]:
    """Strip Markdown and Word-conversion debris from one line; return it with its ``#`` level."""
    line = _BOOKMARK.sub("", line)
    level = 0
    if match := _MD_HEADING.match(line):
        level = len(match.group(1))
        line = line[match.end() :]
    line = _BOLD.sub("", line)
    line = _ITALIC.sub(r"\1", line)
    line = line.replace("\\", "") if "\\" in line else line
    return _SPACES.sub(" ", line).strip(), level


def _is_caps(text: str) -> bool:
    """True for a line written in capitals (header bodies, "KẾ HOẠCH", signature titles)."""
    # str.isupper: every cased character is upper case and there is at least one.
    return text.isupper() and sum(ch.isalpha() for ch in text[:12]) >= 2


def _is_marker(text: str) -> bool:
    """True when ``text`` starts an outline item (I., 1., 2.1., a), -, +, *)."""
    return bool(
        _ROMAN.match(text)
        or _SUBNUMBER.match(text)
        or _NUMBER.match(text)
        or _LETTER.match(text)
        or (_BULLET.match(text) and not _RULE.match(text))
    )


def _continues(prev: str, line: str, *, prev_caps: bool) -> bool:
    """Whether ``line`` continues the paragraph ``prev`` that a page break or a hard line break
    cut in the middle of a sentence. Only the end of ``prev`` is looked at, so joining the lines
    of a long paragraph stays linear."""
    if prev_caps or _is_marker(line) or _RULE.match(line) or _RULE.match(prev[-40:]):
        return False
    if _RECIPIENTS_HEAD.match(line) or _CAPACITY.match(line) or _DRAFT.match(line):
        return False
    first = line[0]
    if first.islower():
        return True
    if prev[-1] in '.;:!?”")' or prev.endswith("./."):
        return False
    if _CONNECTIVE_END.search(prev[-24:]):
        return True
    # "(CNVCLĐ), trước hết …" after a long unfinished line is the same sentence.
    return first == "(" and prev[-1].isalnum() and len(prev) > 60


def _paragraphs(text: str) -> list[Para]:
    """Split ``text`` into repaired paragraphs."""
    paras: list[Para] = []
    pieces: list[list[str]] = []  # the lines of each paragraph, joined once at the end
    prev_caps = False
    blank = False
    for raw in text.split("\n"):
        line, level = _clean_line(raw)
        if not line:
            blank = True
            continue
        if pieces and not level and _continues(pieces[-1][-1], line, prev_caps=prev_caps):
            pieces[-1].append(line)
        else:
            paras.append(Para(line, after_blank=blank, heading_level=level))
            pieces.append([line])
            # A joined paragraph never becomes capitals: joins need a lower-case or
            # unfinished line, so the flag of its first line stands.
            prev_caps = _is_caps(line)
        blank = False
    for para, lines in zip(paras, pieces, strict=True):
        if len(lines) > 1:
            para.text = " ".join(lines)
    return paras


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _iso(day: str, month: str, year: str) -> str | None:
    """An ISO date from day, month and year strings, or None when blank or impossible."""
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except (TypeError, ValueError):
        return None


def _normalise_identifier(match: re.Match[str]) -> str:
    """The identifier of a match without stray spaces ("21- CT/TW" -> "21-CT/TW")."""
    return re.sub(r"\s+", "", match.group(0))


def proper_case(caps: str) -> str:
    """Write a capitalised body name in proper Vietnamese name case.

    >>> proper_case("LIÊN ĐOÀN LAO ĐỘNG TỈNH LAI CHÂU")
    'Liên đoàn Lao động tỉnh Lai Châu'
    """
    words = caps.lower().replace("uỷ", "ủy").split()
    out: list[str] = []
    i = 0
    while i < len(words):
        for key, cased in _PHRASE_TABLE:
            if tuple(words[i : i + len(key)]) == key:
                out.extend(cased)
                i += len(key)
                break
        else:
            for admin in _ADMIN_TABLE:
                if tuple(words[i : i + len(admin)]) == admin:
                    out.extend(admin)
                    i += len(admin)
                    break
            else:
                word = words[i]
                out.append(word[:1].upper() + word[1:])
                i += 1
    return " ".join(out)


def _strip_end(text: str) -> str:
    """Trim spaces and closing punctuation from a phrase."""
    return text.strip().strip(" ,;.:").strip()


def full_issuer(name: str, text: str) -> str:
    """The issuing unit's full name from the way a sentence writes it.

    "Ban Thường vụ Thành ủy Đà Lạt" -> "Thành ủy Đà Lạt" (the standing committee acts for its
    committee); "UBND xã Thanh Thủy" -> "Ủy ban nhân dân xã Thanh Thủy"; a committee written
    without its place ("Ban Thường vụ Quận ủy") takes the place the text names at that level
    most often ("quận Kiến An" -> "Quận ủy Kiến An").
    """
    name = _strip_end(name)
    stripped = _STANDING.sub("", name)
    if stripped != name and _is_unit(stripped):
        name = stripped
    for pattern, full in _ABBREVIATIONS:
        name = pattern.sub(full, name)
    level = _COMMITTEE_LEVEL.get(name)
    if level and (place := _place_named(text, level)):
        name = f"{name} {place}"
    return name


def _place_named(text: str, level: str) -> str | None:
    """The proper name most often written after ``level`` ("quận Kiến An") in ``text``."""
    pattern = re.compile(rf"(?<!\w)(?i:{level})\s+(?P<words>(?:[^\W\d_]+[ ]?){{1,4}})")
    counts: Counter[str] = Counter()
    for match in pattern.finditer(text):
        words: list[str] = []
        for word in match["words"].split():
            if not word[0].isupper():
                break
            words.append(word)
        if words:
            counts[" ".join(words)] += 1
    return counts.most_common(1)[0][0] if counts else None


# --------------------------------------------------------------------------------------------
# Header
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Header:
    """What the top of the document says about itself."""

    identifier: str | None = None
    number: str | None = None
    blank_number: bool = False
    blank_code: str = ""  # "HU" of "Số -KH/HU": who will number it
    unreadable_number: str | None = None
    issuer: str | None = None
    parent_issuer: str | None = None
    is_draft: bool = False
    issued_on: str | None = None
    issued_year: int | None = None
    place: str | None = None
    title: str = ""
    title_end: int = 0
    doc_type: str = "KH"


def _read_header(paras: Sequence[Para]) -> Header:
    """Read bodies, number, place and date, draft mark and title from the top of the text."""
    header = Header()
    plan_at = next(
        (i for i, p in enumerate(paras[:40]) if _PLAN_WORD.match(p.text) and _is_caps(p.text[:8])),
        None,
    )
    top = paras[:plan_at] if plan_at is not None else _top_without_plan_word(paras)
    bodies: list[str] = []
    for para in top:
        text = para.text
        if _MOTTO.match(text) or _RULE.match(text) or not text.strip("* "):
            continue
        if match := _NUMBER_LINE.match(text):
            _read_number(match["id"], header)
        elif match := _PLACE_DATE.match(text):
            _read_place_date(match, header)
        elif _DRAFT.match(text):
            header.is_draft = True
        elif _is_caps(text) and bodies and _HEAD_PLACE.match(text):
            # A long name wraps between the organ and its place ("ỦY BAN NHÂN DÂN" /
            # "XÃ THANH THỦY"): the second line is the same body.
            bodies[-1] = f"{bodies[-1]} {text}"
        elif _is_caps(text):
            bodies.append(text)
    # A blank number ("Số: -KH/HU", "Số /KH-UBND") and a blank date are left for the office
    # to fill in on signing: the text is a draft whether or not it says "Dự thảo". (A dated
    # copy whose number is blank is an issued plan whose number was not kept.)
    header.is_draft = header.is_draft or (header.blank_number and header.issued_on is None)
    if bodies:
        header.issuer = proper_case(bodies[-1])
        if len(bodies) >= 2:
            header.parent_issuer = proper_case(bodies[-2])
    if plan_at is not None:
        header.title, header.title_end = _read_title(paras, plan_at)
    else:
        header.title_end = len(top)
    # A "Dự thảo" mark may also sit under the title or above the first section.
    for para in paras[header.title_end : header.title_end + 4]:
        if _DRAFT.match(para.text):
            header.is_draft = True
    return header


def _top_without_plan_word(paras: Sequence[Para]) -> Sequence[Para]:
    """Without a "KẾ HOẠCH" line, the header is whatever precedes the basis or first section."""
    for i, para in enumerate(paras[:15]):
        if _BASIS_START.match(para.text) or _ROMAN.match(para.text):
            return paras[:i]
    return []


def _read_number(raw: str, header: Header) -> None:
    """Read "Số: 470/KH-LĐLĐ"; a blank number ("-KH/HU", "/KH-UBND") marks an unnumbered copy."""
    compact = re.sub(r"\s+", "", raw)
    if not compact:
        header.blank_number = True
        return
    parsed = parse_identifier(compact)
    if parsed is not None and parsed.number:
        header.identifier = compact
        header.number = parsed.number
        header.doc_type = parsed.doc_type if parsed.doc_type != "Luật" else header.doc_type
        return
    if match := _BLANK_PARTY.match(compact) or _BLANK_STATE.match(compact):
        header.blank_number = True
        header.doc_type = match["t"]
        header.blank_code = match["i"]
    else:
        header.unreadable_number = raw.strip()


def _read_place_date(match: re.Match[str], header: Header) -> None:
    """Read "Lai Châu, ngày 23 tháng 8 năm 2023"; blanks leave the date unknown."""
    header.place = (match["place"] or "").strip()
    header.issued_on = _iso(match["d"], match["m"], match["y"])
    if header.issued_on is None and match["y"]:
        # "ngày    tháng    năm 2026": the year is written, the day is left for the signer.
        header.issued_year = int(match["y"])


def _read_title(paras: Sequence[Para], plan_at: int) -> tuple[str, int]:
    """The trích yếu: the paragraphs after "KẾ HOẠCH" up to a rule line, a blank line followed
    by the basis, or the first section. Returns the title and the index after it."""
    rest = _PLAN_WORD.match(paras[plan_at].text)
    parts: list[str] = [rest["rest"].strip(" -:")] if rest and rest["rest"].strip(" -:") else []
    i = plan_at + 1
    while i < len(paras):
        para = paras[i]
        text = para.text
        if _RULE.match(text):
            i += 1
            break
        starts_basis = _BASIS_START.match(text) and (parts or para.after_blank)
        if (
            _DRAFT.match(text)
            or _ROMAN.match(text)
            or (parts and para.after_blank)
            or (starts_basis and parts)
            or len(parts) >= 6
        ):
            break
        parts.append(text)
        i += 1
    title = _SPACES.sub(" ", " ".join(parts)).strip()
    return title, i


# --------------------------------------------------------------------------------------------
# Basis and references
# --------------------------------------------------------------------------------------------


def _read_basis(preamble: Sequence[Para]) -> list[dict[str, Any]]:
    """Documents introduced by "Thực hiện"/"Căn cứ" in the opening paragraphs, each with the
    date and the body that issued it ("…, ngày 26/7/2023 của Ban Thường vụ Thành ủy về …")."""
    basis: list[dict[str, Any]] = []
    seen: set[str] = set()
    for para in preamble:
        text = para.text
        for clause_start in _BASIS_CLAUSE.finditer(text):
            clause = text[clause_start.end() : clause_start.end() + _BASIS_WINDOW]
            match = _IDENTIFIER.search(clause)
            if match is None:
                continue
            # The identifier must belong to this clause, not a later "Căn cứ …" one.
            if ";" in clause[: match.start()]:
                continue
            identifier = _normalise_identifier(match)
            if identifier in seen:
                continue
            seen.add(identifier)
            after = clause[match.end() :]
            issued_on = None
            if date_match := _DATE_AFTER_ID.match(after):
                issued_on = _iso(date_match["d"], date_match["m"], date_match["y"])
                after = after[date_match.end() :]
            issuer_match = _ISSUER_AFTER.match(after)
            parsed = parse_identifier(identifier)
            basis.append(
                {
                    "identifier": identifier,
                    "doc_type": parsed.doc_type if parsed else None,
                    "issued_on": issued_on,
                    "issuer": _strip_end(issuer_match["who"]) if issuer_match else None,
                }
            )
    return basis


def _cited(paras: Iterable[Para]) -> list[tuple[str, str | None]]:
    """Every identifier cited, in order, with the body named after it ("… của Chính phủ")."""
    found: list[tuple[str, str | None]] = []
    for para in paras:
        text = para.text
        for match in _IDENTIFIER.finditer(text):
            after = text[match.end() : match.end() + 200]
            if date_match := _DATE_AFTER_ID.match(after):
                after = after[date_match.end() :]
            issuer = _ISSUER_AFTER.match(after)
            found.append((_normalise_identifier(match), issuer["who"] if issuer else None))
    return found


def _expected_codes(issuer: str) -> tuple[str, ...] | None:
    """The codes a party committee's documents carry, for the committee an issuer phrase ends
    with ("Ban Thường vụ Đảng ủy xã Thanh Thủy" -> ĐU); None when no committee is named."""
    spans = [
        (match.start(), match.end(), codes)
        for pattern, codes in _COMMITTEE_CODES
        for match in pattern.finditer(issuer)
    ]
    # Drop a committee named inside a longer one ("Đảng ủy" inside "Đảng ủy khối").
    outer = [s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)]
    return max(outer)[2] if outer else None


def _code_warning(identifier: str, issuer: str | None) -> str | None:
    """A warning when the issuer code of a party-style ``identifier`` does not fit the
    committee said to issue it (a plan of an "Đảng ủy xã" is numbered …/ĐU, not …/TU).

    State identifiers are left alone: their last segment names a department as often as the
    body ("516/VP-KGVX"), so a mismatch there proves nothing.
    """
    parsed = parse_identifier(identifier)
    if not issuer or parsed is None or parsed.style != "party":
        return None
    codes = _expected_codes(issuer)
    if codes is None or any(parsed.issuer_code.endswith(code) for code in codes):
        return None
    return (
        f"Ký hiệu «{identifier}» không khớp với cơ quan ban hành «{issuer}»: văn bản của cơ quan "
        f"này phải mang ký hiệu …/{' hoặc …/'.join(codes)}, không phải …/{parsed.issuer_code}."
    )


# --------------------------------------------------------------------------------------------
# Outline
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Item:
    """A body paragraph placed in the outline."""

    kind: str  # roman, number, sub, letter, bullet, plain
    marker: str
    text: str
    path: str
    roman_heading: str
    is_heading: bool
    written: str = ""  # the marker exactly as written: "I.", "1-", "a)", "-"
    index: int = 0  # the item's place in the body
    level: int = 0  # a Markdown heading's level when it has no marker


def _written_marker(text: str, match: re.Match[str]) -> str:
    """The marker as the document writes it, punctuation and all ("1-", "2.1.", "a)")."""
    return text[: match.start("t")].strip()


def _classify(text: str) -> tuple[str, str, str, str]:
    """The kind, marker, text and marker as written of a body paragraph."""
    for kind, pattern in (
        ("roman", _ROMAN),
        ("sub", _SUBNUMBER),
        ("number", _NUMBER),
        ("letter", _LETTER),
    ):
        if match := pattern.match(text):
            return kind, match["m"], match["t"].strip(), _written_marker(text, match)
    if (match := _BULLET.match(text)) and not _RULE.match(text):
        return "bullet", match["m"], match["t"].strip(), _written_marker(text, match)
    return "plain", "", text, ""


def _outline(body: Sequence[Para]) -> list[Item]:
    """Place every body paragraph in the section outline (I. > 1. > 1.1. > a))."""
    items: list[Item] = []
    roman = ""
    roman_heading = ""
    number = ""
    sub = ""
    letter = ""
    md_sections = 0
    for para in body:
        kind, marker, text, written = _classify(para.text)
        md_level = 0
        if kind == "plain" and para.heading_level and len(text) < 150:
            # A Markdown heading without a marker still opens a section.
            md_sections += 1
            md_level = 1 if para.heading_level <= 3 else 2
            kind, marker = (
                ("roman", f"§{md_sections}")
                if para.heading_level <= 3
                else (
                    "number",
                    str(md_sections),
                )
            )
        if kind == "roman":
            roman, roman_heading, number, sub, letter = marker, text, "", "", ""
        elif kind == "number":
            number, sub, letter = marker, "", ""
        elif kind == "sub":
            number, sub, letter = marker.split(".")[0], marker, ""
        elif kind == "letter":
            letter = marker
        parts = [roman] if roman else []
        if sub:
            parts.append(sub)
        elif number:
            parts.append(number)
        if letter:
            parts.append(letter)
        items.append(
            Item(
                kind=kind,
                marker=marker,
                text=text,
                path=".".join(parts),
                roman_heading=roman_heading,
                is_heading=kind in {"roman", "number", "sub", "letter"},
                written=written,
                index=len(items),
                level=md_level,
            )
        )
    return items


def _sections(items: Sequence[Item]) -> list[dict[str, str]]:
    """The section list: each heading with the text under it up to the next heading."""
    sections: list[dict[str, str]] = []
    texts: list[list[str]] = []
    for item in items:
        if item.is_heading:
            heading, _, rest = item.text.partition(": ")
            if len(heading) > 80 or not rest:
                heading, rest = item.text, ""
            sections.append({"path": item.path, "heading": _strip_end(heading), "text": ""})
            texts.append([rest] if rest else [])
        elif texts:
            texts[-1].append(f"{item.marker} {item.text}" if item.marker else item.text)
    for section, lines in zip(sections, texts, strict=True):
        section["text"] = "\n".join(lines)
    return sections


# --------------------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------------------


def _number(text: str) -> int | float:
    """A figure as int when whole ("50"), float otherwise ("12,5")."""
    value = float(text.replace(",", "."))
    return int(value) if value.is_integer() else value


def _read_targets(items: Sequence[Item]) -> list[dict[str, Any]]:
    """Percentages the plan commits to, with their range and the horizon year."""
    targets: list[dict[str, Any]] = []
    last_year: int | None = None
    last_roman = None
    for item in items:
        if item.roman_heading != last_roman:
            last_roman, last_year = item.roman_heading, None
        text = item.text
        spans: list[tuple[int, int, int | float | None, int | float | None]] = []
        for match in _RANGE_PERCENT.finditer(text):
            spans.append(
                (match.start(), match.end(), _number(match["low"]), _number(match["high"]))
            )
        # Range matches do not overlap and come in order: bisect finds the one covering a
        # single figure, so a paragraph full of percentages is still read in linear time.
        range_starts = [span[0] for span in spans]
        range_ends = [span[1] for span in spans]
        for match in _ONE_PERCENT.finditer(text):
            at = bisect_right(range_starts, match.start("v")) - 1
            if at >= 0 and match.start("v") < range_ends[at]:
                continue
            value = _number(match["v"])
            qualifier = (match["q"] or "").lower()
            if qualifier in {"trên", "hơn", "ít nhất", "tối thiểu", "không dưới"}:
                low, high = value, None
            elif qualifier in {"dưới", "tối đa", "không quá"}:
                low, high = None, value
            else:
                low = high = value
            spans.append((match.start(), match.end(), low, high))
        years = [(m.start(), int(m["y"] or m["y2"])) for m in _HORIZON.finditer(text)]
        year: int | None
        year_starts = [at for at, _ in years]
        for start, end, low, high in sorted(spans):
            # The nearest horizon before the figure, else the section's last, else the next.
            before = bisect_left(year_starts, start)
            after = bisect_left(year_starts, end)
            if before:
                year = years[before - 1][1]
            elif last_year:
                year = last_year
            else:
                year = years[after][1] if after < len(years) else None
            targets.append(
                {
                    "text": _TARGET_LEAD_IN.sub("", _clause(text, start, end)),
                    "low": low,
                    "high": high,
                    "unit": "%",
                    "year": year,
                }
            )
        if years:
            last_year = years[-1][1]
    return targets


def _clause(text: str, start: int, end: int) -> str:
    """The clause of ``text`` around ``start:end`` (between semicolons or sentence ends),
    looked for within a bounded window so many figures in one paragraph stay cheap."""
    low, high = max(0, start - _CLAUSE_WINDOW), min(len(text), end + _CLAUSE_WINDOW)
    left = max(
        text.rfind(";", low, start), text.rfind(". ", low, start), text.rfind(": ", low, start)
    )
    left = left if left != -1 else low - 1
    right_candidates = [
        i for i in (text.find(";", end, high), text.find(". ", end, high)) if i != -1
    ]
    right = min(right_candidates) if right_candidates else high
    return _strip_end(text[left + 1 : right])


# --------------------------------------------------------------------------------------------
# Tasks
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Assignment:
    """Who leads, who coordinates and by when, as read from one sentence."""

    lead: list[str] = field(default_factory=list)
    support: list[str] = field(default_factory=list)
    deadline_text: str = ""
    lead_words: str = ""  # the lead units as the sentence writes them, one phrase


@dataclass(slots=True)
class Task:
    """A task as read: its section, its own words and its assignment."""

    section: str
    text: str
    assignment: Assignment
    item: int = -1  # the body item whose words these are
    joins: bool = False  # a later duty of the same paragraph, after "; "


def _first_verb(text: str) -> re.Match[str] | None:
    """The first lower-case action verb of ``text``, skipping "tổ chức" used as a noun."""
    for match in _VERB.finditer(text):
        if match.group(0) == "tổ chức" and (
            _NOUN_BEFORE.search(text, max(0, match.start() - 8), match.start())
            or _NOUN_AFTER.match(text, match.start())
        ):
            continue
        return match
    return None


def _starts_with_verb(text: str) -> bool:
    """True for a sentence opening with an action ("Tổ chức phổ biến…", "Chỉ đạo…")."""
    lowered = text[:1].lower() + text[1:]
    verb = _first_verb(lowered)
    return verb is not None and verb.start() == 0


def _kind(phrase: str, *, last: bool) -> str | None:
    """The kind of body a phrase names (party, government, department…), by its first or last
    kind word; None when it names none."""
    found = [(m.start(), kind) for kind, pattern in _KINDS for m in pattern.finditer(phrase)]
    if not found:
        return None
    return (max(found) if last else min(found))[1]


def _split_commas(phrase: str) -> list[str]:
    """Split at commas and semicolons: a new name starts with a capital or "các"; a lower-case
    continuation of the same kind stays in the list before it ("Các LĐLĐ huyện, thành phố",
    "các phòng, ban, ngành"), one of another kind is a new name ("…, tổ chức đảng, chính quyền")."""
    units: list[list[str]] = []
    last_kind: str | None = None  # the kind of the last kind word of the current name
    for separator, piece in _pieces(phrase):
        piece = _strip_end(piece)
        if not piece:
            continue
        if units and separator == "," and not _starts_new_name(piece):
            after = _kind(piece, last=False)
            if last_kind is None or after is None or last_kind == after:
                units[-1].append(piece)
                last_kind = _kind(piece, last=True) or last_kind
                continue
        units.append([piece])
        last_kind = _kind(piece, last=True)
    return [", ".join(unit) for unit in units]


def _pieces(phrase: str) -> Iterator[tuple[str, str]]:
    """The parts of ``phrase`` between commas/semicolons, each with the separator before it."""
    separator = ""
    position = 0
    for match in _LIST_SEPARATOR.finditer(phrase):
        yield separator, phrase[position : match.start()]
        separator, position = match.group(0).strip(), match.end()
    yield separator, phrase[position:]


def _starts_new_name(piece: str) -> bool:
    """A list item that starts a new name: a capital letter or "các"."""
    return piece[0].isupper() or piece.lower().startswith("các ")


def _split_and(unit: str) -> list[str]:
    """Split "A quận và các B quận" in two, but keep "Ủy ban MTTQ và các đoàn thể huyện"
    whole: when the first part names no level, the level written at the end applies to both
    and the words name one group."""
    for match in _AND.finditer(unit):
        left, right = unit[: match.start()], unit[match.end() :]
        if _LEVEL_WORD.search(left) and _is_unit(right):
            return [_strip_end(left), *_split_and(_strip_end(right))]
    return [unit]


def split_units(phrase: str, *, heading: bool = False) -> list[str]:
    """Split a list of assignees as written.

    "Ban Tuyên giáo Huyện ủy, Ủy ban nhân dân huyện" -> two names; "Các LĐLĐ huyện, thành phố"
    stays whole. In a unit heading ("2. Các LĐLĐ huyện, thành phố, Công đoàn ngành, Công đoàn
    Viên chức") only semicolons separate: a heading names the group the duties below fall on.
    """
    phrase = _strip_end(phrase)
    if not phrase:
        return []
    if heading:
        parts = [_strip_end(p) for p in phrase.split(";")]
        return [p for p in parts if p]
    return [unit for piece in _split_commas(phrase) for unit in _split_and(piece)]


def _is_unit(phrase: str) -> bool:
    """Whether ``phrase`` starts like the name of a body (or a group of bodies)."""
    phrase = phrase.strip()
    return bool(phrase) and bool(_UNIT_HEAD.match(phrase)) and not _NOT_UNIT.match(phrase)


def _phrase_end(text: str) -> int:
    """Where a list of units ends: at the first verb, preposition or punctuation mark."""
    ends = [len(text)]
    if verb := _first_verb(text):
        ends.append(verb.start())
    if stop := _UNITS_STOP.search(text):
        ends.append(stop.start())
    return min(ends)


def _subject(text: str) -> tuple[str, int] | None:
    """The units a sentence gives work to and where they end in ``text``.

    "Giao Ban Tuyên giáo Quận ủy chủ trì …", "Giao Ban Tổ chức - Kiểm tra: Tham gia …",
    "Hội đồng nhân dân huyện tăng cường …". None when the sentence does not start with units.
    """
    start = 0
    if giao := _GIAO.match(text):
        start = giao.end()
    rest = text[start:]
    head, colon, _ = rest.partition(":")
    if colon and len(head) < 120 and _is_unit(head) and _first_verb(head) is None:
        return _strip_end(head), start + len(head) + 1
    if _starts_with_verb(rest):
        return None
    verb = _first_verb(rest)
    if verb is None:
        return None
    subject = _strip_end(rest[: verb.start()])
    if not subject or len(subject) > 250 or not _is_unit(subject):
        return None
    return subject, start + verb.start()


def _supporters(text: str) -> list[str]:
    """Units named after "phối hợp (với)", when what follows is a unit and not an activity
    ("phối hợp giải quyết …")."""
    support: list[str] = []
    for match in _SUPPORT.finditer(text):
        rest = text[match.end() : match.end() + _SUPPORT_WINDOW]
        phrase = _strip_end(rest[: _phrase_end(rest)])
        if phrase and _is_unit(phrase):
            support.extend(split_units(phrase))
    return support


# A deadline given under its own label ("Thời hạn: ngày 30/9/2023", "Thời gian hoàn thành:
# quý III/2023"): everything after the colon up to the end of the sentence is the deadline.
_LABELLED_DEADLINE: Final = re.compile(
    r"(?:[Tt]hời hạn(?:\s+hoàn\s+thành)?|[Tt]hời gian(?:\s+(?:hoàn\s+thành|thực\s+hiện))?)"
    r"\s*:\s*(?P<words>[^.;\n]+)"
)


def _deadline_text(text: str) -> str:
    """The deadline words of ``text`` exactly as written, or "".

    Words under a "Thời hạn:" label win; then a completion date beats a period ("hằng năm"),
    which beats "thường xuyên", which beats a bare "định kỳ": "thường xuyên" and "định kỳ" are
    often said in passing next to a real date.
    """
    if labelled := _LABELLED_DEADLINE.search(text):
        return _strip_end(labelled.group("words"))
    for pattern in _DEADLINE_KINDS:
        if match := pattern.search(text):
            return _strip_end(match.group(0))
    return ""


def _read_assignment(text: str) -> tuple[Assignment, str] | None:
    """Read the units, coordinators and deadline of a sentence that names its lead, and the
    sentence's own words without an assignment prefix ("Giao X chủ trì, phối hợp Y …")."""
    found = _subject(text)
    if found is None:
        return None
    subject, end = found
    rest = text[end:]
    assignment = Assignment(
        lead=split_units(subject),
        support=_supporters(rest),
        deadline_text=_deadline_text(text),
        lead_words=subject,
    )
    body = text
    if _GIAO.match(text) or _LEAD_VERB.match(rest.lstrip(" ,:")):
        # Cut the prefix: "Giao X", "X chủ trì", ", phối hợp (với) Y" and a colon.
        body = _LEAD_VERB.sub("", rest.lstrip(" ,:"), count=1).lstrip(" ,:")
        if support := _SUPPORT.match(body):
            rest = body[support.end() :]
            body = rest[_phrase_end(rest) :].lstrip(" ,:")
    return assignment, body.strip()


def read_task_words(text: str) -> dict[str, Any]:
    """Who leads, who coordinates and by when, read from a paragraph a person marked as a
    task on the review page."""
    read = _read_assignment(text)
    assignment = read[0] if read else Assignment(deadline_text=_deadline_text(text))
    return {
        "lead": assignment.lead,
        "lead_text": assignment.lead_words,
        "support": assignment.support or _supporters(text),
        "deadline_text": assignment.deadline_text,
        "requires_plan": bool(_REQUIRES_PLAN.search(text)),
    }


def _is_assignment_line(item: Item) -> bool:
    """A paragraph that assigns the items written above it: "Giao …", a "*" line naming units,
    or a sentence whose units "chủ trì"."""
    if item.kind not in {"plain", "bullet"}:
        return False
    text = item.text
    if not (_GIAO.match(text) or item.marker == "*" or _LEAD_VERB.search(text)):
        return False
    return _subject(text) is not None


def _own_tasks(item: Item) -> list[Task]:
    """Tasks of a sentence that names its own lead; a clause after ";" that carries its own
    dated deadline ("…; định kỳ trước ngày 10/12 hằng năm … gửi báo cáo …") is a separate duty
    with the same leads."""
    read = _read_assignment(item.text)
    if read is None:
        return []
    assignment, body = read
    if body != item.text:
        # "Giao X chủ trì, phối hợp Y …": the task keeps the sentence as written.
        return [Task(item.path, item.text, assignment, item.index)]
    tasks: list[Task] = []
    for number, clause in enumerate(_duties(item.text)):
        tasks.append(
            Task(
                item.path,
                clause,
                Assignment(
                    list(assignment.lead),
                    _supporters(clause),
                    _deadline_text(clause),
                    assignment.lead_words,
                ),
                item.index,
                joins=number > 0,
            )
        )
    if tasks:
        tasks[0].assignment.support = assignment.support
    return tasks


def _duties(text: str) -> list[str]:
    """Split a sentence into duties at semicolons opening with a dated deadline."""
    clauses = text.split("; ")
    duties: list[list[str]] = [[clauses[0]]]
    for clause in clauses[1:]:
        dated = _DEADLINE_KINDS[0].match(clause)
        if dated and clause[dated.end() :].strip(" .;/"):
            duties.append([clause])
        else:
            duties[-1].append(clause)
    return ["; ".join(duty).strip() for duty in duties]


def _duty_task(item: Item, units: list[str], words: str = "") -> list[Task]:
    """A duty listed under a unit heading: led by that unit unless it names its own lead
    ("- Giao Ban Tuyên giáo - Nữ công: …")."""
    names_own_lead = _GIAO.match(item.text) or _LEAD_VERB.search(item.text)
    if names_own_lead and (own := _own_tasks(item)):
        return own
    return [
        Task(
            item.path,
            clause,
            Assignment(list(units), _supporters(clause), _deadline_text(clause), words),
            item.index,
            joins=number > 0,
        )
        for number, clause in enumerate(_duties(item.text))
    ]


def _read_tasks(items: Sequence[Item]) -> list[Task]:
    """Tasks of every part except purpose, requirements, targets and forms of propaganda.

    Only items with an identifiable lead are tasks: a sentence naming its units, a duty under a
    heading that names a unit, or items followed by an assignment ("Giao X chủ trì …" / "* X …")
    which applies to each item written since the heading or the previous assignment.
    """
    tasks: list[Task] = []
    pending: list[Item] = []
    heading: Item | None = None
    heading_is_task = False
    units: list[str] | None = None
    for item in items:
        if item.kind == "roman" or _NON_TASK_HEADING.search(item.roman_heading):
            pending, heading, units = [], None, None
            continue
        if item.is_heading:
            pending, heading, units = [], item, _unit_heading(item.text)
            heading_is_task = False
            if units is None and (own := _own_tasks(item)):
                tasks.extend(own)
                heading_is_task = True
            elif units is None and item.kind in {"sub", "letter"}:
                # "1." headings under a Roman part name topics; deeper items ("2.1.", "a)")
                # are pieces of work themselves, assigned like the bullets under them.
                pending = [item]
            continue
        if units:
            tasks.extend(_duty_task(item, units, _unit_words(heading.text) if heading else ""))
        elif _is_assignment_line(item):
            read = _read_assignment(item.text)
            assignment = read[0] if read else Assignment()
            if not assignment.deadline_text and heading is not None:
                assignment.deadline_text = _deadline_text(heading.text)
            if pending:
                assigned = list(pending)
            elif heading is not None and not heading_is_task:
                # The heading names the work; a second assignment line below it adds to the
                # same task's units in the text, not a second copy of the task.
                assigned = [heading]
                heading_is_task = True
            else:
                assigned = []
            if heading is not None and any(done is heading for done in assigned):
                heading_is_task = True
            for done in assigned:
                copy = Assignment(
                    list(assignment.lead),
                    list(assignment.support),
                    lead_words=assignment.lead_words,
                )
                copy.deadline_text = assignment.deadline_text
                tasks.append(Task(item.path, done.text, copy, done.index))
            pending = []
        elif own := _own_tasks(item):
            tasks.extend(own)
        else:
            pending.append(item)
    return tasks


def _unit_words(text: str) -> str:
    """The units a heading names, as written ("UBND Thành phố Đà Lạt" of "1. … Đà Lạt")."""
    text = _strip_end(text)
    if giao := _GIAO.match(text):
        text = text[giao.end() :]
    return text


def _unit_heading(text: str) -> list[str] | None:
    """The units of a heading that only names units ("1. UBND Thành phố Đà Lạt", "6. Đề nghị
    UBMTTQ Việt Nam xã"), or None when the heading is a sentence or a topic."""
    text = _strip_end(text)
    if giao := _GIAO.match(text):
        text = text[giao.end() :]
    if len(text) > 150 or not _is_unit(text) or _first_verb(text) is not None:
        return None
    return split_units(text, heading=True)


def _deadline_json(text: str, issued_on: date) -> dict[str, Any]:
    """The schedule derived from the deadline words (tasks.deadlines, imported lazily so the
    importer stays usable where the tasks app is not installed)."""
    from tasks.deadlines import parse_deadline

    return parse_deadline(text, issued_on).as_json(issued_on)


# --------------------------------------------------------------------------------------------
# Tail: recipients and signature
# --------------------------------------------------------------------------------------------


def _split_tail(paras: Sequence[Para], start: int) -> tuple[int, int]:
    """Where the body ends and the tail (closing line, recipients, signature) begins."""
    for i in range(start, len(paras)):
        text = paras[i].text
        if _RECIPIENTS_HEAD.match(text) or (_CAPACITY.match(text) and _is_caps(text)):
            end = i
            while end > start and (
                _CLOSING.match(paras[end - 1].text) or paras[end - 1].text.startswith("(")
            ):
                end -= 1
            return end, i
    for i in range(start, len(paras)):
        if _CLOSING.match(paras[i].text):
            return i, i
    return len(paras), len(paras)


def _recipient(text: str) -> dict[str, str]:
    """One line of "Nơi nhận" with its purpose mark removed."""
    text = _strip_end(re.sub(r"^[-–•+*]\s*", "", text))
    if match := _ARCHIVE.match(text):
        return {"name": _strip_end(match["name"]), "purpose": "archive"}
    for pattern, purpose in _PURPOSES:
        if pattern.search(text):
            return {"name": _strip_end(pattern.sub("", text)), "purpose": purpose}
    return {"name": text, "purpose": "unspecified"}


def _is_person_name(text: str) -> bool:
    """Two to seven capitalised words without digits, not all in capitals: "Phan Ngọc Thắng"."""
    words = text.split()
    return (
        2 <= len(words) <= 7
        and all(word[0].isupper() and word.isalpha() for word in words)
        and not _is_caps(text)
    )


def _read_tail(paras: Sequence[Para]) -> tuple[list[dict[str, str]], dict[str, str | None]]:
    """Recipients after "Nơi nhận:" and the signature block (capacity, title, name)."""
    recipients: list[dict[str, str]] = []
    signer: dict[str, str | None] = {"capacity": None, "title": None, "name": None}
    i = 0
    while i < len(paras):
        text = paras[i].text
        if match := _RECIPIENTS_HEAD.match(text):
            if match["rest"].strip():
                recipients.append(_recipient(match["rest"]))
            i += 1
            while i < len(paras):
                line = paras[i].text
                if _CAPACITY.match(line) and _is_caps(line):
                    break
                if not _BULLET.match(line) and paras[i].after_blank and recipients:
                    break
                recipients.append(_recipient(line))
                i += 1
            continue
        if _CAPACITY.match(text) and _is_caps(text) and signer["capacity"] is None:
            capacity = [text]
            i += 1
            while i < len(paras) and _CAPACITY.match(paras[i].text) and _is_caps(paras[i].text):
                capacity.append(paras[i].text)
                i += 1
            signer["capacity"] = " ".join(capacity)
            if i < len(paras) and _is_caps(paras[i].text):
                signer["title"] = paras[i].text
                i += 1
            while i < len(paras) and not _RECIPIENTS_HEAD.match(paras[i].text):
                if _is_person_name(paras[i].text):
                    signer["name"] = paras[i].text
                    i += 1
                    break
                i += 1
            continue
        i += 1
    return [r for r in recipients if r["name"] or r["purpose"] == "archive"], signer


# --------------------------------------------------------------------------------------------
# The whole document
# --------------------------------------------------------------------------------------------


def extract_plan(text: str, *, today: date | None = None) -> dict[str, Any]:
    """Extract everything the importer shows for review from the text of a plan.

    ``today`` (default: the current date) is used to flag dates in the future and to anchor
    deadlines of an undated plan. Never raises on unusual text: whatever cannot be read is left
    empty and explained in ``warnings``.
    """
    today = today or date.today()
    text = unicodedata.normalize("NFC", text or "")
    paras = _paragraphs(text)
    header = _read_header(paras)
    warnings: list[str] = []

    # The body starts at the first Roman section; before it (after the title) is the preamble.
    body_start = next(
        (i for i in range(header.title_end, len(paras)) if _ROMAN.match(paras[i].text)),
        header.title_end,
    )
    preamble = paras[header.title_end : body_start]
    body_end, tail_start = _split_tail(paras, body_start)
    body = paras[body_start:body_end]

    plain = "\n".join(para.text for para in paras)
    if header.issuer is None:
        written = _issuer_from_sentence(preamble) or _issuer_from_sentence(paras[:body_end])
        header.issuer = full_issuer(written, plain) if written else None
    if header.issuer is None:
        _, signer_guess = _read_tail(paras[tail_start:])
        if signer_guess["capacity"]:
            body_name = re.sub(r"^\S+\s*", "", signer_guess["capacity"].split(" KT.")[0])
            header.issuer = proper_case(body_name) if body_name else None

    basis = _read_basis(preamble)
    for item in basis:
        if item["issuer"]:
            item["issuer"] = full_issuer(item["issuer"], plain)
    basis_ids = {b["identifier"] for b in basis}
    cited = _cited(paras)
    references: list[str] = []
    seen = set(basis_ids) | {header.identifier}
    for identifier, _ in cited:
        if identifier not in seen:
            seen.add(identifier)
            references.append(identifier)

    items = _outline(body)
    sections = _sections(items)
    targets = _read_targets(items)
    issued = date.fromisoformat(header.issued_on) if header.issued_on else None
    anchor = issued or today
    tasks = []
    read_tasks = _read_tasks(items)
    for task in read_tasks:
        # "./." closes a document (Nghị định 30/2020): kept, as every word of the plan is.
        deadline_text = task.assignment.deadline_text
        deadline = _deadline_json(deadline_text, anchor)
        tasks.append(
            {
                "section": task.section,
                "text": task.text,
                "lead": task.assignment.lead,
                # The line of unit names as written: a name with a comma stays one name.
                "lead_text": task.assignment.lead_words,
                "support": task.assignment.support,
                "deadline_text": deadline_text,
                "requires_plan": bool(_REQUIRES_PLAN.search(task.text)),
                "deadline": deadline,
            }
        )
        if deadline_text and deadline.get("kind") == "unparsed":
            warnings.append(
                f"Không đọc được thời hạn «{deadline_text}» của nhiệm vụ mục {task.section}: "
                "cần người kiểm tra."
            )
    recipients, signer = _read_tail(paras[tail_start:])
    outline = outline_parts(preamble, items, paras[body_end:tail_start], read_tasks)
    for entry_at, entry in enumerate(outline):
        if entry["task"] is not None:
            tasks[entry["task"]]["part"] = entry_at

    warnings[:0] = _document_warnings(header, basis, cited, today, has_tasks=bool(tasks))
    return {
        "doc_type": header.doc_type or "KH",
        "identifier": header.identifier,
        "number": header.number,
        "issuer_code": header.blank_code,
        "issuer": header.issuer,
        "parent_issuer": header.parent_issuer,
        "is_draft": header.is_draft,
        "issued_on": header.issued_on,
        "issued_year": header.issued_year,
        "place": header.place,
        "title": header.title,
        "basis": basis,
        "references": references,
        "targets": targets,
        "tasks": tasks,
        "sections": sections,
        "recipients": recipients,
        "signer": signer,
        "outline": outline,
        "warnings": warnings,
    }


# --------------------------------------------------------------------------------------------
# The outline: every paragraph in its place
# --------------------------------------------------------------------------------------------

# The heading level of each kind of numbered item (I. > 1. > 1.1. > a)).
HEADING_LEVELS: Final = {"roman": 1, "number": 2, "sub": 3, "letter": 4}


def _part(kind: str, level: int, marker: str, text: str, task: int | None = None) -> dict:
    return {
        "kind": kind,
        "level": level,
        "marker": marker,
        "text": text,
        "task": task,
        "joins": False,
    }


def outline_parts(
    preamble: Sequence[Para],
    items: Sequence[Item],
    closing: Sequence[Para],
    tasks: Sequence[Task],
) -> list[dict[str, Any]]:
    """The document between its title and its tail as an ordered list of parts: the basis
    paragraphs, every heading and paragraph of the body with its marker as written, and the
    closing lines ("Trên đây là …"). A paragraph read as a task points at it (``task``: its
    index in ``tasks``) and carries the task's words; a paragraph split into several duties
    becomes one part per duty, the later ones ``joins`` (printed on in the same paragraph)."""
    parts: list[dict[str, Any]] = []
    for para in preamble:
        if not (_RULE.match(para.text) or _DRAFT.match(para.text)):
            parts.append(_part("text", 0, "", para.text))
    by_item: dict[int, list[int]] = {}
    for number, task in enumerate(tasks):
        by_item.setdefault(task.item, []).append(number)
    for item in items:
        if item.kind == "sub":
            # "2.1." is a third level, "2.1.1." a fourth.
            kind, level = "heading", min(2 + item.marker.count("."), 6)
        elif item.kind in HEADING_LEVELS:
            kind, level = "heading", HEADING_LEVELS[item.kind]
        elif item.marker.startswith("§"):
            kind, level = "heading", item.level or 1
        else:
            kind, level = "text", 0
        mine = by_item.get(item.index, [])
        if not mine:
            parts.append(_part(kind, level, item.written, item.text))
            continue
        for order, number in enumerate(mine):
            part = _part(kind, level, item.written, tasks[number].text, number)
            if order:
                part.update(kind="text", level=0, marker="", joins=True)
            parts.append(part)
    for para in closing:
        parts.append(_part("text", 0, "", para.text))
    return parts


def _issuer_from_sentence(paras: Sequence[Para]) -> str | None:
    """The body in "…, Ban Thường vụ Quận ủy xây dựng kế hoạch …" of the opening paragraphs."""
    for para in paras[:12]:
        if match := _ISSUER_SENTENCE.search(para.text):
            who = _strip_end(match["who"])
            if _UNIT_HEAD.match(who):
                return who
    return None


def _document_warnings(
    header: Header,
    basis: Sequence[dict[str, Any]],
    cited: Sequence[tuple[str, str | None]],
    today: date,
    *,
    has_tasks: bool,
) -> list[str]:
    """Problems a person should look at before the import is saved."""
    warnings: list[str] = []
    if header.unreadable_number:
        warnings.append(f"Không đọc được số, ký hiệu «{header.unreadable_number}».")
    elif header.identifier is None and not header.is_draft:
        warnings.append("Văn bản không phải dự thảo nhưng không có số, ký hiệu.")
    if header.issued_on is None:
        warnings.append("Không có ngày ban hành (ngày, tháng để trống hoặc không tìm thấy).")
    elif date.fromisoformat(header.issued_on) > today:
        warnings.append(
            f"Ngày ban hành {header.issued_on} ở sau ngày hôm nay ({today.isoformat()})."
        )
    if header.issuer and header.identifier:
        own_warning = _code_warning(header.identifier, header.issuer)
        if own_warning:
            warnings.append(own_warning)
    for item in basis:
        if item["issued_on"] and date.fromisoformat(item["issued_on"]) > today:
            warnings.append(
                f"Văn bản căn cứ {item['identifier']} có ngày {item['issued_on']} ở sau ngày "
                f"hôm nay ({today.isoformat()})."
            )
    seen: set[str] = set()
    for identifier, issuer in [(b["identifier"], b["issuer"]) for b in basis] + list(cited):
        if identifier in seen:
            continue
        if message := _code_warning(identifier, issuer):
            seen.add(identifier)
            warnings.append(message)
    if not has_tasks:
        warnings.append("Không tìm thấy nhiệm vụ nào trong kế hoạch.")
    return warnings
