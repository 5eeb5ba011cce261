"""Importing a plan: the review before anything is saved, saving into the cascade, references
filled in later, the command, and bad input refused with nothing saved."""

import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from audit.models import AuditEvent
from demo.loader import load_demo
from plans.models import Document, DocumentStatus
from plans.outline import plan_outline
from tasks.models import Assignment, Task
from tests.factories import member
from units.models import Role, Unit

SEEDS = Path(__file__).resolve().parent.parent / "demo" / "seeds"


@pytest.fixture
def tree(db):
    """The demo organisation, 21-CT/TW and the documents known by reference; no seed plan."""
    load_demo(seeds=())


def _docx(seed: str) -> bytes:
    from docx import Document as Docx

    document = Docx()
    for line in (SEEDS / f"{seed}.txt").read_text(encoding="utf-8").splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _counts() -> tuple[int, ...]:
    return (
        Document.objects.count(),
        Task.objects.count(),
        Assignment.objects.count(),
        Unit.objects.count(),
        AuditEvent.objects.count(),
    )


def _review_post_data(response) -> dict:
    """The review page's forms as the browser would post them back unchanged."""
    data: dict = {}
    for name in ("header", "parts", "targets", "recipients"):
        form_or_set = response.context[name]
        forms = [form_or_set] if name == "header" else [form_or_set.management_form, *form_or_set]
        for form in forms:
            for field in form:
                value = field.value()
                if value is None or value is False:
                    continue
                if value is True:
                    value = "on"
                if hasattr(value, "pk"):
                    value = value.pk
                data[field.html_name] = value
    return data


def test_uploading_a_plan_shows_the_review_and_saves_nothing(client, tree):
    lai_chau = Unit.objects.get(name="Liên đoàn Lao động tỉnh Lai Châu")
    client.force_login(member(lai_chau))
    before = _counts()
    response = client.post(
        reverse("import_start"), {"file": SimpleUploadedFile("470.docx", _docx("004"))}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "470" in page and "Lai Châu" in page
    assert response.context["header"].initial["issuer"] == lai_chau
    parts = response.context["parts"].forms
    assert sum(1 for form in parts if form.initial["is_task"]) == 8
    # Every paragraph is on the page, in order, kept as written.
    assert parts[0].initial["text"].startswith("Thực hiện Kế hoạch số 349/KH-TLĐ")
    assert parts[-1].initial["text"].startswith("Trên đây là Kế hoạch")
    # Each part's fields are on the page once: what the person types is what is posted.
    for name in ("text", "level", "marker", "is_task", "lead", "deadline_text"):
        assert page.count(f'name="parts-0-{name}"') == 1, name
    assert _counts() == before


def test_confirming_the_review_saves_the_plan_under_its_parent(client, tree):
    lai_chau = Unit.objects.get(name="Liên đoàn Lao động tỉnh Lai Châu")
    client.force_login(member(lai_chau))
    review = client.post(
        reverse("import_start"), {"file": SimpleUploadedFile("470.docx", _docx("004"))}
    )
    data = _review_post_data(review)
    data["title"] = "Tiêu đề đã sửa khi kiểm tra"
    parts = review.context["parts"].forms
    tasks = [i for i, form in enumerate(parts) if form.initial["is_task"]]
    data.pop(f"parts-{tasks[-1]}-is_task")  # the last task is only a paragraph after all
    purpose = next(i for i, form in enumerate(parts) if form.initial["text"] == "Mục đích")
    data[f"parts-{purpose}-level"] = "3"  # and a heading's level is corrected
    response = client.post(reverse("import_confirm"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = Document.objects.get(identifier="470/KH-LĐLĐ")
    assert plan.title == "Tiêu đề đã sửa khi kiểm tra"
    assert plan.implements.identifier == "349/KH-TLĐ"
    assert plan.root.identifier == "21-CT/TW"
    assert plan.tasks.count() == 7
    paragraphs = plan_outline(plan).paragraphs
    assert len(paragraphs) == len(parts)
    assert paragraphs[purpose].level == 3
    assert paragraphs[tasks[-1]].pieces[0].task_id is None
    assert paragraphs[tasks[-1]].text == parts[tasks[-1]].initial["text"]
    assert plan.original_file.name.endswith(".docx")
    assert plan.recipients.count() == 6
    assert AuditEvent.objects.filter(object_type="plans.document", object_id=str(plan.pk)).exists()


def test_a_failed_confirmation_shows_the_review_again_and_saves_nothing(client, tree):
    lai_chau = Unit.objects.get(name="Liên đoàn Lao động tỉnh Lai Châu")
    client.force_login(member(lai_chau))
    review = client.post(reverse("import_start"), {"text": (SEEDS / "004.txt").read_text()})
    data = _review_post_data(review)
    data["number"] = "bốn trăm"
    data["parts-0-text"] = "x" * 200_001
    before = _counts()
    response = client.post(reverse("import_confirm"), data)
    assert response.status_code == 400
    assert response.context["header"].errors["number"]
    assert _counts() == before


def test_staff_cannot_import_for_another_unit(client, tree):
    kon_ray = Unit.objects.get(name="Huyện ủy Kon Rẫy")
    lai_chau = Unit.objects.get(name="Liên đoàn Lao động tỉnh Lai Châu")
    client.force_login(member(kon_ray))
    review = client.post(reverse("import_start"), {"text": (SEEDS / "004.txt").read_text()})
    data = _review_post_data(review)
    data["issuer"] = lai_chau.pk
    before = _counts()
    response = client.post(reverse("import_confirm"), data)
    assert response.status_code == 400
    assert _counts() == before


@pytest.mark.parametrize(
    ("upload", "fragment"),
    [
        (SimpleUploadedFile("anh.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64), "PNG"),
        (SimpleUploadedFile("hong.docx", b"PK\x03\x04 not really a zip"), "docx"),
        (SimpleUploadedFile("rong.txt", b""), ""),
    ],
)
def test_bad_files_get_a_clear_message_and_nothing_is_saved(client, tree, upload, fragment):
    client.force_login(member(Unit.objects.get(name="Huyện ủy Kon Rẫy")))
    before = _counts()
    response = client.post(reverse("import_start"), {"file": upload})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors, "a bad file must be refused with a message"
    assert fragment.lower() in " ".join(str(e) for e in errors.values()).lower()
    assert _counts() == before


def test_an_oversized_file_is_refused(client, tree):
    client.force_login(member(Unit.objects.get(name="Huyện ủy Kon Rẫy")))
    big = SimpleUploadedFile("lon.txt", b"a" * (10 * 1024 * 1024 + 1))
    response = client.post(reverse("import_start"), {"file": big})
    assert response.context["form"].errors["file"]


def test_importing_a_document_known_by_reference_fills_it_in(tree, tmp_path):
    reference = Document.objects.get(identifier="275-KH/TU")
    text = """THÀNH ỦY HẢI PHÒNG
*
Số 275-KH/TU
ĐẢNG CỘNG SẢN VIỆT NAM
Hải Phòng, ngày 26 tháng 7 năm 2023

KẾ HOẠCH
quán triệt và triển khai thực hiện Chỉ thị số 21-CT/TW, ngày 04/5/2023 của Ban Bí thư

Thực hiện Chỉ thị số 21-CT/TW, ngày 04/5/2023 của Ban Bí thư Trung ương Đảng, Ban Thường vụ Thành ủy xây dựng kế hoạch như sau:

I. NỘI DUNG
1. Tổ chức quán triệt Chỉ thị

Tổ chức nghiên cứu, học tập, quán triệt Chỉ thị số 21-CT/TW đến cán bộ, đảng viên.

Giao Ban Tuyên giáo Thành ủy chủ trì, phối hợp Ủy ban nhân dân thành phố thực hiện. Hoàn thành trong quý III/2023.
"""
    path = tmp_path / "275.txt"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("import_plan", str(path), "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["identifier"] == "275-KH/TU"
    reference.refresh_from_db()
    assert reference.status == DocumentStatus.ISSUED
    assert reference.tasks.count() == 1
    assert Document.objects.filter(identifier="275-KH/TU").count() == 1


def test_the_command_prints_the_extraction_and_a_dry_run_saves_nothing(tree):
    before = _counts()
    out = io.StringIO()
    call_command("import_plan", str(SEEDS / "004.txt"), "--dry-run", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["identifier"] == "470/KH-LĐLĐ"
    assert result["issued_on"] == "2023-08-23"
    assert [b["identifier"] for b in result["basis"]] == ["349/KH-TLĐ"]
    assert result["tasks"][0]["deadline"]["kind"] in {"once", "recurring", "continuous", "unparsed"}
    assert set(result) >= {
        "doc_type",
        "identifier",
        "number",
        "issuer",
        "parent_issuer",
        "is_draft",
        "issued_on",
        "place",
        "title",
        "basis",
        "references",
        "targets",
        "tasks",
        "recipients",
        "signer",
        "warnings",
    }
    assert _counts() == before


def test_the_command_saves_and_refuses_a_duplicate(tree):
    call_command("import_plan", str(SEEDS / "004.txt"), stdout=io.StringIO())
    assert Document.objects.filter(identifier="470/KH-LĐLĐ").count() == 1
    before = _counts()
    with pytest.raises(CommandError, match="470/KH-LĐLĐ"):
        call_command("import_plan", str(SEEDS / "004.txt"), stdout=io.StringIO())
    assert _counts() == before


def test_the_command_refuses_a_file_it_cannot_read(tree, tmp_path):
    junk = tmp_path / "anh.docx"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(CommandError):
        call_command("import_plan", str(junk), stdout=io.StringIO())


def test_an_unknown_unit_becomes_a_unit_under_the_issuer_only_when_confirmed(tree):
    from plans.importing.service import plan_import_preview, plan_import_save

    issuer = Unit.objects.get(name="Huyện ủy Kon Rẫy")
    extraction = {
        "doc_type": "KH",
        "number": "7",
        "is_draft": False,
        "issued_on": "2023-09-01",
        "title": "Kế hoạch thử",
        "basis": [],
        "references": [],
        "targets": [],
        "recipients": [],
        "signer": {},
        "warnings": [],
        "tasks": [
            {
                "text": "Tổ chức hội nghị",
                "lead": ["Trung tâm Chính trị huyện"],
                "support": ["các cơ quan liên quan"],
                "deadline_text": "quý IV/2023",
            }
        ],
    }
    preview = plan_import_preview(user=None, extraction=extraction, issuer=issuer)
    assert preview.unknown_names == ["Trung tâm Chính trị huyện"]
    assert not Unit.objects.filter(name="Trung tâm Chính trị huyện").exists()
    plan = plan_import_save(actor=None, extraction=extraction, issuer=issuer)
    created = Unit.objects.get(name="Trung tâm Chính trị huyện")
    assert Unit.objects.get_parent(created) == issuer
    task = plan.tasks.get()
    assert task.assignments.get().unit == created
    assert task.support_text == "các cơ quan liên quan"


def test_a_demo_leader_staff_role_is_needed_to_import(client, tree):
    leader = member(Unit.objects.get(name="Tỉnh ủy Kon Tum"), Role.LEADER)
    client.force_login(leader)
    review = client.post(reverse("import_start"), {"text": (SEEDS / "002.txt").read_text()})
    assert review.status_code == 200
    assert review.context["header"].fields["issuer"].queryset.count() == 0
