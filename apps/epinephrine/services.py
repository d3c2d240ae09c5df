"""Writes with rules: pens and their expiry reminders, the carry check and its answers, and what
happens when a pen is used. Reminders are rows (`Reminder`) planned here and fired by
the one alert pipeline (apps.alerts; this kind's rules: alerts.py); no ETA task is ever queued."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from rest_framework.exceptions import ValidationError

from apps.alerts.defaults import EPINEPHRINE_AUDIENCE, EXPIRY_REMINDER_TIME
from apps.alerts.recipients import recipients
from apps.careteam.models import Patient, Role
from apps.core.i18n import in_language, language_of
from apps.diary import services as diary_services
from apps.diary.models import AnaphylaxisEpisode
from apps.medications import services as medication_services
from apps.medications.models import DrugClass, GivenBy, Location, Medication
from apps.notifications import services as notifications
from apps.notifications.actions import actions_for_role
from apps.notifications.models import Urgency
from apps.sync import services as sync_services

from . import messages
from .models import (
    EXPIRY_KINDS,
    PENS_NEEDED,
    AutoInjector,
    CarryCheck,
    CarryCheckSettings,
    PenState,
    PenUse,
    Reminder,
    ReminderKind,
    ReminderStatus,
    carry_source_key,
    pen_source_key,
)

PEN_KIND = "pen"  # the sync kind of AutoInjector (api.PenViewSet)
CARRY_KINDS = (ReminderKind.CARRY_FIRST, ReminderKind.CARRY_AGAIN)


# --- time -------------------------------------------------------------------------------------


def local_moment(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.datetime:
    """`day` at wall time `at` in `zone`, as UTC. A wall time skipped by a DST change maps to the
    moment just after the jump (02:30 on a spring-forward night → 03:30)."""
    return dt.datetime.combine(day, at, tzinfo=zone).astimezone(dt.UTC)


# --- readiness --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Readiness:
    ready_pens: int
    pens_needed: int
    two_pen_rule_met: bool
    next_expiry: dt.date | None
    local_date: dt.date


def readiness_of(pens: list[AutoInjector], today: dt.date) -> Readiness:
    """From the patient's live pens: how many are in use and unexpired on their local day."""
    ready = [pen for pen in pens if pen.is_ready_on(today)]
    return Readiness(
        ready_pens=len(ready),
        pens_needed=PENS_NEEDED,
        two_pen_rule_met=len(ready) >= PENS_NEEDED,
        next_expiry=min((pen.expires_on for pen in ready), default=None),
        local_date=today,
    )


def readiness(patient: Patient, now: dt.datetime | None = None) -> Readiness:
    pens = list(
        AutoInjector.objects.filter(patient=patient, deleted_at__isnull=True, state=PenState.IN_USE)
    )
    return readiness_of(pens, patient.local_today(now))


# --- who hears about it -----------------------------------------------------------------------


def owners_and_caregivers(patient_ids: set[Any]) -> dict[Any, list[tuple[Any, str]]]:
    """patient id → [(user, role)] of active owners and caregivers, resolved now (a revoked
    member never hears about the patient again): the one recipients rule of apps.alerts."""
    return recipients(patient_ids, EPINEPHRINE_AUDIENCE)


# --- pens -------------------------------------------------------------------------------------


@transaction.atomic
def pen_create(*, fields: dict[str, Any], digest: str) -> AutoInjector:
    pen: AutoInjector = sync_services.synced_create(
        kind=PEN_KIND, model=AutoInjector, fields=fields, digest=digest
    )
    pen_replan(pen=pen)
    return pen


@transaction.atomic
def pen_update(*, pen: AutoInjector, fields: dict[str, Any]) -> AutoInjector:
    pen = sync_services.synced_update(kind=PEN_KIND, instance=pen, fields=fields)
    pen_replan(pen=pen)
    return pen


@transaction.atomic
def pen_delete(*, pen: AutoInjector) -> None:
    sync_services.synced_delete(kind=PEN_KIND, instance=pen)
    pen_replan(pen=pen)


def pen_replan(*, pen: AutoInjector, now: dt.datetime | None = None) -> None:
    """Brings the pen's pending expiry reminders in line with its expiry date, state and the
    patient's zone. Reminders whose time has passed are not sent retroactively; a pen no longer
    in use (used, discarded, deleted) has none, and notifications about it are resolved."""
    now = now or timezone.now()
    patient = Patient.objects.get(pk=pen.patient_id)
    zone = patient.zone
    desired: dict[tuple[str, dt.date], dt.datetime] = {}
    live = pen.deleted_at is None and pen.state == PenState.IN_USE
    if live:
        for days, kind in EXPIRY_KINDS.items():
            fire_at = local_moment(
                pen.expires_on - dt.timedelta(days=days), EXPIRY_REMINDER_TIME, zone
            )
            if fire_at > now:
                desired[(kind, pen.expires_on)] = fire_at
    existing = {
        (row.kind, row.local_date): row
        for row in Reminder.objects.filter(pen=pen).filter(
            Q(status=ReminderStatus.PENDING) | Q(local_date=pen.expires_on)
        )
    }
    for key, row in existing.items():
        if row.status in (ReminderStatus.PENDING, ReminderStatus.CANCELLED) and key in desired:
            if (row.status, row.fire_at, row.planned_time_zone) != (
                ReminderStatus.PENDING,
                desired[key],
                patient.time_zone,
            ):
                row.status = ReminderStatus.PENDING
                row.fire_at = desired[key]
                row.planned_time_zone = patient.time_zone
                row.save(update_fields=["status", "fire_at", "planned_time_zone"])
        elif row.status == ReminderStatus.PENDING and key not in desired:
            row.status = ReminderStatus.CANCELLED
            row.save(update_fields=["status"])
    Reminder.objects.bulk_create(
        [
            Reminder(
                patient_id=pen.patient_id,
                pen=pen,
                kind=kind,
                local_date=local_date,
                fire_at=fire_at,
                planned_time_zone=patient.time_zone,
            )
            for (kind, local_date), fire_at in desired.items()
            if (kind, local_date) not in existing
        ]
    )
    if not live:
        notifications.cancel_for_source(source_key=pen_source_key(pen.pk))


def patient_zone_changed(*, patient: Patient) -> None:
    """Every local reminder time of the patient now means another UTC moment."""
    with transaction.atomic():
        moved = (
            Reminder.objects.filter(patient=patient, status=ReminderStatus.PENDING)
            .exclude(planned_time_zone=patient.time_zone)
            .exclude(kind=ReminderKind.CARRY_AGAIN)  # "N hours after the prompt": no wall time
        )
        pen_ids = set(moved.filter(pen__isnull=False).values_list("pen_id", flat=True))
        carry_moved = moved.filter(pen__isnull=True).exists()
        for pen in AutoInjector.objects.filter(pk__in=pen_ids):
            pen_replan(pen=pen)
        if carry_moved:
            carry_replan(patient=patient)


# --- after a use ------------------------------------------------------------------------------


@dataclass
class PenUseResult:
    use: PenUse
    episode: AnaphylaxisEpisode
    readiness: Readiness
    notified: int


def _epinephrine_medication(patient: Patient) -> Medication | None:
    """The patient's epinephrine medication in apps.medications, if they track one."""
    return (
        Medication.objects.filter(
            patient=patient, drug_class=DrugClass.EPINEPHRINE, paused_at__isnull=True
        )
        .order_by("-created_at")
        .first()
    )


@transaction.atomic
def pen_use(
    *,
    pen: AutoInjector,
    by: Any,
    by_role: str,
    used_at: dt.datetime,
    episode: AnaphylaxisEpisode | None = None,
    note: str = "",
) -> PenUseResult:
    """Logs a pen as used, in one transaction: the pen is marked used; the epinephrine dose is
    recorded (in the dose log too when the patient tracks an epinephrine medication); an
    anaphylaxis episode is opened in the diary, or the given one gets this pen — for one of its
    doses that has no pen marked yet, or as one more dose; the other owners and every caregiver
    get an urgent alert at once (`epinephrine_given`, once per episode), and the owners a
    reminder to replace the pen."""
    pen = AutoInjector.objects.select_for_update().select_related("patient").get(pk=pen.pk)
    patient = pen.patient
    if pen.state == PenState.USED:
        raise ValidationError({"pen": [gettext("This pen was already logged as used.")]})
    if episode is not None:
        episode = AnaphylaxisEpisode.objects.select_for_update().get(pk=episode.pk)
        if unmarked_doses(episode) <= 0:
            episode = diary_services.episode_update(
                episode=episode, fields={"epinephrine_doses": episode.epinephrine_doses + 1}
            )
    else:
        episode = diary_services.episode_create(
            fields={
                "patient": patient,
                "onset_at": used_at,
                "epinephrine_doses": 1,
                "note": "Opened when an epinephrine auto-injector was logged as used.",
                "created_by": by,
            },
            digest="",
        )
    use = _mark_used(pen=pen, by=by, by_role=by_role, used_at=used_at, episode=episode, note=note)
    state = readiness(patient)
    notified = epinephrine_given(
        episode=episode, by=by, at=used_at, pens=[pen], ready=state.ready_pens
    )
    return PenUseResult(use=use, episode=episode, readiness=state, notified=notified)


def _mark_used(
    *,
    pen: AutoInjector,
    by: Any,
    by_role: str,
    used_at: dt.datetime,
    episode: AnaphylaxisEpisode,
    note: str = "",
) -> PenUse:
    """The pen (locked by the caller) no longer counts as ready; its dose is recorded."""
    patient = pen.patient
    pen = sync_services.synced_update(
        kind=PEN_KIND, instance=pen, fields={"state": PenState.USED, "used_at": used_at}
    )
    pen_replan(pen=pen)
    dose_log = None
    medication = _epinephrine_medication(patient)
    if medication is not None:
        dose_log = medication_services.dose_create(
            fields={
                "patient": patient,
                "medication": medication,
                "taken_at": used_at,
                "given_by": GivenBy.CAREGIVER if by_role == Role.CAREGIVER else GivenBy.PATIENT,
                "location": Location.HOME,
                "note": f"Auto-injector {pen.dose_mg} mg{f', lot {pen.lot}' if pen.lot else ''}",
                "created_by": by,
            },
            digest="",
        )
    return PenUse.objects.create(
        patient=patient,
        pen=pen,
        used_at=used_at,
        dose_mg=pen.dose_mg,
        episode=episode,
        dose_log=dose_log,
        note=note,
        logged_by=by,
    )


def pens_used_in(episode: AnaphylaxisEpisode) -> list[PenUse]:
    return list(PenUse.objects.filter(episode=episode).order_by("used_at", "id"))


def unmarked_doses(episode: AnaphylaxisEpisode) -> int:
    """Epinephrine doses of the episode with no pen marked for them (never below 0)."""
    return max(episode.epinephrine_doses - PenUse.objects.filter(episode=episode).count(), 0)


def usable_pens(patient: Patient, pen_ids: list[Any]) -> tuple[list[AutoInjector], list[str]]:
    """The patient's pens among `pen_ids` that can be marked used, and an error per id that
    cannot: another patient's pen reads exactly like one that does not exist."""
    found = {
        p.pk: p
        for p in AutoInjector.objects.filter(
            patient=patient, pk__in=pen_ids, deleted_at__isnull=True
        )
    }
    errors = []
    for pk in pen_ids:
        pen = found.get(pk)
        if pen is None:
            errors.append(gettext("%(id)s: no such pen on this patient's list.") % {"id": pk})
        elif pen.state != PenState.IN_USE:
            errors.append(
                gettext("%(id)s: this pen is not in use (already used or put away).") % {"id": pk}
            )
    return [found[pk] for pk in dict.fromkeys(pen_ids) if pk in found], errors


@dataclass
class EpisodeEpinephrine:
    pens_used: list[PenUse]
    unmarked: int
    notified: int


@transaction.atomic
def episode_epinephrine(
    *, episode: AnaphylaxisEpisode, pens: list[AutoInjector], by: Any, by_role: str
) -> EpisodeEpinephrine:
    """An episode was logged with epinephrine given (by anyone on the team, from the diary):
    the pens named are marked used for it (a pen already marked for this episode, e.g. by an
    offline retry, is left as it is) and the care team is alerted at once — the same path as a
    pen logged used (`epinephrine_given`)."""
    marked = []
    for pen in pens:
        pen = AutoInjector.objects.select_for_update().select_related("patient").get(pk=pen.pk)
        if pen.state == PenState.USED:
            continue
        marked.append(pen)
        _mark_used(pen=pen, by=by, by_role=by_role, used_at=episode.onset_at, episode=episode)
    notified = 0
    if episode.epinephrine_doses > 0:
        notified = epinephrine_given(
            episode=episode,
            by=by,
            at=episode.onset_at,
            pens=marked,
            ready=readiness(episode.patient).ready_pens,
        )
    return EpisodeEpinephrine(pens_used_in(episode), unmarked_doses(episode), notified)


def epinephrine_given(
    *, episode: AnaphylaxisEpisode, by: Any, at: dt.datetime, pens: list[AutoInjector], ready: int
) -> int:
    """The one alert that epinephrine was given, whether a pen was logged used or an episode
    was logged with doses: every owner and caregiver but the person who logged it, urgent (it
    ignores quiet hours and repeats until someone acknowledges it), once per episode; and, when
    pens were marked, the owners a reminder to replace them. Returns how many were alerted."""
    patient = episode.patient
    source = f"epinephrine:{episode.pk}"
    logged_by = getattr(by, "display_name", "") or "Someone"
    notified = 0
    for user, role in owners_and_caregivers({patient.pk})[patient.pk]:
        with in_language(language_of(user)):  # each reader's own language
            alert = messages.pen_used_alert(
                patient.display_name, logged_by, at.astimezone(patient.zone), user.time_zone
            )
            replace = messages.replace_pen(patient.display_name, ready)
        if user.pk != by.pk:
            notifications.notify(
                recipient=user,
                patient=patient,
                category="pen_used",
                urgency=Urgency.URGENT,
                dedupe_key=source,
                source_key=source,
                title=alert.title,
                body=alert.body,
                url=alert.url,
                actions=actions_for_role(alert.actions, role),
            )
            notified += 1
        if role == Role.OWNER and pens:
            replace_key = f"pen-use:{pens[-1].pk}:replace"
            notifications.notify(
                recipient=user,
                patient=patient,
                category="pen_used",
                urgency=Urgency.HIGH,
                dedupe_key=replace_key,
                source_key=replace_key,
                title=replace.title,
                body=replace.body,
                url=replace.url,
            )
    return notified


# --- the carry check --------------------------------------------------------------------------


@transaction.atomic
def carry_settings_save(
    *, patient: Patient, enabled: bool, local_time: dt.time, again_after_minutes: int
) -> CarryCheckSettings:
    found, _ = CarryCheckSettings.objects.update_or_create(
        patient=patient,
        defaults={
            "enabled": enabled,
            "local_time": local_time,
            "again_after_minutes": again_after_minutes,
        },
    )
    carry_replan(patient=patient)
    return found


def carry_replan(*, patient: Patient, now: dt.datetime | None = None) -> None:
    """Keeps exactly one pending daily prompt: the next local day whose check time is still to
    come and which has no answer yet. Turning the check off cancels every pending prompt."""
    now = now or timezone.now()
    patient = Patient.objects.get(pk=patient.pk)
    found = CarryCheckSettings.objects.filter(patient=patient).first()
    pending = Reminder.objects.filter(
        patient=patient, pen__isnull=True, status=ReminderStatus.PENDING
    )
    if found is None or not found.enabled:
        pending.update(status=ReminderStatus.CANCELLED)
        return
    zone = patient.zone
    day = patient.local_today(now)
    answered = set(
        CarryCheck.objects.filter(patient=patient, local_date__gte=day).values_list(
            "local_date", flat=True
        )
    )
    while local_moment(day, found.local_time, zone) <= now or day in answered:
        day += dt.timedelta(days=1)
    fire_at = local_moment(day, found.local_time, zone)
    pending.filter(kind=ReminderKind.CARRY_FIRST).exclude(local_date=day).update(
        status=ReminderStatus.CANCELLED
    )
    row = Reminder.objects.filter(
        patient=patient, pen__isnull=True, kind=ReminderKind.CARRY_FIRST, local_date=day
    ).first()
    if row is None:
        Reminder.objects.create(
            patient=patient,
            kind=ReminderKind.CARRY_FIRST,
            local_date=day,
            fire_at=fire_at,
            planned_time_zone=patient.time_zone,
        )
    elif row.status in (ReminderStatus.PENDING, ReminderStatus.CANCELLED):
        row.status = ReminderStatus.PENDING
        row.fire_at = fire_at
        row.planned_time_zone = patient.time_zone
        row.save(update_fields=["status", "fire_at", "planned_time_zone"])


def answerable_dates(patient: Patient, now: dt.datetime | None = None) -> tuple[dt.date, dt.date]:
    today = patient.local_today(now)
    return today - dt.timedelta(days=1), today


@transaction.atomic
def carry_check_answer(
    *, patient: Patient, local_date: dt.date | None, pens_with_me: int, by: Any
) -> tuple[CarryCheck, bool]:
    """Records (or corrects) the answer for one local day — today or yesterday only — and stops
    that day's prompts. Returns (answer, created)."""
    now = timezone.now()
    yesterday, today = answerable_dates(patient, now)
    day = local_date or today
    if day > today:
        raise ValidationError(
            {"date": [gettext("This day has not started yet where the patient is.")]}
        )
    if day < yesterday:
        raise ValidationError(
            {"date": [gettext("Only today's or yesterday's carry check can be answered.")]}
        )
    values = {"pens_with_me": pens_with_me, "answered_at": now, "answered_by": by}
    try:
        with transaction.atomic():
            check, created = CarryCheck.objects.select_for_update().get_or_create(
                patient=patient, local_date=day, defaults=values
            )
    except IntegrityError:  # two phones answered the same day at once: update the winner's
        check = CarryCheck.objects.select_for_update().get(patient=patient, local_date=day)
        created = False
    if not created:
        for name, value in values.items():
            setattr(check, name, value)
        check.save(update_fields=list(values))
    Reminder.objects.filter(
        patient=patient,
        pen__isnull=True,
        kind__in=CARRY_KINDS,
        local_date=day,
        status=ReminderStatus.PENDING,
    ).update(status=ReminderStatus.CANCELLED)
    notifications.cancel_for_source(source_key=carry_source_key(patient.pk, day))
    carry_replan(patient=patient, now=now)
    return check, created


@dataclass(frozen=True)
class Streaks:
    carrying_days: int  # consecutive days with at least one pen
    two_pen_days: int  # consecutive days meeting the two-pen rule
    through: dt.date | None  # the last day counted: today if answered, else yesterday


def streaks(patient: Patient, now: dt.datetime | None = None) -> Streaks:
    """Consecutive answered local days ending today — or yesterday, while today's check is
    still open. A day without an answer, or answered with 0 pens, ends both streaks; a day with
    fewer than two pens ends the two-pen streak."""
    yesterday, today = answerable_dates(patient, now)
    rows = (
        CarryCheck.objects.filter(patient=patient, local_date__lte=today)
        .order_by("-local_date")
        .values_list("local_date", "pens_with_me")
    )
    expected: dt.date | None = None
    carrying = two_pen = 0
    two_pen_open = True
    through = None
    for day, pens in rows.iterator(chunk_size=400):
        if expected is None:
            if day not in (today, yesterday):
                break
            expected = through = day
        if day != expected or pens < 1:
            break
        carrying += 1
        if two_pen_open and pens >= PENS_NEEDED:
            two_pen += 1
        else:
            two_pen_open = False
        expected = day - dt.timedelta(days=1)
    return Streaks(carrying_days=carrying, two_pen_days=two_pen, through=through)
