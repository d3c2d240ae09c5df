"""The Django admin: off unless an operator turns it on; on, it keeps the sign-in rules."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import clear_url_caches

import server.urls
from tests.factories import PASSWORD, UserFactory, enable_totp, login_verified

pytestmark = pytest.mark.django_db


def _reload_urls() -> None:
    importlib.reload(server.urls)
    clear_url_caches()


@pytest.fixture
def admin_on() -> Iterator[None]:
    with override_settings(ADMIN_ENABLED=True):
        _reload_urls()
        yield
    _reload_urls()


def test_the_admin_is_off_by_default() -> None:
    assert settings.ADMIN_ENABLED is False
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    assert client.get("/admin/login/").status_code == 404
    answer = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})
    assert answer.status_code == 404
    assert "_auth_user_id" not in client.session


def test_the_admin_sign_in_shares_the_sign_in_throttle(admin_on: None) -> None:
    staff = UserFactory(is_staff=True)
    rates = {**settings.THROTTLE_RATES, "login": "3/min"}
    with override_settings(THROTTLE_RATES=rates):
        client = Client()
        codes = [
            client.post(
                "/admin/login/",
                {"username": staff.email, "password": "wrong"},
                HTTP_X_FORWARDED_FOR=f"10.1.{i}.1",
            ).status_code
            for i in range(25)
        ]
        assert codes[:3] == [200, 200, 200]  # the form again, with its error
        assert set(codes[3:]) == {429}
        # The API's sign-in is in the same bucket.
        api = client.post(
            "/api/v1/auth/login",
            {"email": staff.email, "password": PASSWORD},
            content_type="application/json",
        )
        assert api.status_code == 429


def test_a_password_alone_does_not_open_the_admin(admin_on: None) -> None:
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})
    refused = client.get("/admin/accounts/user/")
    assert refused.status_code == 302 and refused["Location"].startswith("/admin/login/")
    enrolled = enable_totp(UserFactory(is_staff=True, is_superuser=True))
    pending = Client()
    pending.force_login(enrolled)
    assert pending.get("/admin/accounts/user/").status_code == 302


def test_a_staff_session_that_passed_totp_opens_it(admin_on: None) -> None:
    staff = enable_totp(UserFactory(is_staff=True, is_superuser=True))
    client = Client()
    login_verified(client, staff)
    assert client.get("/admin/accounts/user/").status_code == 200
