"""The daily carry check: asked at the patient's local time, asked once more later the same day
if unanswered, stopped by an answer; answers for today or yesterday only; streaks."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.alerts.tasks import scan_due
from apps.epinephrine import services
from apps.epinephrine.models import CarryCheck, Reminder, ReminderKind, ReminderStatus
from apps.notifications.models import Delivery, DeliveryStatus, Notification
from tests.factories import World

from .helpers import inbox, local

TODAY = dt.date(2025, 5, 5)


def _url(world: World, rest: str = "") -> str:
    return f"/api/v1/patients/{world.patient.pk}/carry-checks{rest}"


def _set_up(world: World, client_for, at: str = "08:00") -> None:
    with time_machine.travel(local(2025, 5, 5, 7, 0), tick=False):
        response = client_for(world.owner).put(
            _url(world, "/settings"), {"local_time": at, "again_after_minutes": 180}
        )
        assert response.status_code == 200, response.data
        assert response.data["next_check_at"] == "2025-05-05T06:00:00Z"


def _scan_at(*args: int) -> None:
    with time_machine.travel(local(*args), tick=False):
        scan_due()


def _keys() -> list[str]:
    return sorted(
        {dedupe.rsplit(":", 1)[1] + "@" + dedupe.split(":")[2] for _, dedupe, _ in inbox()}
    )


def test_an_unanswered_check_is_asked_once_more_later_that_day(
    world: World,
    client_for,
) -> None:
    _set_up(world, client_for)
    _scan_at(2025, 5, 5, 7, 59)
    assert inbox() == []
    _scan_at(2025, 5, 5, 8, 0)
    first = Notification.objects.filter(recipient=world.owner).get()
    assert first.category == "carry_check"
    assert first.actions[0]["action"] == "have-pens"
    assert {n.recipient.email for n in Notification.objects.all()} == {
        "parent@example.org",
        "carer@example.org",
    }
    _scan_at(2025, 5, 5, 10, 59)
    assert _keys() == ["first@2025-05-05"]
    _scan_at(2025, 5, 5, 11, 0)
    _scan_at(2025, 5, 5, 11, 1)
    assert _keys() == ["again@2025-05-05", "first@2025-05-05"]
    assert Notification.objects.count() == 4  # two people × (first, again), each once
    # Tomorrow's check is already planned, at 08:00 local.
    assert Reminder.objects.filter(
        kind=ReminderKind.CARRY_FIRST, status=ReminderStatus.PENDING
    ).get().fire_at == local(2025, 5, 6, 8, 0)


def test_an_answer_stops_the_days_prompts(world: World, client_for) -> None:
    _set_up(world, client_for)
    _scan_at(2025, 5, 5, 8, 0)
    with time_machine.travel(local(2025, 5, 5, 9, 15), tick=False):
        response = client_for(world.caregiver).post(_url(world, "/answer"), {"pens_with_me": 2})
        assert response.status_code == 201, response.data
        assert response.data["check"]["date"] == "2025-05-05"
        assert response.data["streak"] == {
            "carrying_days": 1,
            "two_pen_days": 1,
            "through": "2025-05-05",
        }
    _scan_at(2025, 5, 5, 11, 0)
    assert _keys() == ["first@2025-05-05"]
    # The first prompt is resolved and nothing of it is still waiting to be sent.
    assert not Notification.objects.filter(resolved_at__isnull=True).exists()
    assert not Delivery.objects.filter(status=DeliveryStatus.PENDING).exists()


def test_answering_before_the_check_skips_todays_prompt(world: World, client_for) -> None:
    _set_up(world, client_for)
    with time_machine.travel(local(2025, 5, 5, 7, 30), tick=False):
        assert (
            client_for(world.owner).post(_url(world, "/answer"), {"pens_with_me": 2}).status_code
            == 201
        )
    _scan_at(2025, 5, 5, 12, 0)
    assert inbox() == []
    _scan_at(2025, 5, 6, 8, 0)
    assert _keys() == ["first@2025-05-06"]


def test_answers_are_for_today_or_yesterday_and_a_second_answer_corrects(
    world: World,
    client_for,
) -> None:
    client = client_for(world.owner)
    # 00:30 on the 6th in Rome: "today" is the 6th there, though still the 5th in UTC.
    with time_machine.travel(local(2025, 5, 6, 0, 30), tick=False):
        old = client.post(_url(world, "/answer"), {"date": "2025-05-04", "pens_with_me": 2})
        assert old.status_code == 400
        assert "date" in old.data["fields"]
        future = client.post(_url(world, "/answer"), {"date": "2025-05-07", "pens_with_me": 2})
        assert future.status_code == 400
        assert (
            client.post(
                _url(world, "/answer"), {"date": "2025-05-05", "pens_with_me": 1}
            ).status_code
            == 201
        )
        corrected = client.post(_url(world, "/answer"), {"date": "2025-05-05", "pens_with_me": 2})
        assert corrected.status_code == 200
        assert corrected.data["check"]["pens_with_me"] == 2
        today = client.post(_url(world, "/answer"), {"pens_with_me": 1})
        assert today.data["check"]["date"] == "2025-05-06"
        negative = client.post(_url(world, "/answer"), {"pens_with_me": -1})
        assert negative.status_code == 400
    assert CarryCheck.objects.count() == 2


def _history(world: World, answers: dict[int, int]) -> None:
    for days_ago, pens in answers.items():
        CarryCheck.objects.create(
            patient=world.patient,
            local_date=TODAY - dt.timedelta(days=days_ago),
            pens_with_me=pens,
            answered_at=local(2025, 5, 5, 8, 0),
        )


def test_streaks_count_consecutive_days_through_today_or_yesterday(
    world: World,
    client_for,
) -> None:
    # Today not answered yet; yesterday and the two days before with two pens, then one pen,
    # then a gap.
    _history(world, {1: 2, 2: 2, 3: 2, 4: 1, 5: 2, 7: 2})
    with time_machine.travel(local(2025, 5, 5, 12, 0), tick=False):
        assert services.streaks(world.patient) == services.Streaks(
            carrying_days=5, two_pen_days=3, through=TODAY - dt.timedelta(days=1)
        )
        response = client_for(world.clinician).get(_url(world))
        assert response.status_code == 200
        assert response.data["streak"]["carrying_days"] == 5
        assert response.data["streak"]["two_pen_days"] == 3
        assert [c["date"] for c in response.data["checks"]][:2] == ["2025-05-04", "2025-05-03"]
    with time_machine.travel(local(2025, 5, 7, 12, 0), tick=False):
        # Yesterday (the 6th) went unanswered: the streak is broken.
        assert services.streaks(world.patient).carrying_days == 0


def test_the_history_costs_the_same_whatever_its_length(
    world: World,
    client_for,
    django_assert_num_queries,
) -> None:
    client = client_for(world.clinician)
    with time_machine.travel(local(2025, 5, 5, 12, 0), tick=False):
        _history(world, {1: 2})
        client.get(_url(world))
        with CaptureQueriesContext(connection) as one:
            client.get(_url(world))
        _history(world, dict.fromkeys(range(2, 30), 2))
        with django_assert_num_queries(len(one.captured_queries)):
            assert client.get(_url(world)).data["streak"]["carrying_days"] == 29


def test_a_check_missed_while_beat_was_down_is_not_sent_the_next_day(
    world: World,
    client_for,
) -> None:
    _set_up(world, client_for)
    _scan_at(2025, 5, 6, 7, 0)  # beat was down all of the 5th
    assert inbox() == []
    assert Reminder.objects.filter(status=ReminderStatus.SKIPPED_LATE).count() == 1
    _scan_at(2025, 5, 6, 8, 0)
    assert _keys() == ["first@2025-05-06"]


def test_the_check_keeps_its_local_time_across_a_dst_change(
    world: World,
    client_for,
) -> None:
    with time_machine.travel(local(2025, 3, 29, 7, 0), tick=False):
        services.carry_settings_save(
            patient=world.patient, enabled=True, local_time=dt.time(8, 0), again_after_minutes=180
        )
    moments = []
    for day in (29, 30, 31):
        with time_machine.travel(local(2025, 3, day, 8, 0), tick=False):
            scan_due()
        moments.append(
            Reminder.objects.get(kind=ReminderKind.CARRY_FIRST, local_date=dt.date(2025, 3, day))
            .fired_at.astimezone(dt.UTC)
            .hour
        )
    assert moments == [7, 6, 6]  # 08:00 CET, then 08:00 CEST


def test_turning_the_check_off_cancels_what_is_planned(world: World, client_for) -> None:
    _set_up(world, client_for)
    with time_machine.travel(local(2025, 5, 5, 7, 30), tick=False):
        response = client_for(world.owner).put(
            _url(world, "/settings"), {"enabled": False, "local_time": "08:00"}
        )
        assert response.data["next_check_at"] is None
    _scan_at(2025, 5, 5, 12, 0)
    assert inbox() == []
