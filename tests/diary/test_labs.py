"""Lab results and the acute tryptase compared with the baseline by the 20 % + 2 rule."""

from __future__ import annotations

import pytest

from apps.diary.models import LabResult

from .conftest import ago, url

pytestmark = pytest.mark.django_db


def _lab(client, patient, **body):  # type: ignore[no-untyped-def]
    response = client.post(url("lab-result-list", patient), body)
    assert response.status_code == 201, response.json()
    return response.json()


def _episode(client, patient, hours_ago):  # type: ignore[no-untyped-def]
    return client.post(
        url("anaphylaxis-episode-list", patient),
        {"onset_at": ago(hours=hours_ago), "findings": ["cv.hypotension"]},
    ).json()["id"]


def test_an_acute_tryptase_is_compared_with_the_latest_baseline_before_it(world, client_for):
    clinician = client_for(world.clinician)  # clinicians write lab results
    _lab(clinician, world.patient, analyte="tryptase", value="20.0", sampled_at=ago(days=200))
    baseline = _lab(
        clinician, world.patient, analyte="tryptase", value="10.0", sampled_at=ago(days=30)
    )
    episode = _episode(client_for(world.owner), world.patient, 5)
    acute = _lab(
        clinician,
        world.patient,
        analyte="tryptase",
        value="14.5",
        sampled_at=ago(hours=4),
        episode=episode,
    )
    assert acute["baseline_result"] == baseline["id"]
    assert acute["baseline_value"] == "10.000"
    assert acute["activation_threshold"] == "14.0000"  # 1.2 × 10 + 2
    assert acute["activation"] == "elevated"
    assert acute["unit"] == "ng/mL"


def test_exactly_at_the_threshold_is_not_elevated(world, owner):
    _lab(owner, world.patient, analyte="tryptase", value="5.0", sampled_at=ago(days=10))
    episode = _episode(owner, world.patient, 3)
    acute = _lab(
        owner,
        world.patient,
        analyte="tryptase",
        value="8.0",
        sampled_at=ago(hours=2),
        episode=episode,
    )
    assert (acute["activation_threshold"], acute["activation"]) == ("8.0000", "not_elevated")


def test_a_marked_baseline_wins_over_a_later_unmarked_tryptase(world, owner):
    marked = _lab(
        owner,
        world.patient,
        analyte="tryptase",
        value="6.0",
        sampled_at=ago(days=60),
        is_baseline=True,
    )
    _lab(owner, world.patient, analyte="tryptase", value="30.0", sampled_at=ago(days=20))
    episode = _episode(owner, world.patient, 3)
    acute = _lab(
        owner,
        world.patient,
        analyte="tryptase",
        value="10.0",
        sampled_at=ago(hours=2),
        episode=episode,
    )
    assert acute["baseline_result"] == marked["id"]
    assert acute["activation"] == "elevated"  # 10 > 6 × 1.2 + 2 = 9.2


def test_without_a_baseline_the_result_says_so_and_catches_up_when_one_is_entered(world, owner):
    episode = _episode(owner, world.patient, 3)
    acute = _lab(
        owner,
        world.patient,
        analyte="tryptase",
        value="25.0",
        sampled_at=ago(hours=2),
        episode=episode,
    )
    assert (acute["activation"], acute["baseline_value"]) == ("no_baseline", None)
    cursor = owner.get(url("change-feed", world.patient, since=0)).json()["cursor"]
    # the baseline drawn months ago is typed in later: the acute result is re-evaluated
    baseline = _lab(owner, world.patient, analyte="tryptase", value="9.0", sampled_at=ago(days=90))
    stored = LabResult.objects.get(pk=acute["id"])
    assert (stored.activation, stored.version) == ("elevated", 2)
    assert str(stored.baseline_result_id) == baseline["id"]
    changed = {
        c["id"]
        for c in owner.get(url("change-feed", world.patient, since=cursor)).json()["changes"]
    }
    assert changed == {acute["id"], baseline["id"]}  # other phones learn of the new comparison
    # and deleting that baseline takes the comparison back
    owner.delete(url("lab-result-detail", world.patient, baseline["id"]), HTTP_IF_MATCH='"1"')
    assert LabResult.objects.get(pk=acute["id"]).activation == "no_baseline"


def test_other_analytes_and_unlinked_tryptases_are_not_compared(world, owner):
    episode = _episode(owner, world.patient, 3)
    ige = _lab(
        owner,
        world.patient,
        analyte="total_ige",
        value="850",
        sampled_at=ago(hours=2),
        episode=episode,
    )
    kit = _lab(owner, world.patient, analyte="kit_d816v", value="0.8", sampled_at=ago(days=3))
    plain = _lab(owner, world.patient, analyte="tryptase", value="12", sampled_at=ago(days=3))
    assert (ige["unit"], kit["unit"]) == ("IU/mL", "%")
    assert ige["activation"] == kit["activation"] == plain["activation"] == ""


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"analyte": "kit_d816v", "value": "101"}, "value"),
        ({"analyte": "tryptase", "value": "-1"}, "value"),
        ({"analyte": "ferritin", "value": "10"}, "analyte"),
        ({"analyte": "total_ige", "value": "10", "is_baseline": True}, "is_baseline"),
        (
            {
                "analyte": "tryptase",
                "value": "10",
                "episode": "6f1d9a52-3c1e-4e57-9a0e-2b6f0d6f7a11",
            },
            "episode",
        ),
    ],
)
def test_bad_lab_input_is_refused(world, owner, body, field):
    response = owner.post(
        url("lab-result-list", world.patient), {"sampled_at": ago(days=1), **body}
    )
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not LabResult.objects.exists()


def test_a_baseline_is_not_drawn_during_an_episode(world, owner):
    episode = _episode(owner, world.patient, 3)
    response = owner.post(
        url("lab-result-list", world.patient),
        {
            "analyte": "tryptase",
            "value": "10",
            "sampled_at": ago(hours=2),
            "episode": episode,
            "is_baseline": True,
        },
    )
    assert response.status_code == 400 and "is_baseline" in response.json()["fields"]


def test_another_patients_episode_cannot_be_linked(world, owner, client_for):
    theirs = _episode(client_for(world.stranger), world.strangers_patient, 3)
    response = owner.post(
        url("lab-result-list", world.patient),
        {"analyte": "tryptase", "value": "10", "sampled_at": ago(hours=2), "episode": theirs},
    )
    assert response.status_code == 400 and "episode" in response.json()["fields"]
