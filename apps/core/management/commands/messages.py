"""`manage.py messages`: update the gettext catalogues (locale/*/LC_MESSAGES/django.po) from the
code, the one way `make messages` and the completeness test run makemessages.

`--check` changes nothing: it runs the same update on a copy of the sources and fails when the
committed catalogues are not what it writes (a string was added, changed or dropped without
`make messages`), or when an entry is untranslated or fuzzy, or a translation's placeholders do
not match its msgid (`msgfmt --check`). tests/core/test_messages.py runs it in `make test`.

English is the source language: its catalogue gets each msgid as its own translation (GNU
`msgen` fills only the entries still empty), so it can carry wording fixes without a code change.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test import override_settings

# Where the server's translatable strings live; everything else (tests, the front end with its
# own message catalogues, docs) is not scanned.
SOURCES = ("apps", "server")
MAKEMESSAGES_OPTIONS: dict[str, Any] = {
    "domain": "django",
    "extensions": ["html", "txt", "py"],
    # No file:line comments: they churn on every edit and make merges between branches conflict.
    "no_location": True,
    "no_obsolete": True,
    "ignore_patterns": ["tests/*", "bench/*", "frontend/*", "var/*", "docs/*", "requirements/*"],
    "verbosity": 0,
}
# Rewritten on every run; not a difference worth failing for.
_VOLATILE = re.compile(r'^"POT-Creation-Date: .*$', re.MULTILINE)
_STATISTICS = re.compile(r"(\d+) (translated|fuzzy|untranslated)")


def catalogue(root: Path, language: str) -> Path:
    return root / "locale" / language / "LC_MESSAGES" / "django.po"


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


@contextlib.contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def update(root: Path) -> None:
    """makemessages for every language over the sources under `root`, into `root`/locale."""
    with _working_directory(root), override_settings(LOCALE_PATHS=[root / "locale"]):
        call_command("makemessages", locale=languages(), **MAKEMESSAGES_OPTIONS)
    english = catalogue(root, settings.LANGUAGE_CODE)
    subprocess.run(["msgen", "-o", str(english), str(english)], check=True)  # noqa: S603, S607


def problems_in(po: Path) -> list[str]:
    """Untranslated or fuzzy entries, and placeholder mismatches, as msgfmt reports them."""
    result = subprocess.run(  # noqa: S603
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(po)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    counts = {kind: int(n) for n, kind in _STATISTICS.findall(result.stderr)}
    found = []
    if result.returncode != 0:
        found.append(f"{po}: msgfmt --check failed:\n{result.stderr.strip()}")
    if counts.get("fuzzy") or counts.get("untranslated"):
        found.append(
            f"{po}: {counts.get('untranslated', 0)} untranslated and "
            f"{counts.get('fuzzy', 0)} fuzzy entries"
        )
    return found


def _comparable(text: str) -> list[str]:
    return _VOLATILE.sub("", text).splitlines()


def check(root: Path) -> list[str]:
    """Everything wrong with the catalogues under `root`; empty when they are complete."""
    found = []
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch)
        for name in (*SOURCES, "locale"):
            shutil.copytree(
                root / name, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo")
            )
        update(copy)
        for language in languages():
            committed, fresh = catalogue(root, language), catalogue(copy, language)
            if not committed.exists():
                found.append(f"{committed} is missing")
                continue
            diff = list(
                difflib.unified_diff(
                    _comparable(committed.read_text()),
                    _comparable(fresh.read_text()),
                    str(committed),
                    "after make messages",
                    lineterm="",
                )
            )
            if diff:
                found.append("\n".join(diff[:60]))
            found.extend(problems_in(committed))
    return found


class Command(BaseCommand):
    help = "Update the gettext catalogues from the code (--check: fail if they are not complete)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing; fail when `make messages` would change a catalogue, or when "
            "an entry is untranslated or fuzzy.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        root = Path(settings.BASE_DIR)
        if not options["check"]:
            update(root)
            return
        found = check(root)
        if found:
            raise CommandError(
                "The gettext catalogues are not complete. Run `make messages`, translate every "
                "new entry (clinical words from docs/glossary.md) and remove `#, fuzzy` once "
                "checked:\n\n" + "\n\n".join(found)
            )
