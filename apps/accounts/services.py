"""Writes to accounts, each with its rules."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from rest_framework.exceptions import ValidationError

from .models import ApiToken, User, hash_token


def _validate_password(password: str, user: User | None = None) -> None:
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationError({"password": list(exc.messages)}) from exc


@transaction.atomic
def user_register(*, email: str, password: str, display_name: str, time_zone: str) -> User:
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": ["An account with this email already exists."]})
    candidate = User(email=email, display_name=display_name, time_zone=time_zone)
    _validate_password(password, candidate)
    return User.objects.create_user(
        email=email, password=password, display_name=display_name, time_zone=time_zone
    )


def user_change_password(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise ValidationError({"old_password": ["The current password is not correct."]})
    try:
        password_validation.validate_password(new_password, user)
    except DjangoValidationError as exc:
        raise ValidationError({"new_password": list(exc.messages)}) from exc
    user.set_password(new_password)
    user.save(update_fields=["password"])


def password_reset_request(*, email: str) -> None:
    """Emails a reset link if the address has an account; says nothing either way."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = f"{settings.SITE_URL}/reset-password?uid={uid}&token={token}"
    send_mail(
        subject="Reset your Mastline password",
        message=(
            f"Hello {user.display_name},\n\nSomeone asked to reset the password of your Mastline "
            f"account. If it was you, open this link within two hours:\n\n{link}\n\n"
            "If it was not you, ignore this email: your password stays as it is.\n"
        ),
        from_email=None,
        recipient_list=[user.email],
    )


def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    invalid = ValidationError({"token": ["This reset link is not valid or has expired."]})
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
    return user


def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its secret; the secret is never stored and cannot be shown again."""
    raw = ApiToken.new_raw_token()
    token = ApiToken.objects.create(
        user=user, name=name, token_hash=hash_token(raw), hint=raw[: len(ApiToken.PREFIX) + 4]
    )
    return token, raw


def token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
