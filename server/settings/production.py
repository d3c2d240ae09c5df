"""Production: real services required, every transport secured.

Run behind a TLS-terminating proxy that sets X-Forwarded-Proto. `manage.py check --deploy` passes
with these settings (tests/ops/test_deploy_check.py).
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASE_URL, REDIS_URL
from .env import env_bool, env_int, env_optional

if not DATABASE_URL or not REDIS_URL:
    raise ImproperlyConfigured("Production needs DATABASE_URL (PostgreSQL) and REDIS_URL (Redis).")
# Never the development key base.py keeps under var/: production's comes from the environment.
SECRET_KEY = env_optional("SECRET_KEY") or ""
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured("Set SECRET_KEY (or SECRET_KEY_FILE) to 50+ random characters.")

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Health probes come from inside the cluster over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^api/health$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preload is on so `check --deploy` passes; a site that must stay reachable over plain HTTP on
# some subdomain sets SECURE_HSTS_PRELOAD=false (and accepts the check's warning).
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
# Web Push keys come from VAPID_PRIVATE_KEY / VAPID_PUBLIC_KEY; never generated on a server.
VAPID_GENERATE_DEV_KEYS = False
