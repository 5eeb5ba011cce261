"""Plans out of the system: Word files that re-import to the same plan, and PDFs in the
official layouts with only the project's own fonts."""

import os
import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from plans.exports import plan_pdf
from plans.models import Document
from tests.factories import UserFactory, make_document, make_task, member
from units.models import Bloc


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI") or os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{name} (poppler-utils) is required here but not installed.")
        pytest.skip(f"{name} is not installed (apt-get install poppler-utils).")
    return path


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        [_tool("pdftotext"), "-layout", str(path), "-"], capture_output=True, check=True
    )
    return result.stdout.decode()


def _pdf_fonts(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    result = subprocess.run([_tool("pdffonts"), str(path)], capture_output=True, check=True)
    return result.stdout.decode().splitlines()[2:]


def test_a_state_plan_pdf_has_the_state_header_and_only_our_fonts(demo, tmp_path):
    plan = Document.objects.get(identifier="470/KH-LĐLĐ")
    pdf = plan_pdf(plan)
    text = _pdf_text(pdf, tmp_path)
    for line in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "LIÊN ĐOÀN LAO ĐỘNG",
        "TỈNH LAI CHÂU",
        "Số: 470/KH-LĐLĐ",
        "Lai Châu, ngày 23 tháng 8 năm 2023",
        "KẾ HOẠCH",
        "Nơi nhận:",
    ]:
        assert line in text, line
    for character in set(plan.title) - set(" ,./-"):
        assert character in text, character
    fonts = _pdf_fonts(pdf, tmp_path)
    assert fonts and all("Cascade-Serif" in row and " yes " in row for row in fonts), fonts


def test_a_party_plan_pdf_has_the_party_header_and_a_draft_mark(demo, tmp_path):
    plan = Document.objects.get(issuer__name="Huyện ủy Kon Rẫy", depth=2)
    text = _pdf_text(plan_pdf(plan), tmp_path)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "ĐẢNG BỘ TỈNH KON TUM" in text
    assert "HUYỆN ỦY KON RẪY" in text
    assert "CỘNG HÒA XÃ HỘI" not in text
    assert "Dự thảo" in text
    # The number and the date the draft leaves blank stay blank, with room to write them.
    assert re.search(r"Số\s{3,}-KH/HU", text)
    assert re.search(r"Kon Rẫy, ngày\s{3,}tháng\s{3,}năm", text)


def test_markup_and_long_content_are_printed_as_text_across_pages(db, tmp_path):
    from tests.factories import make_unit

    unit = make_unit("Ủy ban nhân dân xã <b>Thử</b>", bloc=Bloc.GOVERNMENT, code="UBND")
    plan = make_document(unit, number="9", title="Kế hoạch <script>alert(1)</script> & “ngoặc”")
    for i in range(150):
        make_task(plan, lead=[unit], text=f"Nhiệm vụ {i} <i>nghiêng</i> " + "rất dài " * 40)
    pdf = plan_pdf(plan)
    text = _pdf_text(pdf, tmp_path)
    assert "<script>alert(1)</script>" in text
    assert "<i>nghiêng</i>" in text
    assert text.count("\f") > 10  # many pages, none of the content lost
    assert "Nhiệm vụ 149" in text


def test_exports_are_only_for_those_who_may_see_the_plan(client, province):
    plan = make_document(province, number="3")
    client.force_login(UserFactory())
    assert client.get(reverse("export_pdf", args=[plan.pk])).status_code == 404
    assert client.get(reverse("export_docx", args=[plan.pk])).status_code == 404
    assert client.get(reverse("export_xlsx", args=[plan.pk])).status_code == 404
    client.force_login(member(province))
    response = client.get(reverse("export_docx", args=[plan.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content[:2] == b"PK"


def test_a_plans_tasks_go_to_a_spreadsheet_with_their_units_and_deadlines(demo, client):
    import io

    from openpyxl import load_workbook

    plan = Document.objects.get(issuer__name="Quận ủy Kiến An", depth=2)
    client.force_login(member(plan.issuer))
    response = client.get(reverse("export_xlsx", args=[plan.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    tasks = list(plan.tasks.order_by("position", "pk"))
    assert len(rows) == 1 + len(tasks)
    assert [row[2] for row in rows[1:]] == [task.text for task in tasks]
    assert [row[5] or "" for row in rows[1:]] == [task.deadline_text for task in tasks]
    dated = next(row for row in rows[1:] if row[6] is not None)
    assert dated[6].year == 2023  # a real date cell, not text
    assert [row[3] or "" for row in rows[1:]] == [task.lead_text for task in tasks]
    assert any(row[3] for row in rows[1:])
    assert not any("minh họa" in (row[2] or "") for row in rows[1:])
