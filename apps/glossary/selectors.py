"""Reading a term's words in the request's (or a recipient's) language.

The active language is the request's (LocaleMiddleware) or whatever `apps.core.i18n.in_language`
set; English rows are the fallback for a term without a row in that language.
"""

from __future__ import annotations

from typing import Any, NamedTuple, TypeVar

from django.db.models import Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import translation

from apps.core.i18n import supported_language

from .models import Term, TermKind

M = TypeVar("M", bound=Model)

# Attributes `annotate_names` adds; `TermNameField` reads them.
NAME = "term_name"
CLINICAL_NAME = "term_clinical_name"


class TermName(NamedTuple):
    name: str
    clinical_name: str


def _language(language: str | None) -> str:
    return supported_language(language or translation.get_language())


def _word(kind: str, code_field: str, language: str, field: str) -> Any:
    def subquery(lang: str) -> Subquery:
        return Subquery(
            Term.objects.filter(kind=kind, code=OuterRef(code_field), language=lang).values(field)[
                :1
            ]
        )

    return Coalesce(subquery(language), subquery("en"))


def annotate_names(
    queryset: QuerySet[M], *, kind: TermKind, code_field: str = "code", language: str | None = None
) -> QuerySet[M]:
    """Adds `term_name` and `term_clinical_name` (None for a code the glossary lacks) to every
    row, in the same query: lists keep their fixed query count."""
    lang = _language(language)
    return queryset.annotate(
        **{
            NAME: _word(kind, code_field, lang, "name"),
            CLINICAL_NAME: _word(kind, code_field, lang, "clinical_name"),
        }
    )


def term_names(kind: TermKind, language: str | None = None) -> dict[str, TermName]:
    """Every term of `kind` in `language` (English where a row is missing), by code: one query."""
    lang = _language(language)
    found: dict[str, TermName] = {}
    for code, row_language, name, clinical in (
        Term.objects.filter(kind=kind, language__in={lang, "en"})
        .order_by("code")
        .values_list("code", "language", "name", "clinical_name")
    ):
        if code not in found or row_language == lang:
            found[code] = TermName(name, clinical)
    return found


def term_name(kind: TermKind, code: str, language: str | None = None) -> TermName | None:
    """One term's words, e.g. for a notification rendered with `in_language(recipient)`."""
    return term_names(kind, language).get(code) if code else None
