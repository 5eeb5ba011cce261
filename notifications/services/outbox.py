"""The e-mail outbox: queueing notifications as e-mails and digests, messages the site hands
over, and sending them (claimed before sent, a stable Message-ID, permanent refusals failed
at once)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from email.utils import make_msgid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import audit_record
from background import services as background
from notifications.models import (
    EmailMode,
    MailStatus,
    Notification,
    OutboxEmail,
    OutboxKind,
    OutboxStatus,
)
from notifications.selectors import email_modes, readable_q
from notifications.services.common import DIGEST_MAX_ITEMS, OUTBOX_LOCK, enqueue_on_commit, logger

# --- e-mail ------------------------------------------------------------------------------


@transaction.atomic
def emails_queue(
    *,
    today: date,
    digests: bool = True,
    user_ids: set[int] | None = None,
    send_after_commit: bool = True,
) -> int:
    """Put pending notifications into the outbox: one e-mail each for people who chose
    immediate e-mail and, when ``digests``, one digest a day for the others (notifications
    arriving after today's digest wait for tomorrow's). Notifications of people without an
    address or who chose no e-mail are marked as not e-mailed. The send job is queued after
    the commit unless ``send_after_commit`` is false (the caller sends). Returns e-mails
    queued."""
    pending = Notification.objects.filter(mail_status=MailStatus.PENDING)
    if user_ids is not None:
        pending = pending.filter(recipient_id__in=user_ids)
    # Claim the pending rows by locking them: another queueing running meanwhile skips the
    # rows this one locked (PostgreSQL), and its updates of them wait for this commit and
    # then find them queued. SQLite has one writer at a time, so two cannot interleave.
    recipients = set(
        pending.select_for_update(skip_locked=True)
        .order_by("id")
        .values_list("recipient_id", flat=True)
    )
    if not recipients:
        return 0
    User = get_user_model()
    address = dict(User.objects.filter(pk__in=recipients).values_list("pk", "email"))
    modes = email_modes(recipients)
    silent = {pk for pk in recipients if not address.get(pk) or modes[pk] == EmailMode.NONE}
    if silent:
        pending.filter(recipient_id__in=silent).update(mail_status=MailStatus.NONE)
    queued = 0
    immediate = [pk for pk in recipients - silent if modes[pk] == EmailMode.IMMEDIATE]
    for notification in (
        pending.filter(recipient_id__in=immediate)
        .select_for_update(skip_locked=True)
        .order_by("id")
    ):
        email = OutboxEmail.objects.create(
            recipient_id=notification.recipient_id,
            to_address=address[notification.recipient_id],
            kind=OutboxKind.IMMEDIATE,
        )
        notification.email, notification.mail_status = email, MailStatus.QUEUED
        notification.save(update_fields=["email", "mail_status"])
        queued += 1
    if digests:
        digest_users = sorted(pk for pk in recipients - silent if modes[pk] == EmailMode.DIGEST)
        had_one = set(
            OutboxEmail.objects.filter(recipient__in=digest_users, digest_on=today).values_list(
                "recipient_id", flat=True
            )
        )
        new = [
            OutboxEmail(
                recipient_id=pk, to_address=address[pk], kind=OutboxKind.DIGEST, digest_on=today
            )
            for pk in digest_users
            if pk not in had_one
        ]
        OutboxEmail.objects.bulk_create(new, batch_size=1000)
        # Each new digest takes every pending notification of its person, in one statement
        # (one digest a person a day: the unique constraint makes the match exact).
        pending.filter(recipient_id__in=[email.recipient_id for email in new]).update(
            email=Subquery(
                OutboxEmail.objects.filter(
                    recipient_id=OuterRef("recipient_id"), digest_on=today
                ).values("pk")[:1]
            ),
            mail_status=MailStatus.QUEUED,
        )
        queued += len(new)
    if queued and send_after_commit:
        enqueue_on_commit("send_outbox")
    return queued


@transaction.atomic
def emails_hand_over(*, messages: list[EmailMessage]) -> int:
    """Put messages the site composed itself (a password reset, an invitation) into the
    outbox, one row per recipient, in the caller's transaction; the sender runs after the
    commit. Returns how many messages were taken."""
    User = get_user_model()
    taken = 0
    for message in messages:
        if getattr(message, "attachments", None) or getattr(message, "alternatives", None):
            # The outbox keeps a subject and a text: say so rather than drop the rest.
            raise ValueError("The outbox sends plain-text messages without attachments.")
        addresses = [address for address in message.recipients() if address]
        if not addresses:
            continue
        people = {
            (person.email or "").lower(): person
            for person in User.objects.filter(email__in=addresses, is_active=True)
        }
        OutboxEmail.objects.bulk_create(
            OutboxEmail(
                recipient=people.get(address.lower()),
                to_address=address[:254],
                kind=OutboxKind.MESSAGE,
                subject=" ".join(str(message.subject).split())[:255],
                body=str(message.body),
            )
            for address in addresses
        )
        taken += 1
    if taken:
        enqueue_on_commit("send_outbox")
    return taken


def _compose(email: OutboxEmail) -> EmailMultiAlternatives | None:
    """The message for an outbox row: a message the site handed over as it was; otherwise
    from the row's notifications (on plans the person may still read). None when nothing is
    left to tell."""
    if email.kind == OutboxKind.MESSAGE:
        return EmailMultiAlternatives(
            subject=email.subject,
            body=email.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email.to_address],
        )
    user = email.recipient
    mine = email.notifications.filter(readable_q(user)) if user else email.notifications.none()
    items = list(
        mine.select_related("task", "document", "unit", "report_request").order_by(
            "document_id", "due_on", "id"
        )[:DIGEST_MAX_ITEMS]
    )
    if not items:
        return None
    more = mine.count() - len(items) if len(items) == DIGEST_MAX_ITEMS else 0
    site = getattr(settings, "NOTIFICATIONS_SITE_URL", "").rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        context = {"email": email, "items": items, "more": more, "site": site, "user": user}
        if email.kind == OutboxKind.DIGEST:
            subject = _("Cascade: %(count)s notifications for %(day)s") % {
                "count": len(items) + more,
                "day": email.digest_on.strftime("%d/%m/%Y") if email.digest_on else "",
            }
        else:
            subject = _("Cascade: %(kind)s — %(plan)s") % {
                "kind": items[0].get_kind_display(),
                "plan": items[0].document.identifier or items[0].document.title[:60],
            }
        body = render_to_string("notifications/email.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split())[:255],
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_address],
    )
    return message


# How long a row may stay "being sent" before its sender is assumed dead and the row is sent
# again (with the same Message-ID): longer than one SMTP conversation can take.
DEFAULT_RESEND_AFTER = 10 * 60


def _resend_after() -> timedelta:
    return timedelta(
        seconds=int(getattr(settings, "NOTIFICATIONS_OUTBOX_RESEND_AFTER", DEFAULT_RESEND_AFTER))
    )


def smtp_permanent_error(error: BaseException) -> str | None:
    """The server's words when ``error`` is a permanent refusal of this message (a 5xx
    answer, every recipient refused with a 5xx), else None: the server was unreachable, said
    "try later" (4xx), or refused the account (a configuration matter, not the message's)."""
    import smtplib

    def words(code: int, message: bytes | str) -> str:
        text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
        return f"{code} {text}".strip()

    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = error.recipients or {}
        if refused and all(500 <= code < 600 for code, _message in refused.values()):
            return "; ".join(
                f"{address}: {words(code, message)}"
                for address, (code, message) in sorted(refused.items())
            )
        return None
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return None
    if isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600:
        return words(error.smtp_code, error.smtp_error)
    return None


def _transient(error: BaseException) -> bool:
    """The mail server is unreachable or asked to try later: keep trying, never give up."""
    return isinstance(error, (OSError, ConnectionError, TimeoutError))


def _message_domain() -> str:
    address = getattr(settings, "DEFAULT_FROM_EMAIL", "") or ""
    return address.rpartition("@")[2].strip("> ") or "localhost"


def outbox_claim(*, now: datetime, skip: list[int] | None = None) -> OutboxEmail | None:
    """Claim the next row to send, in its own committed transaction: a pending row whose time
    has come, or one left "being sent" longer than ``NOTIFICATIONS_OUTBOX_RESEND_AFTER``
    (its sender died, perhaps after the server took it). The row is marked "being sent" by
    this process, given its Message-ID if it has none yet (kept for every later attempt), and
    its attempt counted. Two senders never claim the same row (rows are locked while
    claimed; the others are skipped)."""
    stale = now - _resend_after()
    with transaction.atomic():
        email = (
            OutboxEmail.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
                | Q(status=OutboxStatus.SENDING, claimed_at__lte=stale)
            )
            .exclude(pk__in=skip or [])
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if email is None:
            return None
        if email.status == OutboxStatus.SENDING:
            logger.warning(
                "E-mail %s was left being sent by %s since %s; sending it again.",
                email.pk,
                email.claimed_by,
                email.claimed_at,
            )
        if not email.message_id:
            email.message_id = make_msgid(idstring=f"outbox.{email.pk}", domain=_message_domain())
        email.status = OutboxStatus.SENDING
        email.claimed_by = background.worker_name()
        email.claimed_at = now
        email.attempts += 1
        email.save(update_fields=["status", "claimed_by", "claimed_at", "message_id", "attempts"])
    return email


def outbox_send(*, limit: int = 1000, now: datetime | None = None) -> int:
    """Send pending outbox rows whose time has come; returns how many were sent.

    One sender at a time (a second one started meanwhile returns 0 and says so in the log).
    Each row is claimed before it is sent (``outbox_claim``), then sent with its stable
    Message-ID, then recorded: sent; failed at once, with the server's words, when the answer
    is permanent (a 5xx, a refused address); pending again with a growing delay (up to an
    hour) when the server is unreachable or says "try later" — those are retried for as long
    as it takes; any other error (composing the message) fails the row after
    ``NOTIFICATIONS_OUTBOX_MAX_ATTEMPTS`` attempts."""
    # A sender that died (a killed request or worker) frees the lock after 15 minutes on
    # SQLite; PostgreSQL frees it with the connection.
    with background.run_alone(OUTBOX_LOCK, expires_after=15 * 60) as alone:
        if not alone:
            logger.info("Another outbox sender is running; this one does nothing.")
            return 0
        return _outbox_send(limit=limit, now=now)


def _outbox_send(*, limit: int, now: datetime | None) -> int:
    from django.core.mail import mailers

    max_attempts = int(getattr(settings, "NOTIFICATIONS_OUTBOX_MAX_ATTEMPTS", 10))
    sent = 0
    skipped: list[int] = []
    for _round in range(limit):
        moment = now or timezone.now()
        email = outbox_claim(now=moment, skip=skipped)
        if email is None:
            break
        claim = OutboxEmail.objects.filter(
            pk=email.pk, status=OutboxStatus.SENDING, claimed_by=email.claimed_by
        )
        try:
            message = _compose(email)
            if message is None:
                claim.update(status=OutboxStatus.FAILED, last_error="nothing to send")
                continue
            message.extra_headers["Message-ID"] = email.message_id
            # The real mail server: the default mailer is the outbox itself.
            mailers["outbox"].send_messages([message])
        except Exception as error:
            skipped.append(email.pk)
            permanent = smtp_permanent_error(error)
            failed = permanent is not None or (
                email.attempts >= max_attempts and not _transient(error)
            )
            last_error = (permanent or f"{type(error).__name__}: {error}")[:2000]
            delay = min(2 ** min(email.attempts, 10), 60) * 60
            claim.update(
                status=OutboxStatus.FAILED if failed else OutboxStatus.PENDING,
                last_error=last_error,
                next_attempt_at=moment + timedelta(seconds=delay),
            )
            logger.warning("E-mail %s not sent: %s", email.pk, last_error)
            continue
        claim.update(
            subject=message.subject,
            # A handed-over message carries a one-time link (reset, invitation): once sent,
            # its text is not kept.
            body="" if email.kind == OutboxKind.MESSAGE else message.body,
            status=OutboxStatus.SENT,
            sent_at=timezone.now(),
            last_error="",
        )
        sent += 1
    return sent


@transaction.atomic
def outbox_retry(*, actor: User | None, emails: list[OutboxEmail]) -> int:
    """Put failed e-mails back in the queue (from the admin)."""
    count = 0
    for email in emails:
        if email.status == OutboxStatus.FAILED:
            email.status, email.attempts, email.next_attempt_at = (
                OutboxStatus.PENDING,
                0,
                timezone.now(),
            )
            email.save(update_fields=["status", "attempts", "next_attempt_at"])
            audit_record(actor=actor, action="outbox_retry", instance=email)
            count += 1
    if count:
        enqueue_on_commit("send_outbox")
    return count
