"""Which language a person reads, in one place.

A request speaks the language of its Accept-Language header (LocaleMiddleware activates it), so
API answers, errors included, come in the reader's language. Anything sent to a person outside
a request of theirs (a notification, an email, a push built by a worker) is rendered in that
person's own language, `User.language`, chosen at sign-up from the browser and changeable with
PATCH /api/v1/auth/me:

    with in_language(language_of(recipient)):
        title = gettext("Time for your injection")

Unknown or unsupported codes fall back to the closest supported language (`de-AT` → `de`), and
failing that to English (settings.LANGUAGE_CODE).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.utils import translation


def supported_language(code: str | None) -> str:
    """The supported language closest to `code` (`de-AT` → `de`), or English."""
    if code:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


def language_of(user: Any) -> str:
    """The language `user` reads Mastline in; English for someone without an account."""
    return supported_language(getattr(user, "language", None))


def language_from_request(request: Any) -> str:
    """The language the browser asks for (Accept-Language), the default of a new account."""
    return supported_language(translation.get_language_from_request(request))


@contextmanager
def in_language(language: str | None) -> Iterator[str]:
    """Renders everything inside in `language` (gettext, lazy strings, templates), then restores
    the language that was active. Yields the language actually used."""
    chosen = supported_language(language)
    with translation.override(chosen):
        yield chosen
