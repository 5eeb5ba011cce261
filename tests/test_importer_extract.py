"""The plan importer core: reading uploads into text and extracting a plan from it.

Pure Python: no Django import here or in ``plans.importing``, so these tests run with and without
pytest-django. The five seed plans are compared with the hand-made records next to them
(``tests/data/seeds/NNN.json``, see ``tests/data/seeds/README.md``).
"""

from __future__ import annotations

import io
import json
import unicodedata
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plans.importing import SourceError, extract_plan, read_source
from plans.importing.extract import full_issuer, proper_case, split_units
from plans.importing.sources import MAX_BYTES
from tests.fuzzing import PARSER_EXAMPLES

SEEDS_DIR = Path(__file__).resolve().parent.parent / "demo" / "seeds"
EXPECTED_DIR = Path(__file__).resolve().parent / "data" / "seeds"
SEEDS = ("000", "001", "002", "003", "004")
TODAY = date(2026, 11, 22)
SCHEDULE_KEYS = {"text", "kind", "due", "next", "on_demand"}
PLAN_KEYS = {
    "doc_type",
    "identifier",
    "number",
    "issuer",
    "parent_issuer",
    "is_draft",
    "issued_on",
    "issued_year",
    "issuer_code",
    "place",
    "title",
    "basis",
    "references",
    "targets",
    "tasks",
    "sections",
    "recipients",
    "signer",
    "outline",
    "warnings",
}


def seed_text(seed: str) -> str:
    return read_source(SEEDS_DIR / f"{seed}.txt")


def hand_record(seed: str) -> dict[str, Any]:
    return json.loads((EXPECTED_DIR / f"{seed}.json").read_text(encoding="utf-8"))


def names(entries: list[Any]) -> list[str]:
    """Assignee names; the hand records write groups as objects whose "group" is the words."""
    return [entry["group"] if isinstance(entry, dict) else entry for entry in entries]


_extracted: dict[str, dict[str, Any]] = {}


def extracted(seed: str) -> dict[str, Any]:
    """The extraction of a seed, computed once per test session."""
    if seed not in _extracted:
        _extracted[seed] = extract_plan(seed_text(seed), today=TODAY)
    return _extracted[seed]


# ---------------------------------------------------------------------------------------------
# The five seeds against their hand-made records
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_the_header_matches_the_hand_made_record(seed: str) -> None:
    got, expected = extracted(seed), hand_record(seed)
    for key in ("doc_type", "identifier", "number", "issued_on", "issuer", "parent_issuer"):
        assert got[key] == expected[key], key
    assert got["is_draft"] is expected["is_draft"]
    assert got["place"] == expected["place"]
    assert got["title"] == expected["title"]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_basis_and_references_match_the_hand_made_record(seed: str) -> None:
    got, expected = extracted(seed), hand_record(seed)
    assert [b["identifier"] for b in got["basis"]] == [b["identifier"] for b in expected["basis"]]
    assert got["basis"] == expected["basis"]
    assert got["references"] == expected["references"]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_signer_and_recipients_match_the_hand_made_record(seed: str) -> None:
    got, expected = extracted(seed), hand_record(seed)
    assert got["signer"] == expected["signer"]
    assert len(got["recipients"]) == len(expected["recipients"])
    assert [r["purpose"] for r in got["recipients"]] == [
        r["purpose"] for r in expected["recipients"]
    ]
    assert [r["name"] for r in got["recipients"]] == [r["name"] for r in expected["recipients"]]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_targets_match_the_hand_made_record(seed: str) -> None:
    got, expected = extracted(seed), hand_record(seed)
    summary = [(t["low"], t["high"], t["year"], t["unit"]) for t in got["targets"]]
    assert summary == [(t["low"], t["high"], t["year"], t["unit"]) for t in expected["targets"]]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_tasks_match_the_hand_made_record(seed: str) -> None:
    got, expected = extracted(seed)["tasks"], hand_record(seed)["tasks"]
    assert len(got) == len(expected)
    for position, (task, hand) in enumerate(zip(got, expected, strict=True)):
        where = f"task {position} ({hand['section']})"
        assert task["section"] == hand["section"], where
        assert task["lead"] == names(hand["lead"]), where
        assert task["support"] == names(hand["support"]), where
        assert task["deadline_text"] == hand["deadline_text"], where
        assert task["requires_plan"] is hand["requires_plan"], where


@pytest.mark.parametrize("seed", SEEDS)
def test_every_task_carries_the_schedule_read_from_its_deadline_words(seed: str) -> None:
    from tasks.deadlines import parse_deadline

    plan = extracted(seed)
    anchor = date.fromisoformat(plan["issued_on"]) if plan["issued_on"] else TODAY
    for task in plan["tasks"]:
        assert set(task["deadline"]) == SCHEDULE_KEYS
        expected = parse_deadline(task["deadline_text"], anchor).as_json(anchor)
        assert task["deadline"] == expected


def test_a_quarter_deadline_is_due_on_the_last_day_of_the_quarter() -> None:
    first = extracted("001")["tasks"][0]
    assert first["deadline_text"] == "Hoàn thành trong quý III/2023"
    assert first["deadline"]["kind"] == "once"
    assert first["deadline"]["due"] == "2023-09-30"


def test_an_undated_plan_anchors_recurring_deadlines_on_today() -> None:
    yearly = [t for t in extracted("000")["tasks"] if t["deadline_text"] == "hằng năm"]
    assert yearly
    assert yearly[0]["deadline"]["kind"] == "recurring"
    assert yearly[0]["deadline"]["due"] == "2026-12-31"


def test_the_sections_follow_the_outline_numbering() -> None:
    paths = [s["path"] for s in extracted("001")["sections"]]
    assert paths[:3] == ["I", "I.1", "I.2"]
    assert "II.2.1" in paths
    assert "III.2" in paths
    headings = {s["path"]: s["heading"] for s in extracted("004")["sections"]}
    assert headings["IV"] == "TỔ CHỨC THỰC HIỆN"
    assert headings["IV.1"] == "Liên đoàn Lao động tỉnh"


# ---------------------------------------------------------------------------------------------
# Warnings
# ---------------------------------------------------------------------------------------------


def test_a_basis_whose_issuer_code_does_not_fit_its_issuer_is_flagged() -> None:
    warnings = extracted("003")["warnings"]
    assert any("45-KH/TU" in w and "ĐU" in w for w in warnings), warnings


def test_a_signed_plan_without_number_or_date_is_flagged() -> None:
    warnings = extracted("000")["warnings"]
    assert any("số, ký hiệu" in w for w in warnings), warnings
    assert any("ngày ban hành" in w for w in warnings), warnings


def test_a_draft_is_not_flagged_for_its_blank_number() -> None:
    assert not any("số, ký hiệu" in w for w in extracted("002")["warnings"])


def test_a_dated_and_numbered_plan_has_no_warnings() -> None:
    assert extracted("004")["warnings"] == []


def test_deadline_words_that_cannot_be_scheduled_are_flagged() -> None:
    warnings = extracted("000")["warnings"]
    assert any("Định kỳ" in w and "IV.3" in w for w in warnings), warnings


def test_a_date_after_today_is_flagged() -> None:
    plan = extract_plan(seed_text("004"), today=date(2023, 8, 1))
    assert any("2023-08-23" in w and "sau ngày hôm nay" in w for w in plan["warnings"])


def test_a_text_without_tasks_is_flagged() -> None:
    plan = extract_plan("KẾ HOẠCH\nVề một việc\nI. MỤC ĐÍCH\n1. Nâng cao nhận thức.", today=TODAY)
    assert plan["tasks"] == []
    assert any("nhiệm vụ" in w for w in plan["warnings"])


# ---------------------------------------------------------------------------------------------
# Smaller readings
# ---------------------------------------------------------------------------------------------


def test_header_capitals_become_proper_names() -> None:
    assert proper_case("LIÊN ĐOÀN LAO ĐỘNG TỈNH LAI CHÂU") == "Liên đoàn Lao động tỉnh Lai Châu"
    assert proper_case("TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM") == "Tổng Liên đoàn Lao động Việt Nam"
    assert proper_case("ỦY BAN NHÂN DÂN XÃ THANH THỦY") == "Ủy ban nhân dân xã Thanh Thủy"
    assert proper_case("HUYỆN UỶ KON RẪY") == "Huyện ủy Kon Rẫy"


def test_a_standing_committee_issues_in_the_name_of_its_committee() -> None:
    assert full_issuer("Ban Thường vụ Thành ủy Đà Lạt", "") == "Thành ủy Đà Lạt"
    assert full_issuer("UBND xã Thanh Thủy", "") == "Ủy ban nhân dân xã Thanh Thủy"
    text = "phát triển giáo dục quận Kiến An đến năm 2025; quận Kiến An"
    assert full_issuer("Ban Thường vụ Quận ủy", text) == "Quận ủy Kiến An"
    assert full_issuer("Ban Tuyên giáo Tỉnh ủy Lâm Đồng", "") == "Ban Tuyên giáo Tỉnh ủy Lâm Đồng"


def test_lists_of_units_split_only_between_names() -> None:
    assert split_units("Ban Tuyên giáo Huyện ủy, Ủy ban nhân dân huyện") == [
        "Ban Tuyên giáo Huyện ủy",
        "Ủy ban nhân dân huyện",
    ]
    assert split_units("Các LĐLĐ huyện, thành phố") == ["Các LĐLĐ huyện, thành phố"]
    assert split_units("Các cấp ủy, tổ chức đảng, chính quyền") == [
        "Các cấp ủy, tổ chức đảng",
        "chính quyền",
    ]
    assert split_units("Mặt trận Tổ quốc và các đoàn thể huyện") == [
        "Mặt trận Tổ quốc và các đoàn thể huyện"
    ]
    assert split_units("Ủy ban MTTQ quận và các tổ chức chính trị - xã hội quận") == [
        "Ủy ban MTTQ quận",
        "các tổ chức chính trị - xã hội quận",
    ]
    assert split_units("Ban Chính sách pháp luật và Quan hệ lao động") == [
        "Ban Chính sách pháp luật và Quan hệ lao động"
    ]


def test_state_and_party_identifiers_are_read_with_stray_spaces() -> None:
    text = (
        "KẾ HOẠCH\nVề việc thử\n\nCăn cứ Quyết định số 12/2024/QĐ-UBND ngày 3 tháng 4 năm 2024 "
        "của UBND tỉnh X; Căn cứ Kế hoạch số 05- KH/TU, ngày 01/02/2024 của Ban Thường vụ "
        "Tỉnh ủy X về việc thử, Ban Thường vụ Huyện ủy Y xây dựng kế hoạch như sau:\n"
        "I. NỘI DUNG\n1. Ban Tuyên giáo Huyện ủy chủ trì thực hiện Chỉ thị 21-CT/TW."
    )
    plan = extract_plan(text, today=TODAY)
    assert [b["identifier"] for b in plan["basis"]] == ["12/2024/QĐ-UBND", "05-KH/TU"]
    assert plan["basis"][0]["issued_on"] == "2024-04-03"
    assert plan["basis"][1]["issuer"] == "Tỉnh ủy X"
    assert plan["references"] == ["21-CT/TW"]
    assert plan["issuer"] == "Huyện ủy Y"
    assert plan["tasks"][0]["lead"] == ["Ban Tuyên giáo Huyện ủy"]


# ---------------------------------------------------------------------------------------------
# Reading sources
# ---------------------------------------------------------------------------------------------


def make_docx(lines: list[str], path: Path) -> Path:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    document.save(str(path))
    return path


@pytest.mark.parametrize("seed", SEEDS)
def test_a_docx_made_from_a_seed_extracts_like_its_text(seed: str, tmp_path: Path) -> None:
    text = seed_text(seed)
    path = make_docx(text.split("\n"), tmp_path / f"{seed}.docx")
    from_docx = read_source(path)
    assert from_docx == text
    assert extract_plan(from_docx, today=TODAY) == extracted(seed)
    assert read_source(path.read_bytes(), filename="ke-hoach.docx") == text


@pytest.mark.parametrize("seed", SEEDS)
def test_a_seed_without_blank_lines_extracts_the_same(seed: str) -> None:
    # A real .docx has no empty paragraphs between paragraphs; the reading must not rely on them.
    compact = "\n".join(line for line in seed_text(seed).split("\n") if line.strip())
    assert extract_plan(compact, today=TODAY) == extracted(seed)


def test_a_docx_header_laid_out_in_a_table_reads_cell_by_cell(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.paragraphs[0].text = "TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM"
    left.add_paragraph("LIÊN ĐOÀN LAO ĐỘNG TỈNH LAI CHÂU")
    left.add_paragraph("Số: 470/KH-LĐLĐ")
    right.paragraphs[0].text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    right.add_paragraph("Lai Châu, ngày 23 tháng 8 năm 2023")
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph("Triển khai thực hiện Chỉ thị số 21-CT/TW")
    document.save(str(tmp_path / "header.docx"))

    text = read_source(tmp_path / "header.docx")
    assert text.split("\n")[:3] == [
        "TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM",
        "LIÊN ĐOÀN LAO ĐỘNG TỈNH LAI CHÂU",
        "Số: 470/KH-LĐLĐ",
    ]
    plan = extract_plan(text, today=TODAY)
    assert plan["identifier"] == "470/KH-LĐLĐ"
    assert plan["issuer"] == "Liên đoàn Lao động tỉnh Lai Châu"
    assert plan["parent_issuer"] == "Tổng Liên đoàn Lao động Việt Nam"
    assert plan["issued_on"] == "2023-08-23"


def test_utf8_with_a_byte_order_mark_reads_like_plain_utf8() -> None:
    text = seed_text("004")
    assert read_source(b"\xef\xbb\xbf" + text.encode("utf-8")) == text


def test_utf16_with_a_byte_order_mark_is_read() -> None:
    text = seed_text("002")
    assert read_source(text.encode("utf-16")) == text
    assert read_source(b"\xfe\xff" + text.encode("utf-16-be")) == text


def to_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: base letters precomposed, tone marks combining."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out: list[str] = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")


def test_a_legacy_windows_1258_text_file_is_read() -> None:
    text = seed_text("001")
    data = to_cp1258(text)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert read_source(data, filename="ke-hoach.txt") == text


def test_pasted_text_is_normalised_to_composed_unicode() -> None:
    decomposed = unicodedata.normalize("NFD", "Kế hoạch số 470/KH-LĐLĐ\r\nLai Châu")
    assert read_source(decomposed) == "Kế hoạch số 470/KH-LĐLĐ\nLai Châu"


def assert_refused(source: Any, code: str, *words: str) -> SourceError:
    with pytest.raises(SourceError) as caught:
        read_source(source)
    error = caught.value
    assert error.code == code
    assert error.message_vi
    assert error.message_en
    for word in words:
        assert word.lower() in str(error).lower(), (word, str(error))
    assert isinstance(error, ValueError)
    return error


def test_an_image_is_refused_as_an_unsupported_format() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
    assert_refused(png, "unsupported", "PNG", ".docx", ".txt")


def test_a_png_renamed_to_docx_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "ke-hoach.docx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    assert_refused(path, "unsupported", "PNG")


def test_a_binary_file_without_known_magic_is_refused() -> None:
    assert_refused(bytes(range(256)) * 4, "unsupported", ".docx")


def test_a_legacy_word_doc_is_refused_with_advice_to_save_as_docx() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)
    assert_refused(ole, "legacy_doc", ".docx", ".doc")


def test_a_corrupt_docx_is_refused() -> None:
    assert_refused(b"PK\x03\x04" + b"\x00garbage" * 50, "corrupt", "hỏng", "corrupt")


def test_a_docx_with_broken_xml_is_refused_as_corrupt(tmp_path: Path) -> None:
    good = make_docx(["KẾ HOẠCH"], tmp_path / "good.docx").read_bytes()
    broken = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as source,
        zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                data = data[: len(data) // 2]
            target.writestr(info.filename, data)
    assert_refused(broken.getvalue(), "corrupt", "hỏng")


def test_a_zip_that_is_not_a_word_document_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert_refused(buffer.getvalue(), "not_word", "word/document.xml")


def test_a_zip_bomb_is_refused_by_its_compression_ratio() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", bytes(4 * 1024 * 1024))
    assert len(buffer.getvalue()) < 100_000
    assert_refused(buffer.getvalue(), "zip_bomb", "zip bomb")


def test_a_zip_bomb_is_refused_by_its_total_uncompressed_size() -> None:
    # Sixty 1 MB members stay under the per-member ratio check but expand to 60 MB in all.
    chunk = bytes(1024 * 1024)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        for index in range(60):
            archive.writestr(f"word/media/part{index}.bin", chunk)
    assert len(buffer.getvalue()) < 1024 * 1024
    assert_refused(buffer.getvalue(), "zip_bomb", "uncompressed")


def test_an_upload_over_ten_megabytes_is_refused() -> None:
    assert_refused(b"a" * (MAX_BYTES + 1), "too_large", "10 MB")


def test_pasted_text_over_ten_megabytes_is_refused() -> None:
    assert_refused("ă" * (MAX_BYTES // 2 + 1), "too_large", "10 MB")


def test_a_file_over_ten_megabytes_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    assert_refused(path, "too_large", "10 MB")


def test_text_in_an_unknown_encoding_is_refused() -> None:
    # Not UTF-8, and no Vietnamese letters in any legacy reading: refuse rather than guess.
    latin = "Plan de formation, rédigé à Genève".encode("latin-1")
    assert_refused(latin, "encoding", "không đọc được bảng mã", "encoding")


def test_utf16_without_a_byte_order_mark_is_refused() -> None:
    assert_refused("Kế hoạch".encode("utf-16-le"), "unsupported")


def test_a_missing_file_is_refused_as_unreadable(tmp_path: Path) -> None:
    assert_refused(tmp_path / "absent.docx", "unreadable", "absent.docx")


def test_vertical_tab_and_form_feed_end_lines_like_newlines() -> None:
    upload = "KẾ HOẠCH\vVề việc\fI.".encode()
    assert read_source(upload) == "KẾ HOẠCH\nVề việc\nI."


@pytest.mark.parametrize("empty", [b"", b"  \n\t \r\n", "", "   \n  ", "\ufeff"])
def test_empty_input_is_refused(empty: bytes | str) -> None:
    assert_refused(empty, "empty", "trống")


def test_a_docx_with_only_empty_paragraphs_is_refused_as_empty(tmp_path: Path) -> None:
    path = make_docx(["", "   ", ""], tmp_path / "blank.docx")
    assert_refused(path, "empty", "trống")


# ---------------------------------------------------------------------------------------------
# Robustness
# ---------------------------------------------------------------------------------------------

_FRAGMENTS = [
    "KẾ HOẠCH",
    "Số: 12/KH-UBND",
    "Số: -KH/HU",
    "Hà Nội, ngày 31 tháng 2 năm 2024",
    "ngày tháng năm",
    "Dự thảo",
    "-----",
    "Thực hiện Kế hoạch số 275-KH/TU, ngày 99/99/2023 của Ban Thường vụ Thành ủy về",
    "Căn cứ",
    "I. NỘI DUNG",
    "IV. TỔ CHỨC THỰC HIỆN",
    "1.",
    "2.1.",
    "a)",
    "- ",
    "* ",
    "+ ",
    "### ",
    "**",
    "Giao",
    "Giao Ban Tuyên giáo Quận ủy chủ trì, phối hợp với",
    "chủ trì",
    "phối hợp",
    "Ủy ban nhân dân huyện",
    "Các LĐLĐ huyện, thành phố",
    "hoàn thành trong quý III-2023",
    "trước ngày 10/12 hằng năm",
    "thường xuyên",
    "định kỳ",
    "45-50%",
    "từ 10% đến 15%",
    "trên 55%",
    "đến năm 2030",
    "Nơi nhận:",
    "- Lưu: VT.",
    "(b/c)",
    "T/M BAN THƯỜNG VỤ",
    "TM. ỦY BAN NHÂN DÂN",
    "PHÓ CHỦ TỊCH",
    "Nguyễn Văn A",
    "21- CT/TW",
    "15/2019/NĐ-CP",
    ";",
    ",",
    ":",
    "./.",
    "\t",
    " ",
    "\n",
    "\n\n",
]


@settings(
    max_examples=PARSER_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    st.one_of(
        st.text(max_size=2000),
        st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=12)), max_size=120).map(
            "".join
        ),
    )
)
def test_extraction_never_raises_on_arbitrary_text(text: str) -> None:
    plan = extract_plan(text, today=TODAY)
    assert set(plan) == PLAN_KEYS
    assert isinstance(plan["warnings"], list)
    for task in plan["tasks"]:
        assert set(task["deadline"]) == SCHEDULE_KEYS
        assert all(isinstance(name, str) for name in task["lead"] + task["support"])
    json.dumps(plan, ensure_ascii=False)


def _zip_with(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@settings(
    max_examples=PARSER_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    raw=st.one_of(
        st.binary(max_size=3000),
        st.text(max_size=500).map(lambda t: t.encode("utf-16")),
        st.dictionaries(
            st.sampled_from(["word/document.xml", "[Content_Types].xml", "x.xml"]),
            st.binary(max_size=500),
            max_size=3,
        ).map(_zip_with),
    ),
    name=st.sampled_from(["ke-hoach.docx", "ke-hoach.txt", "ke-hoach.pdf", "ke-hoach", ""]),
)
def test_reading_arbitrary_bytes_gives_text_or_a_clear_refusal(raw: bytes, name: str) -> None:
    try:
        text = read_source(raw, filename=name)
    except SourceError as error:
        assert str(error)
    else:
        assert isinstance(text, str)
