"""Typed readers for settings that come from the environment.

Each reader fails loudly on a value it cannot understand: a typo in production configuration
should stop the process at start, not surface as a silent default at 3 a.m. A setting may also be
read from a file named by ``<NAME>_FILE`` (Docker/Kubernetes secrets); the file wins over the
plain variable so that a secret never has to sit in the process environment.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_UNSET = object()


def _raw(name: str) -> str | None:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return os.environ.get(name)


def env_str(name: str, default: str | object = _UNSET) -> str:
    value = _raw(name)
    if value is None or value == "":
        if default is _UNSET:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return str(default)
    return value


def env_optional(name: str) -> str | None:
    value = _raw(name)
    return value or None


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true/false).")


def env_int(name: str, default: int) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None or value == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]
