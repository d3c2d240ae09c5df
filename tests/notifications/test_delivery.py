"""Sending: the claim, the re-check under lock, what reaches the push service, retries, sweep."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from apps.notifications import delivery as delivery_module
from apps.notifications import services
from apps.notifications.delivery import MAX_PUSH_PAYLOAD_BYTES, deliver, push_payload, sweep
from apps.notifications.models import (
    AttemptOutcome,
    Channel,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    PushSubscription,
    Urgency,
)
from tests.factories import World
from tests.notifications.helpers import acknowledged

from .helpers import HEALTH_WORDS, notify

pytestmark = pytest.mark.django_db


def _push_only(user) -> None:  # type: ignore[no-untyped-def]
    services.preferences_update(
        user=user, channels={c: {"email": False} for c in ("dose_overdue", "dose_reminder")}
    )


def _sweep(capture) -> int:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        return sweep()


def _the_push(notification) -> Delivery:  # type: ignore[no-untyped-def]
    return notification.deliveries.get(channel=Channel.PUSH)


def test_a_push_reaches_the_local_push_service_encrypted_generic_and_with_its_headers(
    world: World, subscribe, push_service, vapid_keys
) -> None:
    subscription, device = subscribe(world.owner)
    _push_only(world.owner)
    notification = notify(world.owner, world.patient)
    push = _the_push(notification)

    assert deliver(push.pk) == AttemptOutcome.SENT

    [received] = push_service.received
    assert received.path == f"/push/{world.owner.pk}-phone"
    headers = {k.lower(): v for k, v in received.headers.items()}
    assert headers["ttl"] == "21600"
    assert headers["urgency"] == "normal"
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,32}", headers["topic"])
    assert headers["content-encoding"] == "aes128gcm"
    assert (
        headers["authorization"].startswith("vapid t=") and vapid_keys in headers["authorization"]
    )
    assert len(received.body) <= 4096

    payload = device.decrypt(received.body)
    assert payload == {
        "id": str(notification.pk),
        "url": "/today",
        "tag": payload["tag"],
        "urgency": "normal",
        "title": "Mastline",
        "body": "You have a new reminder in Mastline.",
        "actions": [{"action": "log-dose", "title": "Log the dose"}],
    }
    plain = received.body.decode("latin-1") + str(payload)
    assert not any(word in plain for word in HEALTH_WORDS)

    push.refresh_from_db()
    assert push.status == DeliveryStatus.SENT and push.sent_at is not None and push.attempts == 1
    [attempt] = push.attempt_log.all()
    assert attempt.outcome == AttemptOutcome.SENT and attempt.http_status == 201
    assert attempt.finished_at is not None
    subscription.refresh_from_db()
    assert subscription.last_success_at is not None


def test_an_urgent_push_asks_for_high_urgency_and_a_longer_life(
    world: World, subscribe, push_service
) -> None:
    subscribe(world.owner)
    notification = notify(world.owner, urgency=Urgency.URGENT)
    deliver(_the_push(notification).pk)
    headers = {k.lower(): v for k, v in push_service.received[0].headers.items()}
    assert headers["urgency"] == "high"
    assert headers["ttl"] == "86400"


def test_the_topic_is_the_same_for_a_re_sent_delivery_and_differs_between_devices(
    world: World, subscribe, push_service
) -> None:
    subscribe(world.owner, "phone")
    subscribe(world.owner, "tablet")
    notification = notify(world.owner)
    pushes = list(notification.deliveries.filter(channel=Channel.PUSH))
    topics = {delivery_module.push_topic(p) for p in pushes}
    assert len(topics) == 2
    for push in pushes:
        deliver(push.pk)
    arrived = {{k.lower(): v for k, v in r.headers.items()}["topic"] for r in push_service.received}
    assert arrived == topics


def test_the_payload_stays_small_with_long_inputs(world: World) -> None:
    notification = notify(
        world.owner,
        title="x" * 200,
        body="y" * 10_000,
        url="/today",
        actions=[{"action": "a" * 500, "title": "t" * 500}] * 5,
    )
    encoded = push_payload(notification)
    assert len(encoded) < 1000 < MAX_PUSH_PAYLOAD_BYTES
    assert b"yyyy" not in encoded and b"xxxx" not in encoded


def test_running_the_task_twice_sends_once(world: World, subscribe, push_service) -> None:
    subscribe(world.owner)
    push = _the_push(notify(world.owner))
    assert deliver(push.pk) == AttemptOutcome.SENT
    assert deliver(push.pk) == "not-claimed"  # a duplicate message, or a second beat's sweep
    assert len(push_service.received) == 1
    assert DeliveryAttempt.objects.filter(delivery=push).count() == 1


def test_a_second_worker_arriving_mid_send_does_not_send_again(
    world: World, subscribe, push_service
) -> None:
    subscribe(world.owner)
    push = _the_push(notify(world.owner))
    [claim] = delivery_module.claim_batch([push.pk])  # a worker has claimed it and sends...
    assert deliver(push.pk) == "not-claimed"  # ...when the same id is delivered again
    assert delivery_module.send_claimed(claim).outcome == AttemptOutcome.SENT
    assert len(push_service.received) == 1
    assert DeliveryAttempt.objects.filter(delivery=push).count() == 1


def test_cancelled_before_sending_nothing_is_sent(world: World, subscribe, push_service) -> None:
    subscribe(world.owner)
    notification = notify(world.owner)
    assert services.cancel_for_source(source_key="dose:occ-1") == 2
    for d in notification.deliveries.all():
        assert deliver(d.pk) == "not-claimed"
    assert push_service.received == [] and mail.outbox == []


def test_cancelled_while_in_flight_nothing_stale_is_sent(
    world: World, subscribe, push_service
) -> None:
    subscribe(world.owner)
    push = _the_push(notify(world.owner))
    [claim] = delivery_module.claim_batch([push.pk])  # a worker has claimed it...
    assert claim.attempt == 1
    assert services.cancel_for_source(source_key="dose:occ-1") == 2  # ...the dose is logged...
    assert delivery_module.send_claimed(claim).outcome == AttemptOutcome.CANCELLED
    assert push_service.received == []  # ...and the worker sends nothing
    push.refresh_from_db()
    assert push.status == DeliveryStatus.CANCELLED
    assert push.attempt_log.get().outcome == AttemptOutcome.CANCELLED


def test_resolved_while_claimed_without_cancel_still_sends_nothing(
    world: World, subscribe, push_service
) -> None:
    subscribe(world.owner)
    notification = notify(world.owner)
    push = _the_push(notification)
    [claim] = delivery_module.claim_batch([push.pk])
    notification.acknowledged_at = timezone.now()
    notification.save(update_fields=["acknowledged_at"])
    assert delivery_module.send_claimed(claim).outcome == AttemptOutcome.CANCELLED
    assert push_service.received == []


def test_acknowledging_stops_pending_deliveries(
    world: World, subscribe, push_service, client_for
) -> None:
    subscribe(world.owner)
    notification = notify(world.owner, urgency=Urgency.URGENT)
    response = client_for(world.owner).post(f"/api/v1/notifications/{notification.pk}/acknowledge")
    assert response.status_code == 200 and response.data["acknowledged_at"] is not None
    assert set(notification.deliveries.values_list("status", flat=True)) == {
        DeliveryStatus.CANCELLED
    }
    for d in notification.deliveries.all():
        deliver(d.pk)
    assert push_service.received == [] and mail.outbox == []
    assert acknowledged(source_key="dose:occ-1", recipient=world.owner)


@pytest.mark.parametrize("gone_status", [404, 410])
def test_a_subscription_the_push_service_calls_gone_is_removed(
    world: World, subscribe, push_service, gone_status: int
) -> None:
    subscription, _ = subscribe(world.owner)
    _push_only(world.owner)
    first = _the_push(notify(world.owner))
    second = _the_push(notify(world.owner, dedupe_key="dose:occ-1:step:2"))
    push_service.answers = [gone_status]

    assert deliver(first.pk) == AttemptOutcome.GONE
    assert not PushSubscription.objects.filter(pk=subscription.pk).exists()
    first.refresh_from_db()
    assert first.status == DeliveryStatus.GONE
    assert first.attempt_log.get().http_status == gone_status
    # The device's other pending delivery finds nobody to send to.
    assert deliver(second.pk) == AttemptOutcome.CANCELLED
    assert len(push_service.received) == 1


def test_a_failing_push_service_is_retried_with_backoff_then_given_up(
    world: World, subscribe, push_service, enqueued, settings, django_capture_on_commit_callbacks
) -> None:
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    capture = django_capture_on_commit_callbacks
    subscribe(world.owner)
    _push_only(world.owner)
    push = _the_push(notify(world.owner))
    push_service.answers = [503, 500, 503]
    start = timezone.now()

    with time_machine.travel(start, tick=False) as traveller:
        assert deliver(push.pk) == AttemptOutcome.RETRY
        push.refresh_from_db()
        assert push.status == DeliveryStatus.PENDING
        first_wait = push.next_attempt_at - start
        assert timedelta(seconds=48) <= first_wait <= timedelta(seconds=72)
        assert deliver(push.pk) == "not-claimed"  # not due yet
        assert _sweep(capture) == 0

        traveller.shift(first_wait + timedelta(seconds=1))
        assert _sweep(capture) == 1 and enqueued == [str(push.pk)]
        assert deliver(push.pk) == AttemptOutcome.RETRY
        push.refresh_from_db()
        second_wait = push.next_attempt_at - timezone.now()
        assert timedelta(seconds=96) <= second_wait <= timedelta(seconds=144)

        traveller.shift(second_wait + timedelta(seconds=1))
        assert deliver(push.pk) == AttemptOutcome.FAILED

    push.refresh_from_db()
    assert push.status == DeliveryStatus.FAILED and push.attempts == 3
    outcomes = list(push.attempt_log.values_list("number", "outcome", "http_status"))
    assert outcomes == [
        (1, AttemptOutcome.RETRY, 503),
        (2, AttemptOutcome.RETRY, 500),
        (3, AttemptOutcome.FAILED, 503),
    ]
    assert len(push_service.received) == 3


def test_an_unreachable_push_service_is_retried(world: World, subscribe, push_service) -> None:
    subscription, _ = subscribe(world.owner)
    subscription.endpoint = "http://127.0.0.1:9/push/closed"  # nothing listens on the discard port
    subscription.save(update_fields=["endpoint"])
    push = _the_push(notify(world.owner))
    assert deliver(push.pk) == AttemptOutcome.RETRY
    attempt = push.attempt_log.get()
    assert attempt.http_status is None and "ConnectionError" in attempt.error


def test_a_rejected_push_is_not_retried(world: World, subscribe, push_service) -> None:
    subscribe(world.owner)
    push = _the_push(notify(world.owner))
    push_service.answers = [403]  # e.g. the VAPID key does not match the subscription
    assert deliver(push.pk) == AttemptOutcome.FAILED
    push.refresh_from_db()
    assert push.status == DeliveryStatus.FAILED


def test_email_is_generic_and_carries_its_idempotency_key(world: World, settings) -> None:
    settings.SITE_URL = "https://mastline.example.org"
    notification = notify(world.owner, urgency=Urgency.URGENT)
    email = notification.deliveries.get(channel=Channel.EMAIL)
    assert deliver(email.pk) == AttemptOutcome.SENT
    [message] = mail.outbox
    assert message.to == [world.owner.email]
    assert message.subject == "Mastline: urgent alert"
    # An urgent alert's link opens it and acknowledges it once signed in.
    assert f"https://mastline.example.org/inbox/{notification.pk}?acknowledge=1" in message.body
    assert not any(word in message.subject + message.body for word in HEALTH_WORDS)
    assert message.extra_headers["Message-ID"] == f"<{email.idempotency_key}@mastline.invalid>"


def test_the_sweep_re_enqueues_lost_messages_and_deliveries_of_dead_workers(
    world: World, subscribe, enqueued, settings, django_capture_on_commit_callbacks
) -> None:
    capture = django_capture_on_commit_callbacks
    subscribe(world.owner)
    with capture(execute=True):
        notification = notify(world.owner)
    push = _the_push(notification)
    email = notification.deliveries.get(channel=Channel.EMAIL)
    assert len(enqueued) == 2  # both enqueued by notify's commit...
    enqueued.clear()  # ...and both messages lost
    assert _sweep(capture) == 0

    later = timezone.now() + delivery_module.REENQUEUE_AFTER + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        # The email's message never reached a worker; the push was claimed by one that died.
        delivery_module.claim_batch([push.pk])
        assert _sweep(capture) == 1 and enqueued == [str(email.pk)]
        assert _sweep(capture) == 0  # a second beat finds nothing left to enqueue

    dead = later + delivery_module.CLAIM_STUCK_AFTER + timedelta(seconds=1)
    with time_machine.travel(dead, tick=False):
        assert _sweep(capture) == 2  # the push given back, and the email's message presumed lost
    push.refresh_from_db()
    assert push.status == DeliveryStatus.PENDING
    assert push.attempt_log.get().outcome == AttemptOutcome.INTERRUPTED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_delivery_send_it_once(world: World, subscribe, push_service):  # type: ignore[no-untyped-def]
    """Real row locks: eight threads deliver the same id at once; one push arrives."""
    import threading

    from django.db import connection

    subscribe(world.owner)
    push = _the_push(notify(world.owner))
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def worker() -> None:
        try:
            barrier.wait()
            outcomes.append(deliver(push.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["not-claimed"] * 7 + [AttemptOutcome.SENT]
    assert len(push_service.received) == 1
    assert DeliveryAttempt.objects.filter(delivery=push).count() == 1


def _pushes_to_owner(world: World, count: int) -> list[Delivery]:
    _push_only(world.owner)
    return [
        _the_push(notify(world.owner, dedupe_key=f"dose:occ-{n}:step:1", source_key=f"dose:{n}"))
        for n in range(count)
    ]


@pytest.mark.postgres  # row locks and kept connections are PostgreSQL's (production)
@pytest.mark.django_db(transaction=True)
def test_a_batch_of_pushes_costs_at_most_four_queries_per_delivery(
    world: World, subscribe, push_service
) -> None:
    """Real transactions, so BEGIN and COMMIT are counted too. The claim is one locking SELECT,
    one UPDATE and one INSERT for the whole batch; each group of pushes one lock, one UPDATE of
    its attempts and one of its rows; the batch one more for the subscriptions. The SQL is
    printed when the count is over."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    subscribe(world.owner)
    pushes = _pushes_to_owner(world, 25)

    with CaptureQueriesContext(connection) as captured:
        outcomes = delivery_module.deliver_batch([p.pk for p in pushes])

    assert set(outcomes.values()) == {AttemptOutcome.SENT} and len(outcomes) == 25
    assert len(push_service.received) == 25
    statements = [q["sql"] for q in captured.captured_queries]
    listing = "\n".join(f"{n:3} {sql[:200]}" for n, sql in enumerate(statements, 1))
    print(f"{len(statements)} queries for {len(pushes)} deliveries:\n{listing}")
    assert len(statements) <= 4 * len(pushes), listing
    locking = [sql for sql in statements if "FOR UPDATE" in sql]
    groups = -(-len(pushes) // delivery_module.PUSH_GROUP)
    assert len(locking) == 1 + groups, listing  # the claim, then one lock per group
    assert "SKIP LOCKED" in locking[0], listing
    assert DeliveryAttempt.objects.filter(outcome=AttemptOutcome.SENT).count() == 25


def test_pushes_to_one_push_service_share_kept_alive_connections_and_one_vapid_token(
    world: World, subscribe, push_service
) -> None:
    subscribe(world.owner)
    pushes = _pushes_to_owner(world, 6)
    first, second = pushes[:3], pushes[3:]
    delivery_module.deliver_batch([p.pk for p in first])
    opened = {r.connection for r in push_service.received}
    delivery_module.deliver_batch([p.pk for p in second])

    assert len(push_service.received) == 6
    # A group's pushes go out at once, on up to one connection each; the next batch reuses them.
    assert {r.connection for r in push_service.received[3:]} & opened
    assert len({r.connection for r in push_service.received}) <= 3
    tokens = {r.headers["Authorization"] for r in push_service.received}
    assert len(tokens) == 1


def _vapid_claims(authorization: str) -> dict[str, object]:
    import base64
    import json

    token = authorization.removeprefix("vapid t=").split(",k=")[0]
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_the_vapid_token_lasts_under_a_day_and_is_renewed_before_it_expires(
    world: World, subscribe, push_service
) -> None:
    subscribe(world.owner)
    first, second, third = _pushes_to_owner(world, 3)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        deliver(first.pk)
        traveller.shift(timedelta(hours=10))
        deliver(second.pk)
        traveller.shift(timedelta(hours=1, minutes=1))  # under an hour left: a new token
        deliver(third.pk)
    tokens = [r.headers["Authorization"] for r in push_service.received]
    assert tokens[0] == tokens[1] != tokens[2]
    claims = _vapid_claims(tokens[0])
    assert claims["aud"] == push_service.base_url
    lifetime = int(claims["exp"]) - int(start.timestamp())  # type: ignore[call-overload]
    assert 11 * 3600 < lifetime <= 24 * 3600
    assert int(_vapid_claims(tokens[2])["exp"]) > int(claims["exp"])  # type: ignore[call-overload]


def test_a_redirect_from_the_push_service_is_not_followed(
    world: World, subscribe, push_service
) -> None:
    subscribe(world.owner)
    push = _the_push(notify(world.owner))
    push_service.answers = [307]
    assert deliver(push.pk) == AttemptOutcome.FAILED
    assert [r.path for r in push_service.received] == [f"/push/{world.owner.pk}-phone"]
    assert push.attempt_log.get().http_status == 307


def test_a_batch_out_of_time_gives_its_unsent_claims_back_untried(
    world: World, subscribe, push_service, enqueued, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    subscribe(world.owner)
    pushes = _pushes_to_owner(world, 3)
    monkeypatch.setattr(delivery_module, "SEND_BUDGET", timedelta(0))
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery_module.deliver_batch([p.pk for p in pushes]) == {}
    assert push_service.received == []
    assert sorted(enqueued) == sorted(str(p.pk) for p in pushes)  # for another task to send
    for push in pushes:
        push.refresh_from_db()
        assert (push.status, push.attempts, push.claimed_at) == (DeliveryStatus.PENDING, 0, None)
    assert not DeliveryAttempt.objects.exists()  # nothing was tried, so no attempt is recorded


def test_a_push_service_that_does_not_answer_is_not_waited_for_again_in_the_same_batch(
    world: World, subscribe, push_service
) -> None:
    down_phone, _ = subscribe(world.owner, "phone")
    down_phone.endpoint = "http://127.0.0.1:9/push/phone"  # nothing listens on the discard port
    down_phone.save(update_fields=["endpoint"])
    subscribe(world.caregiver, "tablet")
    group = delivery_module.PUSH_GROUP
    ids = [p.pk for p in _pushes_to_owner(world, group + 3)]  # claimed first: the oldest
    _push_only(world.caregiver)
    for n in range(3):
        ids.append(_the_push(notify(world.caregiver, dedupe_key=f"c{n}", source_key=f"c{n}")).pk)

    outcomes = delivery_module.deliver_batch(ids)

    # The first group tried the phone's service at once; the batch tried it no more after that,
    # and still reached the tablet.
    assert list(outcomes.values()).count(AttemptOutcome.RETRY) == group
    assert list(outcomes.values()).count(AttemptOutcome.SENT) == 3
    assert all(r.path.endswith("-tablet") for r in push_service.received)
    waiting = Delivery.objects.filter(subscription=down_phone, attempts=0)
    assert waiting.count() == 3
    for row in waiting:
        assert row.status == DeliveryStatus.PENDING and row.enqueued_at is None
        assert row.next_attempt_at > timezone.now()  # the backoff, for the sweep to enqueue
        assert not row.attempt_log.exists()


def test_a_transaction_s_deliveries_leave_in_messages_of_a_batch_each(
    world: World, subscribe, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    from apps.notifications import tasks

    messages: list[list[str]] = []
    monkeypatch.setattr(tasks.deliver_notifications, "delay", messages.append)
    subscribe(world.owner)
    count = delivery_module.BATCH_SIZE + 5
    with django_capture_on_commit_callbacks(execute=True):
        pushes = _pushes_to_owner(world, count)  # one transaction, as in a scan batch
    assert [len(m) for m in messages] == [delivery_module.BATCH_SIZE, 5]
    assert sorted(i for m in messages for i in m) == sorted(str(p.pk) for p in pushes)


def test_scans_and_the_sweep_have_their_own_queue() -> None:
    from server.celery import app

    def queue_of(task: str) -> str:
        return str(app.amqp.router.route({}, task)["queue"].name)

    assert queue_of("apps.notifications.tasks.deliver_notifications") == "deliveries"
    for task in (
        "apps.notifications.tasks.sweep_due_deliveries",
        "apps.medications.tasks.scan_due_reminders",
        "apps.epinephrine.tasks.scan_due_epinephrine_reminders",
        "apps.alerts.tasks.scan_due_alerts",
    ):
        assert queue_of(task) == "scans", task


@pytest.mark.postgres  # row locks and kept connections are PostgreSQL's (production)
@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_its_database_connection_across_tasks_while_it_is_healthy() -> None:
    from django.db import connection

    from server.celery import app

    [fixup] = app._fixups
    worker_fixup = fixup.worker_fixup
    connection.ensure_connection()
    opened = connection.connection
    worker_fixup.close_database()  # after a task
    worker_fixup.close_database()  # before the next
    assert connection.connection is opened
    connection.close_at = 0  # older than CONN_MAX_AGE
    worker_fixup.close_database()
    assert connection.connection is None


def test_a_push_encrypted_before_its_lock_is_encrypted_again_for_keys_changed_meanwhile(
    world: World, subscribe, push_service
) -> None:
    from .push_service import Device

    subscription, old_device = subscribe(world.owner)
    _push_only(world.owner)
    push = _the_push(notify(world.owner))
    [claim] = delivery_module.claim_batch([push.pk])
    assert claim.prepared is not None  # encrypted after the claim's commit, before the send
    new_device = Device.new()  # the browser subscribed again: same endpoint, new keys
    subscription.p256dh, subscription.auth = new_device.p256dh, new_device.auth
    subscription.save(update_fields=["p256dh", "auth"])

    assert delivery_module.send_claimed(claim).outcome == AttemptOutcome.SENT

    [received] = push_service.received
    assert new_device.decrypt(received.body)["id"] == str(push.notification_id)
    with pytest.raises(Exception):  # noqa: B017 - whatever the old key's failure is
        old_device.decrypt(received.body)
