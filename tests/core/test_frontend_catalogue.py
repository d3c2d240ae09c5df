"""The app's English catalogue is complete: extracting the messages from the sources again finds
none that frontend/src/locales/en/messages.po lacks, and it keeps none the sources dropped. (A
message missing from the catalogue would show its id in production, where Lingui does not
compile messages at run time; the build also fails on it, `failOnMissing`.)"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
CATALOGUE = FRONTEND / "src" / "locales" / "en" / "messages.po"
LINGUI = FRONTEND / "node_modules" / ".bin" / "lingui"


def _msgids(po: Path) -> set[str]:
    return set(re.findall(r'^msgid "(.+)"$', po.read_text(encoding="utf-8"), flags=re.M))


def test_the_english_catalogue_has_every_message_of_the_sources(tmp_path: Path) -> None:
    if not LINGUI.exists() or shutil.which("node") is None:
        pytest.skip("needs-service: frontend/node_modules is missing (cd frontend && npm ci)")
    config = tmp_path / "lingui.config.mjs"
    config.write_text(
        "export default {\n"
        f"  rootDir: {str(FRONTEND)!r},\n"
        "  sourceLocale: 'en',\n"
        "  locales: ['en'],\n"
        f"  catalogs: [{{ path: {str(tmp_path / '{locale}' / 'messages')!r}, include: ['<rootDir>/src'],"
        " exclude: ['**/node_modules/**', '<rootDir>/src/locales/**'] }],\n"
        "};\n",
        encoding="utf-8",
    )
    subprocess.run(  # noqa: S603 (our own node_modules, fixed arguments)
        [str(LINGUI), "extract", "--config", str(config)],
        cwd=FRONTEND,
        check=True,
        capture_output=True,
        timeout=300,
    )
    extracted = _msgids(tmp_path / "en" / "messages.po")
    committed = _msgids(CATALOGUE)
    assert len(extracted) > 500
    assert extracted - committed == set(), (
        "run `npm run extract` in frontend/ and commit the catalogue"
    )
    assert committed - extracted == set(), (
        "the catalogue keeps messages no screen uses: npm run extract"
    )


TRANSLATED = ("it", "de", "fr", "es")
_ENTRY = re.compile(r'^msgid "(.+)"\nmsgstr "(.*)"$', flags=re.M)
_PLACEHOLDER = re.compile(r"\{(\w+)\}|\{(\w+), (?:plural|select)")


def _entries(po: Path) -> dict[str, str]:
    return dict(_ENTRY.findall(po.read_text(encoding="utf-8")))


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_language_translates_every_message_of_the_app(language: str) -> None:
    """it, de, fr and es have every English message, each with a translation (no empty msgstr,
    nothing fuzzy) that keeps the message's placeholders: a missing {0} would drop a name, an
    extra one would show its braces."""
    english = _entries(CATALOGUE)
    po = FRONTEND / "src" / "locales" / language / "messages.po"
    text = po.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    translated = _entries(po)
    assert set(translated) == set(english), "run `npm run extract` in frontend/"
    empty = sorted(msgid for msgid, msgstr in translated.items() if not msgstr.strip())
    assert empty == [], f"{len(empty)} messages without a {language} translation: {empty[:5]}"
    for msgid, msgstr in translated.items():
        wanted = {a or b for a, b in _PLACEHOLDER.findall(msgid)}
        found = {a or b for a, b in _PLACEHOLDER.findall(msgstr)}
        assert found == wanted, (language, msgid, msgstr)


def test_the_pseudo_locale_has_every_message_and_no_words_of_its_own() -> None:
    """The pseudo-locale is compiled from the English (lingui.config.js `pseudoLocale`): its
    catalogue lists every message and translates none by hand."""
    english = _entries(CATALOGUE)
    pseudo = _entries(FRONTEND / "src" / "locales" / "pseudo" / "messages.po")
    assert set(pseudo) == set(english)
    assert all(msgstr == "" for msgstr in pseudo.values())
