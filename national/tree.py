"""The organisation tree of the synthetic nation and its people (a part of ``Nation``)."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from cascade.text import fold
from demo.loader import DEMO_PASSWORD  # the same logins' password as the demo
from national.shapes import ARRANGEMENT, CITIES, COUNTS, PROVINCES_2025, Node, step
from units.models import Bloc, Level, Membership, Unit


class TreeBuilder:
    """Builds the units, their materialized paths and memberships."""

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
