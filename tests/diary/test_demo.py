from __future__ import annotations

import pytest

from apps.diary import demo as diary_demo
from apps.diary.models import AnaphylaxisEpisode, DailyCheckIn, LabResult, SymptomEntry
from apps.ops.demo import Demo, _load_accounts_and_teams

pytestmark = pytest.mark.django_db


def test_the_demo_diary_loads_twice_without_duplicates():
    demo = Demo()
    _load_accounts_and_teams(demo)
    diary_demo.load(demo)
    counts = [
        m.objects.count() for m in (SymptomEntry, DailyCheckIn, AnaphylaxisEpisode, LabResult)
    ]
    diary_demo.load(demo)
    assert [
        m.objects.count() for m in (SymptomEntry, DailyCheckIn, AnaphylaxisEpisode, LabResult)
    ] == counts
    assert counts[1] == 2 * diary_demo.DAYS
    acute = LabResult.objects.get(episode__isnull=False)
    assert acute.activation == "elevated"  # 19.8 > 1.2 × 11.2 + 2 = 15.44
    assert AnaphylaxisEpisode.objects.get().grade == 2
