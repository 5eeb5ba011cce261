"""The head and foot of official documents by bloc and level (docs/official-layouts.md)."""

from __future__ import annotations

from datetime import date

from plans.letterhead import (
    GAP,
    NBSP,
    date_line,
    head_lines,
    letterhead,
    number_line,
    recipient_lines,
    signature_lines,
)
from tests.factories import make_unit
from units.models import Bloc, Level


def _head(unit):
    return letterhead(issuer=unit, issuer_name="", number="", place_date="")


def test_each_bloc_and_level_has_its_head(db):
    centre = make_unit("Ban Chấp hành Trung ương", level=Level.CENTRAL, code="TW")
    province = make_unit("Tỉnh ủy Lâm Đồng", parent=centre)
    board = make_unit("Ban Tuyên giáo Tỉnh ủy Lâm Đồng", parent=province, bloc=Bloc.PARTY_BOARD)
    district = make_unit("Huyện ủy Kon Rẫy", parent=province, level=Level.DISTRICT, code="HU")
    committee = make_unit(
        "Ủy ban nhân dân xã Thanh Thủy", parent=province, bloc=Bloc.GOVERNMENT, code="UBND"
    )
    union = make_unit("Tổng Liên đoàn Lao động Việt Nam", bloc=Bloc.MASS_ORGANISATION, code="TLĐ")
    federation = make_unit(
        "Liên đoàn Lao động tỉnh Lai Châu", parent=union, bloc=Bloc.MASS_ORGANISATION
    )
    youth = make_unit("Tỉnh đoàn Lâm Đồng", parent=province, bloc=Bloc.MASS_ORGANISATION)
    district_youth = make_unit(
        "Huyện đoàn Kon Rẫy", parent=youth, bloc=Bloc.MASS_ORGANISATION, level=Level.DISTRICT
    )

    def plain(lines):
        return [line.replace(NBSP, " ") for line in lines]

    head = _head(province)
    assert (head.layout, head.superior_lines, head.separator) == ("party", [], "*")
    assert head.right_lines == ["ĐẢNG CỘNG SẢN VIỆT NAM"]
    head = _head(board)
    assert plain(head.superior_lines) == ["TỈNH ỦY LÂM ĐỒNG"]
    assert plain(head.issuer_lines) == ["BAN TUYÊN GIÁO"]
    assert plain(_head(district).superior_lines) == ["ĐẢNG BỘ TỈNH LÂM ĐỒNG"]
    head = _head(committee)
    assert head.layout == "state" and head.superior_lines == [] and head.separator == ""
    assert plain(head.issuer_lines) == ["ỦY BAN NHÂN DÂN", "XÃ THANH THỦY"]
    assert head.right_lines[0] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    head = _head(federation)
    assert plain(head.superior_lines) == ["TỔNG LIÊN ĐOÀN LAO ĐỘNG", "VIỆT NAM"]
    assert plain(head.issuer_lines) == ["LIÊN ĐOÀN LAO ĐỘNG", "TỈNH LAI CHÂU"]
    head = _head(youth)
    assert (head.layout, head.superior_lines, head.separator) == ("youth", [], "***")
    assert head.right_lines == ["ĐOÀN TNCS HỒ CHÍ MINH"]
    assert plain(_head(district_youth).superior_lines) == ["TỈNH ĐOÀN LÂM ĐỒNG"]


def test_a_name_wraps_only_between_its_organ_and_its_place():
    assert head_lines("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Lai Châu")[-1] == (
        "TỈNH LAI CHÂU".replace(" ", NBSP)
    )
    assert head_lines("Huyện ủy Kon Rẫy") == ["HUYỆN ỦY KON RẪY".replace(" ", NBSP)]
    assert [line.replace(NBSP, " ") for line in head_lines("Đảng bộ thành phố Hải Phòng")] == [
        "ĐẢNG BỘ",
        "THÀNH PHỐ HẢI PHÒNG",
    ]


def test_blanks_keep_room_to_write_and_capacities_take_a_line_each():
    assert number_line(
        layout="party", identifier="", number="", doc_type="KH", issuer_code="HU"
    ) == (f"Số{GAP}-KH/HU")
    assert (
        number_line(layout="state", identifier="", number="", doc_type="KH", issuer_code="UBND")
        == f"Số:{GAP}/KH-UBND"
    )
    assert date_line("Thanh Thủy", None, year=2026) == f"Thanh Thủy, ngày{GAP}tháng{GAP}năm 2026"
    assert date_line("Kon Rẫy", None).endswith(f"năm{GAP}")
    assert date_line("Lai Châu", date(2024, 2, 5)) == "Lai Châu, ngày 05 tháng 02 năm 2024"
    assert signature_lines("TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH") == [
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
    ]
    assert recipient_lines(["A (b/c)", "B"], "Lưu: VT", layout="party") == [
        "- A (b/c),",
        "- B,",
        "- Lưu: VT.",
    ]
    assert recipient_lines(["A"], "", layout="state") == ["- A."]
