"""Email when a worker dies between the SMTP send and the commit (docs/delivery.md).

Real PostgreSQL, a private Redis, real workers and a local SMTP server. A worker is killed with
SIGKILL while it sends; a second worker and the sweep finish the job. Every email arrives; a copy
can arrive only for an email the dead worker had handed to the server but not yet recorded, so
at most one per pool process it had, and every copy carries the first one's Message-ID. The
count is printed (run with -s) and is the figure in docs/delivery.md.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.db import transaction

from apps.accounts.models import User
from apps.notifications import services
from apps.notifications.delivery import email_message_id
from apps.notifications.models import (
    AttemptOutcome,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Urgency,
)
from tests import realstack

from .smtp_sink import SmtpSink, run_smtp_sink

EMAILS = 300
CONCURRENCY = 2

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    yield from run_smtp_sink()


def test_a_worker_killed_while_emailing_sends_each_email_again_at_most_once_with_its_message_id(
    private_redis: realstack.PrivateRedis, smtp: SmtpSink
) -> None:
    with transaction.atomic():  # enqueued together when it commits: no worker runs yet
        for n in range(EMAILS):
            person = User.objects.create_user(f"p{n}@example.org", display_name=f"P{n}")
            services.notify(
                recipient=person,
                patient=None,
                category="dose_overdue",
                urgency=Urgency.URGENT,
                dedupe_key=f"email-fault:{n}",
                source_key=f"email-fault:{n}",
                title="Omalizumab is overdue",
                body="",
            )
    mail = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
    }
    env = realstack.worker_environment(private_redis.url, **mail)
    first = realstack.start_worker("mail-a", env, concurrency=CONCURRENCY)
    second = None
    beat = realstack.Beat(private_redis.url)
    try:
        deadline = time.monotonic() + 600
        while len(smtp.messages) < EMAILS // 3:
            assert time.monotonic() < deadline, "no email went out"
            time.sleep(0.01)
        realstack.kill(first)  # mid-batch, between some SMTP send and its commit
        second = realstack.start_worker("mail-b", env, concurrency=CONCURRENCY)
        beat.start()
        # Until every row is recorded sent: one the dead worker sent but did not record is given
        # back by the sweep and sent again, and that copy must be counted.
        unsent = Delivery.objects.exclude(status=DeliveryStatus.SENT)
        while unsent.exists() or len(smtp.message_ids()) < EMAILS:
            assert time.monotonic() < deadline, f"{unsent.count()} never sent"
            time.sleep(0.5)
    finally:
        beat.stop()
        realstack.kill(first)
        if second is not None:
            realstack.kill(second)

    copies = smtp.message_ids()
    duplicates = sum(n - 1 for n in copies.values())
    interrupted = DeliveryAttempt.objects.filter(outcome=AttemptOutcome.INTERRUPTED).count()
    print(
        f"\n{EMAILS} emails, a worker (concurrency {CONCURRENCY}) SIGKILLed mid-batch: "
        f"{len(smtp.messages)} messages accepted, {duplicates} duplicates, "
        f"{interrupted} attempts recorded as interrupted"
    )
    assert set(copies) == {email_message_id(d) for d in Delivery.objects.all()}  # none lost
    assert duplicates <= CONCURRENCY  # one email in flight per pool process, at most
    sent = DeliveryAttempt.objects.filter(outcome=AttemptOutcome.SENT)
    assert sent.count() == sent.values("delivery_id").distinct().count() == EMAILS
