"""The plans, tasks, assignments and occurrences of the synthetic nation (a part of
``Nation``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

from cascade.text import fold
from national.shapes import DIRECTIVE_TARGETS, ROMAN, TASK_TEXTS, Node
from plans.models import Document, Target
from tasks.deadlines import Schedule, parse_deadline, reporting_dates
from tasks.models import Assignment, Occurrence, Task
from units.models import Bloc, Level


@lru_cache(maxsize=1024)
def _read(words: str) -> Schedule:
    # The words the generator writes carry their year or none is needed, so one reading per
    # wording serves every plan.
    return parse_deadline(words)


class WorkWriter:
    """Writes every unit's implementing plan and its tasks with their occurrences."""

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
        """(words, kind, first due date, rule, horizon year, due dates in the window): words
        a plan would write, and what the deadline reader makes of them, as an import would."""
        rng = self.rng
        until = self.today + timedelta(days=366)
        roll = rng.random()
        if roll < 0.5:
            day = issued + timedelta(days=rng.randint(30, 720))
            quarter = (day.month - 1) // 3 + 1
            words = f"Hoàn thành trong quý {ROMAN[quarter]}/{day.year}"
        elif roll < 0.72:
            words = "Định kỳ trước ngày 10/12 hằng năm"
        elif roll < 0.77:
            words = "Báo cáo hằng quý"
        elif roll < 0.92:
            words = "Thường xuyên"
        elif roll < 0.96:
            words = "Đến năm 2030"
        else:
            words = "Khi có yêu cầu"
        schedule = _read(words)
        if schedule.kind in ("once", "horizon"):
            dates = [schedule.due] if schedule.due else []
        else:
            dates = reporting_dates(schedule, issued, until)
        first = schedule.due if schedule.kind in ("once", "horizon") else None
        if schedule.kind == "recurring":
            first = dates[0] if dates else None
        return (words, schedule.kind, first, schedule.rrule or "", schedule.horizon_year, dates)

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
