"""Overrides for the test suite. DATABASE_URL / REDIS_URL still select the real services (CI)."""

from .base import *  # noqa: F403
from .base import REDIS_URL

# Argon2 is what production uses (asserted in tests/accounts); tests hash thousands of passwords.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests that need a real broker ask for REDIS_URL explicitly (pytest.mark.redis); the rest never
# touch a broker.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# The local push service the tests and benchmarks POST to listens on 127.0.0.1 (push_guard).
PUSH_ALLOW_LOOPBACK = True
