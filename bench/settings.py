"""Settings for benchmarks that need a real server process: the app as `make run` configures it,
plus bench/urls.py's bare comparison views, on a throw-away database under MASTLINE_VAR_DIR."""

from server.settings.base import *  # noqa: F403
from server.settings.base import STATIC_ROOT

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing one

ROOT_URLCONF = "bench.urls"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
THROTTLE_RATES = {
    "login": "1000/min",
    "register": "1000/min",
    "password_reset": "1000/min",
    "invitation_code": "1000/min",
}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
