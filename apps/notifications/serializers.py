from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.serializers import StrictModelSerializer, StrictSerializer

from . import push_guard
from .models import CATEGORIES, Channel, Notification, NotificationPreference, PushSubscription

_BASE64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")


def decode_base64url(value: str) -> bytes:
    """Decodes base64url (padding optional); raises ValueError for anything else."""
    if not _BASE64URL.fullmatch(value):
        raise ValueError("not base64url")
    bare = value.rstrip("=")
    try:
        return base64.urlsafe_b64decode(bare + "=" * (-len(bare) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc


class PersonSerializer(StrictSerializer):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)


class NotificationSerializer(StrictModelSerializer):
    patient = serializers.UUIDField(source="patient_id", read_only=True, allow_null=True)
    patient_time_zone = serializers.CharField(
        source="patient.time_zone",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The patient's zone: the app labels times with it when yours is another.",
    )
    actions = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()),
        read_only=True,
        help_text="The buttons your role on the care team can use: {action, title}.",
    )
    acknowledged_by = serializers.SerializerMethodField(
        help_text="Who on the care team acknowledged the alert (on every copy of it), or null."
    )
    repeats = serializers.SerializerMethodField(
        help_text="When the urgent alert was sent again because nobody had acknowledged it."
    )

    @extend_schema_field(serializers.ListField(child=serializers.DateTimeField()))
    def get_repeats(self, notification: Notification) -> list[str]:
        moment = serializers.DateTimeField()
        return [moment.to_representation(datetime.fromisoformat(at)) for at in notification.repeats]

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_acknowledged_by(self, notification: Notification) -> dict[str, Any] | None:
        user = notification.acknowledged_by
        if user is None:
            return None
        return {"id": str(user.pk), "name": user.display_name}

    class Meta:
        model = Notification
        fields = (
            "id",
            "patient",
            "patient_time_zone",
            "category",
            "urgency",
            "title",
            "body",
            "url",
            "actions",
            "created_at",
            "read_at",
            "acknowledged_at",
            "acknowledged_by",
            "repeats",
            "resolved_at",
        )
        read_only_fields = fields


class UnreadCountSerializer(StrictSerializer):
    count = serializers.IntegerField(help_text="Unread notifications not yet dealt with.")
    urgent_unacknowledged = serializers.IntegerField(
        help_text="Urgent notifications nobody on the care team has acknowledged yet."
    )


class PushKeysSerializer(StrictSerializer):
    p256dh = serializers.CharField(max_length=100)
    auth = serializers.CharField(max_length=32)

    def validate_p256dh(self, value: str) -> str:
        try:
            raw = decode_base64url(value)
            if len(raw) != 65 or raw[0] != 0x04:
                raise ValueError
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        except ValueError:
            raise serializers.ValidationError(
                _("Expected the browser's P-256 public key: 65 bytes, uncompressed, base64url.")
            ) from None
        return value.rstrip("=")

    def validate_auth(self, value: str) -> str:
        try:
            raw = decode_base64url(value)
        except ValueError:
            raw = b""
        if len(raw) != 16:
            raise serializers.ValidationError(_("Expected a 16-byte auth secret, base64url."))
        return value.rstrip("=")


class PushSubscriptionSerializer(StrictModelSerializer):
    """Output: a device that receives pushes (the keys stay on the server)."""

    class Meta:
        model = PushSubscription
        fields = ("id", "endpoint", "label", "created_at", "last_success_at")
        read_only_fields = fields


class PushSubscriptionInputSerializer(StrictSerializer):
    """The browser's `PushSubscription.toJSON()`, plus an optional label for the device."""

    endpoint = serializers.URLField(max_length=1000)
    keys = PushKeysSerializer()
    expirationTime = serializers.IntegerField(  # the browser's own field name
        required=False, allow_null=True, help_text="Sent by browsers; ignored."
    )
    # Shadows Field.label only for type checkers: the serializer metaclass moves declared
    # fields off the class.
    label = serializers.CharField(  # type: ignore[assignment]
        max_length=120, required=False, allow_blank=True, default=""
    )

    def validate_endpoint(self, value: str) -> str:
        # Our workers POST to this URL: it must not point them at the server's own network
        # (push_guard checks it again, resolved, at every connection).
        try:
            push_guard.check_endpoint(value)
        except push_guard.PushEndpointRefused as refused:
            if refused.reason == "scheme":
                raise serializers.ValidationError(
                    _("A push endpoint is an https:// URL.")
                ) from None
            raise serializers.ValidationError(
                _("A push endpoint must be a public push service.")
            ) from None
        return value


class VapidPublicKeySerializer(StrictSerializer):
    public_key = serializers.CharField(
        help_text="The applicationServerKey for PushManager.subscribe(), base64url."
    )


class ChannelFlagsSerializer(StrictSerializer):
    push = serializers.BooleanField(required=False)
    email = serializers.BooleanField(required=False)


class NotificationPreferenceSerializer(StrictModelSerializer):
    channels = serializers.DictField(
        child=ChannelFlagsSerializer(),
        required=False,
        help_text=(
            "Per category, which channels are on: {category: {push: bool, email: bool}}. "
            f"Categories: {', '.join(CATEGORIES)}. The inbox always receives everything, and an "
            "urgent alert that your choices would silence is sent on every channel."
        ),
    )
    time_zone = serializers.CharField(
        source="user.time_zone", read_only=True, help_text="Quiet hours are in this zone."
    )

    class Meta:
        model = NotificationPreference
        fields = ("channels", "quiet_hours_start", "quiet_hours_end", "time_zone")

    def to_representation(self, instance: NotificationPreference) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["channels"] = {
            category: {channel: instance.allows(category, channel) for channel in Channel.values}
            for category in CATEGORIES
        }
        return data

    def validate_channels(self, value: dict[str, dict[str, bool]]) -> dict[str, dict[str, bool]]:
        unknown = sorted(set(value) - set(CATEGORIES))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown categories: %(categories)s.") % {"categories": ", ".join(unknown)}
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "quiet_hours_start" in attrs or "quiet_hours_end" in attrs:
            instance = self.instance
            start = attrs.get("quiet_hours_start", getattr(instance, "quiet_hours_start", None))
            end = attrs.get("quiet_hours_end", getattr(instance, "quiet_hours_end", None))
            if (start is None) != (end is None):
                raise serializers.ValidationError(
                    {"quiet_hours_end": [_("Set both ends of quiet hours, or neither.")]}
                )
            if start is not None and start == end:
                raise serializers.ValidationError(
                    {
                        "quiet_hours_end": [
                            _("Quiet hours must end at another time than they start.")
                        ]
                    }
                )
            attrs["quiet_hours"] = (start, end)
        return attrs
