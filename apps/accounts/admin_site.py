"""The Django admin, for operators — off unless ADMIN_ENABLED is set (server/urls.py).

When an operator turns it on, it keeps the product's sign-in rules: the admin's sign-in form
shares the API's sign-in throttle (per client and per account, apps.core.throttling), and only
a session that passed two-step sign-in (TOTP) opens it — a staff account needs TOTP on, passed in
the app, in the same browser. Its reads are not in the patients' audit trail: that is why it is
off by default (docs/security.md).
"""

from __future__ import annotations

import math
from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

from apps.core.throttling import form_throttle_wait

from . import otp
from .models import User


class MastlineAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return (
            super().has_permission(request)
            and isinstance(user, User)
            and otp.request_otp_verified(request, user)
        )

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        if request.method == "POST":
            wait = form_throttle_wait(request, "login")
            if wait is not None:
                response = HttpResponse(
                    gettext("Too many sign-in attempts. Try again later."),
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
                response["Retry-After"] = str(math.ceil(wait))
                return response
        return super().login(request, extra_context)
