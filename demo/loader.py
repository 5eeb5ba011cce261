"""The demo cascade: Chỉ thị 21-CT/TW, the five documents between it and the seeds (known only
by reference), and the five real seed plans imported from their text with their tasks, targets,
recipients and signers.

Everything goes through the importer and the services, exactly as staff would enter it, so the
demo also exercises extraction, validation, identifiers, group expansion and the audit trail.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from cascade.text import fold
from plans import services as plan_services
from plans.identifiers import parse_identifier
from plans.importing import extract_plan, read_source
from plans.importing.service import plan_import_preview, plan_import_save
from plans.models import DocType, Document, DocumentStatus
from reports.demo import load_demo_reports
from units import services as unit_services
from units.models import Role, Unit
from units.selectors import resolve_unit

DEMO_DIR = Path(__file__).resolve().parent
SEEDS = ("000", "001", "002", "003", "004")
# Issue dates for the demo: the real ones, or for undated seeds the ones the worked deadline
# examples use.
SEED_DATES = {
    "000": date(2024, 6, 20),
    "001": date(2023, 8, 10),
    "002": date(2023, 7, 20),
    "003": date(2026, 5, 4),
    "004": date(2023, 8, 23),
}
DEMO_PASSWORD = "demo-cascade-2026"  # noqa: S105 - printed for the demo logins on purpose

DIRECTIVE = {
    "identifier": "21-CT/TW",
    "issuer": "tw",
    "issued_on": date(2023, 5, 4),
    "title": (
        "Về tiếp tục đổi mới, phát triển và nâng cao chất lượng giáo dục nghề nghiệp đến năm "
        "2030, tầm nhìn đến năm 2045"
    ),
    "signer": ("T/M BAN BÍ THƯ", "", ""),
    "targets": [
        ("Thu hút học sinh tốt nghiệp trung học cơ sở vào giáo dục nghề nghiệp", 50, 55, "%"),
        ("Đào tạo lại, đào tạo thường xuyên lực lượng lao động", 50, 50, "%"),
        ("Cơ sở giáo dục nghề nghiệp chất lượng cao", 90, 90, "cơ sở"),
        ("Ngành, nghề trọng điểm", 200, 200, "nghề"),
    ],
}
# The documents between the directive and the seeds, known only because the seeds cite them.
MIDDLE = [
    ("179-HD/BTGTU", date(2024, 6, 10), "Ban Tuyên giáo Tỉnh ủy Lâm Đồng"),
    ("275-KH/TU", date(2023, 7, 26), "Thành ủy Hải Phòng"),
    ("105-KH/TU", date(2023, 7, 11), "Tỉnh ủy Kon Tum"),
    ("45-KH/TU", date(2026, 4, 23), "Đảng ủy xã Thanh Thủy"),
    ("349/KH-TLĐ", date(2023, 8, 15), "Tổng Liên đoàn Lao động Việt Nam"),
]


@dataclass
class DemoResult:
    """What the loader did, for the command to print."""

    created: bool
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def _units_by_key(nodes: list[dict[str, Any]], parent: Unit | None, keys: dict[str, Unit]) -> None:
    for node in nodes:
        unit = Unit.objects.filter(name=node["name"])
        unit = (
            unit.filter(path__startswith=parent.path, depth=parent.depth + 1)
            if parent
            else unit.filter(depth=1)
        ).first()
        if unit is None:
            unit = unit_services.unit_create(
                actor=None,
                parent=parent,
                name=node["name"],
                short_name=node.get("short_name") or "",
                code=node.get("code") or "",
                bloc=node["bloc"],
                level=node["level"],
                active_from=_date(node.get("active_from")),
                active_until=_date(node.get("active_until")),
                aliases=node.get("aliases") or (),
            )
        keys[node["key"]] = unit
        _units_by_key(node.get("children") or [], unit, keys)


def _successors(nodes: list[dict[str, Any]], keys: dict[str, Unit]) -> None:
    for node in nodes:
        if node.get("successors"):
            unit_services.unit_set_successors(
                actor=None, unit=keys[node["key"]], successors=[keys[k] for k in node["successors"]]
            )
        _successors(node.get("children") or [], keys)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _load_seed(seed: str, centre: Unit) -> Document:
    """Load one seed plan through the importer, exactly as a person's confirmed import."""
    text = (DEMO_DIR / "seeds" / f"{seed}.txt").read_text(encoding="utf-8")
    extraction = extract_plan(read_source(text), today=SEED_DATES[seed])
    if not extraction.get("issued_on") and not extraction.get("is_draft"):
        # Two seeds are issued plans whose text lost its head (number, date); the demo dates
        # them as the worked deadline examples do. A draft's blank date stays blank: its
        # deadlines are read from the same day (``today`` above).
        extraction["issued_on"] = SEED_DATES[seed].isoformat()
    preview = plan_import_preview(user=None, extraction=extraction)
    if preview.issuer is None:
        raise LookupError(f"seed {seed}: issuer {extraction.get('issuer')!r} is not a demo unit")
    return plan_import_save(
        actor=None,
        extraction=extraction,
        issuer=preview.issuer,
        body=text,
        add_units=True,
        preview=preview,
    )


def _logins(issuers: list[Unit]) -> list[tuple[str, str, str]]:
    User = get_user_model()
    rows: list[tuple[str, str, str]] = []
    wanted: list[tuple[str, Unit, str]] = []
    for unit in issuers:
        wanted.append(
            (f"canbo.{fold(unit.short_name or unit.name).replace(' ', '')}"[:30], unit, Role.STAFF)
        )
    for unit in {Unit.objects.get_ancestors(u).filter(depth=2).first() for u in issuers} - {None}:
        wanted.append(
            (
                f"lanhdao.{fold(unit.short_name or unit.name).replace(' ', '')}"[:30],
                unit,
                Role.LEADER,
            )
        )
    # One hash for every demo login: hashing is slow on purpose, and they share the password.
    hashed = make_password(DEMO_PASSWORD)
    for username, unit, role in sorted(wanted, key=lambda w: w[0]):
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create(username=username, password=hashed)
        unit_services.membership_set(actor=None, user=user, unit=unit, role=role)
        rows.append((username, unit.name, Role(role).label))
    if not User.objects.filter(username="admin").exists():
        User.objects.create(
            username="admin", password=hashed, email="", is_staff=True, is_superuser=True
        )
    rows.append(("admin", "—", "superuser"))
    return rows


@transaction.atomic
def load_demo(seeds: tuple[str, ...] = SEEDS) -> DemoResult:
    """Load the demo cascade once; a second run finds it and changes nothing. ``seeds``
    chooses which seed plans to import (tests leave some out to import them themselves)."""
    tree = json.loads((DEMO_DIR / "units.json").read_text(encoding="utf-8"))
    existing = Document.objects.filter(
        identifier=DIRECTIVE["identifier"], issuer__code="TW"
    ).first()
    keys: dict[str, Unit] = {}
    if existing is not None:
        _units_by_key(tree, None, keys)
        seeds = Document.objects.filter(root=existing, depth=2)
        return DemoResult(created=False, logins=_logins([d.issuer for d in seeds if d.issuer]))
    _units_by_key(tree, None, keys)
    _successors(tree, keys)
    centre = keys["tw"]
    directive = plan_services.document_create(
        actor=None,
        doc_type=DocType.DIRECTIVE,
        title=DIRECTIVE["title"],
        issuer=centre,
        number="21",
        issued_on=DIRECTIVE["issued_on"],
        signer_capacity=DIRECTIVE["signer"][0],
    )
    for text, low, high, unit in DIRECTIVE["targets"]:
        plan_services.target_create(
            actor=None,
            document=directive,
            text=text,
            low=Decimal(low),
            high=Decimal(high),
            unit=unit,
            horizon_year=2030,
        )
    for identifier, issued_on, issuer_name in MIDDLE:
        issuer = resolve_unit(issuer_name, near=centre)
        if issuer is None:
            raise LookupError(f"{issuer_name!r} is not a demo unit")
        parts = parse_identifier(identifier)
        assert parts is not None
        plan_services.document_create(
            actor=None,
            doc_type=parts.doc_type,
            title=identifier,
            issuer=issuer,
            status=DocumentStatus.REFERENCE,
            number=parts.number,
            issued_on=issued_on,
            issuer_code=parts.issuer_code,
            style=parts.style,
            implements=directive,
        )
    plans = [_load_seed(seed, centre) for seed in seeds]
    load_demo_reports()
    return DemoResult(created=True, logins=_logins([d.issuer for d in plans if d.issuer]))
