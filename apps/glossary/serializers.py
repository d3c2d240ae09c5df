from __future__ import annotations

from typing import Any

from rest_framework import serializers

from . import selectors


class TermNameField(serializers.CharField):
    """A catalogue name in the request's language: the glossary's word when the queryset was
    annotated (`selectors.annotate_names`) and has one, else the record's own `name` (a patient's
    own entry, or a record just written). Writes go to `name` as a plain CharField.

    `clinical=True` gives the clinician's word (read-only), for the clinic and the exports."""

    def __init__(self, *, clinical: bool = False, **kwargs: Any) -> None:
        self.clinical = clinical
        if clinical:
            kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance: Any) -> Any:
        return instance

    def to_representation(self, value: Any) -> str:
        word = getattr(value, selectors.CLINICAL_NAME if self.clinical else selectors.NAME, None)
        return str(word or value.name)
