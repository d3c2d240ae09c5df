"""The glossary: clinical terms in the reader's language, for anyone signed in."""

from __future__ import annotations

from .matrix import Rule, everyone, no_kwargs

RULES = [
    Rule("glossary", "GET", everyone(200, anonymous=401), no_kwargs),
]
