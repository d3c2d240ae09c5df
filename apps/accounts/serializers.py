from typing import Any

from django.conf import settings
from rest_framework import serializers

from apps.core.serializers import StrictModelSerializer, StrictSerializer, TimeZoneField

from .models import ApiToken, User


def _language_field(**kwargs: Any) -> serializers.ChoiceField:
    kwargs.setdefault("help_text", "The language your notifications and emails come in.")
    return serializers.ChoiceField(choices=settings.LANGUAGES, **kwargs)


class UserSerializer(StrictModelSerializer):
    time_zone = TimeZoneField(required=False, help_text="IANA zone for your own notifications.")
    language = _language_field(required=False)

    class Meta:
        model = User
        fields = ("id", "email", "display_name", "time_zone", "language", "date_joined")
        read_only_fields = ("id", "email", "date_joined")


class RegisterSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(
        write_only=True, max_length=128, style={"input_type": "password"}
    )
    display_name = serializers.CharField(max_length=120)
    time_zone = TimeZoneField(default="UTC")
    language = _language_field(
        required=False,
        help_text=(
            "The language your notifications and emails come in. Left out: the browser's "
            "(Accept-Language), or English."
        ),
    )


class SignUpAcceptedSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What happens next, in your language.")


class LoginSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(
        write_only=True, max_length=128, style={"input_type": "password"}
    )


class PasswordChangeSerializer(StrictSerializer):
    old_password = serializers.CharField(write_only=True, max_length=128)
    new_password = serializers.CharField(write_only=True, max_length=128)


class PasswordChangedSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What happened, in your language.")
    tokens_revoked = serializers.IntegerField(
        help_text="How many of your API tokens stopped working with the old password."
    )
    other_sessions_signed_out = serializers.BooleanField(
        help_text="Always true: every other session of the account has ended."
    )


class PasswordResetSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmSerializer(StrictSerializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    new_password = serializers.CharField(write_only=True, max_length=128)


class ApiTokenSerializer(StrictModelSerializer):
    lifetime_days = serializers.IntegerField(
        write_only=True,
        required=False,
        allow_null=True,
        min_value=1,
        max_value=3650,
        help_text=(
            "Days until the token stops working. Left out: the server's default (90 days); "
            "null: it never expires."
        ),
    )

    class Meta:
        model = ApiToken
        fields = (
            "id",
            "name",
            "hint",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
            "lifetime_days",
        )
        read_only_fields = ("id", "hint", "created_at", "last_used_at", "expires_at", "revoked_at")


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(
        read_only=True, help_text="The secret. Shown only in this response: store it now."
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = (*ApiTokenSerializer.Meta.fields, "token")  # type: ignore[assignment]


class CsrfSerializer(serializers.Serializer):
    csrf_token = serializers.CharField(read_only=True)


class LoginResponseSerializer(UserSerializer):
    totp_required = serializers.BooleanField(
        read_only=True,
        help_text=(
            "True when the account has two-step sign-in: send a code to "
            "POST /api/v1/auth/totp/verify before reading patient data."
        ),
    )

    class Meta(UserSerializer.Meta):
        fields = (*UserSerializer.Meta.fields, "totp_required")  # type: ignore[assignment]
        read_only_fields = fields  # type: ignore[assignment]


class MeSerializer(UserSerializer):
    """Your account, with where you stand on two-step sign-in (read only)."""

    totp_enabled = serializers.SerializerMethodField(help_text="Two-step sign-in is on.")
    totp_required = serializers.SerializerMethodField(
        help_text=(
            "Your account must have two-step sign-in (a clinician on a care team): until it is "
            "on, everything but your account and two-step set-up answers 403 `totp_required`."
        )
    )
    totp_verified = serializers.SerializerMethodField(
        help_text=(
            "This session (or token) has passed two-step sign-in. While TOTP is on and this is "
            "false, everything but your account and two-step sign-in answers 403 "
            "`totp_verification_required`."
        )
    )

    class Meta(UserSerializer.Meta):
        fields = (  # type: ignore[assignment]
            *UserSerializer.Meta.fields,
            "totp_enabled",
            "totp_required",
            "totp_verified",
        )

    def get_totp_enabled(self, user: User) -> bool:
        return user.totp_enabled

    def get_totp_required(self, user: User) -> bool:
        from apps.careteam.access import holds_clinician_role

        return holds_clinician_role(user)

    def get_totp_verified(self, user: User) -> bool:
        from .otp import request_otp_verified

        return request_otp_verified(self.context["request"], user)


class TotpSetupSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="Base32 secret for apps that take it typed in.")
    otpauth_uri = serializers.CharField(help_text="The otpauth:// URI the QR code holds.")
    qr_svg = serializers.CharField(help_text="An SVG QR code of otpauth_uri.")


class TotpCodeSerializer(StrictSerializer):
    code = serializers.CharField(
        max_length=32, help_text="The 6-digit code from the app, or an unused recovery code."
    )


class TotpConfirmedSerializer(serializers.Serializer):
    recovery_codes = serializers.ListField(
        child=serializers.CharField(),
        help_text="One-time codes for a lost phone. Shown only in this response: store them now.",
    )


class TotpVerifiedSerializer(serializers.Serializer):
    verified_at = serializers.DateTimeField()
    method = serializers.ChoiceField(choices=["totp", "recovery"])
    recovery_codes_left = serializers.IntegerField()


class TotpDisableSerializer(StrictSerializer):
    password = serializers.CharField(write_only=True, max_length=128)
    code = serializers.CharField(max_length=32)
