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
