"""The gettext catalogues are complete: `make messages` would change nothing, and no entry is
empty or fuzzy (issue 15). Runs GNU gettext (makemessages, msgfmt) on a copy of the sources."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from apps.core.management.commands import messages

ROOT = Path(settings.BASE_DIR)


def test_the_catalogues_are_complete() -> None:
    call_command("messages", check=True)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project root with our catalogues and one module of translatable strings."""
    shutil.copytree(ROOT / "locale", tmp_path / "locale", ignore=shutil.ignore_patterns("*.mo"))
    shutil.copytree(ROOT / "apps", tmp_path / "apps", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(
        ROOT / "server", tmp_path / "server", ignore=shutil.ignore_patterns("__pycache__")
    )
    return tmp_path


def test_a_string_nobody_translated_fails_the_check(project: Path) -> None:
    (project / "apps" / "new_screen.py").write_text(
        'from django.utils.translation import gettext as _\n\nTITLE = _("Your pens expire soon")\n'
    )
    found = "\n".join(messages.check(project))
    assert '+msgid "Your pens expire soon"' in found


def test_an_empty_or_fuzzy_entry_fails_the_check(project: Path) -> None:
    italian = messages.catalogue(project, "it")
    text = italian.read_text()
    emptied = text.replace('msgstr "Campo sconosciuto."', 'msgstr ""')
    assert emptied != text
    italian.write_text(emptied)
    assert any("1 untranslated" in problem for problem in messages.check(project))

    german = messages.catalogue(project, "de")
    german.write_text(
        german.read_text().replace('msgid "Unknown field."', '#, fuzzy\nmsgid "Unknown field."')
    )
    assert any("1 fuzzy" in problem for problem in messages.problems_in(german))
