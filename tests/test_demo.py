"""The demo cascade: its shape, its counts, and that loading it twice changes nothing."""

from django.core.management import call_command

from plans.models import Document, DocumentStatus
from tasks.models import Assignment, Task
from units.models import Level, Unit

SEED_ISSUERS = {
    "Thành ủy Đà Lạt": "179-HD/BTGTU",
    "Quận ủy Kiến An": "275-KH/TU",
    "Huyện ủy Kon Rẫy": "105-KH/TU",
    "Ủy ban nhân dân xã Thanh Thủy": "45-KH/TU",
    "Liên đoàn Lao động tỉnh Lai Châu": "349/KH-TLĐ",
}


def test_the_demo_tree_has_the_seeds_under_the_references_under_the_directive(demo):
    directive = Document.objects.get(identifier="21-CT/TW")
    middle = Document.objects.filter(implements=directive)
    assert {d.identifier for d in middle} == set(SEED_ISSUERS.values())
    assert all(d.status == DocumentStatus.REFERENCE for d in middle)
    seeds = Document.objects.filter(root=directive, depth=2).select_related("issuer", "implements")
    assert {d.issuer.name: d.implements.identifier for d in seeds} == SEED_ISSUERS


def test_the_demo_seeds_carry_their_real_tasks_targets_and_tails(demo):
    seeds = {d.issuer.name: d for d in Document.objects.filter(depth=2).select_related("issuer")}
    lai_chau = seeds["Liên đoàn Lao động tỉnh Lai Châu"]
    assert lai_chau.identifier == "470/KH-LĐLĐ"
    assert lai_chau.issued_on.isoformat() == "2023-08-23"
    kon_ray = seeds["Huyện ủy Kon Rẫy"]
    assert kon_ray.status == DocumentStatus.DRAFT
    assert {(t.low, t.high) for t in kon_ray.targets.all()} >= {(45, 50)}
    kien_an = seeds["Quận ủy Kiến An"]
    assert kien_an.signer_name == "Phạm Văn Khanh"
    assert kien_an.signer_capacity == "T/M BAN THƯỜNG VỤ"
    for document in seeds.values():
        assert document.tasks.exists(), document
        assert document.recipients.exists(), document
        assert Task.objects.filter(document=document, assignments__isnull=True).count() == 0


def test_a_target_of_a_seed_is_shown_beside_the_directives(demo):
    kon_ray = Document.objects.get(issuer__name="Huyện ủy Kon Rẫy", depth=2)
    target = kon_ray.targets.get(low=45)
    assert target.parent.document.identifier == "21-CT/TW"
    assert (target.parent.low, target.parent.high) == (50, 55)


def test_district_units_ended_on_the_2025_reform_and_their_plans_remain(demo):
    kien_an = Unit.objects.get(name="Quận ủy Kiến An")
    assert kien_an.level == Level.DISTRICT
    assert kien_an.active_until.isoformat() == "2025-06-30"
    assert kien_an.documents.filter(depth=2).exists()
    kon_tum = Unit.objects.get(name="Tỉnh ủy Kon Tum")
    assert [u.name for u in kon_tum.successors.all()] == ["Tỉnh ủy Quảng Ngãi"]


def test_loading_the_demo_twice_changes_nothing(demo):
    counts = (
        Unit.objects.count(),
        Document.objects.count(),
        Task.objects.count(),
        Assignment.objects.count(),
    )
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts == (
        Unit.objects.count(),
        Document.objects.count(),
        Task.objects.count(),
        Assignment.objects.count(),
    )
