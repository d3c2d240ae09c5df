"""notify(): the inbox item, one delivery per allowed channel and device, quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import time_machine

from apps.notifications import services
from apps.notifications.models import Channel, Delivery, DeliveryStatus, Notification, Urgency
from tests.factories import World

from .helpers import notify

pytestmark = pytest.mark.django_db


def _deliveries(notification: Notification) -> list[tuple[str, object]]:
    return sorted(
        (d.channel, d.subscription_id and str(d.subscription_id))
        for d in notification.deliveries.all()
    )


def test_one_inbox_item_and_a_delivery_per_device_and_email(world: World, subscribe) -> None:
    phone, _ = subscribe(world.owner, "phone")
    tablet, _ = subscribe(world.owner, "tablet")
    notification = notify(world.owner, world.patient)
    assert _deliveries(notification) == sorted(
        [(Channel.PUSH, str(phone.pk)), (Channel.PUSH, str(tablet.pk)), (Channel.EMAIL, None)]
    )
    keys = {d.idempotency_key for d in notification.deliveries.all()}
    assert len(keys) == 3


def test_the_same_dedupe_key_stores_and_sends_once(world: World, subscribe) -> None:
    subscribe(world.owner)
    first = notify(world.owner, world.patient)
    again = notify(world.owner, world.patient, title="changed")
    assert again.pk == first.pk and again.title == first.title
    assert Notification.objects.count() == 1
    assert Delivery.objects.count() == 2
    # Another recipient of the same event gets their own item.
    notify(world.caregiver, world.patient)
    assert Notification.objects.count() == 2


def test_deliveries_are_enqueued_after_commit_only(
    world: World, subscribe, enqueued, django_capture_on_commit_callbacks
) -> None:
    subscribe(world.owner)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notify(world.owner)
        assert enqueued == []  # nothing leaves before the caller's transaction commits
    assert len(callbacks) == 1
    assert sorted(enqueued) == sorted(str(d.pk) for d in notification.deliveries.all())


def _quiet(user, start: time = time(22), end: time = time(7)) -> None:  # type: ignore[no-untyped-def]
    services.preferences_update(user=user, quiet_hours=(start, end))


@pytest.mark.parametrize(
    ("now", "expected_not_before"),
    [
        # 23:00 in Rome (CET): held until 07:00 the next morning.
        (datetime(2026, 1, 14, 22, 0, tzinfo=UTC), datetime(2026, 1, 15, 6, 0, tzinfo=UTC)),
        # 05:30 in Rome: held until 07:00 the same morning.
        (datetime(2026, 1, 15, 4, 30, tzinfo=UTC), datetime(2026, 1, 15, 6, 0, tzinfo=UTC)),
        # The night clocks go forward (29 March 2026, 02:00 → 03:00): 07:00 CEST is 05:00 UTC.
        (datetime(2026, 3, 28, 22, 30, tzinfo=UTC), datetime(2026, 3, 29, 5, 0, tzinfo=UTC)),
        # The night clocks go back (25 October 2026, 03:00 → 02:00): 07:00 CET is 06:00 UTC.
        (datetime(2026, 10, 24, 21, 30, tzinfo=UTC), datetime(2026, 10, 25, 6, 0, tzinfo=UTC)),
    ],
)
def test_quiet_hours_hold_a_normal_alert_until_they_end_in_the_users_zone(
    world: World, subscribe, enqueued, django_capture_on_commit_callbacks, now, expected_not_before
) -> None:
    subscribe(world.owner)
    _quiet(world.owner)
    with time_machine.travel(now, tick=False), django_capture_on_commit_callbacks(execute=True):
        notification = notify(world.owner)
    for delivery in notification.deliveries.all():
        assert delivery.not_before == expected_not_before
        assert delivery.next_attempt_at == expected_not_before
    assert enqueued == []  # the sweep picks them up when quiet hours end


def test_an_urgent_alert_ignores_quiet_hours(
    world: World, subscribe, enqueued, django_capture_on_commit_callbacks
) -> None:
    subscribe(world.owner)
    _quiet(world.owner)
    now = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)  # 00:30 in Rome
    with time_machine.travel(now, tick=False), django_capture_on_commit_callbacks(execute=True):
        notification = notify(world.owner, urgency=Urgency.URGENT)
    assert {d.not_before for d in notification.deliveries.all()} == {now}
    assert len(enqueued) == 2


def test_outside_quiet_hours_nothing_is_held(world: World, subscribe) -> None:
    subscribe(world.owner)
    _quiet(world.owner)
    now = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        notification = notify(world.owner)
    assert {d.not_before for d in notification.deliveries.all()} == {now}


def test_a_channel_turned_off_gets_nothing_but_the_inbox_still_does(
    world: World, subscribe
) -> None:
    subscribe(world.owner)
    services.preferences_update(user=world.owner, channels={"dose_overdue": {"email": False}})
    notification = notify(world.owner)
    assert [d.channel for d in notification.deliveries.all()] == [Channel.PUSH]
    # Every channel off: no delivery, but the inbox item exists.
    services.preferences_update(user=world.owner, channels={"dose_overdue": {"push": False}})
    quiet = notify(world.owner, dedupe_key="dose:occ-1:step:2")
    assert quiet.deliveries.count() == 0
    assert Notification.objects.filter(pk=quiet.pk, recipient=world.owner).exists()
    # Another category is untouched.
    other = notify(world.owner, category="pen_expiry", dedupe_key="pen:1")
    assert other.deliveries.count() == 2


def test_an_urgent_alert_is_never_silenced_on_every_channel(world: World, subscribe) -> None:
    subscribe(world.owner)
    services.preferences_update(
        user=world.owner, channels={"dose_overdue": {"push": False, "email": False}}
    )
    notification = notify(world.owner, urgency=Urgency.URGENT)
    assert sorted(d.channel for d in notification.deliveries.all()) == [
        Channel.EMAIL,
        Channel.PUSH,
    ]


def test_an_urgent_alert_with_push_on_but_no_device_falls_back_to_email(world: World) -> None:
    services.preferences_update(user=world.owner, channels={"dose_overdue": {"email": False}})
    assert notify(world.owner, urgency=Urgency.NORMAL).deliveries.count() == 0
    urgent = notify(world.owner, urgency=Urgency.URGENT, dedupe_key="dose:occ-1:step:3")
    assert [d.channel for d in urgent.deliveries.all()] == [Channel.EMAIL]


def test_an_urgent_alert_respects_choices_that_still_reach_the_person(
    world: World, subscribe
) -> None:
    subscribe(world.owner)
    services.preferences_update(user=world.owner, channels={"dose_overdue": {"email": False}})
    notification = notify(world.owner, urgency=Urgency.URGENT)
    assert [d.channel for d in notification.deliveries.all()] == [Channel.PUSH]


def test_cancel_for_source_resolves_and_cancels_what_was_not_sent(world: World, subscribe) -> None:
    subscribe(world.owner)
    for_owner = notify(world.owner)
    for_carer = notify(world.caregiver, dedupe_key="dose:occ-1:step:2")
    unrelated = notify(world.owner, source_key="dose:occ-2", dedupe_key="dose:occ-2:step:1")
    sent = for_owner.deliveries.get(channel=Channel.EMAIL)
    sent.status = DeliveryStatus.SENT
    sent.save(update_fields=["status"])

    assert services.cancel_for_source(source_key="dose:occ-1") == 2  # owner's push, carer's email
    for_owner.refresh_from_db()
    for_carer.refresh_from_db()
    assert for_owner.resolved_at is not None and for_carer.resolved_at is not None
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.SENT
    assert set(unrelated.deliveries.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
    assert services.cancel_for_source(source_key="dose:occ-1") == 0


def test_an_unknown_urgency_is_refused(world: World) -> None:
    with pytest.raises(ValueError, match="urgency"):
        notify(world.owner, urgency="critical")
