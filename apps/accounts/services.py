"""Writes to accounts, each with its rules."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ValidationError

from apps.core.i18n import in_language, language_of

from . import totp
from .models import ApiToken, TotpRecoveryCode, User, hash_token

RECOVERY_CODE_COUNT = 10


def _validate_password(password: str, user: User | None = None) -> None:
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationError({"password": list(exc.messages)}) from exc


@transaction.atomic
def user_register(
    *, email: str, password: str, display_name: str, time_zone: str, language: str
) -> User | None:
    """Creates the account, or — when the email already has one — emails that account instead and
    creates nothing (returns None). The caller answers the same either way, so sign-up cannot be
    used to learn who has an account; the password is checked and hashed in both cases, so the
    time taken does not tell either."""
    email = email.strip().lower()
    candidate = User(email=email, display_name=display_name, time_zone=time_zone)
    _validate_password(password, candidate)
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        make_password(password)  # the same work as creating the account would do
        _email_signup_attempt(existing)
        return None
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                password=password,
                display_name=display_name,
                time_zone=time_zone,
                language=language,
            )
    except IntegrityError:  # the same email signed up a moment ago, in a parallel request
        _email_signup_attempt(User.objects.get(email__iexact=email))
        return None
    _email_welcome(user)
    return user


def _email_account(user: User, subject: Any, message: Any, *, link: str) -> None:
    """An email to an account, in the account's language (not the request's): `subject` and
    `message` are lazy translations, read here; `message` has %(name)s and %(link)s."""
    with in_language(language_of(user)):
        subject_text = str(subject)
        body = str(message) % {"name": user.display_name, "link": link}
    send_mail(subject=subject_text, message=body, from_email=None, recipient_list=[user.email])


def _email_welcome(user: User) -> None:
    _email_account(
        user,
        gettext_lazy("Welcome to Mastline"),
        gettext_lazy(
            "Hello %(name)s,\n\nyour Mastline account is ready. Sign in with this email and the "
            "password you chose:\n\n%(link)s\n\n"
            "If you did not create it, ignore this email or write to the people who run this "
            "Mastline server.\n"
        ),
        link=f"{settings.SITE_URL}/signin",
    )


def _email_signup_attempt(user: User) -> None:
    """Sign-up with an email that has an account: the account's owner hears of it, and learns
    how back in if it was them."""
    _email_account(
        user,
        gettext_lazy("Someone tried to create a Mastline account with your email"),
        gettext_lazy(
            "Hello %(name)s,\n\nsomeone tried to create a new Mastline account with this "
            "email, which already has one. No new account was made.\n\n"
            "If it was you, sign in instead; if you forgot your password, set a new one here:"
            "\n\n%(link)s\n\nIf it was not you, you need do nothing.\n"
        ),
        link=f"{settings.SITE_URL}/forgot-password",
    )


def revoke_other_access(*, user: User) -> int:
    """After a new password: every API token of the account stops working (returns how many were
    live). Every other session ends by itself — Django ties a session to the password hash it
    was made with — and the caller re-keys its own (update_session_auth_hash) if it stays."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


@transaction.atomic
def user_change_password(*, user: User, old_password: str, new_password: str) -> int:
    """Returns how many API tokens were revoked with the old password."""
    if not user.check_password(old_password):
        raise ValidationError({"old_password": [_("The current password is not correct.")]})
    try:
        password_validation.validate_password(new_password, user)
    except DjangoValidationError as exc:
        raise ValidationError({"new_password": list(exc.messages)}) from exc
    user.set_password(new_password)
    user.save(update_fields=["password"])
    return revoke_other_access(user=user)


def password_reset_request(*, email: str) -> None:
    """Emails a reset link if the address has an account; says nothing either way."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = f"{settings.SITE_URL}/reset-password?uid={uid}&token={token}"
    _email_account(
        user,
        gettext_lazy("Reset your Mastline password"),
        gettext_lazy(
            "Hello %(name)s,\n\nSomeone asked to reset the password of your Mastline account. "
            "If it was you, open this link within two hours:\n\n%(link)s\n\n"
            "If it was not you, ignore this email: your password stays as it is.\n"
        ),
        link=link,
    )


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, new_password: str) -> tuple[User, int]:
    """Sets the new password; returns the user and how many API tokens were revoked."""
    invalid = ValidationError({"token": [_("This reset link is not valid or has expired.")]})
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uid)), is_active=True)
    except (User.DoesNotExist, ValueError, TypeError, OverflowError, DjangoValidationError):
        raise invalid from None
    if not default_token_generator.check_token(user, token):
        raise invalid
    try:
        password_validation.validate_password(new_password, user)
    except DjangoValidationError as exc:
        raise ValidationError({"new_password": list(exc.messages)}) from exc
    user.set_password(new_password)
    user.save(update_fields=["password"])
    return user, revoke_other_access(user=user)


_DEFAULT_LIFETIME: Any = object()


def token_create(
    *,
    user: User,
    name: str,
    otp_verified_at: datetime | None = None,
    lifetime_days: int | None = _DEFAULT_LIFETIME,
) -> tuple[ApiToken, str]:
    """Returns the token and its secret; the secret is never stored and cannot be shown again.
    `otp_verified_at` is when the creating session passed the second factor (None: it had not).
    `lifetime_days`: left out, API_TOKEN_LIFETIME_DAYS; None, the token never expires."""
    if lifetime_days is _DEFAULT_LIFETIME:
        lifetime_days = settings.API_TOKEN_LIFETIME_DAYS
    raw = ApiToken.new_raw_token()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        token_hash=hash_token(raw),
        hint=raw[: len(ApiToken.PREFIX) + 4],
        otp_verified_at=otp_verified_at,
        expires_at=None
        if lifetime_days is None
        else timezone.now() + timedelta(days=lifetime_days),
    )
    return token, raw


def token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


# --- The second factor (TOTP) -------------------------------------------------------------------


def _invalid_code() -> ValidationError:
    return ValidationError({"code": [_("This code is not valid, or it was already used.")]})


def totp_setup(*, user: User) -> tuple[str, str]:
    """Starts (or restarts) an enrolment: a new secret, not in force until confirmed. Returns
    the secret and its otpauth:// URI; both are shown once, in this answer only."""
    if user.totp_enabled:
        raise ValidationError(
            {
                "non_field_errors": [
                    _("Two-step sign-in is already on. Turn it off first to replace it.")
                ]
            }
        )
    user.totp_secret = totp.new_secret()
    user.totp_last_step = None
    user.save(update_fields=["totp_secret", "totp_last_step"])
    return user.totp_secret, totp.provisioning_uri(user.totp_secret, user.email)


@transaction.atomic
def totp_confirm(*, user: User, code: str, now: datetime) -> list[str]:
    """Turns TOTP on once the user proves their app shows the right code. Returns the recovery
    codes: shown once, stored hashed."""
    if user.totp_enabled or not user.totp_secret:
        raise ValidationError({"non_field_errors": [_("Start with POST /api/v1/auth/totp/setup.")]})
    step = totp.matching_step(user.totp_secret, code, now.timestamp())
    if step is None:
        raise _invalid_code()
    user.totp_confirmed_at = now
    user.totp_last_step = step
    user.save(update_fields=["totp_confirmed_at", "totp_last_step"])
    TotpRecoveryCode.objects.filter(user=user).delete()
    codes = [totp.new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    TotpRecoveryCode.objects.bulk_create(
        TotpRecoveryCode(user=user, code_hash=totp.hash_recovery_code(c), created_at=now)
        for c in codes
    )
    return codes


def _use_totp_code(user: User, code: str, now: datetime) -> bool:
    step = totp.matching_step(user.totp_secret, code, now.timestamp())
    if step is None:
        return False
    # Each time step is accepted once, and never one at or before the last accepted: a
    # conditional UPDATE, so two requests racing with the same code cannot both win.
    accepted = (
        User.objects.filter(pk=user.pk, totp_confirmed_at__isnull=False)
        .filter(Q(totp_last_step__isnull=True) | Q(totp_last_step__lt=step))
        .update(totp_last_step=step)
    )
    if accepted:
        user.totp_last_step = step
    return bool(accepted)


def _use_recovery_code(user: User, code: str, now: datetime) -> bool:
    return bool(
        TotpRecoveryCode.objects.filter(
            user=user, code_hash=totp.hash_recovery_code(code), used_at__isnull=True
        ).update(used_at=now)
    )


def totp_check(*, user: User, code: str, now: datetime) -> str:
    """Uses up a current TOTP code or an unused recovery code. Returns which it was ("totp" or
    "recovery"); raises 400 otherwise."""
    if not user.totp_enabled:
        raise ValidationError({"non_field_errors": [_("Two-step sign-in is not on.")]})
    cleaned = code.strip().replace(" ", "")
    if len(cleaned) == totp.DIGITS and cleaned.isdigit():
        if _use_totp_code(user, cleaned, now):
            return "totp"
    elif _use_recovery_code(user, cleaned, now):
        return "recovery"
    raise _invalid_code()


@transaction.atomic
def totp_disable(*, user: User, password: str, code: str, now: datetime) -> None:
    """Needs both the password and a code (or a recovery code): a stolen session alone cannot
    turn the second factor off."""
    if not user.check_password(password):
        raise ValidationError({"password": [_("The password is not correct.")]})
    totp_check(user=user, code=code, now=now)
    user.totp_secret = ""
    user.totp_confirmed_at = None
    user.totp_last_step = None
    user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
    TotpRecoveryCode.objects.filter(user=user).delete()
    ApiToken.objects.filter(user=user, otp_verified_at__isnull=False).update(otp_verified_at=None)


def totp_recovery_codes_left(*, user: User) -> int:
    return TotpRecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
