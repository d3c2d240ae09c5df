"""Sending deliveries: claim a batch in one statement, send it in small groups under lock, record
every attempt.

    pending --claim--> sending --send--> sent
     ^  ^  ^             |  |  \\--> failed (after NOTIFICATION_MAX_ATTEMPTS, or a permanent error)
     |  |  |             |  |   \\-> gone (push service: 404/410; the subscription is deleted)
     |  |  |             |  |    \\-> cancelled (resolved, acknowledged, device unsubscribed)
     |  |  +-- retry ----+  |
     |  +----- release -----+  (the batch ran out of time, or its push service is down: not tried)
     +-------- give back ---+  (sweep: the claim is older than CLAIM_STUCK_AFTER; its worker died)

One task sends one batch: the ids of up to BATCH_SIZE deliveries (`enqueue` packs them).

- **Claim**, one transaction: the rows among those ids that are still pending and due are locked
  with `SELECT … FOR UPDATE SKIP LOCKED`, turned `sending` by one conditional UPDATE
  (attempts + 1, `claimed_at`) and given their `started` attempt rows by one INSERT. Rows another
  worker holds are skipped, so a duplicate message or a second sweep never sends twice.
- **Encrypt**, after the claim commits and before any send's lock: each push's aes128gcm body
  and headers (`PreparedPush`; used only if the subscription still has those keys when locked).
- **Send**, in short transactions: PUSH_GROUP pushes (or one email) at a time, the group's rows
  are locked again (`FOR UPDATE SKIP LOCKED`; a row another transaction holds is then sent alone,
  waiting for its lock), each is re-checked (still this claim's, still wanted), the group's
  pushes go out at once (a push service answers in tens of milliseconds: the group waits for the
  slowest, not the sum), and the outcomes are written (one UPDATE per distinct outcome, one for
  the sent rows) before the commit.
  `cancel_for_source` and acknowledging wait for at most one group, so a delivery is either
  cancelled before it goes out or counted as sent, never both. A worker killed between a send
  and its commit leaves the group `sending` with `started` attempts: the sweep marks them
  `interrupted` and gives the rows back, and they are sent again — at least once, with the same
  push `Topic` and notification `tag` (the phone shows one) and the same email `Message-ID`
  (docs/delivery.md has the measured counts).
- A batch starts no send after SEND_BUDGET; rows it did not reach are **released** (their unused
  attempt removed) and enqueued again. After a network failure to a push service, the batch's
  other rows for that service are released for the backoff instead of waiting for their own
  timeouts. So a batch ends within SEND_BUDGET plus one send's timeout, well before
  CLAIM_STUCK_AFTER.

Queries, BEGIN and COMMIT included: 5 for the claim, 5 per group and 1 for the subscriptions'
`last_success_at` — 16 for 50 pushes; a delivery costs ≤ 4 from three deliveries a batch up
(tests/notifications/test_delivery.py asserts it and prints the SQL).

A failed attempt pushes `next_attempt_at` forward (exponential backoff with jitter) and leaves the
row pending. `sweep` (beat, every 15 s, on the scans queue) gives back dead workers' claims
and enqueues what is due: rows never enqueued (retries, quiet hours, "remind me later") and rows
whose message was lost (enqueued longer than REENQUEUE_AFTER ago: Redis restarted, a process
died between its commit and its enqueue). Nothing waits in the broker with a long ETA.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import random
import smtplib
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError
from pywebpush import WebPusher, WebPushException
from requests.utils import get_environ_proxies
from urllib3.util.retry import Retry

from .models import (
    AttemptOutcome,
    Channel,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Notification,
    PushSubscription,
    Urgency,
)
from .push_guard import GuardedAdapter
from .vapid import vapid_authorization

log = logging.getLogger(__name__)

# Web Push allows 4096 bytes of encrypted payload; aes128gcm adds 103 bytes of its own. Ours is
# a few hundred bytes; anything near this limit is a bug, refused before it reaches the network.
MAX_PUSH_PAYLOAD_BYTES = 3000
BACKOFF_BASE_SECONDS = 60
BACKOFF_CAP_SECONDS = 60 * 60
# Deliveries per task: large enough that the claim's three queries and the task's overhead
# vanish per delivery, small enough that one batch takes well under a second.
BATCH_SIZE = 50
# A batch starts no send after this; with one send's timeout on top it still ends well before
# CLAIM_STUCK_AFTER (tasks.deliver_notifications' time limit sits between the two).
SEND_BUDGET = timedelta(seconds=15)
# A claim still `sending` after this belonged to a worker that died: the sweep gives it back.
CLAIM_STUCK_AFTER = timedelta(seconds=60)
# A pending row enqueued longer ago than this without being claimed lost its message. Short, so a
# broker restart is repaired within a minute (plus the sweep's 15 s period, settings:
# notifications-sweep); a row merely waiting in a long queue gets a second message, which costs
# one query (its claim finds the row no longer pending, or skips it while another sends it).
REENQUEUE_AFTER = timedelta(seconds=30)
# Rows the sweep stamps and enqueues per transaction; it loops until nothing is left.
SWEEP_BATCH = 2000
# Pushes sent under one transaction: their outcomes share one commit (fsync) and one lock query,
# so a batch of 50 takes two groups (16 queries in all, against 31 with groups of 10); a worker
# killed mid-group can send these again, with the same Topic and tag (emails go one at a time).
PUSH_GROUP = 25
# Threads POSTing one group's pushes: enough to overlap the service's answers, few enough that
# they do not fight over the GIL (encryption and request building are Python).
PUSH_THREADS = 8
SMTP = "smtp"
# A push is accepted with 201 (or 200/202 from older services); a redirect is never followed.
PUSH_ACCEPTED = (200, 201, 202)

GENERIC_TEXT = {
    Urgency.NORMAL: "You have a new reminder in Mastline.",
    Urgency.HIGH: "You have an important reminder in Mastline.",
    Urgency.URGENT: "Urgent: please open Mastline now.",
}


@dataclass(frozen=True)
class SendResult:
    outcome: str  # an AttemptOutcome: sent / retry / failed / gone
    http_status: int | None = None
    error: str = ""
    retry_after: int | None = None


@dataclass(frozen=True)
class PreparedPush:
    """A push encrypted for one subscription's keys, before any lock is taken (the group's
    transaction then holds its rows only for the POSTs). Used only if the subscription still has
    these keys when the row is locked."""

    endpoint: str
    p256dh: str
    auth: str
    body: bytes
    headers: dict[str, str]

    def fits(self, subscription: PushSubscription) -> bool:
        return (self.endpoint, self.p256dh, self.auth) == (
            subscription.endpoint,
            subscription.p256dh,
            subscription.auth,
        )


@dataclass(frozen=True)
class Claim:
    """A delivery this worker turned `sending`, and the number of the attempt it started."""

    delivery_id: Any
    attempt: int
    claimed_at: datetime
    attempt_id: Any = None
    # Where it goes: a push service's origin, or SMTP. A batch stops trying one that failed to
    # answer.
    destination: str = SMTP
    subscription_id: Any = None
    prepared: PreparedPush | None = field(default=None, compare=False, hash=False)


def short_hash(value: str, length: int = 32) -> str:
    """URL-safe base64 of a SHA-256, cut to `length` (Web Push `Topic`: ≤ 32 such characters)."""
    digest = hashlib.sha256(value.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:length]


def push_topic(delivery: Delivery) -> str:
    return short_hash(delivery.idempotency_key)


def push_payload(notification: Notification) -> bytes:
    """What the phone's service worker receives: no health details, only what to fetch
    (GET /api/v1/notifications/{id}/ once signed in) and a generic line to show meanwhile."""
    urgency = Urgency(notification.urgency)
    data = {
        "id": str(notification.pk),
        "url": notification.url,
        # One visible notification per subject: a re-send or the next escalation step replaces it.
        "tag": short_hash(f"{notification.recipient_id}:{notification.source_key}", 16),
        "urgency": urgency.value,
        "title": "Mastline",
        "body": GENERIC_TEXT[urgency],
        "actions": [
            {"action": str(a.get("action", ""))[:32], "title": str(a.get("title", ""))[:40]}
            for a in notification.actions[:2]
        ],
    }
    encoded = json.dumps(data, separators=(",", ":")).encode()
    if len(encoded) > MAX_PUSH_PAYLOAD_BYTES:
        raise ValueError(f"push payload of {len(encoded)} bytes is over the limit")
    return encoded


def push_headers(delivery: Delivery) -> dict[str, str]:
    urgent = delivery.notification.urgency in (Urgency.URGENT, Urgency.HIGH)
    return {"Urgency": "high" if urgent else "normal", "Topic": push_topic(delivery)}


def push_ttl(notification: Notification) -> int:
    if notification.urgency == Urgency.URGENT:
        return int(settings.PUSH_TTL_URGENT_SECONDS)
    return int(settings.PUSH_TTL_SECONDS)


def push_origin(endpoint: str) -> str:
    """`https://push.example.net` for any endpoint there: the VAPID audience and the key of the
    HTTP session."""
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


_sessions: dict[str, requests.Session] = {}
_sessions_lock = threading.Lock()


def push_session(origin: str) -> requests.Session:
    """The one HTTP session (a keep-alive connection pool) this process uses for a push service.
    Every push goes through here, and so through push_guard's adapter: each new connection
    resolves the host and refuses a non-public address (SSRF, DNS rebinding), and plain http is
    refused unless the tests' PUSH_ALLOW_LOOPBACK is on."""
    session = _sessions.get(origin)
    if session is not None:
        return session
    with _sessions_lock:
        session = _sessions.get(origin)
        if session is None:
            session = requests.Session()
            # The environment (proxies, CA bundle) is read once here, not on every request:
            # requests scans os.environ per call otherwise, a tenth of a push's time.
            session.trust_env = False
            session.proxies = get_environ_proxies(origin)
            session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or True
            # Retry only a connection that could not be opened (nothing was sent; urllib3 also
            # replaces a pooled connection the service closed before reusing it). Never a read
            # retry or a redirect: either could send the push twice, or elsewhere.
            retry = Retry(total=1, connect=1, read=0, status=0, other=0, redirect=0)
            adapter = GuardedAdapter(
                pool_connections=1, pool_maxsize=PUSH_THREADS, max_retries=retry
            )
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            _sessions[origin] = session
    return session


def prepare_push(delivery: Delivery, subscription: PushSubscription) -> PreparedPush:
    """The encrypted body and the headers but the VAPID one (raises ValueError or
    WebPushException for a malformed key or an oversized payload)."""
    notification = delivery.notification
    payload = push_payload(notification)
    # Encryption only: the POST goes through our session (pywebpush opens a connection and
    # signs a new VAPID token per call).
    body = WebPusher(subscription.subscription_info()).encode(payload, "aes128gcm")["body"]
    headers = {
        **push_headers(delivery),
        "TTL": str(push_ttl(notification)),
        "Content-Encoding": "aes128gcm",
    }
    return PreparedPush(
        subscription.endpoint, subscription.p256dh, subscription.auth, body, headers
    )


def _prepared(delivery: Delivery) -> PreparedPush | None:
    """Encrypted ahead, outside the claim's transaction; a failure is left for send_push."""
    if delivery.channel != Channel.PUSH or delivery.subscription is None:
        return None
    try:
        return prepare_push(delivery, delivery.subscription)
    except (ValueError, WebPushException):
        return None


def send_push(
    delivery: Delivery, subscription: PushSubscription, prepared: PreparedPush | None = None
) -> SendResult:
    try:
        if prepared is None or not prepared.fits(subscription):
            prepared = prepare_push(delivery, subscription)
        origin = push_origin(subscription.endpoint)
        response = push_session(origin).post(
            subscription.endpoint,
            data=prepared.body,
            headers={**prepared.headers, "Authorization": vapid_authorization(origin)},
            timeout=float(settings.PUSH_TIMEOUT_SECONDS),
            allow_redirects=False,
        )
    except (requests.RequestException, OSError) as exc:
        return SendResult(AttemptOutcome.RETRY, None, f"{type(exc).__name__}: {exc}"[:1000])
    # A malformed key, an oversized payload, or push_guard refusing the endpoint's address.
    except (ValueError, WebPushException) as exc:
        return SendResult(AttemptOutcome.FAILED, None, str(exc)[:1000])
    status = response.status_code
    if status in PUSH_ACCEPTED:
        return SendResult(AttemptOutcome.SENT, status)
    text = f"Push failed: {status} {response.reason}: {response.text}"[:1000]
    if status in (404, 410):
        return SendResult(AttemptOutcome.GONE, status, text)
    if status == 429 or status >= 500:
        retry_after = _seconds(response.headers.get("Retry-After"))
        return SendResult(AttemptOutcome.RETRY, status, text, retry_after)
    return SendResult(AttemptOutcome.FAILED, status, text)  # 3xx, 400, 401, 403, 413: ours


def _seconds(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None  # an HTTP date: the backoff is long enough


def email_message(delivery: Delivery) -> EmailMessage:
    """Generic text and a link: an inbox is often shared or shown on a lock screen."""
    notification = delivery.notification
    urgent = notification.urgency == Urgency.URGENT
    subject = "Mastline: urgent alert" if urgent else "Mastline: you have a new notification"
    path = notification.url if notification.url.startswith("/") else "/"
    if urgent:
        # Opening it acknowledges it once signed in (the app's /inbox/:id?acknowledge=1).
        path = f"/inbox/{notification.pk}?acknowledge=1"
    link = f"{settings.SITE_URL}{path}"
    body = (
        f"{GENERIC_TEXT[Urgency(notification.urgency)]}\n\n"
        f"Open Mastline to see it: {link}\n\n"
        "You can choose which notifications reach you by email in Mastline's settings.\n"
    )
    return EmailMessage(
        subject=subject,
        body=body,
        to=[notification.recipient.email],
        # Stable across attempts: a copy sent again after a worker died between the SMTP send
        # and the commit carries the same Message-ID, so mail systems can recognise it.
        headers={"Message-ID": email_message_id(delivery)},
    )


def email_message_id(delivery: Delivery) -> str:
    return f"<{delivery.idempotency_key}@mastline.invalid>"


def send_email(delivery: Delivery, connection: Any = None) -> SendResult:
    """Through `connection` when given (one SMTP session for a batch; opened here, so a refused
    connection is this attempt's failure) or a connection of its own."""
    try:
        if connection is not None:
            connection.open()  # does nothing once open
        message = email_message(delivery)
        message.connection = connection
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        return SendResult(AttemptOutcome.RETRY, None, f"{type(exc).__name__}: {exc}"[:1000])
    return SendResult(AttemptOutcome.SENT)


def backoff(attempt: int, retry_after: int | None = None) -> timedelta:
    """Exponential backoff with ±20% jitter so a recovering push service is not hit in step."""
    base = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0))
    seconds = base * random.uniform(0.8, 1.2)  # jitter, not a secret
    return timedelta(seconds=max(seconds, retry_after or 0))


def _unwanted(delivery: Delivery) -> bool:
    notification = delivery.notification
    return notification.resolved_at is not None or notification.acknowledged_at is not None


def claim_batch(delivery_ids: Iterable[Any], *, now: datetime | None = None) -> list[Claim]:
    """Takes the due pending deliveries among `delivery_ids` for this worker, in one
    transaction. Those no longer wanted are cancelled and those out of attempts failed; the rest
    become `sending` with a `started` attempt. Rows another worker holds are skipped."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=list(delivery_ids), status=DeliveryStatus.PENDING)
            .filter(next_attempt_at__lte=now)
            .select_related("notification", "subscription")
            .order_by("next_attempt_at", "pk")
        )
        cancelled = [d.pk for d in rows if _unwanted(d)]
        exhausted = [
            d.pk
            for d in rows
            if not _unwanted(d) and d.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
        ]
        claimed = [d for d in rows if d.pk not in cancelled and d.pk not in exhausted]
        if cancelled:
            Delivery.objects.filter(pk__in=cancelled).update(status=DeliveryStatus.CANCELLED)
        if exhausted:
            Delivery.objects.filter(pk__in=exhausted).update(status=DeliveryStatus.FAILED)
        if not claimed:
            return []
        Delivery.objects.filter(pk__in=[d.pk for d in claimed]).update(
            status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        attempts = DeliveryAttempt.objects.bulk_create(
            DeliveryAttempt(delivery_id=d.pk, number=d.attempts + 1, started_at=now)
            for d in claimed
        )
    # Encrypted now, after the commit: the group's transaction holds its locks for the POSTs only.
    return [
        Claim(d.pk, d.attempts + 1, now, a.pk, _destination(d), d.subscription_id, _prepared(d))
        for d, a in zip(claimed, attempts, strict=True)
    ]


def _destination(delivery: Delivery) -> str:
    if delivery.channel == Channel.PUSH and delivery.subscription is not None:
        return push_origin(delivery.subscription.endpoint)
    return SMTP


def release(claims: Sequence[Claim], *, next_attempt_at: datetime | None = None) -> int:
    """Gives back claims that were never tried: their `started` attempts are removed and the rows
    are pending again, due now (enqueued again on commit) or at `next_attempt_at` (enqueued by the
    sweep then). A claim the sweep already gave back is left alone."""
    now = timezone.now()
    released = 0
    with transaction.atomic():
        for claimed_at in {c.claimed_at for c in claims}:
            ids = [c.delivery_id for c in claims if c.claimed_at == claimed_at]
            mine = list(
                Delivery.objects.select_for_update()
                .filter(pk__in=ids, status=DeliveryStatus.SENDING, claimed_at=claimed_at)
                .values_list("pk", flat=True)
            )
            DeliveryAttempt.objects.filter(
                delivery_id__in=mine, started_at=claimed_at, outcome=AttemptOutcome.STARTED
            ).delete()
            Delivery.objects.filter(pk__in=mine).update(
                status=DeliveryStatus.PENDING,
                attempts=F("attempts") - 1,
                claimed_at=None,
                next_attempt_at=next_attempt_at or now,
                enqueued_at=None if next_attempt_at else now,
            )
            if next_attempt_at is None:
                enqueue_on_commit(mine)
            released += len(mine)
    return released


def send_claimed(claim: Claim, *, email_connection: Any = None) -> SendResult:
    """Sends one delivery this worker claimed, waiting for its lock if another transaction holds
    it (a cancel in progress, say)."""
    results, _ = _Sender(email_connection).send_group([claim], wait_for_locks=True)
    return results[claim]


_push_pool: ThreadPoolExecutor | None = None


def _push_threads() -> ThreadPoolExecutor:
    """Threads that POST one group's pushes at once: a push service answers in tens of
    milliseconds over the internet, and a group waits for the slowest push, not for their sum.
    Created on first use, so in a forked pool process (Celery's parent never sends)."""
    global _push_pool
    if _push_pool is None:
        _push_pool = ThreadPoolExecutor(max_workers=PUSH_THREADS, thread_name_prefix="push")
    return _push_pool


class _Sender:
    """Sends one batch's claims in groups, each under its own lock and transaction, and says
    what to do with those it should not try now."""

    def __init__(self, email_connection: Any = None) -> None:
        self.email_connection = email_connection
        self.started = time.monotonic()
        self.unanswered: set[str] = set()  # destinations that failed to answer in this batch

    def send_group(
        self, claims: Sequence[Claim], *, wait_for_locks: bool = False
    ) -> tuple[dict[Claim, SendResult], list[Claim]]:
        """Locks the group's rows (skipping those another transaction holds, unless told to
        wait), sends each that is still this claim's and still wanted — the pushes at once —
        and records every outcome before the commit releases the locks. Returns the result of
        each claim it tried, and the claims whose rows another transaction held."""
        results: dict[Claim, SendResult] = {}
        held: list[Claim] = []
        with transaction.atomic():
            rows = {
                d.pk: d
                for d in Delivery.objects.select_for_update(
                    skip_locked=not wait_for_locks, of=("self",)
                )
                .select_related("notification__recipient", "subscription")
                .filter(pk__in=[c.delivery_id for c in claims])
                .order_by("pk")
            }
            pushes: list[tuple[Claim, Delivery, PushSubscription]] = []
            for claim in claims:
                delivery = rows.get(claim.delivery_id)
                if delivery is None:
                    held.append(claim)
                elif time.monotonic() - self.started > SEND_BUDGET.total_seconds():
                    release([claim])  # enqueued again; another task sends it
                elif claim.destination in self.unanswered:
                    release([claim], next_attempt_at=timezone.now() + backoff(1))
                elif (refused := _refusal(delivery, claim)) is not None:
                    results[claim] = refused
                elif delivery.channel == Channel.PUSH and delivery.subscription is not None:
                    pushes.append((claim, delivery, delivery.subscription))
                else:
                    results[claim] = self._last_try(delivery, self._email(delivery))
            sent = _push_threads().map(lambda p: send_push(p[1], p[2], p[0].prepared), pushes)
            for (claim, delivery, _), result in zip(pushes, sent, strict=True):
                results[claim] = self._last_try(delivery, result)
                if result.outcome == AttemptOutcome.RETRY and result.http_status is None:
                    self.unanswered.add(claim.destination)
            for claim, result in results.items():
                if result.outcome != AttemptOutcome.SENT:
                    _apply(rows[claim.delivery_id], claim, result)
            _record(results)
        return results, held

    def _email(self, delivery: Delivery) -> SendResult:
        if self.email_connection is None:
            self.email_connection = get_connection(fail_silently=False)
        return send_email(delivery, self.email_connection)

    @staticmethod
    def _last_try(delivery: Delivery, result: SendResult) -> SendResult:
        if result.outcome == AttemptOutcome.RETRY and (
            delivery.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
        ):
            return replace(result, outcome=AttemptOutcome.FAILED)  # that was the last try
        return result


def _refusal(delivery: Delivery, claim: Claim) -> SendResult | None:
    """Why a locked row must not be sent now, if it must not."""
    if delivery.status != DeliveryStatus.SENDING or delivery.attempts != claim.attempt:
        # Cancelled while we held the claim, or given back to another worker by the sweep.
        return SendResult(AttemptOutcome.CANCELLED, error=f"now {delivery.status}")
    subscription = delivery.subscription
    if _unwanted(delivery) or (
        delivery.channel == Channel.PUSH
        and (subscription is None or subscription.user_id != delivery.notification.recipient_id)
    ):
        return SendResult(AttemptOutcome.CANCELLED, error="no longer wanted")
    return None


def _record(results: dict[Claim, SendResult]) -> None:
    """The tried attempts' outcomes, one UPDATE per distinct outcome (nearly always one: all
    sent with 201), and the sent rows in one more; the other rows' states were written one by one
    by `_apply`. (Django's bulk_update builds a CASE per row and cost more than the pushes.)"""
    if not results:
        return
    now = timezone.now()
    by_outcome: dict[SendResult, list[Any]] = defaultdict(list)
    for claim, result in results.items():
        by_outcome[result].append(claim.attempt_id)
    for result, attempt_ids in by_outcome.items():
        DeliveryAttempt.objects.filter(pk__in=attempt_ids).update(
            finished_at=now,
            outcome=result.outcome,
            http_status=result.http_status,
            error=result.error,
        )
    sent = [c.delivery_id for c, r in results.items() if r.outcome == AttemptOutcome.SENT]
    if sent:
        Delivery.objects.filter(pk__in=sent).update(status=DeliveryStatus.SENT, sent_at=now)


def _apply(delivery: Delivery, claim: Claim, result: SendResult) -> None:
    """The row's next state after an attempt that did not send (a sent row: `_record`)."""
    now = timezone.now()
    changes: dict[str, Any]
    if result.outcome == AttemptOutcome.CANCELLED:
        if delivery.status != DeliveryStatus.SENDING or delivery.attempts != claim.attempt:
            return  # no longer ours: whoever changed it owns its state
        changes = {"status": DeliveryStatus.CANCELLED}
    elif result.outcome == AttemptOutcome.GONE:
        changes = {"status": DeliveryStatus.GONE}
        if delivery.subscription is not None:
            log.info("push subscription %s is gone; removing it", delivery.subscription_id)
            delivery.subscription.delete()  # its other deliveries lose the link and are cancelled
    elif result.outcome == AttemptOutcome.RETRY:
        changes = {
            "status": DeliveryStatus.PENDING,
            "next_attempt_at": now + backoff(delivery.attempts, result.retry_after),
            "enqueued_at": None,  # the sweep enqueues it when it is due
        }
    else:
        changes = {"status": DeliveryStatus.FAILED}
        log.warning("delivery %s failed after %s attempts", delivery.pk, delivery.attempts)
    Delivery.objects.filter(pk=delivery.pk).update(**changes)


def deliver_batch(delivery_ids: Iterable[Any]) -> dict[str, str]:
    """Claims and sends a batch of deliveries (the body of tasks.deliver_notifications). Returns
    each tried delivery's outcome, by id.

    Pushes are sent PUSH_GROUP to a transaction: a commit per push would cost more than the push.
    Emails go one to a transaction, so a worker killed mid-send can duplicate at most one email
    (and at most PUSH_GROUP pushes, which carry the same `Topic` and notification `tag`)."""
    claims = claim_batch(delivery_ids)
    sender = _Sender()
    results: dict[Claim, SendResult] = {}
    try:
        for group in _groups(claims):
            tried, held = sender.send_group(group)
            results.update(tried)
            for claim in held:  # another transaction (a cancel, say) holds it: wait, alone
                results.update(sender.send_group([claim], wait_for_locks=True)[0])
    finally:
        if sender.email_connection is not None:
            sender.email_connection.close()
    accepted = [
        c.subscription_id
        for c, r in results.items()
        if r.outcome == AttemptOutcome.SENT and c.subscription_id is not None
    ]
    if accepted:
        PushSubscription.objects.filter(pk__in=accepted).update(last_success_at=timezone.now())
    return {str(c.delivery_id): r.outcome for c, r in results.items()}


def _groups(claims: Sequence[Claim]) -> Iterable[list[Claim]]:
    """Consecutive pushes PUSH_GROUP at a time; each email alone."""
    group: list[Claim] = []
    for claim in claims:
        if claim.destination == SMTP:
            if group:
                yield group
                group = []
            yield [claim]
            continue
        group.append(claim)
        if len(group) == PUSH_GROUP:
            yield group
            group = []
    if group:
        yield group


def deliver(delivery_id: Any) -> str:
    """Claims and sends one delivery: its outcome, or "not-claimed" when it was not due, not
    pending, taken by another worker, or no longer wanted."""
    return deliver_batch([delivery_id]).get(str(delivery_id), "not-claimed")


def enqueue(delivery_ids: Sequence[Any]) -> None:
    """Puts the deliveries on the queue now, BATCH_SIZE ids per message."""
    from .tasks import deliver_notifications  # tasks imports this module

    ids = [str(delivery_id) for delivery_id in delivery_ids]
    for start in range(0, len(ids), BATCH_SIZE):
        deliver_notifications.delay(ids[start : start + BATCH_SIZE])


class _Outbox:
    """The deliveries one transaction enqueues, sent together when it commits."""

    def __init__(self, transaction_block: object) -> None:
        self.transaction_block = transaction_block
        self.ids: dict[str, None] = {}  # ordered, without repeats
        self.sent = False

    def send(self) -> None:
        if self.sent:
            return
        self.sent = True
        try:
            enqueue(list(self.ids))
        except BrokerError:
            # The rows are committed and stamped `enqueued_at`: the sweep enqueues them once the
            # broker is back (REENQUEUE_AFTER). The caller's work is done and must not fail now.
            log.exception("could not enqueue %s deliveries; the sweep will", len(self.ids))


_outboxes = threading.local()


def enqueue_on_commit(delivery_ids: Sequence[Any]) -> None:
    """Enqueues the deliveries when the current transaction commits, together with every other
    delivery enqueued in it: a scan batch that fires 200 steps sends four messages, not 200.

    Each call registers the outbox's `send` with `on_commit`, so Django's savepoint rules hold as
    for any hook; the first to run sends everything gathered, the others find it sent. Ids of rows
    whose savepoint rolled back may ride along: their claim finds no row and sends nothing."""
    connection = transaction.get_connection()
    block = connection.atomic_blocks[0] if connection.in_atomic_block else None
    outbox: _Outbox | None = getattr(_outboxes, "current", None)
    if outbox is None or outbox.sent or outbox.transaction_block is not block:
        outbox = _outboxes.current = _Outbox(block)
    outbox.ids.update(dict.fromkeys(str(delivery_id) for delivery_id in delivery_ids))
    transaction.on_commit(outbox.send)


def sweep(*, now: datetime | None = None, batch: int = SWEEP_BATCH) -> int:
    """Gives back claims a dead worker left in `sending`, and enqueues every pending row that is
    due and has no live message: never enqueued, or enqueued longer than REENQUEUE_AFTER ago.
    Safe with two beats: each row is taken under `skip_locked` and stamped `enqueued_at`, and a
    duplicate message is harmless anyway (the claim sends once). Returns how many it enqueued."""
    now = now or timezone.now()
    with transaction.atomic():
        stuck = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.SENDING, claimed_at__lt=now - CLAIM_STUCK_AFTER)
            .values_list("pk", flat=True)
        )
        if stuck:
            DeliveryAttempt.objects.filter(
                delivery_id__in=stuck, outcome=AttemptOutcome.STARTED
            ).update(outcome=AttemptOutcome.INTERRUPTED, finished_at=now)
            Delivery.objects.filter(pk__in=stuck, status=DeliveryStatus.SENDING).update(
                status=DeliveryStatus.PENDING, next_attempt_at=now, enqueued_at=None
            )
    enqueued = 0
    while True:
        with transaction.atomic():
            due = list(
                Delivery.objects.select_for_update(skip_locked=True)
                .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
                .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - REENQUEUE_AFTER))
                .order_by("next_attempt_at")
                .values_list("pk", flat=True)[:batch]
            )
            if due:
                Delivery.objects.filter(pk__in=due).update(enqueued_at=now)
                enqueue_on_commit(due)
        enqueued += len(due)
        if len(due) < batch:
            return enqueued
