"""The public card speaks the reader's language: it opens in the browser's (Accept-Language),
switches with `?lang=`, links every language, and prints two side by side (`?lang=de&also=it`).
The owner's own words come per language as the owner gave them, never machine-translated."""

from __future__ import annotations

import re

from apps.emergency.models import EmergencyCard
from tests.emergency.test_card import PLAN, _card_url, _fill, _link, _path
from tests.factories import World

PLAN_DE = "Adrenalin 0,3 mg in den Oberschenkel, 112 anrufen, hinlegen, Beine hoch."


def _shared(world: World, client_for) -> str:
    client_for(world.owner).patch(_card_url(world), {"action_plan": PLAN})
    return _path(_link(world, client_for(world.owner))["url"])


def _articles(html: str) -> list[str]:
    return re.findall(r'<article lang="(\w+)">', html)


def test_the_card_opens_in_the_browsers_language_and_switches_with_one_tap(
    world: World, client_for, anon
) -> None:
    _fill(world)
    path = _shared(world, client_for)
    german = anon.get(path, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")
    html = german.content.decode()
    assert '<html lang="de">' in html and german["Content-Language"] == "de"
    assert "Notfallausweis" in html and "Notfallkontakte" in html
    assert "Indolente systemische Mastozytose" in html  # the glossary's word
    assert "KIT D816V nachgewiesen" in html
    assert "Emergency contacts" not in html
    assert "Accept-Language" in german["Vary"]
    # Every language, each in its own words, one tap away.
    for code, name in (
        ("en", "English"),
        ("it", "italiano"),
        ("fr", "français"),
        ("es", "español"),
    ):
        assert re.search(rf'<a href="\?lang={code}"[^>]*>{name}</a>', html, flags=re.I), code
    italian = anon.get(f"{path}?lang=it", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="it">' in italian and "Contatti di emergenza" in italian
    assert "Mastocitosi sistemica indolente" in italian
    # An unknown language is no error: the browser's is used.
    assert (
        '<html lang="de">'
        in anon.get(f"{path}?lang=xx", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    )
    assert (
        anon.get(path, HTTP_ACCEPT_LANGUAGE="ja")
        .content.decode()
        .startswith('<!doctype html>\n<html lang="en">')
    )


def test_two_languages_side_by_side_for_printing(world: World, client_for, anon) -> None:
    _fill(world)
    world.owner.language = "it"
    world.owner.save()
    path = _shared(world, client_for)
    one = anon.get(path, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert _articles(one) == ["de"]
    assert '<a class="pair" href="?lang=de&amp;also=it">' in one  # the patient's language
    both = anon.get(f"{path}?lang=de&also=it").content.decode()
    assert _articles(both) == ["de", "it"]
    assert '<body class="two">' in both
    assert "Notfallkontakte" in both and "Contatti di emergenza" in both
    assert "@page two{size:A4 landscape" in both  # one page, both languages


def test_the_owner_gives_the_plan_per_language_and_nothing_is_translated_by_machine(
    world: World, client_for, anon
) -> None:
    _fill(world)
    world.owner.language = "it"
    world.owner.save()
    owner = client_for(world.owner)
    answer = owner.patch(
        _card_url(world),
        {
            "action_plan": PLAN,
            "translations": {
                "de": {"action_plan": PLAN_DE, "relations": {"parent": "Elternteil"}},
                "fr": {"action_plan": ""},  # empty: as if not given
            },
        },
        format="json",
    )
    assert answer.status_code == 200, answer.data
    assert answer.data["translations"] == {
        "de": {"action_plan": PLAN_DE, "relations": {"parent": "Elternteil"}}
    }
    path = _path(_link(world, owner)["url"])
    german = anon.get(path, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert PLAN_DE in german and PLAN not in german
    assert "Pat (Elternteil)" in german
    # No French words given: the plan as written, marked as the patient's own (in Italian).
    french = anon.get(f"{path}?lang=fr").content.decode()
    assert f'<p class="plan" lang="it">{PLAN}</p>' in french
    assert "Dans les mots du patient, tels qu'écrits." in french
    assert "Pat (parent)" in french
    as_json = anon.get(f"{path}?format=json&lang=de").json()
    assert as_json["action_plan"] == PLAN_DE and as_json["words_language"] == "de"
    assert "translations" not in as_json  # the public card shows one language's words
    assert EmergencyCard.objects.get(patient=world.patient).action_plan == PLAN

    bad = owner.patch(
        _card_url(world), {"translations": {"xx": {"action_plan": "?"}}}, format="json"
    )
    assert bad.status_code == 400 and "translations" in bad.data["fields"]
