"""Django serves the built PWA at the root, and its client-side routes."""

from __future__ import annotations

import pytest
from django.conf import settings


def test_the_app_shell_is_served_at_the_root_and_for_app_routes(client) -> None:
    if not (settings.FRONTEND_DIST / "index.html").exists():
        pytest.fail("frontend/dist is missing: `make test` builds it first")
    for path in ("/", "/today", "/invitations/accept"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"<html" in b"".join(response.streaming_content).lower()
        assert response["Content-Security-Policy"].startswith("default-src 'self'")


def test_api_paths_never_fall_through_to_the_app(client) -> None:
    assert client.get("/api/nothing").status_code == 404
