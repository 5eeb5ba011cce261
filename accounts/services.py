"""Members of units, managed in the product by the units' administrators: invitations by a
signed one-time link, roles, removal. Every change is audited."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Invitation
from audit.services import audit_record
from cascade.services import atomic_service
from units import services as unit_services
from units.models import (
    ADMINISTERING_ROLES,
    Membership,
    Role,
    Unit,
    reaches,
)

INVITATION_DAYS = 7
_SALT = "accounts.invitation"


def units_managed_by(user: User) -> list[Unit]:
    """Units whose members ``user`` manages: those where they are administrator and the units
    below (superusers: every unit)."""
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return list(Unit.objects.all())
    return list(Unit.objects.administered_by(user))


def may_manage(user: User, unit: Unit) -> bool:
    """Whether ``user`` manages the members of ``unit``."""
    return reaches(user, unit, ADMINISTERING_ROLES)


def _check_may_manage(actor: User | None, unit: Unit) -> None:
    if actor is not None and not may_manage(actor, unit):
        raise PermissionDenied(_("You may not manage the members of this unit."))


def _clean_role(role: str) -> str:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    return role


def invitation_link(invitation: Invitation) -> str:
    """The path of the signed one-time link for ``invitation``."""
    token = signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=_SALT)
    return reverse("accounts_invitation", args=[token])


def invitation_from_token(token: str) -> Invitation:
    """The open invitation a link is for; ``ValidationError`` when the link was altered, has
    expired or was already used."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=timedelta(days=INVITATION_DAYS))
        invitation = Invitation.objects.select_related("unit").get(pk=int(data["i"]))
    except (signing.BadSignature, Invitation.DoesNotExist, KeyError, TypeError, ValueError):
        raise ValidationError(_("This invitation link is not valid.")) from None
    if not secrets.compare_digest(invitation.nonce, str(data.get("n", ""))):
        raise ValidationError(_("This invitation link is not valid."))
    if not invitation.is_open:
        raise ValidationError(_("This invitation was already used or has expired."))
    return invitation


@atomic_service
def member_invite(
    *, actor: User | None, unit: Unit, email: str, role: str = Role.STAFF
) -> Invitation:
    """Invite ``email`` to join ``unit`` with ``role``: a signed link, valid once for a week,
    is e-mailed after the transaction commits."""
    _check_may_manage(actor, unit)
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from None
    # A grant stays within the granter's power: joining a unit brings its confidential
    # plans, which an administrator above does not read, so nobody invites themselves.
    if actor is not None and (getattr(actor, "email", "") or "").strip().lower() == email:
        raise ValidationError({"email": _("Ask another administrator to invite you.")})
    role = _clean_role(role)
    invitation = Invitation.objects.create(
        email=email,
        unit=unit,
        role=role,
        nonce=secrets.token_hex(16),
        invited_by=actor if getattr(actor, "is_authenticated", False) else None,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    audit_record(
        actor=actor,
        action="invite",
        instance=invitation,
        changes={"email": email, "unit": unit.pk, "role": role},
    )
    link = getattr(settings, "NOTIFICATIONS_SITE_URL", "") + invitation_link(invitation)
    context = {"invitation": invitation, "link": link, "days": INVITATION_DAYS}
    subject = _("Invitation to join %(unit)s") % {"unit": unit.name}
    body = render_to_string("accounts/invitation_email.txt", context)
    # Through the outbox (the default mailer), in this transaction: sent after the commit,
    # kept and retried while the mail server is down.
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
    return invitation


@atomic_service
def invitation_accept(
    *,
    token: str,
    user: User | None = None,
    username: str = "",
    password: str = "",
) -> Membership:
    """Accept an invitation: as the signed-in ``user``, or by creating an account
    (``username``, ``password``) for the invited address. The link then stops working."""
    invitation = invitation_from_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(_("This invitation was already used or has expired."))
    if user is not None and user.is_authenticated:
        # The link is for the invited address: a signed-in person joins only if it is theirs.
        if (user.email or "").strip().lower() != invitation.email.strip().lower():
            raise PermissionDenied(
                _("This invitation was sent to another address: sign out to accept it.")
            )
        if invitation.invited_by_id == user.pk:
            raise PermissionDenied(_("Ask another administrator to invite you."))
    if user is None or not user.is_authenticated:
        User = get_user_model()
        username = username.strip()
        if not username:
            raise ValidationError({"username": _("Choose a user name.")})
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": _("This user name is taken.")})
        candidate = User(username=username, email=invitation.email)
        try:
            validate_password(password, candidate)
        except ValidationError as error:
            raise ValidationError({"password1": error.messages}) from None
        candidate.set_password(password)
        candidate.full_clean(exclude=["password"])
        candidate.save()
        audit_record(
            actor=None, action="create", instance=candidate, changes={"email": invitation.email}
        )
        user = candidate
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(actor=user, action="invitation_accepted", instance=invitation)
    return unit_services.membership_set(
        actor=None, user=user, unit=invitation.unit, role=invitation.role
    )


@atomic_service
def member_set_role(*, actor: User | None, membership: Membership, role: str) -> Membership:
    """Change a member's role in a unit (audited by the membership service)."""
    _check_may_manage(actor, membership.unit)
    role = _clean_role(role)
    if actor is not None and membership.user_id == actor.pk and role != membership.role:
        raise ValidationError(_("Ask another administrator to change your own role."))
    return unit_services.membership_set(
        actor=actor, user=membership.user, unit=membership.unit, role=role
    )


@atomic_service
def member_remove(*, actor: User | None, membership: Membership) -> None:
    """Remove a member from a unit. Administrators cannot remove themselves, so a unit is
    never left without the person who could undo it."""
    _check_may_manage(actor, membership.unit)
    if actor is not None and membership.user_id == actor.pk:
        raise ValidationError(_("Ask another administrator to remove you."))
    audit_record(
        actor=actor,
        action="delete",
        instance=membership,
        changes={"user": membership.user_id, "unit": membership.unit_id, "role": membership.role},
    )
    membership.delete()
