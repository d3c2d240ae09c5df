"""Who of the care team hears an alert: one rule for every kind.

An alert names its audience by role (`owner`, `caregiver`, `clinician`). Recipients are the
people who hold one of those roles on the patient's care team *when the alert fires* — an active
membership of an active account — so someone whose access was revoked in between never hears
about the patient again. Someone holding two of the roles is notified once, under the first role
of the audience (their words and buttons follow that role). Within a role, the longest-standing
member comes first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from apps.careteam.models import Membership


class Team:
    """The current care teams of some patients, loaded in one query (a scan's batch)."""

    def __init__(self, patient_ids: Iterable[Any]) -> None:
        self._members: dict[tuple[Any, str], list[Any]] = defaultdict(list)
        for membership in (
            Membership.objects.active()
            .filter(patient_id__in=set(patient_ids), user__is_active=True)
            .select_related("user")
            .order_by("created_at")
        ):
            self._members[(membership.patient_id, membership.role)].append(membership.user)

    def for_audience(self, patient_id: Any, audience: Sequence[str]) -> list[tuple[Any, str]]:
        """[(user, role)] of the patient's members in `audience`, each person once."""
        found: dict[Any, tuple[Any, str]] = {}
        for role in audience:
            for user in self._members.get((patient_id, role), []):
                found.setdefault(user.pk, (user, role))
        return list(found.values())


def recipients(
    patient_ids: Iterable[Any], audience: Sequence[str]
) -> dict[Any, list[tuple[Any, str]]]:
    """patient id → [(user, role)] in `audience`, resolved now (outside a scan: a pen used)."""
    ids = set(patient_ids)
    team = Team(ids)
    return {pid: team.for_audience(pid, audience) for pid in ids}
