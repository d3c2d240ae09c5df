"""Catalogue names in the reader's language, from the glossary (docs/glossary.md, issue 15)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from apps.careteam.models import SMSubtype
from apps.diary.models import LabAnalyte, Symptom, SymptomDomain, Trigger, TriggerCategory
from apps.diary.rules import ANAPHYLAXIS_FINDINGS, AnaphylaxisGrade
from apps.glossary.models import Term, TermKind
from apps.medications.models import CatalogueDrug, DrugClass, InjectionSite, Route
from tests.factories import World

pytestmark = pytest.mark.django_db

GLOSSARY = Path(settings.BASE_DIR) / "docs" / "glossary.md"
LANGUAGES = [code for code, _ in settings.LANGUAGES]
_KIND = re.compile(r"<!-- glossary-kind: (\w+) -->")


def glossary_rows() -> set[tuple[str, str, str, str, str]]:
    """(kind, code, language, patient word, clinical word) of every table docs/glossary.md marks
    as loaded. A cell is `word` or `word · *clinical word*`; `†` (to be confirmed) is a note."""
    rows = set()
    kind = None
    for line in GLOSSARY.read_text().splitlines():
        marker = _KIND.search(line)
        if marker:
            kind = marker.group(1)
            continue
        if kind and not line.startswith("|"):
            if line.strip() and not line.startswith("<!--"):
                kind = None
            continue
        if kind and line.startswith("| `"):
            cells = [cell.strip() for cell in line.strip("|").split(" | ")]
            code = cells[0].strip("`")
            for language, cell in zip(LANGUAGES, cells[1:6], strict=True):
                cell = cell.replace("†", "")
                name, _, clinical = cell.partition(" · *")
                name = name.strip()
                rows.add((kind, code, language, name, clinical.rstrip("*").strip() or name))
    return rows


def test_the_table_is_the_glossary_document() -> None:
    stored = set(Term.objects.values_list("kind", "code", "language", "name", "clinical_name"))
    written = glossary_rows()
    assert len(written) > 800
    assert stored - written == set(), "in the table, not in docs/glossary.md"
    assert written - stored == set(), "in docs/glossary.md, not in the table: add a migration"


CATALOGUE_CODES = {
    TermKind.SYMPTOM_DOMAIN: lambda: set(SymptomDomain.values),
    TermKind.SYMPTOM: lambda: set(
        Symptom.objects.filter(patient=None).values_list("code", flat=True)
    ),
    TermKind.ANAPHYLAXIS_FINDING: lambda: set(ANAPHYLAXIS_FINDINGS),
    TermKind.ANAPHYLAXIS_GRADE: lambda: {grade.name.lower() for grade in AnaphylaxisGrade},
    TermKind.SM_SUBTYPE: lambda: set(SMSubtype.values),
    TermKind.TRIGGER_CATEGORY: lambda: set(TriggerCategory.values),
    TermKind.TRIGGER: lambda: set(
        Trigger.objects.filter(patient=None).values_list("code", flat=True)
    ),
    TermKind.DRUG_CLASS: lambda: set(DrugClass.values),
    TermKind.DRUG: lambda: set(CatalogueDrug.objects.values_list("name", flat=True)),
    TermKind.ROUTE: lambda: set(Route.values),
    TermKind.INJECTION_SITE: lambda: set(InjectionSite.values),
    TermKind.LAB_ANALYTE: lambda: set(LabAnalyte.values),
}


@pytest.mark.parametrize("kind", list(TermKind))
def test_every_code_the_product_shows_has_words_in_every_language(kind: TermKind) -> None:
    codes = CATALOGUE_CODES[kind]()
    assert codes
    for language in LANGUAGES:
        covered = set(
            Term.objects.filter(kind=kind, language=language).values_list("code", flat=True)
        )
        assert codes == covered, (kind, language)


HIVES = {
    "en": ("Hives", "Urticaria"),
    "it": ("Orticaria", "Orticaria"),
    "de": ("Nesselausschlag (Quaddeln)", "Urtikaria"),
    "fr": ("Urticaire", "Urticaire"),
    "es": ("Ronchas", "Urticaria"),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_symptom_catalogue_speaks_the_readers_language(
    world: World, client_for, django_assert_num_queries, language: str
) -> None:
    client = client_for(world.owner)
    url = reverse("catalogue-symptom-list", kwargs={"patient_pk": world.patient.pk})
    # Session, user (with "a clinician anywhere?", the second-factor rule, for an account
    # without TOTP), membership, and the list with its names: the words add no query.
    with django_assert_num_queries(4):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=f"{language},en;q=0.5")
    assert response.status_code == 200
    assert response["Content-Language"] == language
    hives = next(entry for entry in response.json() if entry["code"] == "skin.hives")
    assert (hives["name"], hives["clinical_name"]) == HIVES[language]


def test_triggers_and_a_countrys_variant_of_a_language(world: World, client_for) -> None:
    url = reverse("catalogue-trigger-list", kwargs={"patient_pk": world.patient.pk})
    response = client_for(world.owner).get(url, HTTP_ACCEPT_LANGUAGE="de-AT,de;q=0.9")
    wasp = next(entry for entry in response.json() if entry["code"] == "trigger.sting.wasp")
    assert wasp["name"] == "Wespen- oder Hornissenstich"
    nsaid = next(e for e in response.json() if e["code"] == "trigger.medication.nsaid")
    assert (nsaid["name"], nsaid["clinical_name"]) == (
        "Schmerzmittel wie Ibuprofen oder ASS",
        "NSAR",
    )


def test_a_language_we_do_not_speak_gets_english(world: World, client_for) -> None:
    url = reverse("catalogue-symptom-list", kwargs={"patient_pk": world.patient.pk})
    response = client_for(world.owner).get(url, HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.9")
    itching = next(entry for entry in response.json() if entry["code"] == "skin.itching")
    assert (itching["name"], itching["clinical_name"]) == ("Itching", "Pruritus")


def test_a_patients_own_entry_keeps_the_patients_words(world: World, client_for) -> None:
    client = client_for(world.owner)
    url = reverse("catalogue-symptom-list", kwargs={"patient_pk": world.patient.pk})
    created = client.post(
        url, {"name": "Prurito al cuoio capelluto", "domain": "skin"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["name"] == created.json()["clinical_name"] == "Prurito al cuoio capelluto"
    listed = client.get(url, HTTP_ACCEPT_LANGUAGE="de").json()
    own = next(entry for entry in listed if entry["is_custom"])
    assert own["name"] == "Prurito al cuoio capelluto"


@pytest.mark.parametrize(
    ("language", "patient_word", "clinical_word"),
    [
        ("en", "Adrenaline pen", "Epinephrine auto-injector"),
        ("it", "Penna di adrenalina", "Autoiniettore di adrenalina"),
        ("de", "Adrenalin-Pen", "Adrenalin-Autoinjektor"),
        ("fr", "Stylo d'adrénaline", "Stylo auto-injecteur d'adrénaline"),
        ("es", "Pluma de adrenalina", "Autoinyector de adrenalina"),
    ],
)
def test_the_medication_catalogue_names_drugs_in_each_language(
    world: World, client_for, language: str, patient_word: str, clinical_word: str
) -> None:
    url = reverse("medication-catalogue", kwargs={"patient_pk": world.patient.pk})
    catalogue = client_for(world.owner).get(url, HTTP_ACCEPT_LANGUAGE=language).json()
    pen = next(d for d in catalogue if d["drug_class"] == "epinephrine")
    assert (pen["name"], pen["clinical_name"]) == (patient_word, clinical_word)
    names = {d["name"] for d in catalogue}
    assert {"it": "Midostaurina", "es": "Midostaurina", "fr": "Midostaurine"}.get(
        language, "Midostaurin"
    ) in names


def test_the_glossary_endpoint_answers_by_kind_and_code(world: World, client_for) -> None:
    client = client_for(world.caregiver)
    response = client.get(
        "/api/v1/glossary?kind=sm_subtype&kind=symptom_domain", HTTP_ACCEPT_LANGUAGE="es"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["language"] == "es" and set(body["terms"]) == {"sm_subtype", "symptom_domain"}
    assert body["terms"]["sm_subtype"]["MCL"] == {
        "name": "Leucemia de mastocitos",
        "clinical_name": "Leucemia de mastocitos",
    }
    assert client.get("/api/v1/glossary?kind=nonsense").status_code == 400
    everything = client.get("/api/v1/glossary", HTTP_ACCEPT_LANGUAGE="it").json()["terms"]
    assert set(everything) == set(TermKind.values)
    assert everything["drug"]["Midostaurin"]["name"] == "Midostaurina"
