"""Sign-up, sign-in, sign-out, passwords and personal tokens, as a person using them sees them."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def csrf_client() -> tuple[APIClient, str]:
    client = APIClient(enforce_csrf_checks=True)
    token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    return client, token


def test_sign_up_creates_the_account_and_the_person_signs_in_next() -> None:
    client, csrf = csrf_client()
    response = client.post(
        "/api/v1/auth/register",
        {
            "email": "Mia@Example.org",
            "password": "a long fresh passphrase",
            "display_name": "Mia",
            "time_zone": "Europe/Rome",
        },
        format="json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert response.status_code == 202, response.json()
    assert "sign in" in response.json()["detail"]
    assert client.get("/api/v1/auth/me").status_code in (401, 403)  # nobody is signed in yet
    user = User.objects.get(email="mia@example.org")
    assert user.password and "a long fresh passphrase" not in user.password
    assert [m.to for m in mail.outbox] == [["mia@example.org"]]
    assert "ready" in mail.outbox[0].body
    signed_in = client.post(
        "/api/v1/auth/login",
        {"email": "mia@example.org", "password": "a long fresh passphrase"},
        format="json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert signed_in.status_code == 200
    assert client.get("/api/v1/auth/me").json()["display_name"] == "Mia"


def test_sign_up_answers_the_same_whether_or_not_the_email_has_an_account(
    anon: APIClient,
) -> None:
    """Finding 11 of issue 13: sign-up must not tell a stranger who uses Mastline. The existing
    account hears of the attempt instead, and keeps its password and name."""
    owner = UserFactory(email="taken@example.org", display_name="Owner", language="it")

    def sign_up(email: str) -> tuple[int, dict, set[str]]:
        client, csrf = csrf_client()
        response = client.post(
            "/api/v1/auth/register",
            {"email": email, "password": "a long fresh passphrase", "display_name": "X"},
            format="json",
            HTTP_X_CSRFTOKEN=csrf,
        )
        return response.status_code, response.json(), set(response.cookies) - {"csrftoken"}

    assert sign_up("TAKEN@example.org") == sign_up("free@example.org")
    assert [m.to for m in mail.outbox] == [["taken@example.org"], ["free@example.org"]]
    attempt = mail.outbox[0]
    assert "forgot-password" in attempt.body and "Mastline" in attempt.subject
    assert attempt.subject != mail.outbox[1].subject  # the owner is told what happened
    assert "Owner" in attempt.body
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD) and owner.display_name == "Owner"
    assert User.objects.filter(email__iexact="taken@example.org").count() == 1


def test_production_hashes_passwords_with_argon2() -> None:
    from server.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_register_without_csrf_token_is_refused() -> None:
    client = APIClient(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/auth/register",
        {"email": "x@example.org", "password": "a long fresh passphrase", "display_name": "X"},
        format="json",
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="x@example.org").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"email": "not-an-email", "password": "a long fresh passphrase", "display_name": "X"},
            "email",
        ),
        ({"email": "y@example.org", "password": "short", "display_name": "X"}, "password"),
        ({"email": "y@example.org", "password": "1234567890123", "display_name": "X"}, "password"),
        (
            {
                "email": "y@example.org",
                "password": "a long fresh passphrase",
                "display_name": "X",
                "time_zone": "Mars/Olympus",
            },
            "time_zone",
        ),
        (
            {
                "email": "y@example.org",
                "password": "a long fresh passphrase",
                "display_name": "X",
                "is_staff": True,
            },
            "is_staff",
        ),
        ({"email": "y@example.org", "password": "a long fresh passphrase"}, "display_name"),
        (
            {
                "email": ["y@example.org"],
                "password": "a long fresh passphrase",
                "display_name": "X",
            },
            "email",
        ),
    ],
)
def test_register_names_the_bad_field(anon: APIClient, body: dict, field: str) -> None:
    response = anon.post("/api/v1/auth/register", body, format="json")
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == "invalid"
    assert field in payload["fields"]
    assert not User.objects.filter(email="y@example.org").exists()


def test_login_logout_and_clear_site_data(anon: APIClient) -> None:
    user = UserFactory()
    wrong = anon.post(
        "/api/v1/auth/login", {"email": user.email, "password": "nope"}, format="json"
    )
    assert wrong.status_code == 401
    ok = anon.post(
        "/api/v1/auth/login", {"email": user.email.upper(), "password": PASSWORD}, format="json"
    )
    assert ok.status_code == 200
    assert anon.get("/api/v1/auth/me").status_code == 200
    out = anon.post("/api/v1/auth/logout")
    assert out.status_code == 204
    assert out["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert anon.get("/api/v1/auth/me").status_code == 401


def test_login_is_throttled(anon: APIClient) -> None:
    user = UserFactory()
    with override_settings(THROTTLE_RATES={**settings.THROTTLE_RATES, "login": "3/min"}):
        codes = [
            anon.post(
                "/api/v1/auth/login", {"email": user.email, "password": "wrong"}, format="json"
            ).status_code
            for _ in range(4)
        ]
        assert codes == [401, 401, 401, 429]
        throttled = anon.post(
            "/api/v1/auth/login", {"email": user.email, "password": PASSWORD}, format="json"
        )
        assert throttled.status_code == 429
        assert throttled.json()["code"] == "throttled"


def test_register_is_throttled(anon: APIClient) -> None:
    with override_settings(THROTTLE_RATES={**settings.THROTTLE_RATES, "register": "1/hour"}):
        first = anon.post(
            "/api/v1/auth/register",
            {"email": "a@example.org", "password": "a long fresh passphrase", "display_name": "A"},
            format="json",
        )
        second = anon.post(
            "/api/v1/auth/register",
            {"email": "b@example.org", "password": "a long fresh passphrase", "display_name": "B"},
            format="json",
        )
    assert (first.status_code, second.status_code) == (202, 429)
    assert not User.objects.filter(email="b@example.org").exists()


def test_token_is_shown_once_stored_hashed_used_and_revoked(client_for) -> None:
    user = UserFactory()
    client = client_for(user)
    created = client.post("/api/v1/auth/tokens/", {"name": "backup script"}, format="json")
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith("mst_")
    stored = ApiToken.objects.get(pk=created.json()["id"])
    assert secret not in (stored.token_hash, stored.hint) and stored.last_used_at is None
    assert "token" not in client.get("/api/v1/auth/tokens/").json()[0]

    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert bearer.get("/api/v1/auth/me").json()["email"] == user.email
    stored.refresh_from_db()
    assert stored.last_used_at is not None

    assert client.delete(f"/api/v1/auth/tokens/{stored.pk}/").status_code == 204
    refused = bearer.get("/api/v1/auth/me")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer mst_unknown"])
def test_malformed_or_unknown_bearer_token_is_401(header: str) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get("/api/v1/auth/me").status_code == 401


def test_password_change_needs_the_old_password(client_for) -> None:
    user = UserFactory()
    client = client_for(user)
    bad = client.post(
        "/api/v1/auth/password/change",
        {"old_password": "guess", "new_password": "another long passphrase"},
        format="json",
    )
    assert bad.status_code == 400 and "old_password" in bad.json()["fields"]
    good = client.post(
        "/api/v1/auth/password/change",
        {"old_password": PASSWORD, "new_password": "another long passphrase"},
        format="json",
    )
    assert good.status_code == 200
    assert client.get("/api/v1/auth/me").status_code == 200  # this session stays signed in
    user.refresh_from_db()
    assert user.check_password("another long passphrase")


def test_password_reset_by_email_works_once(anon: APIClient) -> None:
    user = UserFactory(email="forgetful@example.org")
    assert (
        anon.post(
            "/api/v1/auth/password/reset", {"email": "nobody@example.org"}, format="json"
        ).status_code
        == 202
    )
    assert mail.outbox == []
    assert (
        anon.post("/api/v1/auth/password/reset", {"email": user.email}, format="json").status_code
        == 202
    )
    assert len(mail.outbox) == 1
    uid, token = re.search(r"uid=([\w-]+)&token=([\w-]+)", mail.outbox[0].body).groups()  # type: ignore[union-attr]
    body = {"uid": uid, "token": token, "new_password": "a brand new passphrase"}
    assert anon.post("/api/v1/auth/password/reset/confirm", body, format="json").status_code == 200
    user.refresh_from_db()
    assert user.check_password("a brand new passphrase")
    again = anon.post(
        "/api/v1/auth/password/reset/confirm",
        {**body, "new_password": "a third passphrase here"},
        format="json",
    )
    assert again.status_code == 400 and "token" in again.json()["fields"]


def test_me_rejects_changing_email_and_unknown_zone(client_for) -> None:
    user = UserFactory()
    client = client_for(user)
    assert (
        client.patch("/api/v1/auth/me", {"email": "new@example.org"}, format="json").status_code
        == 400
    )
    assert (
        client.patch("/api/v1/auth/me", {"time_zone": "Europe/Atlantis"}, format="json").status_code
        == 400
    )
    ok = client.patch("/api/v1/auth/me", {"time_zone": "America/New_York"}, format="json")
    assert ok.status_code == 200 and ok.json()["time_zone"] == "America/New_York"
    user.refresh_from_db()
    assert user.email != "new@example.org"


def _wrong_password(client: APIClient, email: str, **headers: str) -> int:
    return client.post(
        "/api/v1/auth/login", {"email": email, "password": "wrong"}, format="json", **headers
    ).status_code


@pytest.mark.parametrize("trust", [False, True])
def test_a_new_x_forwarded_for_per_try_does_not_lift_the_sign_in_limit(trust: bool) -> None:
    """The attacker writes a fresh address into X-Forwarded-For each time. Untrusted, the header
    is ignored; behind one trusted proxy only the entry that proxy appended counts."""
    user = UserFactory()
    rates = {**settings.THROTTLE_RATES, "login": "3/min"}
    with override_settings(
        THROTTLE_RATES=rates, TRUST_X_FORWARDED_FOR=trust, TRUSTED_PROXY_COUNT=1
    ):
        client = APIClient()
        codes = [
            _wrong_password(client, user.email, HTTP_X_FORWARDED_FOR=f"10.9.{i}.1, 203.0.113.7")
            for i in range(30)
        ]
    assert codes[:3] == [401, 401, 401]
    assert set(codes[3:]) == {429}


def test_behind_a_trusted_proxy_each_real_client_has_its_own_allowance() -> None:
    rates = {**settings.THROTTLE_RATES, "login": "2/min"}
    with override_settings(THROTTLE_RATES=rates, TRUST_X_FORWARDED_FOR=True, TRUSTED_PROXY_COUNT=1):
        client = APIClient()
        first = [
            _wrong_password(client, f"a{i}@example.org", HTTP_X_FORWARDED_FOR="198.51.100.1")
            for i in range(3)
        ]
        other = _wrong_password(client, "b@example.org", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert first == [401, 401, 429]
    assert other == 401


def test_sign_in_is_throttled_per_account_from_any_address() -> None:
    user = UserFactory()
    rates = {**settings.THROTTLE_RATES, "login": "100/min", "login_account": "5/hour"}
    with override_settings(THROTTLE_RATES=rates):
        client = APIClient()
        codes = [
            _wrong_password(client, user.email.upper(), REMOTE_ADDR=f"192.0.2.{i}")
            for i in range(8)
        ]
        right = client.post(
            "/api/v1/auth/login",
            {"email": user.email, "password": PASSWORD},
            format="json",
            REMOTE_ADDR="192.0.2.200",
        )
    assert codes == [401] * 5 + [429] * 3
    assert right.status_code == 429


@pytest.mark.parametrize(
    ("path", "scope", "body"),
    [
        ("/api/v1/auth/password/reset", "password_reset", {"email": "x@example.org"}),
        (
            "/api/v1/auth/register",
            "register",
            {"email": "x@example.org", "password": "pw", "display_name": "X"},
        ),
    ],
)
def test_sign_up_and_reset_ignore_a_forged_x_forwarded_for(
    path: str, scope: str, body: dict
) -> None:
    rates = {**settings.THROTTLE_RATES, scope: "2/hour", f"{scope}_account": "100/hour"}
    with override_settings(THROTTLE_RATES=rates):
        client = APIClient()
        codes = [
            client.post(path, body, format="json", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code
            for i in range(5)
        ]
    assert codes[2:] == [429, 429, 429]


def _token_for(client: APIClient, name: str) -> str:
    return client.post("/api/v1/auth/tokens/", {"name": name}, format="json").json()["token"]


def test_a_password_change_locks_out_every_token_and_other_session(client_for) -> None:
    """The account was stolen: its owner changes the password. The thief's token and session
    must stop working at once."""
    user = UserFactory()
    mine = client_for(user)
    thief_session = client_for(user)
    stolen = _token_for(thief_session, "thief")
    also = _token_for(mine, "backup script")
    thief_token = APIClient(HTTP_AUTHORIZATION=f"Bearer {stolen}")
    assert thief_token.get("/api/v1/auth/me").status_code == 200

    changed = mine.post(
        "/api/v1/auth/password/change",
        {"old_password": PASSWORD, "new_password": "another long passphrase"},
        format="json",
    )
    assert changed.status_code == 200
    assert changed.json()["tokens_revoked"] == 2
    assert changed.json()["other_sessions_signed_out"] is True
    assert "2" in changed.json()["detail"]
    assert thief_token.get("/api/v1/auth/me").status_code == 401
    assert APIClient(HTTP_AUTHORIZATION=f"Bearer {also}").get("/api/v1/auth/me").status_code == 401
    assert thief_session.get("/api/v1/auth/me").status_code in (401, 403)
    assert mine.get("/api/v1/auth/me").status_code == 200


def test_a_password_reset_locks_out_every_token_and_session(client_for, anon: APIClient) -> None:
    user = UserFactory(email="robbed@example.org")
    thief_session = client_for(user)
    stolen = _token_for(thief_session, "thief")
    anon.post("/api/v1/auth/password/reset", {"email": user.email}, format="json")
    uid, token = re.search(r"uid=([\w-]+)&token=([\w-]+)", mail.outbox[0].body).groups()  # type: ignore[union-attr]
    done = anon.post(
        "/api/v1/auth/password/reset/confirm",
        {"uid": uid, "token": token, "new_password": "a brand new passphrase"},
        format="json",
    )
    assert done.status_code == 200 and done.json()["tokens_revoked"] == 1
    assert (
        APIClient(HTTP_AUTHORIZATION=f"Bearer {stolen}").get("/api/v1/auth/me").status_code == 401
    )
    assert thief_session.get("/api/v1/auth/me").status_code in (401, 403)


def test_without_redis_the_throttle_counts_are_shared_by_every_worker(tmp_path) -> None:
    """`make run` starts several gunicorn workers: each must see the others' counts, so the
    cache outside tests is one that processes share (not per-process memory)."""
    import os
    import subprocess
    import sys

    code = (
        "import django, os; os.environ.pop('REDIS_URL', None); "
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'server.settings.base'; "
        f"os.environ['MASTLINE_VAR_DIR'] = {str(tmp_path)!r}; django.setup(); "
        "from django.core.cache import cache; "
        "import sys; v = cache.get('k'); cache.set('k', (v or 0) + 1); print(cache.get('k'))"
    )
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    counts = [
        subprocess.run(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        ).stdout.strip()
        for _ in range(2)
    ]
    assert counts == ["1", "2"]


def test_a_token_expires_after_its_lifetime(client_for) -> None:
    import datetime as dt

    import time_machine

    user = UserFactory()
    start = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        client = client_for(user)
        default = client.post("/api/v1/auth/tokens/", {"name": "script"}, format="json").json()
        short = client.post(
            "/api/v1/auth/tokens/", {"name": "once", "lifetime_days": 1}, format="json"
        ).json()
        forever = client.post(
            "/api/v1/auth/tokens/", {"name": "kiosk", "lifetime_days": None}, format="json"
        ).json()
        assert default["expires_at"] == "2026-05-30T09:00:00Z"  # 90 days, shown at creation
        listed = {t["name"]: t["expires_at"] for t in client.get("/api/v1/auth/tokens/").json()}
        assert listed == {
            "script": "2026-05-30T09:00:00Z",
            "once": "2026-03-02T09:00:00Z",
            "kiosk": None,
        }

    def me(token: dict, at: dt.datetime) -> int:
        with time_machine.travel(at, tick=False):
            return (
                APIClient(HTTP_AUTHORIZATION=f"Bearer {token['token']}")
                .get("/api/v1/auth/me")
                .status_code
            )

    assert me(short, start + dt.timedelta(hours=23)) == 200
    assert me(short, start + dt.timedelta(days=1)) == 401
    assert me(default, start + dt.timedelta(days=89)) == 200
    assert me(default, start + dt.timedelta(days=90, seconds=1)) == 401
    assert me(forever, start + dt.timedelta(days=3000)) == 200
