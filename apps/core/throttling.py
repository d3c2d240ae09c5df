from django.conf import settings
from rest_framework.throttling import ScopedRateThrottle


class SettingsScopedRateThrottle(ScopedRateThrottle):
    """Like DRF's scoped throttle, but reads `settings.THROTTLE_RATES` when asked rather than once
    at import, so a changed setting takes effect without a restart (and tests can shrink it)."""

    def get_rate(self) -> str | None:
        return settings.THROTTLE_RATES.get(self.scope) if self.scope else None
