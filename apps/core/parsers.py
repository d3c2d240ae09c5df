"""The API's one JSON parser: DRF's, plus the limits a body must keep before any view sees it.

- Nesting deeper than MAX_DEPTH (no request of ours needs more than a few levels) is refused, so
  neither the parser nor a serializer recurses without end.
- A string or key with a lone UTF-16 surrogate (`"\\ud800"`) is valid JSON but not text: it
  could be neither stored in PostgreSQL nor written back out in an answer. Refused.
Both answer 400 in the usual error shape.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_body(data: Any) -> None:
    """Raises ParseError for a body nested too deeply or carrying text that is not Unicode."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise ParseError(_("The body is nested too deeply."))
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and _has_lone_surrogate(key):
                    raise ParseError(_("The body contains text that is not valid Unicode."))
                stack.append((item, depth + 1))
        elif isinstance(value, str) and _has_lone_surrogate(value):
            raise ParseError(_("The body contains text that is not valid Unicode."))


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The body is nested too deeply.")) from None
        check_body(data)
        return data
