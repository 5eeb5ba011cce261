"""Reads of documents: the cascade tree, a document with everything on its page, search."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from cascade.text import search_tokens
from plans.models import Document, Target
from tasks.models import Assignment, Task, TaskStatus
from tasks.selectors import with_next_due
from units.models import Unit

User = AbstractBaseUser | AnonymousUser


def documents_with_task_counts(qs: QuerySet[Document]) -> QuerySet[Document]:
    """Annotate each document with its task counts by status, in the same query."""
    return qs.annotate(
        task_total=Count("tasks", distinct=True),
        task_done=Count("tasks", filter=Q(tasks__status=TaskStatus.DONE), distinct=True),
        task_in_progress=Count(
            "tasks", filter=Q(tasks__status=TaskStatus.IN_PROGRESS), distinct=True
        ),
    )


def attach_task_counts(documents: list[Document]) -> None:
    """Set the task counts ``documents_with_task_counts`` would annotate on documents already
    read, in one query over their tasks alone: a page of a large cascade is read first and
    counted after, so the tasks of the documents not shown are never counted."""
    counts = {
        row["document_id"]: row
        for row in Task.objects.filter(document_id__in=[d.pk for d in documents])
        .order_by()
        .values("document_id")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=TaskStatus.DONE)),
            in_progress=Count("pk", filter=Q(status=TaskStatus.IN_PROGRESS)),
        )
    }
    for document in documents:
        row = dict(counts.get(document.pk, {}))
        # The same names ``documents_with_task_counts`` annotates in SQL.
        for name, key in (
            ("task_total", "total"),
            ("task_done", "done"),
            ("task_in_progress", "in_progress"),
        ):
            setattr(document, name, row.get(key, 0))


# A cascade up to this many documents is shown whole; a larger one (a national directive has
# tens of thousands of implementing plans) one level at a time, each level in pages, the rest
# loaded when a person opens a node.
CASCADE_WHOLE_LIMIT = 200
CASCADE_PAGE = 50


@dataclass
class CascadeNode:
    """A document in the cascade tree with the documents that implement it.

    ``children`` holds what is shown; ``child_count`` how many documents implement it (known
    when the tree is shown level by level, so that a node can offer to open); ``more_from``
    the offset of the next page of children when there are more than a page."""

    document: Document
    children: list[CascadeNode] = field(default_factory=list)
    child_count: int = 0
    more_from: int | None = None

    @property
    def subtree_size(self) -> int:
        return 1 + sum(child.subtree_size for child in self.children)

    @property
    def can_open(self) -> bool:
        """Implemented by documents not loaded yet: offered to open on demand."""
        return self.child_count > 0 and not self.children


def cascade_tree(*, user: User, document: Document) -> CascadeNode:
    """The cascade below ``document`` as far as ``user`` may see, in a fixed number of queries
    whatever its size. A small cascade is read at once and linked in memory; a large one
    gives the document and the first page of the documents implementing it, each with how
    many implement it in turn (``cascade_children`` reads the rest on demand)."""
    root_id = document.root_id or document.pk
    whole = Document.objects.filter(Q(root_id=root_id) | Q(pk=root_id))
    # The size of the whole cascade decides, not the part the user sees: telling whether
    # each of fifty thousand documents is visible costs more than the page (a commune sees
    # three of them). Counting stops past the limit, by the cascade index alone.
    if whole.order_by()[: CASCADE_WHOLE_LIMIT + 1].count() > CASCADE_WHOLE_LIMIT:
        node = CascadeNode(
            documents_with_task_counts(
                Document.objects.filter(pk=document.pk).select_related("issuer")
            ).get()
        )
        node.children, node.more_from = cascade_children(user=user, document=document)
        node.child_count = len(node.children)
        return node
    members = documents_with_task_counts(
        Document.objects.visible_to(user)
        .filter(Q(root_id=root_id) | Q(pk=root_id))
        .select_related("issuer")
        .order_by("depth", "issued_on", "identifier")
    )
    by_parent: dict[int | None, list[Document]] = {}
    nodes: dict[int, CascadeNode] = {}
    for member in members:
        nodes[member.pk] = CascadeNode(member)
        by_parent.setdefault(member.implements_id, []).append(member)
    for parent_id, children in by_parent.items():
        if parent_id in nodes:
            nodes[parent_id].children = [nodes[child.pk] for child in children]
            nodes[parent_id].child_count = len(children)
    return nodes.get(document.pk) or CascadeNode(document)


def cascade_children(
    *, user: User, document: Document, offset: int = 0, page: int = CASCADE_PAGE
) -> tuple[list[CascadeNode], int | None]:
    """One page of the documents implementing ``document`` that ``user`` may see, each with
    its task counts and how many visible documents implement it, and the offset of the next
    page (None when this is the last). Two queries, whatever the size of the cascade: the
    page, then the task counts of its documents alone."""
    visible = Document.objects.visible_to(user)
    below = (
        visible.filter(implements_id=OuterRef("pk"))
        .order_by()
        .values("implements_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = list(
        visible.filter(implements_id=document.pk)
        .select_related("issuer")
        .annotate(below=Coalesce(Subquery(below, output_field=IntegerField()), 0))
        .order_by("issued_on", "identifier", "pk")[offset : offset + page + 1]
    )
    attach_task_counts(rows[:page])
    nodes = [CascadeNode(row, child_count=row.below) for row in rows[:page]]
    return nodes, (offset + page if len(rows) > page else None)


def document_for_page(*, user: User, pk: int) -> Document:
    """A document with everything its page shows, prefetched (a fixed number of queries)."""
    assignments = Assignment.objects.select_related("unit", "fulfilled_by").order_by(
        "-role", "unit__path"
    )
    document = (
        Document.objects.visible_to(user)
        .select_related("issuer", "implements", "implements__issuer", "root")
        .prefetch_related(
            Prefetch(
                "tasks",
                queryset=with_next_due(Task.objects.order_by("position", "pk")).prefetch_related(
                    Prefetch("assignments", queryset=assignments)
                ),
            ),
            Prefetch(
                "targets",
                queryset=Target.objects.select_related("parent", "parent__document"),
            ),
            "recipients__unit",
            "parts",
            Prefetch(
                "implementations",
                queryset=Document.objects.visible_to(user).select_related("issuer"),
            ),
            Prefetch("cites", queryset=Document.objects.order_by("identifier")),
            "tasks__groups",
        )
        .get(pk=pk)
    )
    for task in document.tasks.all():
        summarise_assignees(task)
    return document


@dataclass
class AssigneeLine:
    """One entry of a task's lead or coordinating column: a unit, or a group and its size."""

    label: str
    unit: Unit | None = None
    count: int = 0
    fulfilled_by: Document | None = None


def summarise_assignees(task: Task) -> None:
    """Attach ``lead_lines`` and ``support_lines`` to a prefetched task: single units by name,
    groups by their words and how many units they stand for, so a column stays readable."""
    groups = {group.pk: group for group in task.groups.all()}
    lines: dict[str, list[AssigneeLine]] = {"lead": [], "support": []}
    group_lines: dict[int, AssigneeLine] = {}
    for assignment in task.assignments.all():
        if assignment.group_id and assignment.group_id in groups:
            line = group_lines.get(assignment.group_id)
            if line is None:
                line = AssigneeLine(label=groups[assignment.group_id].label)
                group_lines[assignment.group_id] = line
                lines[assignment.role].append(line)
            line.count += 1
        else:
            lines[assignment.role].append(
                AssigneeLine(
                    label=assignment.unit.name,
                    unit=assignment.unit,
                    fulfilled_by=assignment.fulfilled_by,
                )
            )
    task.lead_lines = lines["lead"]
    task.support_lines = lines["support"]


def search(*, user: User, query: str, limit: int = 30) -> tuple[list[Document], list[Unit]]:
    """Documents by identifier or title and units by name, ignoring diacritics and case:
    "ke hoach 470" finds 470/KH-LĐLĐ."""
    tokens = search_tokens(query)
    if not tokens:
        return [], []
    document_match = Q()
    unit_match = Q()
    for token in tokens:
        document_match &= Q(search_text__contains=token)
        unit_match &= Q(search_text__contains=token)
    documents = list(
        Document.objects.visible_to(user)
        .filter(document_match)
        .select_related("issuer")
        .order_by("-issued_on", "identifier")[:limit]
    )
    units = list(Unit.objects.visible_to(user).filter(unit_match).order_by("path")[:limit])
    return documents, units


def directives_for(*, user: User) -> QuerySet[Document]:
    """The tops of the cascades the user can see (documents that implement nothing and are
    implemented by something, or that the user's units issued).

    "Implemented by something" is asked with EXISTS, not a join: a national directive has
    tens of thousands of documents below it, and joining them before counting its own tasks
    multiplied the rows counted by that many."""
    below = Document.objects.filter(Q(implements_id=OuterRef("pk")) | Q(root_id=OuterRef("pk")))
    return documents_with_task_counts(
        Document.objects.visible_to(user)
        .filter(implements__isnull=True)
        .filter(Exists(below))
        .select_related("issuer")
        .order_by("-issued_on")
    )


def cascade_ancestors(*, user: User, document: Document) -> list[Document]:
    """The documents above ``document`` in its cascade, top first, as far as ``user`` may see.
    One query: the chain is bounded by the cascade's depth and read by primary keys."""
    if document.implements_id is None:
        return []
    chain = (
        Document.objects.visible_to(user)
        .filter(root_id=document.root_id, depth__lt=document.depth)
        .select_related("issuer")
        .only(
            "pk", "implements_id", "identifier", "doc_type", "issuer__name", "issuer_name", "depth"
        )
    )
    by_pk = {d.pk: d for d in chain}
    root = document.root_id
    if root not in by_pk:
        root_doc = (
            Document.objects.visible_to(user).filter(pk=root).select_related("issuer").first()
        )
        if root_doc is not None:
            by_pk[root] = root_doc
    found: list[Document] = []
    cursor = by_pk.get(document.implements_id)
    while cursor is not None:
        found.append(cursor)
        cursor = by_pk.get(cursor.implements_id) if cursor.implements_id else None
    return list(reversed(found))
