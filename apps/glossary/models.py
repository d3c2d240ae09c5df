"""The words each clinical term is shown in, per language: the catalogue translations.

One row per (kind, stable code, language), filled from docs/glossary.md by data migrations. The
codes are the ones the catalogues and choices already use (`skin.flushing`, `ISM`, `tki`, …); a
catalogue drug, which has no code, is keyed by its English name. A patient's own catalogue entries
(`custom.…`) have no rows: they are shown in the patient's own words.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TermKind(models.TextChoices):
    SYMPTOM_DOMAIN = "symptom_domain"
    SYMPTOM = "symptom"
    ANAPHYLAXIS_FINDING = "anaphylaxis_finding"
    ANAPHYLAXIS_GRADE = "anaphylaxis_grade"
    SM_SUBTYPE = "sm_subtype"
    TRIGGER_CATEGORY = "trigger_category"
    TRIGGER = "trigger"
    DRUG_CLASS = "drug_class"
    DRUG = "drug"
    ROUTE = "route"
    INJECTION_SITE = "injection_site"
    LAB_ANALYTE = "lab_analyte"


class Term(models.Model):
    kind = models.CharField(max_length=24, choices=TermKind.choices)
    code = models.CharField(max_length=120)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    # The patient's word, shown in the app (the diary, the inbox, the emergency card).
    name = models.CharField(max_length=200)
    # The clinician's word, shown in the clinic and the exports; often the same as `name`.
    clinical_name = models.CharField(max_length=200)

    class Meta:
        ordering = ("kind", "code", "language")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "code", "language"], name="one_term_per_kind_code_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.code} [{self.language}]: {self.name}"
