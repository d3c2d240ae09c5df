"""The kinds of synced record the change feed knows, registered by each app's viewset."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apps.careteam.access import Capability


@dataclass(frozen=True)
class SyncKind:
    name: str
    model: type[Any]
    serializer: type[Any]
    read_capability: Capability
    # Rows the feed reads records from (tombstones included); add select/prefetch here.
    queryset: Any
    patient_field: str = "patient"


_KINDS: dict[str, SyncKind] = {}


def register(kind: SyncKind) -> None:
    existing = _KINDS.get(kind.name)
    if existing is not None and existing.model is not kind.model:
        raise ValueError(f"sync kind {kind.name!r} is already registered for {existing.model}")
    _KINDS[kind.name] = kind


def kinds() -> dict[str, SyncKind]:
    return dict(_KINDS)


def kind_of(model: type[Any]) -> SyncKind:
    for kind in _KINDS.values():
        if kind.model is model:
            return kind
    raise LookupError(f"{model.__name__} is not a registered sync kind")
