"""Diary writes that carry a rule of their own. Plain creates, updates and deletes go through
apps.sync.services (versions, tombstones, the change feed); these wrap them."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from apps.sync import services as sync_services

from .models import AnaphylaxisEpisode, DailyCheckIn, LabAnalyte, LabResult
from .rules import anaphylaxis_grade, tryptase_activation

CHECK_IN_KIND = "check_in"
EPISODE_KIND = "anaphylaxis_episode"
LAB_KIND = "lab_result"

_CHECK_IN_VALUES = ("overall_severity", "quality_of_life", "note")


# --- daily check-in: one per patient and local day ---------------------------------------------


class CheckInExists(Exception):
    """Another check-in (another phone's, a caregiver's) is already stored for the day. It is
    never overwritten by a create: the person sees both and chooses, then changes the stored one
    with its version (If-Match), which is an ordinary update."""

    def __init__(self, existing: DailyCheckIn) -> None:
        super().__init__("A check-in for this day already exists.")
        self.existing = existing


def check_in_create(*, fields: dict[str, Any], digest: str) -> tuple[DailyCheckIn, bool]:
    """Creates the day's check-in. The same check-in sent again (another id, the same answers)
    returns the stored one unchanged: (check-in, False). A different one for a day that has a
    check-in raises CheckInExists, whether it was there first or won a race with this one."""
    existing = _live_check_in(fields["patient"], fields["local_date"])
    if existing is None:
        try:
            with transaction.atomic():
                created = sync_services.synced_create(
                    kind=CHECK_IN_KIND, model=DailyCheckIn, fields=fields, digest=digest
                )
            return created, True
        except IntegrityError:
            # Lost the race for the day (the unique constraint among live check-ins), or the same
            # id arrived twice at once: let the caller's replay handling see the latter.
            existing = _live_check_in(fields["patient"], fields["local_date"])
            if existing is None or existing.pk == fields.get("id"):
                raise
    if _same_answers(existing, fields):
        return existing, False
    raise CheckInExists(existing)


def _live_check_in(patient: Any, local_date: Any) -> DailyCheckIn | None:
    return (
        DailyCheckIn.objects.select_for_update()
        .filter(patient=patient, local_date=local_date, deleted_at__isnull=True)
        .first()
    )


def _same_answers(existing: DailyCheckIn, fields: dict[str, Any]) -> bool:
    return all(
        getattr(existing, name) == fields.get(name, "" if name == "note" else None)
        for name in _CHECK_IN_VALUES
    )


# --- anaphylaxis episodes ------------------------------------------------------------------------


@transaction.atomic
def episode_create(*, fields: dict[str, Any], digest: str) -> AnaphylaxisEpisode:
    exposures = fields.pop("suspected_exposures", [])
    fields["grade"] = anaphylaxis_grade(fields.get("findings", []))
    episode = sync_services.synced_create(
        kind=EPISODE_KIND, model=AnaphylaxisEpisode, fields=fields, digest=digest
    )
    episode.suspected_exposures.set(exposures)
    return episode


@transaction.atomic
def episode_log(
    *, fields: dict[str, Any], digest: str, pens: list[Any], by: Any, by_role: str
) -> AnaphylaxisEpisode:
    """An episode logged by someone on the care team: with epinephrine given, its pens are
    marked used and the team alerted, through apps.epinephrine's one path for epinephrine given
    (the same as a pen logged used)."""
    from apps.epinephrine.services import episode_epinephrine

    episode = episode_create(fields=fields, digest=digest)
    if episode.epinephrine_doses > 0 or pens:
        episode_epinephrine(episode=episode, pens=pens, by=by, by_role=by_role)
    return episode


@transaction.atomic
def episode_update(*, episode: AnaphylaxisEpisode, fields: dict[str, Any]) -> AnaphylaxisEpisode:
    exposures = fields.pop("suspected_exposures", None)
    if "findings" in fields:
        fields["grade"] = anaphylaxis_grade(fields["findings"])
    episode = sync_services.synced_update(kind=EPISODE_KIND, instance=episode, fields=fields)
    if exposures is not None:
        episode.suspected_exposures.set(exposures)
    return episode


# --- lab results and the acute tryptase ----------------------------------------------------------


def tryptase_baseline(lab: LabResult) -> LabResult | None:
    """The tryptase an acute one is compared with: the latest one marked as baseline sampled
    before it, or failing that the latest one sampled before it that was not drawn during an
    episode."""
    earlier = LabResult.objects.filter(
        patient_id=lab.patient_id,
        analyte=LabAnalyte.TRYPTASE,
        deleted_at__isnull=True,
        sampled_at__lt=lab.sampled_at,
    ).exclude(pk=lab.pk)
    marked = earlier.filter(is_baseline=True).order_by("-sampled_at", "-id").first()
    if marked is not None:
        return marked
    return earlier.filter(episode__isnull=True).order_by("-sampled_at", "-id").first()


def _evaluation(lab: LabResult) -> dict[str, Any]:
    if lab.analyte != LabAnalyte.TRYPTASE or lab.episode_id is None or lab.deleted_at:
        return {
            "baseline_result": None,
            "baseline_value": None,
            "activation_threshold": None,
            "activation": "",
        }
    baseline = tryptase_baseline(lab)
    threshold, result = tryptase_activation(lab.value, baseline.value if baseline else None)
    return {
        "baseline_result": baseline,
        "baseline_value": baseline.value if baseline else None,
        "activation_threshold": threshold,
        "activation": result.value,
    }


@transaction.atomic
def lab_create(*, fields: dict[str, Any], digest: str) -> LabResult:
    lab = LabResult(**fields)
    fields = {**fields, **_evaluation(lab)}
    lab = sync_services.synced_create(kind=LAB_KIND, model=LabResult, fields=fields, digest=digest)
    lab_reevaluate_acute(patient_id=lab.patient_id, except_pk=lab.pk)
    return lab


@transaction.atomic
def lab_update(*, lab: LabResult, fields: dict[str, Any]) -> LabResult:
    for name, value in fields.items():
        setattr(lab, name, value)
    fields = {**fields, **_evaluation(lab)}
    lab = sync_services.synced_update(kind=LAB_KIND, instance=lab, fields=fields)
    lab_reevaluate_acute(patient_id=lab.patient_id, except_pk=lab.pk)
    return lab


def lab_reevaluate_acute(*, patient_id: Any, except_pk: Any = None) -> int:
    """Brings every acute tryptase of the patient up to date with the baselines now on file — a
    baseline is often entered after the episode's sample. A changed comparison is a new version
    of that result, so other devices receive it through the change feed. Returns how many
    changed."""
    changed = 0
    acute = LabResult.objects.filter(
        patient_id=patient_id,
        analyte=LabAnalyte.TRYPTASE,
        episode__isnull=False,
        deleted_at__isnull=True,
    ).exclude(pk=except_pk)
    for lab in acute:
        evaluation = _evaluation(lab)
        current = {
            "baseline_result": lab.baseline_result_id,
            "baseline_value": lab.baseline_value,
            "activation_threshold": lab.activation_threshold,
            "activation": lab.activation,
        }
        wanted = {
            **evaluation,
            "baseline_result": getattr(evaluation["baseline_result"], "pk", None),
        }
        if current != wanted:
            sync_services.synced_update(kind=LAB_KIND, instance=lab, fields=evaluation)
            changed += 1
    return changed
