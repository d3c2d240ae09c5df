"""Every Mastline setting, read from the environment.

`test.py` and `production.py` hold the few overrides those contexts need. The defaults here are the
ones `make run` uses: SQLite under var/ and an embedded (filesystem) Celery transport, so a newcomer
needs neither PostgreSQL nor Redis. Setting DATABASE_URL / REDIS_URL switches to the real services.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from kombu import Exchange, Queue

from .env import env_bool, env_int, env_list, env_optional, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("MASTLINE_VAR_DIR", str(BASE_DIR / "var")))
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"

# A development key is generated per checkout and kept under var/ so sessions survive restarts;
# production.py refuses to start without a real SECRET_KEY.
SECRET_KEY = env_optional("SECRET_KEY") or ""
if not SECRET_KEY:
    _key_file = VAR_DIR / "dev-secret-key"
    if not _key_file.exists():
        import secrets

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        _key_file.write_text(secrets.token_urlsafe(50))
    SECRET_KEY = _key_file.read_text().strip()

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The public origin, used in links we send (invitation and password-reset emails, calendar feeds).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # The Django admin with the product's sign-in rules; its URLs exist only with ADMIN_ENABLED.
    "apps.accounts.admin_config.MastlineAdminConfig",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "apps.core",
    "apps.glossary",
    "apps.accounts",
    "apps.careteam",
    "apps.audit",
    "apps.sync",
    "apps.medications",
    "apps.diary",
    "apps.notifications",
    "apps.epinephrine",
    "apps.alerts",
    "apps.emergency",
    "apps.clinic",
    "apps.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "apps.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions and static files (a static file does not vary by language), before
    # CommonMiddleware as Django asks. Activates the language of the request's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    # After the language is known, so its 413 speaks it; still before anything reads the body.
    "apps.core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.accounts.middleware.ClinicianIdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "server.urls"
WSGI_APPLICATION = "server.wsgi.application"
ASGI_APPLICATION = "server.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
DATABASE_URL = env_optional("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "mastline.sqlite3"),
            "OPTIONS": {
                # Web, worker and beat share one file under `make run`: WAL lets readers and one
                # writer proceed together, IMMEDIATE takes the write lock up front so a transaction
                # never fails half-way on a lock upgrade, and timeout waits out the other writer.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (throttling, short-lived state) ------------------------------------------------------
REDIS_URL = env_optional("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env_str("CACHE_URL", REDIS_URL),
            "KEY_PREFIX": "mastline",
        }
    }
else:
    # Without Redis (`make run`): a cache every web worker shares, or each gunicorn worker would
    # keep its own throttle counts and multiply the allowance.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Accounts -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Ours first (new sign-ins use it); Django's stays listed so sessions signed in before it keep
# working (they load the user without the clinician-role annotation, and ask separately).
AUTHENTICATION_BACKENDS = [
    "apps.accounts.backends.UserWithRolesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Kept so that a hash written by another hasher can still be checked (and is upgraded on login).
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 24 * 30)
# A clinician's session ends after this long without a request (apps.accounts.middleware).
CLINICIAN_IDLE_TIMEOUT_MINUTES = env_int("CLINICIAN_IDLE_TIMEOUT_MINUTES", 15)
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# Behind our own reverse proxies only: take the client's address (throttles, audit trail) from
# X-Forwarded-For, as written by the outermost of TRUSTED_PROXY_COUNT proxies
# (apps.core.throttling.client_address). Off: the socket's address, whatever the header says.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1)
# The Django admin at /admin/: off (404) unless an operator turns it on. On, it shares the
# sign-in throttle and asks for a session that passed TOTP, but its reads are not audited
# (apps.accounts.admin_site, docs/security.md).
ADMIN_ENABLED = env_bool("ADMIN_ENABLED", False)
# Invitations to a care team expire: a code found in an old mailbox must not grant access.
INVITATION_TTL = timedelta(days=env_int("INVITATION_TTL_DAYS", 7))
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60 * 2)
# A new API token's lifetime unless its creator chooses another (or none).
API_TOKEN_LIFETIME_DAYS = env_int("API_TOKEN_LIFETIME_DAYS", 90)

# --- Email --------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Mastline <no-reply@localhost>")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds an SMTP connection may block; unset, a hung mail server would hold a delivery batch.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)

# --- Internationalisation -----------------------------------------------------------------------
# English is the source language and the fallback. Each account keeps its own language
# (User.language, apps.core.i18n); a request speaks its Accept-Language (LocaleMiddleware).
LANGUAGE_CODE = "en"
# Each language in its own name, as a language picker shows it.
LANGUAGES = [
    ("en", "English"),
    ("it", "Italiano"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
]
# The gettext catalogues of every app (`make messages` writes them, `make` compiles them).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"  # storage is UTC; every patient carries its own IANA zone for schedules
USE_I18N = True
USE_TZ = True

# --- Static files and the built front end -------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# The PWA's build output is served at the site root: /sw.js must sit at the root for its scope
# to cover the whole app, and the manifest and icons are addressed from there too.
WHITENOISE_ROOT = FRONTEND_DIST if FRONTEND_DIST.exists() else None
WHITENOISE_MAX_AGE = 60

# --- Request limits -----------------------------------------------------------------------------
# Every diary entry is a few hundred bytes; anything near this size is an accident or an attack.
MAX_REQUEST_BODY_BYTES = env_int("MAX_REQUEST_BODY_BYTES", 256 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500

# --- Security headers ---------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    ]
)
# The Django admin and Swagger UI ship inline styles; they get this relaxed policy and nothing else.
CONTENT_SECURITY_POLICY_ADMIN = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)

# --- Django REST framework ----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Bearer first: its `WWW-Authenticate` header makes anonymous requests answer 401, not 403.
        "apps.accounts.authentication.BearerTokenAuthentication",
        "apps.accounts.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["apps.core.parsers.JSONParser"],
    "DEFAULT_METADATA_CLASS": "apps.core.metadata.Metadata",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.CreatedCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "apps.core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.errors.api_exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Our throttles name clients by apps.core.throttling.client_address; this keeps DRF's own
    # default in line with it, should any view use a stock throttle.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT if TRUST_X_FORWARDED_FOR else 0,
}
# Read at request time by apps.core.throttling so tests and operators can change them live.
THROTTLE_RATES = {
    "login": env_str("THROTTLE_LOGIN", "10/min"),
    # The same forms counted per account (the email in the body), from whatever address.
    "login_account": env_str("THROTTLE_LOGIN_ACCOUNT", "20/hour"),
    "register": env_str("THROTTLE_REGISTER", "20/hour"),
    "register_account": env_str("THROTTLE_REGISTER_ACCOUNT", "5/hour"),
    "password_reset": env_str("THROTTLE_PASSWORD_RESET", "5/hour"),
    "password_reset_account": env_str("THROTTLE_PASSWORD_RESET_ACCOUNT", "5/hour"),
    "invitation_code": env_str("THROTTLE_INVITATION_CODE", "20/hour"),
    # Per user, on every endpoint that takes a TOTP or recovery code.
    "totp": env_str("THROTTLE_TOTP", "10/min"),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Mastline API",
    "DESCRIPTION": (
        "The API behind Mastline, a tracker and reminder for people with systemic mastocytosis, "
        "their caregivers and clinicians. Mastline is not a doctor: it never suggests doses or "
        "treatment changes.\n\n"
        "Authenticate with the session cookie set by `POST /api/v1/auth/login` (send the "
        "`X-CSRFToken` header on writes) or with a personal token: `Authorization: Bearer <token>`.\n\n"
        "Everything about a patient lives under `/api/v1/patients/{patient_pk}/`. A record you may "
        "not see answers 404, whether or not it exists. Errors have one shape: "
        "`{code, detail, fields}`, where `fields` maps each bad field to its messages."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "apps.careteam.models.Role.choices",
        "InvitationStatusEnum": "apps.careteam.models.InvitationStatus.choices",
        "HealthStatusEnum": ["ok", "degraded"],
        "InjectionSiteEnum": "apps.medications.models.InjectionSite.choices",
        # A pen shows every state; people set all but `used` (apps.core.schema).
        "PenStateEnum": "apps.epinephrine.models.PenState.choices",
        "PenStateSettableEnum": "apps.epinephrine.models.SETTABLE_PEN_STATES",
    },
    "SCHEMA_PATH_PREFIX": "/api/v1",
}

# --- Celery -------------------------------------------------------------------------------------
if REDIS_URL:
    CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        # Longer than any task may run, so Redis never redelivers a task that is still working.
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 60 * 60),
    }
else:
    # The embedded transport for `make run`: messages are files under var/celery, shared by the
    # web, worker and beat processes on one machine. Not for production.
    _queue_dir = VAR_DIR / "celery" / "queue"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    # The filesystem transport has no fan-out for remote control; nothing here needs it.
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
# A task is acknowledged after it ran, and given back if its worker died, so no work is lost;
# one message at a time per process so a slow delivery does not hold others hostage.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 5 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 4 * 60)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Two queues, so a backlog of deliveries never holds up the scans that create them or the sweep
# that repairs them. A worker started without -Q consumes both; kombu's Redis transport takes from
# them in turn, so a scan waits for at most one delivery batch (under a second), not the backlog.
CELERY_TASK_DEFAULT_QUEUE = "deliveries"
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name), routing_key=name) for name in ("deliveries", "scans")
]
CELERY_TASK_ROUTES = {
    "apps.alerts.tasks.*": {"queue": "scans"},
    "apps.medications.tasks.scan_due_reminders": {"queue": "scans"},
    "apps.epinephrine.tasks.scan_due_epinephrine_reminders": {"queue": "scans"},
    "apps.notifications.tasks.sweep_due_deliveries": {"queue": "scans"},
    "apps.notifications.tasks.repeat_unacknowledged_alerts": {"queue": "scans"},
    "apps.clinic.tasks.reconcile_triage": {"queue": "scans"},
    "apps.diary.tasks.reconcile_diary_days": {"queue": "scans"},
}
CELERY_BEAT_SCHEDULER = "apps.ops.beat:HeartbeatScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Beat wakes at least this often (seconds) even when nothing is due, so its tick stays fresh for
# /api/health and a minute-scale schedule is never slept through.
CELERY_BEAT_MAX_LOOP_INTERVAL = 30
# Each app's periodic tasks are added below, in that app's section of this file.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {}
# The one alert pipeline (apps.alerts.tasks): fires the planned alerts of every kind that are due
# (missed-dose steps, pen expiry, carry checks). A tick not started within the minute expires
# rather than piling up behind an outage. Its other defaults: apps/alerts/defaults.py.
CELERY_BEAT_SCHEDULE["alerts-scan"] = {
    "task": "apps.alerts.tasks.scan_due_alerts",
    "schedule": 60.0,
    "options": {"expires": 55},
}

# The clinic's stored triage (apps.clinic.triage) is kept by the writes; every hour it is
# recomputed from scratch and any drift is logged (there should be none). A tick not started
# within the half hour is dropped: the next one covers it.
CELERY_BEAT_SCHEDULE["clinic-reconcile-triage"] = {
    "task": "apps.clinic.tasks.reconcile_triage",
    "schedule": 3600.0,
    "options": {"expires": 1800},
}

# The diary's stored days (apps.diary.days), which insights read, are kept by the writes; once a
# day they are recomputed from scratch and any drift is logged (there should be none). Daily, not
# hourly: it reads every record of every patient. A tick not started within 12 hours is dropped.
CELERY_BEAT_SCHEDULE["diary-reconcile-days"] = {
    "task": "apps.diary.tasks.reconcile_diary_days",
    "schedule": 86400.0,
    "options": {"expires": 43200},
}

# --- Notifications (apps.notifications) ----------------------------------------------------------
# The server's Web Push identity. Unset (make run), a pair is generated once into var/vapid.json;
# production.py turns that off, so a production server without keys fails at its first push.
VAPID_PRIVATE_KEY = env_optional("VAPID_PRIVATE_KEY")
VAPID_PUBLIC_KEY = env_optional("VAPID_PUBLIC_KEY")
VAPID_SUBJECT = env_str("VAPID_SUBJECT", "mailto:no-reply@localhost")
VAPID_GENERATE_DEV_KEYS = True
# How long a push service keeps an undelivered push for an offline phone (seconds).
PUSH_TTL_SECONDS = env_int("PUSH_TTL_SECONDS", 60 * 60 * 6)
PUSH_TTL_URGENT_SECONDS = env_int("PUSH_TTL_URGENT_SECONDS", 60 * 60 * 24)
PUSH_TIMEOUT_SECONDS = env_int("PUSH_TIMEOUT_SECONDS", 10)
# Push endpoints must be https on a public address (apps/notifications/push_guard.py). Self-hosted
# push services on a private network are named here; PUSH_ALLOW_LOOPBACK is for the tests' local
# push service only (send time, loopback addresses, http allowed).
PUSH_ALLOWED_HOSTS = env_list("PUSH_ALLOWED_HOSTS", [])
PUSH_ALLOW_LOOPBACK = env_bool("PUSH_ALLOW_LOOPBACK", False)
# A delivery is tried this many times (backoff in between) before it is marked failed.
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 6)
# Every 15 s: with apps.notifications.delivery.REENQUEUE_AFTER (30 s), a message lost with a
# restarted broker delays its delivery by under a minute.
CELERY_BEAT_SCHEDULE["notifications-sweep"] = {
    "task": "apps.notifications.tasks.sweep_due_deliveries",
    "schedule": 15.0,
    "options": {"expires": 14},  # a missed tick is covered by the next one
}

# An urgent alert nobody on the care team acknowledged within this many minutes is sent again on
# every channel (the same inbox item; apps.notifications.acknowledgement), at most
# URGENT_REPEAT_LIMIT times. Non-urgent alerts never repeat.
URGENT_REPEAT_AFTER_MINUTES = env_int("URGENT_REPEAT_AFTER_MINUTES", 30)
URGENT_REPEAT_LIMIT = env_int("URGENT_REPEAT_LIMIT", 6)
CELERY_BEAT_SCHEDULE["notifications-repeat"] = {
    "task": "apps.notifications.tasks.repeat_unacknowledged_alerts",
    "schedule": 60.0,
    "options": {"expires": 55},
}

# --- Health -------------------------------------------------------------------------------------
# /api/health calls the worker or beat down when its last heartbeat is older than this.
HEARTBEAT_STALE_AFTER = timedelta(seconds=env_int("HEARTBEAT_STALE_AFTER_SECONDS", 120))
WORKER_HEARTBEAT_SECONDS = 20

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
