"""Demo pens for `make run`: Leo has two (one expiring in 20 days), Alex only one — the two-pen
rule not met — and Alex has a daily carry check. Fixed ids: loading twice adds nothing."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from . import services
from .models import AutoInjector, CarryCheckSettings, PenDose

if TYPE_CHECKING:
    from apps.ops.demo import Demo


def _pen(demo: Demo, key: str, patient_key: str, **fields: Any) -> None:
    from apps.ops.demo import demo_id

    pen_id = demo_id(f"pen:{key}")
    if AutoInjector.objects.filter(pk=pen_id).exists():
        return
    patient = demo.patients[patient_key]
    services.pen_create(
        fields={"id": pen_id, "patient": patient, **fields},
        digest="",
    )


def load(demo: Demo) -> None:
    leo_today = demo.patients["leo"].local_today()
    alex_today = demo.patients["alex"].local_today()
    _pen(
        demo,
        "leo-1",
        "leo",
        brand="EpiPen Jr",
        dose_mg=PenDose.JUNIOR,
        lot="LJ2291",
        expires_on=leo_today + dt.timedelta(days=20),
        location="School bag",
        created_by=demo.users["maria"],
    )
    _pen(
        demo,
        "leo-2",
        "leo",
        brand="EpiPen Jr",
        dose_mg=PenDose.JUNIOR,
        lot="LJ3107",
        expires_on=leo_today + dt.timedelta(days=240),
        location="Maria's handbag",
        created_by=demo.users["maria"],
    )
    _pen(
        demo,
        "alex-1",
        "alex",
        brand="Jext",
        dose_mg=PenDose.ADULT,
        lot="JX5530",
        expires_on=alex_today + dt.timedelta(days=150),
        location="Backpack",
        created_by=demo.users["alex"],
    )
    if not CarryCheckSettings.objects.filter(patient=demo.patients["alex"]).exists():
        services.carry_settings_save(
            patient=demo.patients["alex"],
            enabled=True,
            local_time=dt.time(8, 0),
            again_after_minutes=180,
        )
