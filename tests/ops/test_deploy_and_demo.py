"""Production settings pass Django's deployment checks; the demo data set loads idempotently."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from apps.accounts.models import User
from apps.careteam.models import Membership, Patient

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_passes_with_production_settings(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "server.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "DATABASE_URL": os.environ.get(
            "DATABASE_URL", "postgres://mastline@127.0.0.1:5432/mastline"
        ),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "ALLOWED_HOSTS": "mastline.example.org",
        "MASTLINE_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "SECRET_KEY_FILE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="server.settings.production",
        DATABASE_URL="postgres://x@127.0.0.1/x",
        REDIS_URL="redis://127.0.0.1:6379/0",
        MASTLINE_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_secrets_can_come_from_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from server.settings.env import env_str

    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("SOME_SECRET", "from-the-environment")
    monkeypatch.setenv("SOME_SECRET_FILE", str(secret))
    assert env_str("SOME_SECRET") == "from-a-file"


@pytest.mark.django_db
def test_the_demo_loads_twice_without_duplicating_anything() -> None:
    call_command("load_demo", verbosity=0)
    counts = (User.objects.count(), Patient.objects.count(), Membership.objects.count())
    call_command("load_demo", verbosity=0)
    assert (User.objects.count(), Patient.objects.count(), Membership.objects.count()) == counts
    assert counts[0] >= 4 and counts[1] >= 3
    maria = User.objects.get(email="maria@demo.mastline.test")
    assert sorted(
        Patient.objects.filter(memberships__user=maria).values_list("display_name", flat=True)
    ) == [
        "Ada Okafor",
        "Leo Okafor",
    ]
