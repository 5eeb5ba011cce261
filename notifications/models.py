"""Reminders, escalations and assignment notices; the e-mail outbox; each person's choices
(digest or immediate, muted plans, calendar feed); reminder policies per unit or plan; and the
schedules of the periodic jobs, kept in the database so an administrator can change them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from plans.models import Document
from reports.models import ReportRequest
from tasks.models import Assignment, Occurrence, Task
from units.models import Unit


class NotificationKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    ESCALATION = "escalation", _("Overdue in a unit below")
    SUPPORT_DUE = "support_due", _("Due soon (coordinating)")
    SUPPORT_OVERDUE = "support_overdue", _("Overdue (coordinating)")
    ASSIGNED = "assigned", _("New assignment")


class MailStatus(models.TextChoices):
    PENDING = "pending", _("To be e-mailed")
    QUEUED = "queued", _("In the outbox")
    NONE = "none", _("Not e-mailed")


class Notification(models.Model):
    """One thing one person is told, in the application and (by their choice) by e-mail.

    Its natural key is (subject, kind, offset, recipient), enforced by the database: the
    subject is the occurrence that falls due, the report request whose report is owed or, for
    an assignment notice, the assignment (exactly one of them is set). The sweep
    inserts with "on conflict do nothing", so running it twice, or again after a worker was
    killed half-way, creates nothing twice and leaves nothing out.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    offset_days = models.SmallIntegerField(
        _("offset (days)"),
        db_default=0,
        default=0,
        help_text=_("Days before the due date, or days overdue for an escalation."),
    )
    occurrence = models.ForeignKey(
        Occurrence, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    report_request = models.ForeignKey(
        ReportRequest,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("report"),
    )
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="+", verbose_name=_("plan")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), db_default=Now())
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    mail_status = models.CharField(
        _("e-mail"),
        max_length=10,
        choices=MailStatus.choices,
        db_default=MailStatus.PENDING,
        default=MailStatus.PENDING,
    )
    email = models.ForeignKey(
        "OutboxEmail",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("e-mail"),
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["occurrence", "kind", "offset_days", "recipient"],
                condition=Q(occurrence__isnull=False),
                name="notification_once_per_occurrence",
            ),
            models.UniqueConstraint(
                fields=["assignment", "kind", "offset_days", "recipient"],
                condition=Q(assignment__isnull=False),
                name="notification_once_per_assignment",
            ),
            models.UniqueConstraint(
                fields=["report_request", "kind", "offset_days", "recipient"],
                condition=Q(report_request__isnull=False),
                name="notification_once_per_report_request",
            ),
            models.CheckConstraint(
                condition=Q(
                    occurrence__isnull=False,
                    assignment__isnull=True,
                    report_request__isnull=True,
                )
                | Q(
                    occurrence__isnull=True,
                    assignment__isnull=False,
                    report_request__isnull=True,
                )
                | Q(
                    occurrence__isnull=True,
                    assignment__isnull=True,
                    report_request__isnull=False,
                ),
                name="notification_one_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient"),
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            models.Index(
                fields=["recipient"],
                condition=Q(mail_status="pending"),
                name="notification_mail_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.recipient_id} — {self.due_on}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxKind(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediate")
    DIGEST = "digest", _("Daily digest")
    # Any other e-mail the site sends (a password reset, an invitation), handed over by the
    # default mailer (``notifications.mail.OutboxBackend``) with its text.
    MESSAGE = "message", _("Message")


class OutboxEmail(models.Model):
    """An e-mail waiting to be sent, or the record of one sent.

    Queueing an e-mail writes this row in the same transaction as what it tells about, so
    nothing is lost when Redis or the mail server is down: a separate job sends pending rows
    and, when the mail server is unreachable or answers "try later", keeps them pending and
    tries again later; a permanent refusal (a 5xx answer, a refused address) fails the row at
    once with the server's words.

    The sender claims a row before it talks to the mail server: the row is marked "being
    sent" (by whom, when) in a committed step of its own. A sender killed after the server
    took the message leaves the row "being sent"; after ``NOTIFICATIONS_OUTBOX_RESEND_AFTER``
    seconds it is sent again with the same ``Message-ID`` (kept on the row), so mail clients
    show it once.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    to_address = models.EmailField(_("to"), max_length=254)
    kind = models.CharField(_("kind"), max_length=10, choices=OutboxKind.choices)
    digest_on = models.DateField(_("digest of"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("text"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=OutboxStatus.choices,
        default=OutboxStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued at"), db_default=Now())
    next_attempt_at = models.DateTimeField(_("next attempt"), db_default=Now())
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    claimed_by = models.CharField(_("being sent by"), max_length=200, blank=True)
    claimed_at = models.DateTimeField(_("sending since"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "digest_on"],
                condition=Q(digest_on__isnull=False),
                name="outbox_one_digest_per_day",
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="outbox_pending",
            ),
            models.Index(
                fields=["claimed_at"],
                condition=Q(status="sending"),
                name="outbox_sending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.to_address}: {self.subject or self.get_kind_display()}"


class EmailMode(models.TextChoices):
    DIGEST = "digest", _("One daily digest")
    IMMEDIATE = "immediate", _("Each notification at once")
    NONE = "none", _("No e-mail (in the application only)")


class NotificationPreference(models.Model):
    """A person's choices: how they are e-mailed and the secret of their calendar feed. A
    person without a row has the defaults (a daily digest, no feed until they open their
    preferences)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    email_mode = models.CharField(
        _("e-mail"), max_length=10, choices=EmailMode.choices, default=EmailMode.DIGEST
    )
    calendar_token = models.CharField(_("calendar secret"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)


class PlanMute(models.Model):
    """A person asked not to be reminded about one plan."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="+", verbose_name=_("plan")
    )
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        verbose_name = _("muted plan")
        verbose_name_plural = _("muted plans")
        constraints = [models.UniqueConstraint(fields=["user", "document"], name="planmute_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.document}"


class UnitCalendar(models.Model):
    """The secret of a unit's calendar feed (its upcoming deadlines)."""

    unit = models.OneToOneField(
        Unit, on_delete=models.CASCADE, related_name="calendar", verbose_name=_("unit")
    )
    token = models.CharField(_("calendar secret"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("unit calendar")
        verbose_name_plural = _("unit calendars")

    def __str__(self) -> str:
        return str(self.unit)


class ReminderPolicy(models.Model):
    """When reminders go out for one plan, or for the work of one unit and the units below it.

    The nearest policy wins: the plan's own, else the lead unit's or its nearest ancestor's,
    else the defaults in settings (7, 3 and 1 days before, and escalation after 7 days).
    """

    unit = models.OneToOneField(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminder_policy",
        verbose_name=_("unit (and the units below)"),
    )
    document = models.OneToOneField(
        Document,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminder_policy",
        verbose_name=_("plan"),
    )
    offsets = models.JSONField(
        _("remind days before"),
        default=list,
        help_text=_("Days before the due date, e.g. [7, 3, 1]."),
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        _("escalate after (days overdue)"), default=7
    )
    notify_support = models.BooleanField(_("notify coordinating units"), default=True)

    class Meta:
        verbose_name = _("reminder policy")
        verbose_name_plural = _("reminder policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False, document__isnull=True)
                | Q(unit__isnull=True, document__isnull=False),
                name="reminderpolicy_unit_or_plan",
            )
        ]

    def __str__(self) -> str:
        target = self.document or self.unit
        return f"{target}: {self.offsets} / {self.escalate_after_days}"


class ScheduledJob(models.Model):
    """A periodic job and when it runs (cron fields, in the project's time zone).

    Celery beat reads these rows (``notifications.beat.DatabaseScheduler``), and so does
    ``manage.py run_scheduler`` when there is no Redis; an administrator changes them in the
    admin. ``last_run_at`` is kept so that a scheduler that was down catches up once.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    job = models.CharField(_("job"), max_length=200)
    minute = models.CharField(_("minute"), max_length=60, default="0")
    hour = models.CharField(_("hour"), max_length=60, default="6")
    day_of_week = models.CharField(_("day of week"), max_length=60, default="*")
    enabled = models.BooleanField(_("enabled"), default=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def crontab(self):
        """The schedule as Celery's crontab (raises ValueError for a malformed field)."""
        from celery.schedules import crontab

        return crontab(minute=self.minute, hour=self.hour, day_of_week=self.day_of_week)
