"""Documents of the cascade (directives, plans, guides…), what they cite and implement, their
recipients and their targets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from units.models import WRITING_ROLES, Unit, ancestor_paths, memberships_of, scope_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class DocType(models.TextChoices):
    RESOLUTION = "NQ", _("Resolution")
    DIRECTIVE = "CT", _("Directive")
    CONCLUSION = "KL", _("Conclusion")
    DECISION = "QĐ", _("Decision")
    REGULATION = "QĐi", _("Regulation")
    RULES = "QC", _("Rules")
    GUIDE = "HD", _("Guide")
    PLAN = "KH", _("Plan")
    PROGRAMME = "CTr", _("Programme")
    ACTION_PROGRAMME = "CTHĐ", _("Action programme")
    NOTICE = "TB", _("Notice")
    REPORT = "BC", _("Report")
    SUBMISSION = "TTr", _("Submission")
    CIRCULAR = "TT", _("Circular")
    DECREE = "NĐ", _("Decree")
    LAW = "Luật", _("Law")
    LETTER = "CV", _("Official letter")
    SCHEME = "ĐA", _("Scheme")


class IdentifierStyle(models.TextChoices):
    PARTY = "party", _("Party (21-CT/TW)")
    STATE = "state", _("State (470/KH-LĐLĐ)")
    LEGAL = "legal", _("Legal document (15/2019/NĐ-CP)")


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    REFERENCE = "reference", _("Known by reference only")


class RecipientPurpose(models.TextChoices):
    REPORT_TO = "report_to", _("To report to (b/c)")
    CARRY_OUT = "carry_out", _("To carry out (t/h)")
    INFORMATION = "information", _("For information")
    ARCHIVE = "archive", _("Archive")
    UNSPECIFIED = "unspecified", _("Not marked")


class OutlineSource(models.TextChoices):
    """Where a document's outline came from: read from its own text, or (for plans kept
    before the outline existed, with no text kept) laid out from their tasks."""

    NONE = "", _("No outline yet")
    TEXT = "text", _("Read from the document's text")
    TASKS = "tasks", _("Rebuilt from the tasks (no text was kept)")
    ENTERED = "entered", _("Entered in Cascade")


class PartKind(models.TextChoices):
    HEADING = "heading", _("Heading")
    TEXT = "text", _("Paragraph")


class DocumentQuerySet(models.QuerySet):
    """Documents, with the scoping rule every page, job and endpoint uses."""

    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> DocumentQuerySet:
        """Documents the user may read.

        A member reads what their units issued (leaders: their whole subtree), what the chain
        of command above them issued, what is addressed to their units or assigns them work,
        and documents known only by reference (an identifier and a title, nothing internal).
        """
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        memberships = memberships_of(user)
        if not memberships:
            return self.none()
        own_units = [m.unit_id for m in memberships]
        above = {path for m in memberships for path in ancestor_paths(m.unit.path)}
        return self.filter(
            scope_q(user, roles=None, prefix="issuer__")
            | Q(issuer__path__in=above)
            | Q(status=DocumentStatus.REFERENCE)
            | Q(pk__in=DocumentRecipient.objects.filter(unit__in=own_units).values("document"))
            | Q(
                pk__in=_assignment_model()
                .objects.filter(unit__in=own_units)
                .values("task__document")
            )
        ).filter(confidential_q(user))

    def editable_by(self, user: AbstractBaseUser | AnonymousUser) -> DocumentQuerySet:
        """Documents the user may change: those issued by a unit where they are staff or
        administrator (administrators: also the units below)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            scope_q(user, roles=WRITING_ROLES, prefix="issuer__"),
            confidential_q(user),
        )


def confidential_q(user: AbstractBaseUser | AnonymousUser, *, prefix: str = "") -> Q:
    """The condition "this document (reached through ``prefix``) is not confidential, or the
    user is inside its circle".

    A confidential ("mật") document is seen only by the members of its issuing unit and of
    the units it names (its recipients and the units given its tasks): not by the leaders
    above, not in their dashboards, exports or e-mails. Every scoping method that reaches
    documents applies this, so the rule is written once.
    """
    if getattr(user, "is_superuser", False):
        return Q()
    open_ = Q(**{f"{prefix}confidential": False})
    if not user.is_authenticated:
        return open_
    own_units = [m.unit_id for m in memberships_of(user)]
    if not own_units:
        return open_
    return (
        open_
        | Q(**{f"{prefix}issuer__in": own_units})
        | Q(
            **{
                f"{prefix}pk__in": DocumentRecipient.objects.filter(unit__in=own_units).values(
                    "document"
                )
            }
        )
        | Q(
            **{
                f"{prefix}pk__in": _assignment_model()
                .objects.filter(unit__in=own_units)
                .values("task__document")
            }
        )
    )


def confidential_circles() -> dict[int, set[int]]:
    """For every confidential document, the units inside its circle (issuer, recipients,
    units given its tasks): for jobs that address units directly (reminder escalations)."""
    circles: dict[int, set[int]] = {}
    confidential = Document.objects.filter(confidential=True)
    for pk, issuer_id in confidential.values_list("pk", "issuer_id"):
        circles[pk] = {issuer_id} if issuer_id else set()
    if not circles:
        return circles
    recipients = DocumentRecipient.objects.filter(document__in=confidential, unit__isnull=False)
    for pk, unit_id in recipients.values_list("document_id", "unit_id"):
        circles[pk].add(unit_id)
    assigned = _assignment_model().objects.filter(task__document__in=confidential)
    for pk, unit_id in assigned.values_list("task__document_id", "unit_id"):
        circles[pk].add(unit_id)
    return circles


def _assignment_model() -> type[models.Model]:
    from tasks.models import Assignment

    return Assignment


class Document(models.Model):
    """A directive, plan, guide, programme, resolution… of one issuing unit.

    ``implements`` is the cascade edge (this plan carries out that document); ``root`` and
    ``depth`` are kept by the services so a whole cascade is read in one query. A document
    known only because another cites it has status "reference" and no text until its own text
    is entered or imported.
    """

    doc_type = models.CharField(_("type"), max_length=10, choices=DocType.choices)
    style = models.CharField(_("identifier style"), max_length=10, choices=IdentifierStyle.choices)
    number = models.CharField(_("number"), max_length=20, blank=True)
    issuer = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="documents",
        null=True,
        blank=True,
        verbose_name=_("issuing unit"),
    )
    issuer_code = models.CharField(_("issuer code"), max_length=40)
    issuer_name = models.CharField(
        _("issuer as written"),
        max_length=255,
        blank=True,
        help_text=_("Kept for documents whose issuer is not a unit of the system."),
    )
    identifier = models.CharField(_("identifier"), max_length=80, editable=False)
    numbering_period = models.CharField(
        _("numbering period"),
        max_length=9,
        blank=True,
        help_text=_("The year (state) or the term, e.g. 2020-2025 (party)."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.ISSUED
    )
    confidential = models.BooleanField(
        _("confidential (mật)"),
        default=False,
        help_text=_(
            "Seen only by the issuing unit and the units the document names (recipients, "
            "units given its tasks); left out of exports, e-mails and figures elsewhere."
        ),
    )
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    issued_year = models.PositiveSmallIntegerField(
        _("year written on an undated copy"),
        null=True,
        blank=True,
        help_text=_('"ngày … tháng … năm 2026": the day is left for the signer, the year is not.'),
    )
    outline_source = models.CharField(
        _("outline from"), max_length=10, choices=OutlineSource.choices, blank=True, default=""
    )
    place = models.CharField(_("place"), max_length=100, blank=True)
    title = models.TextField(_("title"))
    body = models.TextField(_("text"), blank=True)
    original_file = models.FileField(
        _("original file"), upload_to="documents/%Y/", blank=True, max_length=255
    )
    signer_capacity = models.CharField(_("signing capacity"), max_length=100, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=100, blank=True)
    signer_name = models.CharField(_("signer's name"), max_length=100, blank=True)
    implements = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="implementations",
        verbose_name=_("implements"),
    )
    root = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cascade_members",
        editable=False,
    )
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    cites = models.ManyToManyField(
        "self", symmetrical=False, related_name="cited_by", blank=True, verbose_name=_("cites")
    )
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-issued_on", "identifier"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "doc_type", "number", "numbering_period"],
                condition=Q(issuer__isnull=False) & ~Q(number=""),
                name="document_unique_number_per_issuer",
            ),
            models.UniqueConstraint(
                fields=["issuer_code", "doc_type", "number", "numbering_period"],
                condition=Q(issuer__isnull=True) & ~Q(number=""),
                name="document_unique_number_per_issuer_code",
            ),
        ]
        indexes = [
            models.Index(fields=["root", "depth"], name="document_cascade"),
            models.Index(fields=["identifier"], name="document_identifier"),
            # Whether a cascade holds a confidential plan is asked at every dashboard view;
            # confidential plans are few, so this index answers it without reading the cascade.
            models.Index(
                fields=["root"], condition=Q(confidential=True), name="document_confidential"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} {self.identifier}"

    @property
    def is_reference(self) -> bool:
        return self.status == DocumentStatus.REFERENCE

    @property
    def is_draft(self) -> bool:
        return self.status == DocumentStatus.DRAFT

    @property
    def issuer_label(self) -> str:
        return self.issuer.name if self.issuer_id else self.issuer_name


class Part(models.Model):
    """One part of a document's outline, in order: a basis paragraph, a heading at any level
    (I., 1., 1.1., a)), a paragraph or bullet (-, +), a closing line ("Trên đây là …").

    A part that is a task is pointed at by that task (``Task.part``); its words are the task's
    own (``Task.text``), so editing the task edits the document and ``text`` stays empty. A
    paragraph split into several duties is one part per duty, the later ones ``joins``: they
    print on in the same paragraph after "; ".
    """

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="parts")
    position = models.PositiveIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=10, choices=PartKind.choices)
    level = models.PositiveSmallIntegerField(
        _("heading level"), default=0, help_text=_("1 for I., 2 for 1., 3 for 1.1., 4 for a).")
    )
    marker = models.CharField(_("marker as written"), max_length=20, blank=True)
    text = models.TextField(_("words"), blank=True)
    joins = models.BooleanField(_("continues the paragraph above"), default=False)

    class Meta:
        verbose_name = _("part of the text")
        verbose_name_plural = _("parts of the text")
        ordering = ["document", "position"]
        constraints = [
            models.UniqueConstraint(fields=["document", "position"], name="part_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.marker} {self.text[:60]}".strip()


class DocumentRecipient(models.Model):
    """One line of "Nơi nhận": who receives the document and why (b/c, t/h, để biết, lưu)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="recipients")
    name = models.CharField(_("name as written"), max_length=255)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="received_documents",
        verbose_name=_("unit"),
    )
    purpose = models.CharField(
        _("purpose"),
        max_length=20,
        choices=RecipientPurpose.choices,
        default=RecipientPurpose.UNSPECIFIED,
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class TargetQuerySet(models.QuerySet):
    """Targets, scoped through the document that sets them."""

    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> TargetQuerySet:
        return self.filter(document__in=Document.objects.visible_to(user))


class Target(models.Model):
    """A quantified target (chỉ tiêu), e.g. "45–50% of secondary students into vocational
    education by 2030".

    A percentage is measured as numerator ÷ denominator so that it rolls up by summing both,
    never by averaging percentages. ``parent`` is the target of the implemented document that
    this one carries down, shown side by side.
    """

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="targets")
    text = models.TextField(_("statement"))
    low = models.DecimalField(_("low"), max_digits=12, decimal_places=2, null=True, blank=True)
    high = models.DecimalField(_("high"), max_digits=12, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unit of measure"), max_length=50, blank=True, default="%")
    numerator_label = models.CharField(_("numerator"), max_length=255, blank=True)
    denominator_label = models.CharField(_("denominator"), max_length=255, blank=True)
    horizon_year = models.PositiveSmallIntegerField(_("horizon year"), null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("implements target"),
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def is_percentage(self) -> bool:
        return self.unit.strip() == "%"
