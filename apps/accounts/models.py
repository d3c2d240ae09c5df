"""People who sign in. A patient record is separate (apps.careteam): a child has no account."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone

from apps.core.models import PublicModel


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=120)
    # The user's own zone, for their notifications' quiet hours; each patient has its own zone.
    time_zone = models.CharField(max_length=64, default="UTC")
    # The language this person reads Mastline in: what is sent to them (notifications, emails)
    # is rendered in it (apps.core.i18n.language_of). The browser's at sign-up; a patient record
    # keeps none of its own, so a caregiver and a clinician of one patient may differ.
    language = models.CharField(
        max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # The second factor (apps.accounts.totp), kept on the user row like the password so that
    # every request can tell "enabled?" without another query. A secret without
    # `totp_confirmed_at` is an enrolment in progress; once confirmed it is never shown again.
    # Required for clinicians (apps.careteam.access); owners and caregivers may opt in.
    totp_secret = models.CharField(max_length=64, blank=True, default="")
    totp_confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last time step a code was accepted for: a code (or an earlier one) never works twice.
    totp_last_step = models.BigIntegerField(null=True, blank=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["display_name"]

    class Meta:
        ordering = ("email",)

    def __str__(self) -> str:
        return self.email

    @property
    def totp_enabled(self) -> bool:
        return self.totp_confirmed_at is not None


def hash_token(raw: str) -> str:
    # The token is 32 random bytes: a plain SHA-256 is enough (no dictionary to attack), and it
    # lets us find the row by its hash with one indexed lookup.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(PublicModel):
    """A personal token for clients that cannot hold a session cookie (scripts, other apps)."""

    PREFIX = "mst_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    token_hash = models.CharField(max_length=64, unique=True)
    # The first characters of the token, so a user can tell their tokens apart in a list.
    hint = models.CharField(max_length=12)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # When the session that created this token had passed the second factor (None: it had not).
    # A token stands in for its creating session, so it counts as verified only if this is not
    # older than the user's current TOTP enrolment (apps.accounts.otp.request_otp_verified).
    otp_verified_at = models.DateTimeField(null=True, blank=True)
    # After this the token answers 401 (None: it never expires, only if its user chose that).
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def new_raw_token(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class TotpRecoveryCode(models.Model):
    """One of the one-time codes handed out when TOTP is confirmed, for a lost phone. Stored
    hashed (apps.accounts.totp.hash_recovery_code); used at most once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="totp_recovery_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recovery code of {self.user_id}"
