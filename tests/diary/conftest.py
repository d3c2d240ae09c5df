"""Helpers for the diary tests: URLs and a few records made the way a phone would make them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone


def url(name: str, patient: Any, pk: Any = None, **query: Any) -> str:
    kwargs = {"patient_pk": patient.pk}
    if pk is not None:
        kwargs["pk"] = pk
    path = reverse(name, kwargs=kwargs)
    if query:
        from urllib.parse import urlencode

        path += "?" + urlencode(query)
    return path


def ago(**delta: float) -> str:
    return (timezone.now() - dt.timedelta(**delta)).isoformat()


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def owner(world, client_for):  # type: ignore[no-untyped-def]
    return client_for(world.owner)
