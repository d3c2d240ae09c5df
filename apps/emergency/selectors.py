"""The emergency card as it is shown: assembled from the patient record, the diary and the
medication list, plus the patient's own words (EmergencyCard).

It is assembled in one language (the active one, or `language`): the catalogue's words (subtype,
triggers, medicines, routes) come from the glossary in that language; the owner's words (the
action plan, the diagnosis note, contacts' relations) come in that language where the owner gave
them, else as written, with `words_language` saying which language they are in. Nothing is ever
machine-translated."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from apps.careteam.models import KitStatus, Membership, Patient, Role, SMSubtype
from apps.core.i18n import language_of, supported_language
from apps.core.localtime import local_day
from apps.diary.models import LabAnalyte, LabResult, Trigger, TriggerExposure
from apps.glossary.models import TermKind
from apps.glossary.selectors import term_names
from apps.medications.models import Medication, RegimenKind, Route

from .models import EmergencyCard


def baseline_tryptase(patient: Patient) -> LabResult | None:
    """The latest tryptase marked as baseline, or failing that the latest not drawn during an
    episode (an acute value is not the patient's baseline)."""
    found = LabResult.objects.filter(
        patient=patient, analyte=LabAnalyte.TRYPTASE, deleted_at__isnull=True
    ).order_by("-sampled_at", "-id")
    return found.filter(is_baseline=True).first() or found.filter(episode__isnull=True).first()


KIT_WORDS: dict[str, Any] = {
    KitStatus.POSITIVE: _("KIT D816V detected"),
    KitStatus.NEGATIVE: _("KIT D816V not detected"),
    KitStatus.NOT_TESTED: _("KIT D816V not tested"),
    KitStatus.UNKNOWN: _("KIT D816V: not known"),
}
# What the owner may give per language (EmergencyCard.translations).
TRANSLATABLE = ("action_plan", "diagnosis_note")


def owner_language(patient: Patient) -> str:
    """The language the card's own words are written in: its first owner's (a record keeps no
    language of its own)."""
    owner = (
        Membership.objects.active()
        .filter(patient=patient, role=Role.OWNER)
        .select_related("user")
        .order_by("created_at")
        .first()
    )
    return language_of(owner.user if owner else None)


def card_for(
    patient: Patient, now: dt.datetime | None = None, *, language: str | None = None
) -> dict[str, Any]:
    lang = supported_language(language or translation.get_language())
    with translation.override(lang):
        return _card(patient, now, lang)


def _card(patient: Patient, now: dt.datetime | None, lang: str) -> dict[str, Any]:
    today = patient.local_today(now)
    card = EmergencyCard.objects.filter(patient=patient).first() or EmergencyCard(patient=patient)
    drugs = term_names(TermKind.DRUG, lang)
    routes = term_names(TermKind.ROUTE, lang)
    medicines = [
        {
            "name": drugs[m.name].name if m.name in drugs else m.name,
            "dose": f"{m.dose.normalize():f} {m.dose_unit}".strip() if m.dose is not None else "",
            "route": routes[m.route].name if m.route in routes else str(Route(m.route).label),
            "as_needed": m.regimen_kind == RegimenKind.AS_NEEDED,
        }
        for m in Medication.objects.filter(patient=patient, paused_at__isnull=True)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .order_by("name", "id")
    ]
    logged = TriggerExposure.objects.filter(patient=patient, deleted_at__isnull=True).values(
        "trigger_id"
    )
    words = term_names(TermKind.TRIGGER, lang)
    triggers = sorted(
        words[code].name if code in words and patient_id is None else name
        for code, name, patient_id in Trigger.objects.filter(
            pk__in=logged, deleted_at__isnull=True
        ).values_list("code", "name", "patient_id")
    )
    tryptase = baseline_tryptase(patient)
    subtypes = term_names(TermKind.SM_SUBTYPE, lang)
    own = card.translations.get(lang, {}) if isinstance(card.translations, dict) else {}
    written_in = owner_language(patient)
    given = {field: own.get(field) or "" for field in TRANSLATABLE}
    relations = own.get("relations") or {}
    contacts = [
        {
            **contact,
            "relation": relations.get(contact.get("relation", ""), contact.get("relation", "")),
        }
        for contact in (patient.emergency_contacts or [])
    ]
    return {
        "patient_name": patient.display_name,
        "date_of_birth": patient.date_of_birth,
        "diagnosis": subtypes[patient.sm_subtype].name
        if patient.sm_subtype in subtypes
        else str(SMSubtype(patient.sm_subtype).label),
        "sm_subtype": patient.sm_subtype,
        "diagnosis_note": given["diagnosis_note"] or card.diagnosis_note,
        "kit_d816v": str(KIT_WORDS.get(patient.kit_d816v_status, patient.kit_d816v_status)),
        "kit_d816v_status": patient.kit_d816v_status,
        "baseline_tryptase": None
        if tryptase is None
        else {
            "value": f"{tryptase.value.normalize():f}",
            "unit": tryptase.unit,
            "sampled_on": local_day(tryptase.sampled_at, patient.zone),
        },
        "medicines": medicines,
        "known_triggers": [*triggers, *(t for t in card.extra_triggers if t not in triggers)],
        "extra_triggers": list(card.extra_triggers),
        "drug_intolerances": list(card.drug_intolerances),
        "action_plan": given["action_plan"] or card.action_plan,
        "emergency_contacts": contacts,
        # The language the card's own words above are in: `language` where the owner gave them
        # in it, else the owner's.
        "language": lang,
        "words_language": lang if given["action_plan"] or not card.action_plan else written_in,
        "note_language": lang if given["diagnosis_note"] or not card.diagnosis_note else written_in,
        "translations": dict(card.translations or {}),
        "updated_at": card.updated_at,
    }
