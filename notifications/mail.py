"""The site's default mailer: every e-mail, whoever sends it, goes through the outbox.

Django's password reset, the invitations and anything later that calls ``send_mail`` hand
their messages to this backend, which writes them as outbox rows in the caller's transaction
and asks the sender job to run after the commit. So no e-mail is sent directly: one that the
mail server cannot take now waits and is retried, a permanent refusal is recorded with the
server's words, and nothing is lost while Redis or the mail server is down. The real server is
the ``outbox`` mailer (``MAILERS`` in the settings), used only by ``outbox_send``.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from notifications import services


class OutboxBackend(BaseEmailBackend):
    """Writes each message, once per recipient, into the outbox."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        return services.emails_hand_over(messages=list(email_messages))
