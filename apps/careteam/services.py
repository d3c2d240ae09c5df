"""Writes to patients, memberships and invitations, with the rules that keep a record reachable
(at least one owner) and an invitation single-use."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework.exceptions import ValidationError

from apps.accounts.models import User, hash_token
from apps.core.i18n import in_language, language_of

from .models import Invitation, Membership, Patient, Role


@transaction.atomic
def patient_create(*, owner: User, **fields: Any) -> Patient:
    patient = Patient.objects.create(**fields)
    Membership.objects.create(patient=patient, user=owner, role=Role.OWNER)
    return patient


def patient_update(*, patient: Patient, **fields: Any) -> Patient:
    for name, value in fields.items():
        setattr(patient, name, value)
    if fields:
        patient.save(update_fields=[*fields, "updated_at"])
    return patient


def _other_active_owners(membership: Membership) -> bool:
    return (
        Membership.objects.active()
        .filter(patient_id=membership.patient_id, role=Role.OWNER)
        .exclude(pk=membership.pk)
        .exists()
    )


def _lock_owners(patient_id: Any) -> None:
    # Two owners removing each other at once must not both succeed and leave nobody in charge:
    # lock the patient's active owner rows (PostgreSQL; SQLite serialises writers anyway).
    list(
        Membership.objects.active()
        .select_for_update()
        .filter(patient_id=patient_id, role=Role.OWNER)
        .values_list("pk", flat=True)
    )


@transaction.atomic
def membership_revoke(*, membership: Membership, by: User) -> None:
    _lock_owners(membership.patient_id)
    if membership.role == Role.OWNER and not _other_active_owners(membership):
        raise ValidationError(
            {"role": [_("A patient needs at least one owner. Make someone else an owner first.")]}
        )
    membership.revoked_at = timezone.now()
    membership.revoked_by = by
    membership.save(update_fields=["revoked_at", "revoked_by"])


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str) -> Membership:
    _lock_owners(membership.patient_id)
    if (
        membership.role == Role.OWNER
        and role != Role.OWNER
        and not _other_active_owners(membership)
    ):
        raise ValidationError(
            {"role": [_("A patient needs at least one owner. Make someone else an owner first.")]}
        )
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


ROLE_WORDS: dict[str, Any] = {
    Role.OWNER: _lazy("owner"),
    Role.CAREGIVER: _lazy("caregiver"),
    Role.CLINICIAN: _lazy("clinician"),
}


def _send_invitation_email(invitation: Invitation, code: str) -> None:
    link = f"{settings.SITE_URL}/invitations/accept?code={code}"
    # In the invitee's language when they have an account, else in the inviter's (the best guess
    # for someone they know).
    invitee = User.objects.filter(email__iexact=invitation.email).first()
    with in_language(language_of(invitee or invitation.invited_by)):
        inviter = invitation.invited_by.display_name if invitation.invited_by else _("Someone")
        words = {
            "inviter": inviter,
            "patient": invitation.patient.display_name,
            "role": ROLE_WORDS.get(invitation.role, invitation.role),
            "link": link,
            "code": code,
            "expires": date_format(invitation.expires_at, "DATETIME_FORMAT", use_l10n=True),
        }
        subject = _("%(inviter)s invites you to a care team on Mastline") % words
        message = (
            _(
                "%(inviter)s invites you to join %(patient)s's care team on Mastline as %(role)s.\n\n"
                "Accept in the app: %(link)s\n\nor enter this code: %(code)s\n\n"
                "The invitation expires on %(expires)s UTC and works once. If you did not expect "
                "it, ignore this email.\n"
            )
            % words
        )
    send_mail(subject=subject, message=message, from_email=None, recipient_list=[invitation.email])


@transaction.atomic
def invitation_create(
    *, patient: Patient, invited_by: User, email: str, role: str
) -> tuple[Invitation, str]:
    email = email.strip().lower()
    if Membership.objects.active().filter(patient=patient, user__email__iexact=email).exists():
        raise ValidationError({"email": [_("This person is already on the care team.")]})
    now = timezone.now()
    # A new invitation to the same address replaces any pending one: only the latest code works.
    Invitation.objects.filter(
        patient=patient,
        email__iexact=email,
        accepted_at__isnull=True,
        declined_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=now)
    code = secrets.token_urlsafe(18)
    invitation = Invitation.objects.create(
        patient=patient,
        email=email,
        role=role,
        invited_by=invited_by,
        code_hash=hash_token(code),
        expires_at=now + settings.INVITATION_TTL,
    )
    transaction.on_commit(lambda: _send_invitation_email(invitation, code))
    return invitation, code


def invitation_revoke(*, invitation: Invitation) -> None:
    if invitation.accepted_at or invitation.declined_at:
        raise ValidationError({"status": [_("This invitation was already answered.")]})
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])


def _usable_invitation(code: str, user: User) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("patient", "invited_by")
        .filter(code_hash=hash_token(code))
        .first()
    )
    if invitation is None:
        raise ValidationError({"code": [_("This invitation code is not valid.")]})
    if invitation.accepted_at or invitation.declined_at:
        raise ValidationError({"code": [_("This invitation code was already used.")]})
    if invitation.revoked_at:
        raise ValidationError({"code": [_("This invitation was withdrawn.")]})
    if invitation.expires_at <= timezone.now():
        raise ValidationError({"code": [_("This invitation has expired. Ask for a new one.")]})
    if invitation.email.lower() != user.email.lower():
        raise ValidationError(
            {
                "code": [
                    _("This invitation was sent to another email address. Sign in with that one.")
                ]
            }
        )
    return invitation


def invitation_preview(*, code: str, user: User) -> Invitation:
    with transaction.atomic():
        return _usable_invitation(code, user)


@transaction.atomic
def invitation_accept(*, code: str, user: User) -> Membership:
    invitation = _usable_invitation(code, user)
    if Membership.objects.active().filter(patient=invitation.patient, user=user).exists():
        raise ValidationError({"code": [_("You are already on this patient's care team.")]})
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    try:
        with transaction.atomic():
            return Membership.objects.create(
                patient=invitation.patient,
                user=user,
                role=invitation.role,
                invited_by=invitation.invited_by,
            )
    except IntegrityError:  # a concurrent accept of another invitation for the same patient
        raise ValidationError(
            {"code": [_("You are already on this patient's care team.")]}
        ) from None


@transaction.atomic
def invitation_decline(*, code: str, user: User) -> None:
    invitation = _usable_invitation(code, user)
    invitation.declined_at = timezone.now()
    invitation.save(update_fields=["declined_at"])
