"""Rate limits, and the one rule for who the client behind a request is.

`client_address` names the client for every throttle and for the audit trail: the socket's
address, or — only when the operator says the app runs behind its own proxies
(`TRUST_X_FORWARDED_FOR`, with `TRUSTED_PROXY_COUNT` of them) — the address the outermost trusted
proxy wrote into `X-Forwarded-For`. Entries further left are the client's own words and are
never believed, so a new `X-Forwarded-For` per request cannot buy a fresh allowance.
"""

from __future__ import annotations

import hashlib
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from rest_framework.throttling import ScopedRateThrottle


def client_address(request: Any) -> str:
    """The client's address as far as this deployment can know it (see the module docstring)."""
    meta = getattr(request, "META", {})
    remote = str(meta.get("REMOTE_ADDR") or "")
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if settings.TRUST_X_FORWARDED_FOR and proxies > 0:
        hops = [hop.strip() for hop in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
        hops = [hop for hop in hops if hop]
        if hops:
            # Each trusted proxy appends the address it saw; the outermost one's entry is the
            # `proxies`-th from the right. With fewer entries than proxies, the leftmost.
            return hops[-min(proxies, len(hops))]
    return remote


class SettingsScopedRateThrottle(ScopedRateThrottle):
    """Like DRF's scoped throttle, but reads `settings.THROTTLE_RATES` when asked rather than once
    at import, so a changed setting takes effect without a restart (and tests can shrink it), and
    names an anonymous client by `client_address`."""

    def get_rate(self) -> str | None:
        return settings.THROTTLE_RATES.get(self.scope) if self.scope else None

    def get_ident(self, request: Any) -> str:
        return client_address(request)


class AccountRateThrottle(SettingsScopedRateThrottle):
    """The same scope counted per account named in the body (`email`), whichever addresses the
    tries come from: scope `<view.throttle_scope>_account` in THROTTLE_RATES. A body without an
    email is left to the per-client throttle (and to the serializer's 400)."""

    def allow_request(self, request: Any, view: Any) -> bool:
        scope = getattr(view, "throttle_scope", None)
        if not scope:
            return True
        self.scope = f"{scope}_account"
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super(ScopedRateThrottle, self).allow_request(request, view)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        # A DRF request's parsed body; a plain Django form's POST (the admin's `username`).
        data = getattr(request, "data", None)
        if data is None:
            data = request.POST
        email = (data.get("email") or data.get("username")) if hasattr(data, "get") else None
        if not isinstance(email, str) or not email.strip():
            return None
        account = email.strip().lower().encode("utf-8", "surrogatepass")
        ident = hashlib.sha256(account).hexdigest()  # no address in the cache's key space
        return self.cache_format % {"scope": self.scope, "ident": ident}


def form_throttle_wait(request: Any, scope: str) -> float | None:
    """For a sign-in form outside DRF (the Django admin's): the same per-client and per-account
    allowances as the API's `scope`, counted in the same buckets. Returns the seconds to wait
    when over either, else None (and counts this try)."""
    view: Any = SimpleNamespace(throttle_scope=scope)  # all a scoped throttle asks of a view
    waits = [
        throttle.wait() or 1.0
        for throttle in (SettingsScopedRateThrottle(), AccountRateThrottle())
        if not throttle.allow_request(request, view)
    ]
    return max(waits) if waits else None
