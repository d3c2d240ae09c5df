"""What the API shows and accepts for the emergency card and its share links."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.careteam.serializers import EmergencyContactSerializer
from apps.core.serializers import StrictModelSerializer, StrictSerializer
from apps.core.validators import PLANNED_DATE

from .models import CardShareLink


class BaselineTryptaseSerializer(StrictSerializer):
    value = serializers.CharField()
    unit = serializers.CharField()
    sampled_on = serializers.DateField()


class CardMedicineSerializer(StrictSerializer):
    name = serializers.CharField()
    dose = serializers.CharField(help_text="e.g. `10 mg`; empty when not recorded.")
    route = serializers.CharField()
    as_needed = serializers.BooleanField()


class CardWordsSerializer(StrictSerializer):
    """The owner's own words of the card in one language."""

    action_plan = serializers.CharField(max_length=4000, allow_blank=True, required=False)
    diagnosis_note = serializers.CharField(max_length=300, allow_blank=True, required=False)
    relations = serializers.DictField(
        child=serializers.CharField(max_length=60, allow_blank=True),
        required=False,
        help_text="A contact's relation as written on the record → the word in this language.",
    )


LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)


class EmergencyCardSerializer(StrictSerializer):
    """The card as shown to the care team and, through a share link, to first responders."""

    patient_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    diagnosis = serializers.CharField(help_text="The SM subtype, in words.")
    sm_subtype = serializers.CharField()
    diagnosis_note = serializers.CharField(allow_blank=True)
    kit_d816v = serializers.CharField(help_text="KIT D816V status, in words.")
    kit_d816v_status = serializers.CharField(help_text="KIT D816V status, its code.")
    baseline_tryptase = BaselineTryptaseSerializer(allow_null=True)
    medicines = CardMedicineSerializer(many=True, help_text="Current medicines.")
    known_triggers = serializers.ListField(
        child=serializers.CharField(),
        help_text="Triggers logged in the diary, then the ones written on the card.",
    )
    extra_triggers = serializers.ListField(child=serializers.CharField())
    drug_intolerances = serializers.ListField(child=serializers.CharField())
    action_plan = serializers.CharField(allow_blank=True)
    emergency_contacts = EmergencyContactSerializer(many=True)
    language = serializers.CharField(help_text="The language the card is assembled in.")
    words_language = serializers.CharField(
        help_text="The language of the owner's own words shown (the action plan): `language` "
        "where the owner gave them in it, else the language they were written in."
    )
    note_language = serializers.CharField(help_text="The same, for the diagnosis note.")
    translations = serializers.DictField(
        child=CardWordsSerializer(),
        help_text="The owner's own words per language (`it`, `de`, …); never machine-translated.",
    )
    updated_at = serializers.DateTimeField(allow_null=True)


class EmergencyCardUpdateSerializer(StrictSerializer):
    diagnosis_note = serializers.CharField(max_length=300, allow_blank=True, required=False)
    action_plan = serializers.CharField(
        max_length=4000,
        allow_blank=True,
        required=False,
        help_text="The anaphylaxis action plan, in the patient's or clinician's words.",
    )
    drug_intolerances = serializers.ListField(
        child=serializers.CharField(max_length=120), max_length=30, required=False
    )
    extra_triggers = serializers.ListField(
        child=serializers.CharField(max_length=120),
        max_length=30,
        required=False,
        help_text="Known triggers not (yet) in the diary.",
    )
    translations = serializers.DictField(
        child=CardWordsSerializer(),
        required=False,
        help_text="The action plan, diagnosis note and contacts' relations in other languages, "
        "by language code; replaces what was given before. A language left out shows the words "
        "as written.",
    )

    def validate_translations(self, value: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(value) - set(LANGUAGE_CODES))
        if unknown:
            raise serializers.ValidationError(
                _("Not a language Mastline speaks: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return {code: words for code, words in value.items() if any(words.values())}


class CardLinkSerializer(StrictModelSerializer):
    active = serializers.SerializerMethodField()
    expires_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="Optional; the link stops working then.",
        validators=[PLANNED_DATE],
    )

    class Meta:
        model = CardShareLink
        fields: tuple[str, ...] = (
            "id",
            "label",
            "created_at",
            "expires_at",
            "revoked_at",
            "active",
            "last_viewed_at",
            "views",
        )
        read_only_fields: tuple[str, ...] = (
            "id",
            "created_at",
            "revoked_at",
            "last_viewed_at",
            "views",
        )

    def get_active(self, link: CardShareLink) -> bool:
        expired = link.expires_at is not None and link.expires_at <= timezone.now()
        return link.revoked_at is None and not expired

    def validate_expires_at(self, value: Any) -> Any:
        if value is not None and value <= timezone.now():
            raise serializers.ValidationError(_("This time has passed."))
        return value


class CardLinkCreatedSerializer(CardLinkSerializer):
    url = serializers.CharField(
        read_only=True, help_text="The link. Shown once: only a hash of it is kept."
    )
    qr_svg = serializers.CharField(
        read_only=True, help_text="A QR code of `url`, as an SVG document. Shown once."
    )

    class Meta(CardLinkSerializer.Meta):
        fields = (*CardLinkSerializer.Meta.fields, "url", "qr_svg")
        read_only_fields = (*CardLinkSerializer.Meta.read_only_fields, "url", "qr_svg")
