"""The plan as issued: every seed plan kept whole, printed to PDF and Word with its words in
their order, and the Word file read back to the same document."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from demo.loader import SEEDS, load_demo
from plans.exports import plan_docx, plan_pdf
from plans.importing import extract_plan, read_source
from plans.importing.service import plan_import_preview, plan_import_save
from plans.models import Document, PartKind
from plans.outline import plan_outline
from tests.wording import compare, docx_text, pdf_text

SEED_DIR = Path(__file__).resolve().parent.parent / "demo" / "seeds"

EVERY_KIND = """\
ỦY BAN NHÂN DÂN
XÃ THANH THỦY

Số: 12/KH-UBND

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Thanh Thủy, ngày 05 tháng 02 năm 2027

KẾ HOẠCH
Thử mọi phần của một kế hoạch, kể cả “ngoặc kép” và dấu = ở đầu

Căn cứ Kế hoạch số 45-KH/TU ngày 23/4/2026 của Ban Thường vụ Đảng ủy xã Thanh Thủy;

Ủy ban nhân dân xã xây dựng kế hoạch như sau:

I. MỤC ĐÍCH, YÊU CẦU

1. Mục đích

- Nâng cao nhận thức của cán bộ về giáo dục nghề nghiệp.

+ Ý nhỏ dưới một gạch đầu dòng.

=SUM(A1:A9) là chữ, không phải công thức.

II. NHIỆM VỤ

1. Tuyên truyền

1.1. Tổ chức hội nghị quán triệt Chỉ thị số 21-CT/TW

Giao Phòng Văn hóa – Xã hội chủ trì, phối hợp với Trung tâm học tập cộng đồng xã
thực hiện. Hoàn thành trong quý II/2027.

a) Biên soạn tài liệu tuyên truyền

- Phòng Văn hóa – Xã hội biên soạn tài liệu hỏi đáp, hoàn thành trước ngày 30/6/2027.

2. Đề nghị UBMTTQ Việt Nam xã

Tăng cường vận động đoàn viên, hội viên học nghề.

3. Phòng Kinh tế tham mưu bố trí kinh phí thực hiện kế hoạch; định kỳ trước ngày 10/12
hằng năm gửi báo cáo kết quả về Ủy ban nhân dân xã.

III. TỔ CHỨC THỰC HIỆN

Các cơ quan, đơn vị căn cứ kế hoạch này tổ chức thực hiện.

Trên đây là Kế hoạch của Ủy ban nhân dân xã Thanh Thủy.

Nơi nhận:
- TTr Đảng ủy xã (b/c);
- Phòng Văn hóa – Xã hội (t/h);
- Lưu: VT, VHXH.

TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH

Phan Ngọc Thắng
"""


def _document_parts(plan: Document) -> list[tuple[str, int, str, str]]:
    return [(p.kind, p.level, p.marker, p.text) for p in plan_outline(plan).paragraphs]


def _read_parts(extraction: dict) -> list[tuple[str, int, str, str]]:
    parts: list[tuple[str, int, str, str]] = []
    for entry in extraction["outline"]:
        if entry["joins"] and parts:
            kind, level, marker, text = parts[-1]
            parts[-1] = (kind, level, marker, f"{text}; {entry['text']}")
        else:
            parts.append((entry["kind"], entry["level"], entry["marker"], entry["text"]))
    return parts


def _assert_same_document(plan: Document, extraction: dict) -> None:
    assert extraction["identifier"] == (plan.identifier if plan.number else None)
    assert extraction["issued_on"] == (plan.issued_on.isoformat() if plan.issued_on else None)
    assert extraction["issued_year"] == plan.issued_year
    assert extraction["place"] or plan.place == ""
    assert extraction["title"] == plan.title
    assert extraction["is_draft"] == plan.is_draft
    assert _read_parts(extraction) == _document_parts(plan)
    tasks = list(plan.tasks.order_by("position", "pk"))
    assert [
        (
            t["text"],
            t.get("lead_text") or ", ".join(t["lead"]),
            ", ".join(t["support"]),
            t["deadline_text"],
        )
        for t in extraction["tasks"]
    ] == [(t.text, t.lead_text, t.support_text, t.deadline_text) for t in tasks]
    assert [(r["name"], r["purpose"]) for r in extraction["recipients"]] == [
        (r.name, r.purpose) for r in plan.recipients.all()
    ]
    signer = extraction["signer"]
    assert (signer["capacity"] or "", signer["title"] or "", signer["name"] or "") == (
        plan.signer_capacity,
        plan.signer_title,
        plan.signer_name,
    )


def _seed_plans() -> list[tuple[str, Document]]:
    plans = Document.objects.filter(depth=2).exclude(status="reference").order_by("pk")
    by_title = {fold_title(p.title): p for p in plans}
    found = []
    for seed in SEEDS:
        text = (SEED_DIR / f"{seed}.txt").read_text(encoding="utf-8")
        title = extract_plan(read_source(text))["title"]
        found.append((text, by_title[fold_title(title)]))
    return found


def fold_title(title: str) -> str:
    return " ".join(title.split()).casefold()


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_every_seed_exported_keeps_its_words_in_order_and_adds_only_the_head(demo, fmt, tmp_path):
    for text, plan in _seed_plans():
        if fmt == "pdf":
            exported = pdf_text(plan_pdf(plan), tmp_path)
        else:
            exported = docx_text(plan_docx(plan), tmp_path)
        wording = compare(text, exported)
        assert wording.kept >= 0.97, (plan.issuer, fmt, wording.kept, wording.lost[:5])
        assert wording.added <= 0.12, (plan.issuer, fmt, wording.added)
        assert "minh họa" not in exported and "minh hoạ" not in exported, plan.issuer


def test_every_seed_exported_to_word_reads_back_to_the_same_document(demo):
    for _, plan in _seed_plans():
        extraction = extract_plan(read_source(plan_docx(plan), filename="plan.docx"))
        _assert_same_document(plan, extraction)


def _import(text: str) -> Document:
    extraction = extract_plan(read_source(text), today=date(2027, 2, 5))
    preview = plan_import_preview(user=None, extraction=extraction)
    assert preview.issuer is not None, extraction["issuer"]
    return plan_import_save(
        actor=None, extraction=extraction, issuer=preview.issuer, body=text, preview=preview
    )


def test_a_plan_with_every_kind_of_part_is_kept_whole_and_reads_back_from_word(db):
    load_demo(seeds=())
    plan = _import(EVERY_KIND)
    parts = _document_parts(plan)
    kinds = {(kind, level, marker[:1]) for kind, level, marker, _ in parts}
    assert {
        (PartKind.HEADING, 1, "I"),
        (PartKind.HEADING, 2, "1"),
        (PartKind.HEADING, 3, "1"),
        (PartKind.HEADING, 4, "a"),
        (PartKind.TEXT, 0, "-"),
        (PartKind.TEXT, 0, "+"),
        (PartKind.TEXT, 0, ""),
    } <= kinds
    # The words are kept as written: the basis, "Giao", "Đề nghị", the quotation marks, the
    # formula-like line and the closing.
    text = "\n".join(p[3] for p in parts)
    for words in (
        "Căn cứ Kế hoạch số 45-KH/TU",
        "Giao Phòng Văn hóa – Xã hội chủ trì",
        "Đề nghị UBMTTQ Việt Nam xã",
        "=SUM(A1:A9) là chữ",
        "Trên đây là Kế hoạch",
    ):
        assert words in text or any(words in p[2] + " " + p[3] for p in parts), words
    assert "“ngoặc kép”" in plan.title
    # A paragraph holding two duties is two tasks printed as one paragraph.
    joined = next(p for p in parts if "định kỳ trước ngày 10/12 hằng năm" in p[3])
    assert joined[3].startswith("Phòng Kinh tế tham mưu")
    assert plan.tasks.filter(text__startswith="định kỳ trước ngày 10/12").exists()
    extraction = extract_plan(read_source(plan_docx(plan), filename="plan.docx"))
    _assert_same_document(plan, extraction)


def test_editing_a_task_edits_the_document(db):
    from tasks.services import task_update

    load_demo(seeds=())
    plan = _import(EVERY_KIND)
    task = plan.tasks.order_by("position").first()
    task_update(actor=None, task=task, text="Tổ chức hội nghị quán triệt (đã sửa)")
    assert "Tổ chức hội nghị quán triệt (đã sửa)" in [p[3] for p in _document_parts(plan)]


def test_a_task_added_by_hand_becomes_a_paragraph_of_the_document(db):
    from tasks.services import task_create

    load_demo(seeds=())
    plan = _import(EVERY_KIND)
    before = len(plan_outline(plan).paragraphs)
    task_create(actor=None, document=plan, text="Nhiệm vụ thêm sau", deadline_text="năm 2027")
    paragraphs = plan_outline(plan).paragraphs
    assert len(paragraphs) == before + 1
    assert paragraphs[-1].text == "Nhiệm vụ thêm sau"


def _odd_plan(tasks: int) -> str:
    """An undated, unnumbered draft six levels deep, with markup, formula-like words and
    ``tasks`` tasks."""
    lines = [
        "ỦY BAN NHÂN DÂN",
        "XÃ THANH THỦY",
        "Số: /KH-UBND",
        "Thanh Thủy, ngày tháng năm",
        "KẾ HOẠCH",
        'Thử <b>đánh dấu</b> & =HYPERLINK("x")',
        "",
        "I. NHIỆM VỤ",
        "1. Tầng hai",
        "1.1. Tầng ba",
        "1.1.1. Tầng bốn",
        "a) Tầng năm <script>alert(1)</script>",
        "- Tầng sáu: =1+1 và @SUM(A1) là chữ.",
        "+ Tầng bảy, ý nhỏ nhất.",
        "II. TỔ CHỨC THỰC HIỆN",
        "1. Phòng Văn hóa – Xã hội",
    ]
    for number in range(tasks):
        lines.append(
            f"- Tổ chức việc số {number}, hoàn thành trong quý "
            f"{['I', 'II', 'III', 'IV'][number % 4]}/2027."
        )
    lines += ["", "Nơi nhận:", "- Lưu: VT."]
    return "\n".join(lines)


def test_odd_plans_export_read_back_and_show_with_nothing_lost(db, client, tmp_path):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    load_demo(seeds=())
    for tasks in (0, 400):
        text = _odd_plan(tasks)
        plan = _import(text)
        assert plan.is_draft and plan.number == "" and plan.issued_on is None
        assert plan.tasks.count() == tasks
        parts = _document_parts(plan)
        assert {level for kind, level, _, _ in parts if kind == PartKind.HEADING} == {1, 2, 3, 4}
        assert any("=1+1 và @SUM(A1)" in p[3] for p in parts)
        extraction = extract_plan(read_source(plan_docx(plan), filename="plan.docx"))
        _assert_same_document(plan, extraction)
        if tasks == 0:
            exported = pdf_text(plan_pdf(plan), tmp_path)
            assert "<script>alert(1)</script>" in exported
            assert "=HYPERLINK" in exported
    client.force_login(get_user_model().objects.get(username="admin"))
    page = client.get(reverse("document", args=[plan.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)" not in body
    assert body.count('class="task-words"') == 400


def test_a_two_megabyte_plan_is_kept_whole_and_reads_back_from_word(db):
    load_demo(seeds=())
    paragraph = (
        "Tăng cường tuyên truyền, vận động đoàn viên, hội viên và người lao động tham gia học "
        "nghề, nâng cao tay nghề, góp phần phát triển kinh tế - xã hội bền vững trên địa bàn. "
    ) * 3
    lines = [
        "ỦY BAN NHÂN DÂN",
        "XÃ THANH THỦY",
        "Số: 5/KH-UBND",
        "Thanh Thủy, ngày 05 tháng 02 năm 2027",
        "KẾ HOẠCH",
        "Một kế hoạch rất dài",
        "",
    ]
    number = 0
    while sum(len(line) for line in lines) < 2_000_000:
        if number % 50 == 0:
            lines.append(f"I. PHẦN {number}")
        elif number % 10 == 0:
            lines.append(f"{number % 50}. Mục {number}")
        else:
            lines.append(f"- {number} {paragraph}")
        number += 1
    plan = _import("\n".join([*lines, "", "Nơi nhận:", "- Lưu: VT."]))
    assert plan.parts.count() == number
    extraction = extract_plan(read_source(plan_docx(plan), filename="plan.docx"))
    _assert_same_document(plan, extraction)


def test_the_export_command_writes_each_format_and_refuses_what_it_cannot_find(demo, tmp_path):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    plan = Document.objects.get(identifier="470/KH-LĐLĐ")
    for fmt, magic in (("pdf", b"%PDF"), ("docx", b"PK"), ("xlsx", b"PK")):
        out = tmp_path / f"plan.{fmt}"
        call_command(
            "export_plan", identifier="470/KH-LĐLĐ", format=fmt, out=str(out), stdout=io.StringIO()
        )
        assert out.read_bytes().startswith(magic)
    by_number = tmp_path / "by-number.docx"
    call_command(
        "export_plan", document=plan.pk, format="docx", out=str(by_number), stdout=io.StringIO()
    )
    assert extract_plan(read_source(by_number))["identifier"] == "470/KH-LĐLĐ"
    with pytest.raises(CommandError, match="No plan"):
        call_command("export_plan", identifier="999/KH-XYZ", format="pdf", out=str(tmp_path / "x"))
    with pytest.raises(CommandError, match="more than one"):
        # Two unnumbered plans of Quận ủy Kiến An share "-KH/QU": the seed and the demo's own.
        call_command("export_plan", "--identifier=-KH/QU", format="pdf", out=str(tmp_path / "x"))
    with pytest.raises(CommandError, match="Cannot write"):
        call_command(
            "export_plan", document=plan.pk, format="pdf", out=str(tmp_path / "no" / "such.pdf")
        )


def test_a_paragraph_left_out_on_review_takes_its_later_duties_with_it():
    from plans.importing.forms import reviewed_outline

    rows = [
        {"level": 1, "marker": "I.", "text": "NHIỆM VỤ", "is_task": False, "joins": False},
        {"level": 0, "marker": "-", "text": "", "is_task": True, "joins": False},
        {
            "level": 0,
            "marker": "",
            "text": "định kỳ trước ngày 10/12 hằng năm báo cáo",
            "is_task": True,
            "joins": True,
            "lead": "Phòng Kinh tế",
        },
    ]
    outline, tasks = reviewed_outline(rows)
    assert [entry["joins"] for entry in outline] == [False, False]
    assert tasks[0]["part"] == 1 and tasks[0]["lead"] == ["Phòng Kinh tế"]
    assert tasks[0]["section"] == "I"


def test_a_task_deleted_since_leaves_no_empty_paragraph_and_words_with_control_characters_export(
    db,
):
    load_demo(seeds=())
    plan = _import(EVERY_KIND)
    first = plan.tasks.order_by("position").first()
    first.text = "Lời dán từ Word\x0bcó ngắt dòng\x07 và ký tự lạ"
    first.save(update_fields=["text"])
    extraction = extract_plan(read_source(plan_docx(plan), filename="plan.docx"))
    assert any(
        "Lời dán từ Word có ngắt dòng và ký tự lạ" in e["text"] for e in extraction["outline"]
    )
    before = len(plan_outline(plan).paragraphs)
    first.delete()
    paragraphs = plan_outline(plan).paragraphs
    assert len(paragraphs) == before - 1
    assert all(p.text.strip() for p in paragraphs)


def test_a_lead_whose_name_holds_a_comma_keeps_its_line_as_written(db):
    load_demo(seeds=())
    text = EVERY_KIND.replace(
        "3. Phòng Kinh tế tham mưu",
        "3. Phòng Văn hóa, Khoa học và Thông tin chủ trì tham mưu",
    )
    plan = _import(text)
    task = plan.tasks.get(text__startswith="Phòng Văn hóa, Khoa học")
    assert task.lead_text == "Phòng Văn hóa, Khoa học và Thông tin"
    read = extract_plan(read_source(plan_docx(plan), filename="plan.docx"))
    again = next(t for t in read["tasks"] if t["text"].startswith("Phòng Văn hóa, Khoa học"))
    assert again["lead_text"] == task.lead_text
