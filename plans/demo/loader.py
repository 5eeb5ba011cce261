"""The demo cascade: Chỉ thị 21-CT/TW, the five documents between it and the seeds (known only
by reference), and the five real seed plans with their tasks, targets, recipients and signers.

Everything is written through the services, exactly as staff would enter it, so the demo also
exercises validation, identifiers, group expansion and the audit trail.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from cascade.text import fold
from plans import services as plan_services
from plans.identifiers import parse_identifier
from plans.models import DocType, Document, DocumentStatus, Target
from tasks import services as task_services
from units import services as unit_services
from units.models import Role, Unit
from units.selectors import resolve_unit

DEMO_DIR = Path(__file__).resolve().parent
SEEDS = ("000", "001", "002", "003", "004")
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


def _find_key(keys: dict[str, Unit], wanted: str) -> Unit:
    """The unit whose key is ``wanted``, or whose key ends with it (keys are the data's)."""
    if wanted in keys:
        return keys[wanted]
    matches = [unit for key, unit in keys.items() if key.endswith(wanted)]
    if len(matches) != 1:
        raise LookupError(f"demo unit {wanted!r} not found in units.json")
    return matches[0]


def _reference_issuer(identifier: str, citing: Unit) -> Unit | None:
    """A cited document's issuer: the unit at or above the citing unit whose document code
    is the identifier's issuer part (a district plan's "…/TU" is its own province's)."""
    parts = parse_identifier(identifier)
    if parts is None:
        return None
    for unit in [citing, *reversed(list(Unit.objects.get_ancestors(citing)))]:
        if unit.code == parts.issuer_code:
            return unit
    return None


def _nearest_targets(document: Document) -> list[Target]:
    cursor: Document | None = document.implements
    while cursor is not None:
        targets = list(cursor.targets.all())
        if targets:
            return targets
        cursor = cursor.implements
    return []


def _parent_target(text: str, unit: str, candidates: list[Target]) -> Target | None:
    """The implemented document's target this one carries down: same unit of measure and the
    most words in common."""
    words = set(fold(text).split())
    best, best_score = None, 2
    for candidate in candidates:
        if candidate.unit != unit:
            continue
        score = len(words & set(fold(candidate.text).split()))
        if score > best_score:
            best, best_score = candidate, score
    return best


def _assignees(
    entries: list[Any], *, issuer: Unit, keys: dict[str, Unit], role: str, into
) -> list[str]:
    """Resolve a seed's lead or support entries; returns the words that named no unit."""
    unresolved: list[str] = []
    for entry in entries:
        if isinstance(entry, dict):
            spec = task_services.GroupSpec(
                label=entry["group"],
                anchor=_find_key(keys, entry["under"]),
                blocs=entry.get("bloc") or (),
                levels=entry.get("level") or (),
                depth=entry.get("depth") or "children",
            )
            (into.lead_groups if role == "lead" else into.support_groups).append(spec)
            continue
        unit = resolve_unit(entry, near=issuer)
        if unit is None:
            unresolved.append(entry)
        else:
            (into.lead if role == "lead" else into.support).append(unit)
    return unresolved


def _words(entries: list[Any]) -> str:
    return ", ".join(e["group"] if isinstance(e, dict) else e for e in entries)


def _load_seed(seed: str, keys: dict[str, Unit], parents: dict[str, Document]) -> Document:
    data = json.loads((DEMO_DIR / "seeds" / f"{seed}.json").read_text(encoding="utf-8"))
    text = (DEMO_DIR / "seeds" / f"{seed}.txt").read_text(encoding="utf-8")
    issuer = resolve_unit(data["issuer"], near=keys["tw"]) if data.get("issuer") else None
    if issuer is None:
        raise LookupError(f"seed {seed}: issuer {data.get('issuer')!r} is not a demo unit")
    basis = data["basis"][0]["identifier"] if data["basis"] else None
    implements = parents.get(basis) if basis else None
    parts = parse_identifier(data["identifier"]) if data.get("identifier") else None
    signer = data.get("signer") or {}
    document = plan_services.document_create(
        actor=None,
        doc_type=data["doc_type"],
        title=data["title"],
        issuer=issuer,
        status=DocumentStatus.DRAFT if data["is_draft"] else DocumentStatus.ISSUED,
        number=data.get("number") or "",
        issued_on=_date(data.get("issued_on") or data.get("demo_issued_on")),
        issuer_code=parts.issuer_code if parts else "",
        place=data.get("place") or "",
        body=text,
        implements=implements,
        signer_capacity=signer.get("capacity") or "",
        signer_title=signer.get("title") or "",
        signer_name=signer.get("name") or "",
    )
    cited = []
    for identifier in data["references"]:
        if parse_identifier(identifier) is None:
            continue
        cited.append(
            plan_services.document_reference(
                actor=None,
                identifier=identifier,
                issuer=_reference_issuer(identifier, issuer),
            )
        )
    plan_services.document_set_citations(actor=None, document=document, cited=cited)
    parent_targets = _nearest_targets(document)
    for target in data["targets"]:
        unit = target.get("unit") or "%"
        plan_services.target_create(
            actor=None,
            document=document,
            text=target["text"],
            low=Decimal(str(target["low"])) if target.get("low") is not None else None,
            high=Decimal(str(target["high"])) if target.get("high") is not None else None,
            unit=unit,
            horizon_year=target.get("year"),
            parent=_parent_target(target["text"], unit, parent_targets),
        )
    for position, task in enumerate(data["tasks"]):
        assignees = task_services.Assignees()
        _assignees(task.get("lead") or [], issuer=issuer, keys=keys, role="lead", into=assignees)
        _assignees(
            task.get("support") or [], issuer=issuer, keys=keys, role="support", into=assignees
        )
        task_services.task_create(
            actor=None,
            document=document,
            text=task["text"],
            section=task.get("section") or "",
            deadline_text=task.get("deadline_text") or "",
            requires_plan=bool(task.get("requires_plan")),
            lead_text=_words(task.get("lead") or []),
            support_text=_words(task.get("support") or []),
            assignees=assignees,
            position=position,
        )
    for recipient in data["recipients"]:
        plan_services.recipient_add(
            actor=None,
            document=document,
            name=recipient["name"],
            purpose=recipient["purpose"],
            unit=resolve_unit(recipient["name"], near=issuer),
        )
    return document


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
    for username, unit, role in sorted(wanted, key=lambda w: w[0]):
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(username=username, password=DEMO_PASSWORD)
        unit_services.membership_set(actor=None, user=user, unit=unit, role=role)
        rows.append((username, unit.name, Role(role).label))
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser(username="admin", password=DEMO_PASSWORD, email="")
    rows.append(("admin", "—", "superuser"))
    return rows


@transaction.atomic
def load_demo() -> DemoResult:
    """Load the demo cascade once; a second run finds it and changes nothing."""
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
    parents: dict[str, Document] = {}
    for identifier, issued_on, issuer_name in MIDDLE:
        issuer = resolve_unit(issuer_name, near=centre)
        if issuer is None:
            raise LookupError(f"{issuer_name!r} is not a demo unit")
        parts = parse_identifier(identifier)
        assert parts is not None
        parents[identifier] = plan_services.document_create(
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
    seeds = [_load_seed(seed, keys, parents) for seed in SEEDS]
    return DemoResult(created=True, logins=_logins([d.issuer for d in seeds if d.issuer]))
