"""The one alert pipeline: every minute, fire the planned alerts of every kind whose time has come.

Beat enqueues `scan_due_alerts` every minute (CELERY_BEAT_SCHEDULE["alerts-scan"], on the
`scans` queue). For each registered kind (apps.alerts.registry) the scan claims pending rows due
now with `SELECT … FOR UPDATE SKIP LOCKED`, oldest first, in batches, so two beats or many
workers never claim the same row. In the same transaction it asks the kind's handler whether each
row is still due (cancelled, or skipped when too late, otherwise sent), resolves the recipients
(apps.alerts.recipients: one rule for every kind), renders each reader's text once per role,
zone and language, writes the whole batch's inbox items and deliveries at once
(`notifications.notify_many`; deliveries are enqueued when the transaction commits), and marks
the rows with one UPDATE per outcome. What a row makes necessary next (the following occurrence
of a daily medicine, tomorrow's carry check) is replanned after the batch commits, each in its
own transaction.

A worker that dies mid-batch rolls its transaction back: the rows stay pending for the next tick
(and the task is redelivered: acks_late + reject_on_worker_lost). A row whose sending raised is
tried again `RETRY_FAILED_AFTER` later; the rest of its batch goes out now.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from apps.core.i18n import in_language, language_of
from apps.notifications import services as notifications
from apps.notifications.actions import actions_for_role

from . import registry
from .defaults import BATCH_SIZE, RETRY_FAILED_AFTER
from .recipients import Team
from .registry import FIRED, PENDING, Handler

log = logging.getLogger(__name__)


@dataclass
class ScanResult:
    fired: int = 0
    notified: int = 0
    skipped_late: int = 0
    cancelled: int = 0
    failed: int = 0
    batches: int = 0


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def scan_due_alerts() -> int:
    return scan_due().fired


def scan_due(
    *,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
    max_batches: int | None = None,
    kinds: Sequence[str] | None = None,
) -> ScanResult:
    """Claims and fires the due rows of every kind (or of `kinds`) until none is left, or
    `max_batches` per kind."""
    result = ScanResult()
    for handler in registry.handlers():
        if kinds is not None and handler.kind not in kinds:
            continue
        batches = 0
        while max_batches is None or batches < max_batches:
            moment = now or timezone.now()
            with transaction.atomic():
                claimed, to_replan = _fire_batch(handler, moment, batch_size, result)
            batches += 1
            result.batches += 1
            for key in sorted(to_replan, key=str):
                _replan(handler, key, moment)
            if claimed < batch_size:
                break
    return result


def _replan(handler: Handler, key: Any, now: datetime) -> None:
    """Its own transaction: the claimed rows are committed and unlocked before this waits for a
    lock of its own, so a concurrent write can never deadlock with the scan."""
    try:
        with transaction.atomic():
            handler.replan(key, now)
    except Exception:  # one bad record must not stop the pipeline; logged for operators
        log.exception("could not replan %s %s after firing", handler.kind, key)


def _fire_batch(
    handler: Handler, now: datetime, batch_size: int, result: ScanResult
) -> tuple[int, set[Hashable]]:
    rows = list(
        handler.outbox()
        .select_for_update(skip_locked=True, of=("self",))
        .filter(status=PENDING, fire_at__lte=now)
        .order_by("fire_at")[:batch_size]
    )
    if not rows:
        return 0, set()
    context = handler.prepare(rows, now)
    team = Team(handler.patient(row).pk for row in rows)
    failed: list[Any] = []
    to_fire: list[tuple[Any, list[notifications.Notice]]] = []
    for row in rows:
        row.recipients = 0
        row.fired_at = now
        verdict = handler.check(row, context, now)
        if verdict is not None:
            row.status = verdict
            if verdict == registry.CANCELLED:
                result.cancelled += 1
            else:
                result.skipped_late += 1
            continue
        try:
            to_fire.append((row, _notices(handler, row, team, now)))
        except Exception:  # one bad row must not sink the batch
            log.exception(
                "%s alert %s failed; retrying in %s", handler.kind, row.pk, RETRY_FAILED_AFTER
            )
            failed.append(row.pk)
            result.failed += 1
    failed += _send(handler, to_fire, context, now, result)
    to_replan: set[Hashable] = set()
    # One UPDATE per outcome (bulk_update's CASE over every row costs more than the scan).
    outcomes: dict[tuple[str, int], list[Any]] = defaultdict(list)
    for row in rows:
        if row.pk in failed:
            continue
        outcomes[(row.status, row.recipients)].append(row.pk)
        key = handler.replan_key(row)
        if key is not None:
            to_replan.add(key)
    model = handler.outbox().model
    if failed:
        model.objects.filter(pk__in=failed).update(fire_at=now + RETRY_FAILED_AFTER)
    for (status, recipients), ids in outcomes.items():
        model.objects.filter(pk__in=ids).update(status=status, recipients=recipients, fired_at=now)
    return len(rows), to_replan


def _notices(handler: Handler, row: Any, team: Team, now: datetime) -> list[notifications.Notice]:
    """One inbox item per recipient, under the row's dedupe key (the identity of the event, not
    its time). Words and buttons fit the reader's role, language and zone, rendered once per
    kind of reader; buttons are only those the role can perform."""
    envelope = handler.envelope(row)
    patient = handler.patient(row)
    texts: dict[tuple[str, str, str], Any] = {}
    notices = []
    for user, role in team.for_audience(patient.pk, handler.audience(row)):
        reader = (role, user.time_zone, language_of(user))
        if reader not in texts:
            with in_language(reader[2]):
                texts[reader] = handler.render(row, now, role=role, reader_zone=user.time_zone)
        text = texts[reader]
        notices.append(
            notifications.Notice(
                recipient=user,
                patient=patient,
                category=envelope.category,
                urgency=envelope.urgency,
                dedupe_key=envelope.dedupe_key,
                source_key=envelope.source_key,
                title=text.title,
                body=text.body,
                url=text.url,
                actions=actions_for_role(text.actions, role),
            )
        )
    return notices


def _send(
    handler: Handler,
    to_fire: list[tuple[Any, list[notifications.Notice]]],
    context: Any,
    now: datetime,
    result: ScanResult,
) -> list[Any]:
    """Sends the batch's rows together (a few queries, whatever their number); if that fails,
    one by one, so one bad row cannot stop the others. Returns the ids of the failed ones."""
    if not to_fire:
        return []
    try:
        with transaction.atomic():  # a savepoint
            notifications.notify_many([n for _, notices in to_fire for n in notices])
            handler.sent([row for row, _ in to_fire], context, now)
    except Exception:
        log.exception(
            "a batch of %s %s alerts failed; sending them one by one", len(to_fire), handler.kind
        )
    else:
        for row, notices in to_fire:
            _fired(row, notices, result)
        return []
    failed: list[Any] = []
    for row, notices in to_fire:
        try:
            with transaction.atomic():  # a savepoint: one bad row must not sink the batch
                notifications.notify_many(notices)
                handler.sent([row], context, now)
        except Exception:
            log.exception(
                "%s alert %s failed; retrying in %s", handler.kind, row.pk, RETRY_FAILED_AFTER
            )
            failed.append(row.pk)
            result.failed += 1
            continue
        _fired(row, notices, result)
    return failed


def _fired(row: Any, notices: list[notifications.Notice], result: ScanResult) -> None:
    row.recipients = len(notices)
    row.status = FIRED
    result.fired += 1
    result.notified += row.recipients
