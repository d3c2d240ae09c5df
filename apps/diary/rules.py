"""The two clinical rules the diary applies to what a patient logs. Both are pure functions so
their arithmetic can be tested on its own (tests/diary/test_rules.py).

Mastline records and compares; it never tells anyone what to do about a result.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from enum import IntEnum, StrEnum

# --- Anaphylaxis severity ------------------------------------------------------------------------
#
# Brown SGA. Clinical features and severity grading of anaphylaxis.
# J Allergy Clin Immunol 2004;114(2):371-376. doi:10.1016/j.jaci.2004.04.029
#
#   1 mild      skin and subcutaneous tissues only: generalised erythema, urticaria,
#               periorbital oedema or angioedema;
#   2 moderate  features suggesting respiratory, cardiovascular or gastrointestinal involvement:
#               dyspnoea, stridor, wheeze, nausea, vomiting, dizziness (presyncope), diaphoresis,
#               chest or throat tightness, abdominal pain;
#   3 severe    hypoxia (cyanosis or SpO2 <= 92 %), hypotension (systolic < 90 mmHg in adults)
#               or neurological compromise (confusion, collapse, loss of consciousness,
#               incontinence).
#
# Each finding a person can tick carries the grade Brown assigns to it; the episode's grade is the
# highest of its findings. No findings, no grade: we do not guess.


class OrganSystem(StrEnum):
    SKIN = "skin"
    RESPIRATORY = "respiratory"
    CARDIOVASCULAR = "cardiovascular"
    GASTROINTESTINAL = "gastrointestinal"
    NEUROLOGICAL = "neurological"


class AnaphylaxisGrade(IntEnum):
    MILD = 1
    MODERATE = 2
    SEVERE = 3


# code -> (organ system, Brown grade, label)
ANAPHYLAXIS_FINDINGS: dict[str, tuple[OrganSystem, AnaphylaxisGrade, str]] = {
    "skin.erythema": (OrganSystem.SKIN, AnaphylaxisGrade.MILD, "Generalised redness"),
    "skin.urticaria": (OrganSystem.SKIN, AnaphylaxisGrade.MILD, "Hives"),
    "skin.angioedema": (OrganSystem.SKIN, AnaphylaxisGrade.MILD, "Swelling of lips, eyes or face"),
    "skin.flushing": (OrganSystem.SKIN, AnaphylaxisGrade.MILD, "Flushing"),
    "resp.dyspnoea": (OrganSystem.RESPIRATORY, AnaphylaxisGrade.MODERATE, "Short of breath"),
    "resp.wheeze": (OrganSystem.RESPIRATORY, AnaphylaxisGrade.MODERATE, "Wheeze"),
    "resp.stridor": (OrganSystem.RESPIRATORY, AnaphylaxisGrade.MODERATE, "Stridor"),
    "resp.throat_tightness": (
        OrganSystem.RESPIRATORY,
        AnaphylaxisGrade.MODERATE,
        "Throat tightness",
    ),
    "resp.hypoxia": (
        OrganSystem.RESPIRATORY,
        AnaphylaxisGrade.SEVERE,
        "Blue lips or oxygen saturation 92 % or lower",
    ),
    "cv.presyncope": (
        OrganSystem.CARDIOVASCULAR,
        AnaphylaxisGrade.MODERATE,
        "Dizzy, about to faint",
    ),
    "cv.chest_tightness": (
        OrganSystem.CARDIOVASCULAR,
        AnaphylaxisGrade.MODERATE,
        "Chest tightness",
    ),
    "cv.diaphoresis": (OrganSystem.CARDIOVASCULAR, AnaphylaxisGrade.MODERATE, "Sweating"),
    "cv.hypotension": (
        OrganSystem.CARDIOVASCULAR,
        AnaphylaxisGrade.SEVERE,
        "Low blood pressure (systolic below 90 mmHg in adults)",
    ),
    "gi.nausea": (OrganSystem.GASTROINTESTINAL, AnaphylaxisGrade.MODERATE, "Nausea"),
    "gi.vomiting": (OrganSystem.GASTROINTESTINAL, AnaphylaxisGrade.MODERATE, "Vomiting"),
    "gi.abdominal_pain": (
        OrganSystem.GASTROINTESTINAL,
        AnaphylaxisGrade.MODERATE,
        "Abdominal pain",
    ),
    "neuro.confusion": (OrganSystem.NEUROLOGICAL, AnaphylaxisGrade.SEVERE, "Confusion"),
    "neuro.collapse": (OrganSystem.NEUROLOGICAL, AnaphylaxisGrade.SEVERE, "Collapse"),
    "neuro.loss_of_consciousness": (
        OrganSystem.NEUROLOGICAL,
        AnaphylaxisGrade.SEVERE,
        "Loss of consciousness",
    ),
    "neuro.incontinence": (OrganSystem.NEUROLOGICAL, AnaphylaxisGrade.SEVERE, "Incontinence"),
}


def anaphylaxis_grade(findings: Iterable[str]) -> AnaphylaxisGrade | None:
    """Brown (2004) grade of an episode from the findings observed; None without findings.
    Unknown codes raise KeyError: the serializer only lets known codes through."""
    grades = [ANAPHYLAXIS_FINDINGS[code][1] for code in findings]
    return max(grades) if grades else None


def organ_systems(findings: Iterable[str]) -> list[str]:
    """The organ systems involved, in a fixed order."""
    involved = {ANAPHYLAXIS_FINDINGS[code][0] for code in findings}
    return [system.value for system in OrganSystem if system in involved]


# --- Acute tryptase: the "20 % + 2" rule ---------------------------------------------------------
#
# An acute serum tryptase above 120 % of the patient's baseline plus 2 ng/mL indicates mast-cell
# activation (Valent P et al. Definitions, criteria and global classification of mast cell
# disorders with special reference to mast cell activation syndromes: a consensus proposal.
# Int Arch Allergy Immunol 2012;157(3):215-225).

TRYPTASE_FACTOR = Decimal("1.2")
TRYPTASE_OFFSET_NG_ML = Decimal("2")


class TryptaseActivation(StrEnum):
    ELEVATED = "elevated"  # above the threshold: consistent with mast-cell activation
    NOT_ELEVATED = "not_elevated"
    NO_BASELINE = "no_baseline"  # nothing to compare with


def tryptase_threshold(baseline: Decimal) -> Decimal:
    return baseline * TRYPTASE_FACTOR + TRYPTASE_OFFSET_NG_ML


def tryptase_activation(
    acute: Decimal, baseline: Decimal | None
) -> tuple[Decimal | None, TryptaseActivation]:
    """(threshold, result) for an acute tryptase against the patient's baseline."""
    if baseline is None:
        return None, TryptaseActivation.NO_BASELINE
    threshold = tryptase_threshold(baseline)
    if acute > threshold:
        return threshold, TryptaseActivation.ELEVATED
    return threshold, TryptaseActivation.NOT_ELEVATED
