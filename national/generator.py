"""A synthetic national cascade of Chỉ thị 21-CT/TW, deterministic from a seed.

The default shape is the country after 1 July 2025: 34 provinces and 3,321 communes, and under
each the party committee, the People's Committee and its departments, the Fatherland Front and
the mass organisations, and the grassroots party organisations (about 60,000 units). Every unit
issues its implementing plan of the plan above it (a few never do, many late), with 10–20 tasks
whose lead units log occurrences with a realistic spread of work done on time, late, or not at
all; every unit reports each year to the unit above, and the consolidating reports hold the
sums of the accepted reports below them. The ``pre2025`` shape builds the tree before the
arrangement (63 provinces, 696 districts, 10,035 communes, closed on 30 June 2025) with the work
of those years, and the new provinces and commune party committees that succeed them.

Rows are produced as plain tuples, a province at a time, and handed to a ``Sink``: COPY on
PostgreSQL, ``bulk_create`` in batches elsewhere, or only a digest (``DigestSink``) to check
that the same seed gives the same rows. Materialized paths are computed here (treebeard's
four base-36 characters a level), not by adding nodes one at a time. The dashboard's roll-up
tables are rebuilt at the end through their own service.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models
from django.db.models import Max

from cascade.text import fold
from plans.demo.loader import DEMO_PASSWORD  # the same logins' password as the demo
from plans.models import Document, Target
from reports.models import (
    DEFAULT_LEVEL_LEAD_DAYS,
    LEVEL_ORDER,
    ReportMeasurement,
    ReportRequest,
    ReportRequirement,
)
from tasks.models import Assignment, Occurrence, Task
from units.models import Bloc, Level, Membership, Unit

SHAPES = ("2025", "pre2025")
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEP = 4
ARRANGEMENT = date(2025, 7, 1)  # Nghị quyết 202/2025/QH15: the new provinces and communes

# The 34 provinces since 1 July 2025, each with the provinces merged into it before.
PROVINCES_2025: list[tuple[str, list[str]]] = [
    ("Hà Nội", ["Hà Nội"]),
    ("Huế", ["Thừa Thiên Huế"]),
    ("Lai Châu", ["Lai Châu"]),
    ("Điện Biên", ["Điện Biên"]),
    ("Sơn La", ["Sơn La"]),
    ("Lạng Sơn", ["Lạng Sơn"]),
    ("Quảng Ninh", ["Quảng Ninh"]),
    ("Thanh Hóa", ["Thanh Hóa"]),
    ("Nghệ An", ["Nghệ An"]),
    ("Hà Tĩnh", ["Hà Tĩnh"]),
    ("Cao Bằng", ["Cao Bằng"]),
    ("Tuyên Quang", ["Tuyên Quang", "Hà Giang"]),
    ("Lào Cai", ["Lào Cai", "Yên Bái"]),
    ("Thái Nguyên", ["Thái Nguyên", "Bắc Kạn"]),
    ("Phú Thọ", ["Phú Thọ", "Vĩnh Phúc", "Hòa Bình"]),
    ("Bắc Ninh", ["Bắc Ninh", "Bắc Giang"]),
    ("Hưng Yên", ["Hưng Yên", "Thái Bình"]),
    ("Hải Phòng", ["Hải Phòng", "Hải Dương"]),
    ("Ninh Bình", ["Ninh Bình", "Hà Nam", "Nam Định"]),
    ("Quảng Trị", ["Quảng Trị", "Quảng Bình"]),
    ("Đà Nẵng", ["Đà Nẵng", "Quảng Nam"]),
    ("Quảng Ngãi", ["Quảng Ngãi", "Kon Tum"]),
    ("Gia Lai", ["Gia Lai", "Bình Định"]),
    ("Khánh Hòa", ["Khánh Hòa", "Ninh Thuận"]),
    ("Lâm Đồng", ["Lâm Đồng", "Đắk Nông", "Bình Thuận"]),
    ("Đắk Lắk", ["Đắk Lắk", "Phú Yên"]),
    ("Hồ Chí Minh", ["Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"]),
    ("Đồng Nai", ["Đồng Nai", "Bình Phước"]),
    ("Tây Ninh", ["Tây Ninh", "Long An"]),
    ("Cần Thơ", ["Cần Thơ", "Sóc Trăng", "Hậu Giang"]),
    ("Vĩnh Long", ["Vĩnh Long", "Bến Tre", "Trà Vinh"]),
    ("Đồng Tháp", ["Đồng Tháp", "Tiền Giang"]),
    ("Cà Mau", ["Cà Mau", "Bạc Liêu"]),
    ("An Giang", ["An Giang", "Kiên Giang"]),
]
CITIES = {"Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ"}
COUNTS = {
    "2025": {"provinces": 34, "districts": 0, "communes": 3321},
    "pre2025": {"provinces": 63, "districts": 696, "communes": 10035},
}

# The directive's targets (Chỉ thị 21-CT/TW, by 2030), as (text, low, high, numerator,
# denominator); lower plans carry the first two down.
DIRECTIVE_TARGETS = [
    (
        "Thu hút 50-55% học sinh tốt nghiệp trung học vào giáo dục nghề nghiệp",
        50,
        55,
        "Học sinh vào giáo dục nghề nghiệp",
        "Học sinh tốt nghiệp trung học",
    ),
    (
        "Khoảng 50% lực lượng lao động được đào tạo lại",
        50,
        50,
        "Lao động được đào tạo lại",
        "Lao động",
    ),
    ("Khoảng 90 cơ sở giáo dục nghề nghiệp chất lượng cao", 90, 90, "Cơ sở chất lượng cao", ""),
    ("Khoảng 200 ngành, nghề trọng điểm", 200, 200, "Ngành, nghề trọng điểm", ""),
]
TASK_TEXTS = [
    "Quán triệt, tuyên truyền sâu rộng nội dung Chỉ thị 21-CT/TW",
    "Rà soát, sắp xếp mạng lưới cơ sở giáo dục nghề nghiệp",
    "Đẩy mạnh phân luồng học sinh sau trung học cơ sở",
    "Đào tạo lại, bồi dưỡng kỹ năng cho người lao động",
    "Tăng cường phối hợp với doanh nghiệp trong đào tạo",
    "Kiểm tra, giám sát việc thực hiện kế hoạch",
    "Tổ chức sơ kết, đánh giá kết quả thực hiện",
    "Huy động nguồn lực xã hội hóa cho giáo dục nghề nghiệp",
    "Tư vấn, hướng nghiệp cho học sinh và thanh niên",
    "Biểu dương, khen thưởng tập thể, cá nhân tiêu biểu",
    "Ứng dụng công nghệ số trong quản lý đào tạo",
    "Bồi dưỡng đội ngũ nhà giáo, cán bộ quản lý",
]
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def step(index: int) -> str:
    """One level of a materialized path: ``index`` in four base-36 digits (treebeard's)."""
    out = ""
    for _ in range(STEP):
        index, rest = divmod(index, 36)
        out = ALPHABET[rest] + out
    return out


@dataclass
class Node:
    """A unit being generated, with what the later stages need to know about it."""

    id: int
    path: str
    name: str
    code: str
    bloc: str
    level: str
    parent: Node | None
    province: int
    active_from: date | None = None
    active_until: date | None = None
    children: list[Node] = field(default_factory=list)
    diligence: float = 0.8  # the share of its work a unit gets done
    plan_id: int | None = None
    plan_issued: date | None = None
    plan_targets: list[int] = field(default_factory=list)  # target ids by slot
    requirement_id: int | None = None
    missing: bool = False  # never issues its plan

    @property
    def depth(self) -> int:
        return len(self.path) // STEP


@dataclass
class Summary:
    """What was generated: rows per table and a digest of every row, in order."""

    counts: Counter
    digest: str
    seconds: dict[str, float] = field(default_factory=dict)


# --- sinks -----------------------------------------------------------------------------------


class Sink:
    """Where the rows go. Every row also feeds a digest, so that two runs can be compared."""

    def __init__(self) -> None:
        self.hash = hashlib.sha256()
        self.counts: Counter = Counter()

    def first_id(self, model: type[models.Model]) -> int:
        return 1

    def write(self, model: type[models.Model], fields: Sequence[str], rows: list[tuple]) -> None:
        self.counts[model._meta.label] += len(rows)
        update = self.hash.update
        for row in rows:
            update(repr(row).encode())
        if rows:
            self._write(model, fields, rows)

    def _write(self, model: type[models.Model], fields: Sequence[str], rows: list[tuple]) -> None:
        """Nothing: a digest only."""

    def finish(self) -> None:
        """Called once everything is written."""


class DigestSink(Sink):
    """Writes nothing: the digest and the counts of the rows a seed gives."""


class _DatabaseSink(Sink):
    def first_id(self, model: type[models.Model]) -> int:
        return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


class BulkSink(_DatabaseSink):
    """``bulk_create`` in batches: any database (the tests' SQLite)."""

    batch_size = 500

    def _write(self, model, fields, rows):
        objects = [model(**dict(zip(fields, row, strict=True))) for row in rows]
        model.objects.bulk_create(objects, batch_size=self.batch_size)


class CopySink(_DatabaseSink):
    """PostgreSQL's COPY, the columns not given filled with the fields' defaults; the id
    sequences are moved past the rows written at the end."""

    def __init__(self, stamp: datetime) -> None:
        super().__init__()
        self.stamp = stamp
        self.tables: set[str] = set()

    def _defaults(self, model, fields) -> tuple[list[str], tuple]:
        columns, values = [], []
        for f in model._meta.concrete_fields:
            if f.attname in fields or f.primary_key:
                continue
            value = f.get_default()
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = self.stamp
            if isinstance(f, models.JSONField):
                value = json.dumps(value)
            columns.append(f.column)
            values.append(value)
        return columns, tuple(values)

    def _write(self, model, fields, rows):
        extra_columns, extra = self._defaults(model, fields)
        meta = model._meta
        named = [
            meta.get_field(name.removesuffix("_id")).column if name != "id" else "id"
            for name in fields
        ]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in [*named, *extra_columns])
        json_at = [
            i
            for i, name in enumerate(fields)
            if name != "id"
            and isinstance(meta.get_field(name.removesuffix("_id")), models.JSONField)
        ]
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
            with cursor.copy(sql) as copy:
                for row in rows:
                    if json_at:
                        row = tuple(json.dumps(v) if i in json_at else v for i, v in enumerate(row))
                    copy.write_row(row + extra)
        self.tables.add(meta.db_table)

    def finish(self):
        with connection.cursor() as cursor:
            for table in sorted(self.tables):
                # Table names come from the models written above, never from input.
                quoted = connection.ops.quote_name(table)
                sql = f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT COALESCE(max(id), 1) FROM {quoted}))"  # noqa: E501, S608
                cursor.execute(sql, [table])
            cursor.execute("ANALYZE")


# --- the generator ---------------------------------------------------------------------------


@dataclass
class Ids:
    """The next id of each table (rows are written with their ids, so that the cascade's
    links are known before anything is read back)."""

    sink: Sink
    next: dict[str, int] = field(default_factory=dict)

    def take(self, model: type[models.Model]) -> int:
        label = model._meta.label
        if label not in self.next:
            self.next[label] = self.sink.first_id(model)
        value = self.next[label]
        self.next[label] = value + 1
        return value


class Nation:
    """One run of the generator; ``run()`` writes everything into ``sink``."""

    def __init__(
        self,
        *,
        seed: int,
        shape: str = "2025",
        scale: float = 1.0,
        years: int = 3,
        today: date,
        sink: Sink,
    ) -> None:
        if shape not in SHAPES:
            raise ValueError(f"shape must be one of {', '.join(SHAPES)}")
        if not 0 < scale <= 1.0:
            raise ValueError("scale must be in (0, 1]")
        if not 1 <= years <= 10:
            raise ValueError("years must be between 1 and 10")
        # Synthetic data, reproducible from the seed: not a security use of randomness.
        self.rng = random.Random(seed)  # noqa: S311
        self.shape, self.scale, self.years, self.today = shape, scale, years, today
        self.sink = sink
        self.ids = Ids(sink)
        self.first_year = today.year - years
        self.report_years = list(range(self.first_year, today.year))
        self.stamp = datetime(self.first_year, 5, 4, 8, 0, tzinfo=UTC)
        self.nodes: list[Node] = []
        self.units_by_id: dict[int, Node] = {}
        self.task_counts: dict[int, list[int]] = {}

    # units ----------------------------------------------------------------------------------

    def _node(
        self, parent: Node | None, name: str, code: str, bloc: str, level: str, **extra
    ) -> Node:
        index = (len(parent.children) if parent else 0) + 1
        values = {
            "province": parent.province if parent else 0,
            "active_from": parent.active_from if parent else None,
            "active_until": parent.active_until if parent else None,
            "diligence": self.rng.choice((0.95, 0.85, 0.75, 0.55, 0.35)),
            **extra,
        }
        node = Node(
            id=self.ids.take(Unit),
            path=(parent.path if parent else "") + step(index),
            name=name,
            code=code,
            bloc=bloc,
            level=level,
            parent=parent,
            **values,
        )
        if parent is not None:
            parent.children.append(node)
        self.nodes.append(node)
        self.units_by_id[node.id] = node
        return node

    def _counts(self, kind: str) -> int:
        total = COUNTS[self.shape][kind]
        return max(1, round(total * self.scale)) if total else 0

    def build_units(self) -> Node:
        root = self._node(
            None, "Ban Chấp hành Trung ương Đảng", "TW", Bloc.PARTY_COMMITTEE, Level.CENTRAL
        )
        self._node(
            root, "Ban Tuyên giáo và Dân vận Trung ương", "BTGDVTW", Bloc.PARTY_BOARD, Level.CENTRAL
        )
        provinces = self._counts("provinces")
        if self.shape == "2025":
            names = [name for name, _old in PROVINCES_2025]
            chosen = names[:provinces] if provinces <= len(names) else names
            communes = self._counts("communes")
            for p, name in enumerate(chosen):
                share = communes // len(chosen) + (1 if p < communes % len(chosen) else 0)
                self._province(root, p + 1, name, districts=0, communes=max(1, share))
            return root
        # Before the arrangement: the old provinces (closed on 30 June 2025) of the first
        # ``provinces`` new ones, their districts and communes; then the new provinces and
        # commune party committees that succeed them.
        old_names = [old for _new, olds in PROVINCES_2025 for old in olds][:provinces]
        districts, communes = self._counts("districts"), self._counts("communes")
        old_provinces: list[Node] = []
        for p, name in enumerate(old_names):
            share_d = max(
                1, districts // len(old_names) + (1 if p < districts % len(old_names) else 0)
            )
            share_c = max(
                share_d, communes // len(old_names) + (1 if p < communes % len(old_names) else 0)
            )
            old_provinces.append(
                self._province(
                    root,
                    p + 1,
                    name,
                    districts=share_d,
                    communes=share_c,
                    until=ARRANGEMENT - timedelta(days=1),
                )
            )
        self.successions: list[tuple[int, int]] = []
        new_of_old = {old: new for new, olds in PROVINCES_2025 for old in olds}
        new_names = list(dict.fromkeys(new_of_old[name] for name in old_names))
        new_communes = max(len(new_names), round(3321 * self.scale))
        new_nodes: dict[str, Node] = {}
        commune_nodes: dict[str, list[Node]] = {}
        for p, name in enumerate(new_names):
            title = ("Thành ủy " if name in CITIES else "Tỉnh ủy ") + name
            node = self._node(
                root, title, "TU", Bloc.PARTY_COMMITTEE, Level.PROVINCE, active_from=ARRANGEMENT
            )
            node.province = len(old_names) + p + 1
            share = new_communes // len(new_names) + (1 if p < new_communes % len(new_names) else 0)
            commune_nodes[name] = [
                self._node(
                    node, f"Đảng ủy xã {name} {c + 1}", "ĐU", Bloc.PARTY_COMMITTEE, Level.COMMUNE
                )
                for c in range(max(1, share))
            ]
            new_nodes[name] = node
        for old in old_provinces:
            new_name = new_of_old[old.name.split(" ", 2)[-1]]
            self.successions.append((old.id, new_nodes[new_name].id))
            targets = commune_nodes[new_name]
            old_communes = [
                n
                for d in old.children
                if d.level == Level.DISTRICT
                for n in d.children
                if n.level == Level.COMMUNE
            ]
            for i, commune in enumerate(old_communes):
                self.successions.append(
                    (commune.id, targets[i * len(targets) // max(1, len(old_communes))].id)
                )
            for district in old.children:
                if district.level == Level.DISTRICT:
                    # The district level ended: its work goes to the new province.
                    self.successions.append((district.id, new_nodes[new_name].id))
        self.successions.sort()
        return root

    def _province(
        self,
        root: Node,
        number: int,
        name: str,
        *,
        districts: int,
        communes: int,
        until: date | None = None,
    ) -> Node:
        title = ("Thành ủy " if name in CITIES else "Tỉnh ủy ") + name
        province = self._node(
            root, title, "TU", Bloc.PARTY_COMMITTEE, Level.PROVINCE, active_until=until
        )
        province.province = number
        for board, code in (
            ("Ban Tuyên giáo và Dân vận", "BTGDVTU"),
            ("Ban Tổ chức", "BTCTU"),
            ("Văn phòng", "VPTU"),
            ("Ủy ban Kiểm tra", "UBKTTU"),
        ):
            self._node(province, f"{board} {title}", code, Bloc.PARTY_BOARD, Level.PROVINCE)
        committee = self._node(
            province, f"Ủy ban nhân dân tỉnh {name}", "UBND", Bloc.GOVERNMENT, Level.PROVINCE
        )
        for department, code in (
            ("Sở Giáo dục và Đào tạo", "SGDĐT"),
            ("Sở Nội vụ", "SNV"),
            ("Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL"),
            ("Sở Y tế", "SYT"),
            ("Sở Tài chính", "STC"),
            ("Sở Khoa học và Công nghệ", "SKHCN"),
        ):
            self._node(
                committee,
                f"{department} tỉnh {name}",
                code,
                Bloc.GOVERNMENT_DEPARTMENT,
                Level.PROVINCE,
            )
        front = self._node(
            province,
            f"Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh {name}",
            "MTTQ",
            Bloc.FRONT,
            Level.PROVINCE,
        )
        for organisation, code in (
            ("Liên đoàn Lao động tỉnh", "LĐLĐ"),
            ("Tỉnh đoàn", "TĐTN"),
            ("Hội Liên hiệp Phụ nữ tỉnh", "HLHPN"),
            ("Hội Nông dân tỉnh", "HND"),
            ("Hội Cựu chiến binh tỉnh", "HCCB"),
        ):
            self._node(
                front, f"{organisation} {name}", code, Bloc.MASS_ORGANISATION, Level.PROVINCE
            )
        if not districts:
            for c in range(communes):
                self._commune(province, f"{name} {c + 1}", grassroots=self.rng.randint(5, 13))
            return province
        for d in range(districts):
            share = communes // districts + (1 if d < communes % districts else 0)
            district = self._node(
                province, f"Huyện ủy {name} {d + 1}", "HU", Bloc.PARTY_COMMITTEE, Level.DISTRICT
            )
            self._node(
                district,
                f"Ban Tuyên giáo Huyện ủy {name} {d + 1}",
                "BTGHU",
                Bloc.PARTY_BOARD,
                Level.DISTRICT,
            )
            self._node(
                district,
                f"Ủy ban nhân dân huyện {name} {d + 1}",
                "UBND",
                Bloc.GOVERNMENT,
                Level.DISTRICT,
            )
            self._node(
                district, f"Ủy ban MTTQ huyện {name} {d + 1}", "MTTQ", Bloc.FRONT, Level.DISTRICT
            )
            for c in range(max(1, share)):
                self._commune(
                    district,
                    f"{name} {d + 1}.{c + 1}",
                    grassroots=self.rng.randint(1, 3),
                    small=True,
                )
        return province

    def _commune(self, parent: Node, label: str, *, grassroots: int, small: bool = False) -> None:
        party = self._node(parent, f"Đảng ủy xã {label}", "ĐU", Bloc.PARTY_COMMITTEE, Level.COMMUNE)
        committee = self._node(
            party, f"Ủy ban nhân dân xã {label}", "UBND", Bloc.GOVERNMENT, Level.COMMUNE
        )
        front = self._node(party, f"Ủy ban MTTQ xã {label}", "MTTQ", Bloc.FRONT, Level.COMMUNE)
        if not small:
            for department, code in (("Phòng Văn hóa - Xã hội", "VHXH"), ("Phòng Kinh tế", "PKT")):
                self._node(
                    committee,
                    f"{department} xã {label}",
                    code,
                    Bloc.GOVERNMENT_DEPARTMENT,
                    Level.COMMUNE,
                )
            for organisation, code in (
                ("Đoàn Thanh niên xã", "ĐTN"),
                ("Hội Phụ nữ xã", "HPN"),
                ("Hội Nông dân xã", "HND"),
                ("Hội Cựu chiến binh xã", "HCCB"),
            ):
                self._node(
                    front, f"{organisation} {label}", code, Bloc.MASS_ORGANISATION, Level.COMMUNE
                )
        for g in range(grassroots):
            self._node(
                party,
                f"Chi bộ thôn {g + 1} xã {label}",
                "CB",
                Bloc.PARTY_COMMITTEE,
                Level.GRASSROOTS,
            )

    def write_units(self) -> None:
        rows = [
            (
                n.id,
                n.path,
                n.depth,
                len(n.children),
                n.name,
                n.code,
                n.bloc,
                n.level,
                n.active_from,
                n.active_until,
                fold(f"{n.name} {n.code}"),
            )
            for n in self.nodes
        ]
        self.sink.write(
            Unit,
            [
                "id",
                "path",
                "depth",
                "numchild",
                "name",
                "code",
                "bloc",
                "level",
                "active_from",
                "active_until",
                "search_text",
            ],
            rows,
        )
        successions = getattr(self, "successions", [])
        through = Unit.successors.through
        self.sink.write(
            through,
            ["id", "from_unit_id", "to_unit_id"],
            [(self.ids.take(through), a, b) for a, b in successions],
        )

    def write_people(self) -> None:
        """Logins: the centre's leader, a leader and a staff member for each province and
        each commune party committee (the password is the demo's)."""
        password = make_password(DEMO_PASSWORD, salt="nationalscale")
        User = get_user_model()
        users, memberships = [], []

        def person(username: str, node: Node, role: str) -> None:
            user_id = self.ids.take(User)
            users.append((user_id, password, username, f"{username}@example.org", True, self.stamp))
            memberships.append((self.ids.take(Membership), user_id, node.id, role))

        root = self.nodes[0]
        person("tw.lanhdao", root, "leader")
        for node in self.nodes:
            if node.level == Level.PROVINCE and node.parent is root:
                person(f"tinh{node.province:02d}.lanhdao", node, "leader")
                person(f"tinh{node.province:02d}.canbo", node, "staff")
            elif node.level == Level.COMMUNE and node.bloc == Bloc.PARTY_COMMITTEE:
                person(f"xa{node.id:06d}.lanhdao", node, "leader")
                person(f"xa{node.id:06d}.canbo", node, "staff")
        self.sink.write(
            User, ["id", "password", "username", "email", "is_active", "date_joined"], users
        )
        self.sink.write(Membership, ["id", "user_id", "unit_id", "role"], memberships)

    # plans ----------------------------------------------------------------------------------

    def _issue(self, node: Node, parent_issued: date) -> date:
        """When a unit issues its plan: a few weeks after the plan above, some much later."""
        rng = self.rng
        late = rng.random() < 0.15
        days = rng.randint(60, 200) if late else rng.randint(10, 28)
        issued = parent_issued + timedelta(days=days)
        if node.active_from and issued < node.active_from:
            issued = node.active_from + timedelta(days=days)
        return min(issued, self.today)

    def write_plans(self) -> None:
        rng = self.rng
        root = self.nodes[0]
        rows, targets = [], []
        doc_fields = [
            "id",
            "doc_type",
            "style",
            "number",
            "issuer_id",
            "issuer_code",
            "identifier",
            "numbering_period",
            "status",
            "issued_on",
            "title",
            "signer_capacity",
            "signer_title",
            "implements_id",
            "root_id",
            "depth",
            "search_text",
            "created_at",
            "updated_at",
        ]
        directive_issued = date(self.first_year, 5, 4)
        self.directive_id = self.ids.take(Document)
        root.plan_id, root.plan_issued = self.directive_id, directive_issued
        title = (
            "Về tiếp tục đổi mới, phát triển giáo dục nghề nghiệp đến năm 2030, "
            "tầm nhìn đến năm 2045"
        )
        rows.append(
            (
                self.directive_id,
                "CT",
                "party",
                "21",
                root.id,
                "TW",
                "21-CT/TW",
                "2021-2026",
                "issued",
                directive_issued,
                title,
                "T/M BAN BÍ THƯ",
                "",
                None,
                None,
                0,
                fold(f"21-CT/TW 21 Chỉ thị Directive {title} {root.name}"),
                self.stamp,
                self.stamp,
            )
        )
        for slot, (text, low, high, num, den) in enumerate(DIRECTIVE_TARGETS):
            target_id = self.ids.take(Target)
            root.plan_targets.append(target_id)
            targets.append(
                (
                    target_id,
                    self.directive_id,
                    text,
                    low,
                    high,
                    "%" if den else "cơ sở",
                    num,
                    den,
                    2030,
                    None,
                    slot,
                )
            )
        self.target_root: dict[int, int] = {t: t for t in root.plan_targets}
        for node in self.nodes[1:]:
            parent = node.parent
            if parent.plan_id is None:
                continue
            leaf = not node.children
            if (leaf and rng.random() < 0.06) or (
                node.level == Level.COMMUNE
                and node.bloc == Bloc.PARTY_COMMITTEE
                and rng.random() < 0.02
            ):
                node.missing = True
                continue
            issued = self._issue(node, parent.plan_issued)
            if node.active_until and issued > node.active_until:
                node.missing = True
                continue
            node.plan_id, node.plan_issued = self.ids.take(Document), issued
            party = node.bloc in (Bloc.PARTY_COMMITTEE, Bloc.PARTY_BOARD)
            number = str(rng.randint(10, 399))
            if party:
                identifier, period = f"{number}-KH/{node.code}", "2020-2025"
            else:
                identifier, period = f"{number}/KH-{node.code}", str(issued.year)
            plan_title = f"Kế hoạch thực hiện Chỉ thị 21-CT/TW của {node.name}"
            rows.append(
                (
                    node.plan_id,
                    "KH",
                    "party" if party else "state",
                    number,
                    node.id,
                    node.code,
                    identifier,
                    period,
                    "issued",
                    issued,
                    plan_title,
                    "T/M BAN THƯỜNG VỤ" if party else "TM. ỦY BAN NHÂN DÂN",
                    "BÍ THƯ" if party else "CHỦ TỊCH",
                    parent.plan_id,
                    self.directive_id,
                    node.depth - 1,
                    fold(f"{identifier} {number} Kế hoạch Plan {plan_title}"),
                    self.stamp,
                    self.stamp,
                )
            )
            # Provinces and commune party committees carry the first two targets down,
            # some with their own figures.
            if node.bloc == Bloc.PARTY_COMMITTEE and node.level in (Level.PROVINCE, Level.COMMUNE):
                for slot in range(2):
                    text, low, high, num, den = DIRECTIVE_TARGETS[slot]
                    if rng.random() < 0.3:
                        low, high = low - 5, high - 5
                    target_id = self.ids.take(Target)
                    parent_target = (
                        parent.plan_targets[slot] if len(parent.plan_targets) > slot else None
                    )
                    node.plan_targets.append(target_id)
                    self.target_root[target_id] = self.target_root.get(parent_target, target_id)
                    targets.append(
                        (
                            target_id,
                            node.plan_id,
                            text,
                            low,
                            high,
                            "%",
                            num,
                            den,
                            2030,
                            parent_target,
                            slot,
                        )
                    )
        self.sink.write(Document, doc_fields, rows)
        self.sink.write(
            Target,
            [
                "id",
                "document_id",
                "text",
                "low",
                "high",
                "unit",
                "numerator_label",
                "denominator_label",
                "horizon_year",
                "parent_id",
                "position",
            ],
            targets,
        )

    # tasks ----------------------------------------------------------------------------------

    def _deadline(self, issued: date) -> tuple[str, str, date | None, str, int | None, list[date]]:
        """(words, kind, first due date, rule, horizon year, due dates in the window)."""
        rng = self.rng
        end = self.today + timedelta(days=366)
        until = end
        roll = rng.random()
        if roll < 0.5:
            day = issued + timedelta(days=rng.randint(30, 720))
            quarter = (day.month - 1) // 3 + 1
            due = _quarter_end(day.year, quarter)
            return (
                f"Hoàn thành trong quý {ROMAN[quarter]}/{day.year}",
                "once",
                due,
                "",
                None,
                [due],
            )
        if roll < 0.72:
            dates = [
                date(y, 12, 9)
                for y in range(issued.year, until.year + 1)
                if issued <= date(y, 12, 9) <= until
            ]
            return (
                "Định kỳ trước ngày 10/12 hằng năm",
                "recurring",
                dates[0] if dates else None,
                "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=9",
                None,
                dates,
            )
        if roll < 0.77:
            dates = [
                _quarter_end(y, q)
                for y in range(issued.year, until.year + 1)
                for q in range(1, 5)
                if issued <= _quarter_end(y, q) <= until
            ]
            return (
                "Báo cáo hằng quý",
                "recurring",
                dates[0] if dates else None,
                "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1",
                None,
                dates,
            )
        if roll < 0.92:
            dates = [
                date(y, 12, 14)
                for y in range(issued.year, until.year + 1)
                if issued <= date(y, 12, 14) <= until
            ]
            return ("Thường xuyên", "continuous", None, "", None, dates)
        if roll < 0.96:
            return ("Đến năm 2030", "horizon", date(2030, 12, 31), "", 2030, [date(2030, 12, 31)])
        return ("Khi có yêu cầu", "on_demand", None, "", None, [])

    def _status(
        self, node: Node, due: date, fulfilled: date | None = None
    ) -> tuple[str, date | None]:
        """Where one occurrence stands today, from its unit's diligence."""
        rng = self.rng
        if fulfilled is not None:
            return "done", fulfilled
        if due < self.today:
            if rng.random() < node.diligence:
                late = rng.random() < 0.25
                done = due + timedelta(days=rng.randint(1, 60) if late else -rng.randint(0, 40))
                return "done", min(done, self.today)
            return ("in_progress" if rng.random() < 0.4 else "not_started"), None
        return ("in_progress" if rng.random() < 0.2 else "not_started"), None

    def write_tasks(self, nodes: Iterable[Node]) -> None:
        rng = self.rng
        tasks, assignments, occurrences = [], [], []
        for node in nodes:
            if node.plan_id is None:
                continue
            expected = node.children
            count = rng.randint(10, 20)
            for position in range(count):
                task_id = self.ids.take(Task)
                requires_plan = position == 0 and bool(expected)
                if requires_plan:
                    words, kind, rule, horizon = (
                        "Trong vòng 30 ngày kể từ ngày ban hành",
                        "once",
                        "",
                        None,
                    )
                    first_due = node.plan_issued + timedelta(days=30)
                    text = "Các đơn vị trực thuộc xây dựng kế hoạch thực hiện"
                    leads = [(c, [first_due]) for c in expected]
                else:
                    words, kind, first_due, rule, horizon, dates = self._deadline(node.plan_issued)
                    if node.active_until:
                        dates = [d for d in dates if d <= node.active_until]
                    text = TASK_TEXTS[rng.randrange(len(TASK_TEXTS))]
                    lead = (
                        node
                        if (not node.children or rng.random() < 0.5)
                        else rng.choice(node.children)
                    )
                    leads = [(lead, dates)]
                task_states = []
                for lead, dates in leads:
                    assignment_id = self.ids.take(Assignment)
                    states = []
                    for due in dates:
                        if requires_plan and lead.plan_issued is None:
                            # A plan asked for and never issued: not done, whatever else.
                            status, completed = "not_started", None
                        else:
                            fulfilled = lead.plan_issued if requires_plan else None
                            status, completed = self._status(lead, due, fulfilled)
                        states.append((status, completed))
                        occurrences.append(
                            (
                                self.ids.take(Occurrence),
                                assignment_id,
                                task_id,
                                lead.id,
                                due,
                                status,
                                completed,
                            )
                        )
                    if states and all(s == "done" for s, _ in states):
                        a_status, a_done = "done", max(c for _, c in states)
                    elif any(s != "not_started" for s, _ in states):
                        a_status, a_done = "in_progress", None
                    else:
                        a_status, a_done = "not_started", None
                    assignments.append(
                        (
                            assignment_id,
                            task_id,
                            lead.id,
                            "lead",
                            a_status,
                            a_done,
                            lead.plan_id if requires_plan else None,
                        )
                    )
                    task_states.append((a_status, a_done))
                    counts = self.task_counts.setdefault(lead.id, [0, 0, 0])
                    counts[("done", "in_progress", "not_started").index(a_status)] += 1
                if not requires_plan and node.children and rng.random() < 0.3:
                    support = rng.choice(node.children)
                    if all(support is not lead for lead, _d in leads):
                        assignments.append(
                            (
                                self.ids.take(Assignment),
                                task_id,
                                support.id,
                                "support",
                                "not_started",
                                None,
                                None,
                            )
                        )
                if task_states and all(s == "done" for s, _ in task_states):
                    t_status, t_done = "done", max(d for _, d in task_states)
                elif any(s != "not_started" for s, _ in task_states):
                    t_status, t_done = "in_progress", None
                else:
                    t_status, t_done = "not_started", None
                tasks.append(
                    (
                        task_id,
                        node.plan_id,
                        "II",
                        position + 1,
                        text,
                        "Các đơn vị trực thuộc" if requires_plan else leads[0][0].name[:500],
                        words,
                        kind,
                        first_due,
                        rule,
                        kind == "on_demand",
                        horizon,
                        requires_plan,
                        t_status,
                        t_done,
                        self.stamp,
                        self.stamp,
                    )
                )
        self.sink.write(
            Task,
            [
                "id",
                "document_id",
                "section",
                "position",
                "text",
                "lead_text",
                "deadline_text",
                "deadline_kind",
                "due_on",
                "deadline_rrule",
                "deadline_on_demand",
                "horizon_year",
                "requires_plan",
                "status",
                "completed_on",
                "created_at",
                "updated_at",
            ],
            tasks,
        )
        self.sink.write(
            Assignment,
            ["id", "task_id", "unit_id", "role", "status", "completed_on", "fulfilled_by_id"],
            assignments,
        )
        self.sink.write(
            Occurrence,
            ["id", "assignment_id", "task_id", "unit_id", "due_on", "status", "completed_on"],
            occurrences,
        )

    # reports --------------------------------------------------------------------------------

    def write_requirements(self) -> None:
        rows = []
        for node in self.nodes:
            if node.plan_id is None or not any(c.plan_id for c in node.children):
                continue
            node.requirement_id = self.ids.take(ReportRequirement)
            rows.append(
                (
                    node.requirement_id,
                    node.plan_id,
                    "Báo cáo kết quả hằng năm",
                    node.id,
                    "carry_out",
                    "annual",
                    node.plan_issued,
                    self.stamp,
                    self.stamp,
                )
            )
        root = self.nodes[0]
        self.sink.write(
            ReportRequirement,
            [
                "id",
                "document_id",
                "title",
                "receiver_id",
                "reporters_mode",
                "frequency",
                "starts_on",
                "created_at",
                "updated_at",
            ],
            rows,
        )
        self.root_requirement = root.requirement_id

    def write_reports(self, nodes: Sequence[Node], *, national: bool = False) -> None:
        """Each unit's annual reports to the unit above for the years past, bottom-up, so
        that a consolidating report holds the sums of the accepted reports below it."""
        rng = self.rng
        requests, measurements = [], []
        # (unit id, year) -> (state, {slot: (numerator, denominator)}, task counts) of
        # accepted reports, for the unit above to sum.
        for year in self.report_years:
            figures: dict[int, tuple[dict[int, tuple[int, int]], list[int]]] = {}
            ends = date(year, 12, 14)
            for node in sorted(nodes, key=lambda n: -n.depth):
                parent = node.parent if not national else node
                if node.plan_id is None or parent is None or parent.requirement_id is None:
                    continue
                if node.plan_issued > ends or (node.active_until and node.active_until < ends):
                    continue
                last = year == self.report_years[-1]
                roll = rng.random() * (0.85 + 0.15 * node.diligence)
                if national:
                    state = "draft" if last else "accepted"
                elif roll < (0.12 if last else 0.03):
                    state = "not_started"
                elif roll < (0.2 if last else 0.05):
                    state = "draft"
                elif roll < (0.3 if last else 0.07):
                    state = "submitted"
                else:
                    state = "accepted"
                below = [figures[c.id] for c in node.children if c.id in figures]
                if national:
                    below = [
                        figures_national for figures_national in self.province_figures.get(year, [])
                    ]
                own_tasks = self.task_counts.get(node.id, [0, 0, 0])
                rolled_tasks = [sum(b[1][i] for b in below) for i in range(3)]
                slots = len(parent.plan_targets)
                values: dict[int, tuple[int, int]] = {}
                rolled: dict[int, tuple[int, int]] = {}
                for slot in range(slots):
                    sums = [b[0][slot] for b in below if slot in b[0]]
                    if sums:
                        rolled[slot] = (sum(s[0] for s in sums), sum(s[1] for s in sums))
                        values[slot] = rolled[slot]
                    else:
                        denominator = rng.randint(150, 2500)
                        share = min(0.95, max(0.05, rng.gauss(0.42, 0.12)))
                        if slot >= 2:
                            values[slot] = (rng.randint(0, 3), 0)
                        else:
                            values[slot] = (round(denominator * share), denominator)
                request_id = self.ids.take(ReportRequest)
                lead = sum(
                    DEFAULT_LEVEL_LEAD_DAYS.get(LEVEL_ORDER[r].value, 0)
                    for r in range(
                        LEVEL_ORDER.index(parent.level) + 2,
                        min(LEVEL_ORDER.index(node.level), 4) + 1,
                    )
                )
                due = ends + timedelta(days=5 - lead)
                reported = state in ("submitted", "accepted")
                at = datetime(year, 12, 1, 8, tzinfo=UTC) + timedelta(days=rng.randint(0, 30))
                requests.append(
                    (
                        request_id,
                        parent.requirement_id,
                        node.id,
                        parent.id,
                        self.directive_id,
                        "annual",
                        str(year),
                        date(year - 1, 12, 15),
                        ends,
                        due,
                        state,
                        "Kết quả thực hiện trong năm" if state != "not_started" else "",
                        *own_tasks,
                        *(rolled_tasks if below else [0, 0, 0]),
                        len([c for c in node.children if c.plan_id]),
                        len(below),
                        at if below else None,
                        at if reported else None,
                        at if state == "accepted" else None,
                        self.stamp,
                        self.stamp,
                    )
                )
                if state != "not_started":
                    for slot in range(slots):
                        numerator, denominator = values[slot]
                        target = parent.plan_targets[slot]
                        r_num, r_den = rolled.get(slot, (None, None))
                        measurements.append(
                            (
                                self.ids.take(ReportMeasurement),
                                request_id,
                                target,
                                self.target_root[target],
                                numerator,
                                denominator or None,
                                r_num,
                                r_den or None,
                                len(below) if slot in rolled else 0,
                                slot,
                            )
                        )
                if state == "accepted":
                    figures[node.id] = (values, [own_tasks[i] + rolled_tasks[i] for i in range(3)])
                    if node.parent is self.nodes[0] and not national:
                        self.province_figures.setdefault(year, []).append(figures[node.id])
        self.sink.write(
            ReportRequest,
            [
                "id",
                "requirement_id",
                "unit_id",
                "receiver_id",
                "cascade_root_id",
                "frequency",
                "period_key",
                "period_starts_on",
                "period_ends_on",
                "due_on",
                "state",
                "results",
                "tasks_done",
                "tasks_in_progress",
                "tasks_not_started",
                "rolled_tasks_done",
                "rolled_tasks_in_progress",
                "rolled_tasks_not_started",
                "subordinates_expected",
                "subordinates_accepted",
                "rolled_up_at",
                "submitted_at",
                "accepted_at",
                "created_at",
                "updated_at",
            ],
            requests,
        )
        self.sink.write(
            ReportMeasurement,
            [
                "id",
                "report_id",
                "target_id",
                "root_target_id",
                "numerator",
                "denominator",
                "rolled_numerator",
                "rolled_denominator",
                "rolled_reports",
                "position",
            ],
            measurements,
        )

    # the whole run --------------------------------------------------------------------------

    def run(self) -> Summary:
        import time

        seconds: dict[str, float] = {}
        started = time.perf_counter()
        root = self.build_units()
        self.write_units()
        self.write_people()
        seconds["units"] = time.perf_counter() - started
        started = time.perf_counter()
        self.write_plans()
        self.write_requirements()
        seconds["plans"] = time.perf_counter() - started
        started = time.perf_counter()
        self.province_figures: dict[int, list] = {}
        # The top of the tree, then one province (top-level branch) at a time: a bounded
        # number of rows in memory whatever the scale.
        branches: dict[str, list[Node]] = {}
        for node in self.nodes[1:]:
            branches.setdefault(node.path[: 2 * STEP], []).append(node)
        self.write_tasks([root])
        for path in sorted(branches):
            self.write_tasks(branches[path])
        seconds["tasks"] = time.perf_counter() - started
        started = time.perf_counter()
        for path in sorted(branches):
            self.write_reports(branches[path])
        self.write_reports([root], national=True)
        seconds["reports"] = time.perf_counter() - started
        self.sink.finish()
        return Summary(counts=self.sink.counts, digest=self.sink.hash.hexdigest(), seconds=seconds)


def _quarter_end(year: int, quarter: int) -> date:
    month = quarter * 3
    following = date(year + (month == 12), month % 12 + 1, 1)
    return following - timedelta(days=1)


def generate(
    *,
    seed: int,
    shape: str = "2025",
    scale: float = 1.0,
    years: int = 3,
    today: date,
    dry_run: bool = False,
) -> Summary:
    """Generate the national cascade into the default database (or, with ``dry_run``, only
    compute its digest). The database must hold no units yet. Roll-up tables are rebuilt
    afterwards by the caller (``national.services``)."""
    if dry_run:
        sink: Sink = DigestSink()
    elif connection.vendor == "postgresql":
        sink = CopySink(datetime(today.year - years, 5, 4, 8, tzinfo=UTC))
    else:
        sink = BulkSink()
    nation = Nation(seed=seed, shape=shape, scale=scale, years=years, today=today, sink=sink)
    return nation.run()
