"""The annual report as an official document: both layouts with the project's fonts only, every
Vietnamese letter of its input, text never read as markup, long content paginated; rendered by
a job whose progress the page shows, kept, downloaded only by those who may see it, and
rendered every night for the reports accepted since."""

from __future__ import annotations

import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from audit.models import AuditEvent
from plans.models import Document
from reports import annual, annual_services
from reports.models import AnnualReportFile, RenderState, ReportRequest, ReportState
from tests.factories import make_document, make_task, make_unit, member
from tests.test_reports_support import build_chain, report_and_accept, request_of
from units.models import Bloc, Level, Role, Unit

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext, pdffonts) not installed"
)

# Every letter Vietnamese adds to the Latin alphabet, in both cases.
VIETNAMESE = (
    "ăâđêôơư áàảãạ ắằẳẵặ ấầẩẫậ éèẻẽẹ ếềểễệ íìỉĩị óòỏõọ ốồổỗộ ớờởỡợ úùủũụ ứừửữự ýỳỷỹỵ "
    "ĂÂĐÊÔƠƯ ÁÀẢÃẠ ẮẰẲẴẶ ẤẦẨẪẬ ÉÈẺẼẸ ẾỀỂỄỆ ÍÌỈĨỊ ÓÒỎÕỌ ỐỒỔỖỘ ỚỜỞỠỢ ÚÙỦŨỤ ỨỪỬỮỰ ÝỲỶỸỴ"
)
OUR_FONTS = {
    "Cascade-Serif",
    "Cascade-Serif-Bold",
    "Cascade-Serif-Italic",
    "Cascade-Serif-Bold-Italic",
}


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        [shutil.which("pdftotext") or "pdftotext", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # Header lines wrap inside their column; compare words, not line breaks.
    return " ".join(text.split())


def _fonts(pdf: bytes, tmp_path: Path) -> list[tuple[str, str]]:
    """(font name without its subset prefix, embedded yes/no) for every font in the PDF."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    lines = subprocess.run(
        [shutil.which("pdffonts") or "pdffonts", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()[2:]
    fonts = []
    for line in lines:
        parts = line.split()
        fonts.append((parts[0].split("+", 1)[-1], parts[-5]))
    return fonts


def _render(unit: Unit, year: int, directive: Document | None = None) -> bytes:
    return annual.annual_pdf(annual.annual_outline(unit=unit, year=year, directive=directive))


@needs_poppler
def test_the_party_layout_of_the_demo_report_has_its_header_every_letter_and_only_our_fonts(
    demo, tmp_path
):
    unit = Unit.objects.get(name="Huyện ủy Kon Rẫy")
    report = ReportRequest.objects.get(unit=unit, period_key="2024")
    ReportRequest.objects.filter(pk=report.pk).update(results=f"Kết quả: {VIETNAMESE}.")
    text = _text(_render(unit, 2024), tmp_path)
    for line in (
        "ĐẢNG BỘ TỈNH KON TUM",
        "HUYỆN ỦY KON RẪY",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "-BC/HU",
        "BÁO CÁO",
        "Kết quả thực hiện Chỉ thị số 21-CT/TW",
        "T/M BAN THƯỜNG VỤ",
        "Nơi nhận:",
        "Tỉnh ủy Kon Tum (b/c)",
        "DỰ THẢO",
        "ĐƠN VỊ CHƯA BÁO CÁO",
    ):
        assert line in text, line
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in text
    for letter in VIETNAMESE.replace(" ", ""):
        assert letter in text, letter
    # The communes' accepted figures, summed: (30 + 10) / (50 + 100).
    assert "40/150" in text and "26,7%" in text
    fonts = _fonts(_render(unit, 2024), tmp_path)
    assert {name for name, _embedded in fonts} <= OUR_FONTS
    assert all(embedded == "yes" for _name, embedded in fonts)


@needs_poppler
def test_the_state_layout_has_the_national_motto_and_the_state_number(demo, tmp_path):
    unit = Unit.objects.get(name="Liên đoàn Lao động tỉnh Lai Châu")
    pdf = _render(unit, 2024)
    text = _text(pdf, tmp_path)
    for line in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "LIÊN ĐOÀN LAO ĐỘNG TỈNH LAI CHÂU",
        "/BC-LĐLĐ",
        "Lai Châu, ngày",
        "470/KH-LĐLĐ",
        "Tổng Liên đoàn Lao động Việt Nam (b/c)",
        "DỰ THẢO",
    ):
        assert line in text, line
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in text
    assert {name for name, _embedded in _fonts(pdf, tmp_path)} <= OUR_FONTS


@needs_poppler
def test_an_accepted_report_has_no_draft_mark_and_its_own_figures(db, tmp_path):
    chain = build_chain(communes=1)
    commune = chain.communes[0]
    report_and_accept(request_of(commune), 12, 40)
    text = _text(_render(commune, int(request_of(commune).period_key)), tmp_path)
    assert "DỰ THẢO" not in text
    assert "Đã triển khai." in text
    assert "12/40" in text and "30,0%" in text


@needs_poppler
def test_markup_long_narratives_and_hundreds_of_rows_are_printed_as_text(db, tmp_path):
    root = make_unit("Ban Bí thư", code="TW", level=Level.CENTRAL)
    directive = make_document(root, number="21", doc_type="CT")
    province = make_unit("Tỉnh ủy <b>Thử</b> & “Nháy”", parent=root, code="TU")
    plan = make_document(province, number="7", implements=directive)
    for index in range(220):
        make_task(
            plan, lead=[province], text=f"Nhiệm vụ {index} <script>alert(1)</script>" + " x" * 40
        )
    outline = annual.annual_outline(unit=province, year=2024, directive=directive)
    outline.results = ["<img src=x onerror=alert(1)> " + "Đoạn văn rất dài. " * 900]
    pdf, pages = annual.annual_pdf_with_pages(outline)
    text = _text(pdf, tmp_path)
    assert "<script>alert(1)</script>" in text
    assert "<img src=x onerror=alert(1)>" in text
    assert "TỈNH ỦY <B>THỬ</B> & “NHÁY”" in text
    assert "Nhiệm vụ 219" in text
    assert pages > 10


def test_the_page_prepares_the_pdf_in_a_job_shows_progress_and_keeps_the_file(
    db, client, django_capture_on_commit_callbacks
):
    chain = build_chain(communes=1)
    commune = chain.communes[0]
    report = request_of(commune)
    writer = member(commune, Role.STAFF)
    client.force_login(writer)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert 'id="render-annual"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:annual_request", args=[commune.pk]),
            {"year": report.period_key, "directive": report.cascade_root_id},
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 200
    file = AnnualReportFile.objects.get()
    # The fragment was drawn while the job was waiting, so it polls itself…
    assert 'hx-trigger="load delay:1s"' in response.content.decode()
    # …and the next poll finds the job finished and offers the file.
    assert file.state == RenderState.DONE and file.progress == 100 and file.draft
    fragment = client.get(
        reverse("reports:annual_file", args=[file.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "hx-trigger" not in fragment
    assert reverse("reports:annual_download", args=[file.pk]) in fragment
    download = client.get(reverse("reports:annual_download", args=[file.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    sources = set(
        AuditEvent.objects.filter(object_type="reports.annualreportfile").values_list(
            "source", flat=True
        )
    )
    assert "job:render_annual_report" in sources


def test_someone_outside_the_unit_can_neither_ask_for_nor_download_its_pdf(db, client):
    chain = build_chain(communes=2)
    commune, neighbour = chain.communes
    file = annual_services.annual_report_request(
        actor=None, unit=commune, year=int(request_of(commune).period_key)
    )
    annual_services.annual_report_render(file_id=file.pk)
    elsewhere = make_unit("Tỉnh ủy Khác", code="TU")
    for user in (member(elsewhere, Role.LEADER), member(neighbour, Role.STAFF)):
        client.force_login(user)
        assert client.get(reverse("reports:annual_download", args=[file.pk])).status_code == 404
        assert client.get(reverse("reports:annual_file", args=[file.pk])).status_code == 404
        response = client.post(
            reverse("reports:annual_request", args=[commune.pk]), {"year": "2024"}
        )
        assert response.status_code == 404
    assert AnnualReportFile.objects.count() == 1


def test_the_unit_it_reports_to_and_a_leader_above_download_the_pdf(db, client):
    chain = build_chain(communes=1)
    commune = chain.communes[0]
    file = annual_services.annual_report_request(
        actor=None, unit=commune, year=int(request_of(commune).period_key)
    )
    annual_services.annual_report_render(file_id=file.pk)
    for user in (member(chain.district, Role.STAFF), member(chain.province, Role.LEADER)):
        client.force_login(user)
        assert client.get(reverse("reports:annual_download", args=[file.pk])).status_code == 200
        asked = client.post(
            reverse("reports:annual_request", args=[commune.pk]),
            {"year": request_of(commune).period_key},
        )
        assert asked.status_code == 302


def test_every_night_the_reports_accepted_since_their_last_rendering_are_rendered(
    db, django_capture_on_commit_callbacks
):
    chain = build_chain(communes=2)
    accepted, waiting = (request_of(unit) for unit in chain.communes)
    report_and_accept(accepted, 1, 2)
    with django_capture_on_commit_callbacks(execute=True):
        assert annual_services.annual_reports_render_accepted() == 1
    file = AnnualReportFile.objects.get()
    assert file.report_id == accepted.pk
    assert file.state == RenderState.DONE and not file.draft
    with django_capture_on_commit_callbacks(execute=True):
        assert annual_services.annual_reports_render_accepted() == 0
    assert waiting.state != ReportState.ACCEPTED


def test_a_failed_rendering_is_recorded_and_shown_not_lost(db, monkeypatch):
    chain = build_chain(communes=1)
    commune = chain.communes[0]
    file = annual_services.annual_report_request(actor=None, unit=commune, year=2024)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(annual, "annual_pdf_with_pages", broken)
    file = annual_services.annual_report_render(file_id=file.pk)
    assert file.state == RenderState.FAILED and "disk full" in file.error


def test_the_command_renders_a_named_unit_and_names_what_it_cannot_find(demo, tmp_path):
    out = tmp_path / "konray.pdf"
    stdout = StringIO()
    call_command(
        "render_annual_report",
        "--unit",
        "Huyện ủy Kon Rẫy",
        "--year",
        "2024",
        "--out",
        str(out),
        stdout=stdout,
    )
    assert out.read_bytes().startswith(b"%PDF")
    assert "draft" in stdout.getvalue()
    with pytest.raises(CommandError, match="No unit is called"):
        call_command(
            "render_annual_report", "--unit", "Huyện ủy Không Có", "--year", "2024", "--out", "x"
        )
    with pytest.raises(CommandError, match="--year"):
        call_command(
            "render_annual_report", "--unit", "Huyện ủy Kon Rẫy", "--year", "24", "--out", "x"
        )


def test_a_state_document_names_no_party_committee_above_its_issuer(db):
    party = make_unit("Đảng ủy xã Thanh Thủy", code="ĐU", level=Level.COMMUNE)
    committee = make_unit(
        "Ủy ban nhân dân xã Thanh Thủy",
        parent=party,
        bloc=Bloc.GOVERNMENT,
        code="UBND",
        level=Level.COMMUNE,
    )
    directive = make_document(party, number="3", doc_type="CT")
    outline = annual.annual_outline(unit=committee, year=2024, directive=directive)
    assert outline.head.superior_lines == []
    assert outline.head.number_line.startswith("Số:")
    assert outline.head.number_line.endswith("/BC-UBND")
    assert (outline.signer_capacity, outline.signer_title) == (["TM. ỦY BAN NHÂN DÂN"], "CHỦ TỊCH")


def test_a_confidential_plan_and_its_tasks_stay_out_of_the_annual_report(db):
    from plans import services as plan_services

    root = make_unit("Ban Bí thư", code="TW", level=Level.CENTRAL)
    directive = make_document(root, number="21", doc_type="CT")
    province = make_unit("Tỉnh ủy Kín", parent=root, code="TU")
    open_plan = make_document(province, number="5", implements=directive, title="về công khai")
    secret = make_document(province, number="6", implements=directive, title="về việc mật")
    plan_services.document_update(actor=None, document=secret, confidential=True)
    make_task(open_plan, lead=[province], text="Nhiệm vụ công khai")
    make_task(secret, lead=[province], text="Nhiệm vụ mật")
    outline = annual.annual_outline(unit=province, year=2026, directive=directive)
    text = " ".join(outline.situation) + " ".join(row.text for row in outline.tasks)
    assert "5-KH/TU" in text and "Nhiệm vụ công khai" in text
    assert "6-KH/TU" not in text and "mật" not in text
