"""The demo data: Leo meets the two-pen rule, Alex does not; loading twice adds nothing."""

from __future__ import annotations

from apps.emergency.models import EmergencyCard
from apps.epinephrine import services
from apps.epinephrine.models import AutoInjector, Reminder
from apps.ops.demo import load_demo


def test_the_demo_loads_twice_without_duplicates(db: None) -> None:
    demo = load_demo()
    counts = (AutoInjector.objects.count(), Reminder.objects.count())
    load_demo()
    assert (AutoInjector.objects.count(), Reminder.objects.count()) == counts == (3, 9)
    assert services.readiness(demo.patients["leo"]).two_pen_rule_met is True
    assert services.readiness(demo.patients["alex"]).two_pen_rule_met is False
    assert EmergencyCard.objects.filter(patient=demo.patients["leo"]).exists()
