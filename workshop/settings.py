"""Summa's one settings module.

Everything that differs between a laptop and a server comes from the environment.
With nothing set, Summa runs on a laptop: SQLite in WAL mode and the in-memory
channel layer. ``DATABASE_URL`` switches to PostgreSQL, ``REDIS_URL`` to Redis.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [part.strip() for part in value.split(",") if part.strip()]


DEBUG = envbool("DEBUG", True)
# Behind TLS in production: secure cookies, HSTS and the redirect to https.
HTTPS = envbool("HTTPS", not DEBUG)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "summa-laptop-only-" + "x" * 40  # noqa: S105 - never used with DEBUG off

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
# Where phones reach us; the join URL in QR codes is built from it when set
# (the laptop's LAN address, say), else from the request.
PUBLIC_URL = os.environ.get("PUBLIC_URL", "").rstrip("/")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "template_partials",
    "csp",
    # Login throttling (docs/security.md): failed logins counted in the database.
    "axes",
    "sessions.apps.WorkshopsConfig",
    "buzzgroups.apps.BuzzGroupsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "workshop.middleware.FormCharsetMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "workshop.urls"
ASGI_APPLICATION = "workshop.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
DATA_DIR = Path(os.environ.get("SUMMA_DATA_DIR", BASE_DIR / "var"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# However SQLite is chosen (the default file, or DATABASE_URL=sqlite:///path),
# it runs like this. WAL lets the wall read while phones write; IMMEDIATE makes
# concurrent writers queue for the lock instead of failing with "database is
# locked" halfway through a transaction; the long busy timeout lets a room of
# phones joining at once wait their turn.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA busy_timeout=20000;"
        "PRAGMA foreign_keys=ON;"
    ),
}
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_health_checks=True)}
    engine = DATABASES["default"]["ENGINE"]
    if engine == "django.db.backends.postgresql" and envbool("DATABASE_POOL", True):
        # Under ASGI every HTTP request runs its sync code on a fresh thread, so
        # CONN_MAX_AGE keeps one connection per finished request until garbage
        # collection (docs/deploy.md has the count). A psycopg pool per process
        # bounds and reuses them; with CONN_HEALTH_CHECKS Django has the pool check
        # each connection on checkout, replacing one the server killed
        # (pg_terminate_backend, a restart) before a request sees it.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": envint("DATABASE_POOL_MIN", 2),
            "max_size": envint("DATABASE_POOL_MAX", 10),
            "timeout": envint("DATABASE_POOL_TIMEOUT", 20),
        }
    else:
        # Without the pool (SQLite URLs, or PgBouncer in transaction mode with CONN_MAX_AGE=0).
        DATABASES["default"]["CONN_MAX_AGE"] = envint("CONN_MAX_AGE", 60)
    if engine == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = {
            **SQLITE_OPTIONS,
            **DATABASES["default"].get("OPTIONS", {}),
        }
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "summa.sqlite3",
            "OPTIONS": dict(SQLITE_OPTIONS),
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channels -----------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# Redis pub/sub channels ignore the database number in REDIS_URL: installations
# sharing one Redis (or a test run beside a server) keep apart by this prefix.
REDIS_PREFIX = os.environ.get("REDIS_PREFIX", "summa")
CHANNEL_LAYER = os.environ.get("CHANNEL_LAYER", "pubsub")
if CHANNEL_LAYER not in ("pubsub", "classic"):
    raise ImproperlyConfigured(f"CHANNEL_LAYER must be pubsub or classic, not {CHANNEL_LAYER!r}")
if REDIS_URL and CHANNEL_LAYER == "pubsub":
    # Measured in bench/redis_layers.py (docs/deploy.md): pub/sub fans a frame out
    # to 1,000 sockets 4x faster for a fifth of the CPU. A socket's groups live in
    # its own process and are subscribed again after Redis restarts, so nothing
    # expires under an idle wall; frames lost meanwhile come back as snapshots
    # (buzzgroups/layer_watch.py).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": REDIS_PREFIX},
        }
    }
elif REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 times reads out after 5 s, as long as the layer's
                # blocking BZPOPMIN waits: every idle socket would be dropped
                # (django/channels_redis#422). Wait longer than the pop.
                "hosts": [{"address": REDIS_URL, "socket_timeout": 15}],
                "prefix": REDIS_PREFIX,
                # Frames waiting for one server process (all its sockets share a queue).
                "capacity": envint("CHANNEL_CAPACITY", 5000),
                "expiry": 60,
                # Group membership is kept in Redis and dropped after this long
                # without a group_add: a wall left open for a week stays in.
                "group_expiry": envint("CHANNEL_GROUP_EXPIRY", 7 * 24 * 3600),
            },
        }
    }
else:
    # One process, no Redis: a layer that fans out without scanning every channel
    # and warns instead of dropping when a socket falls behind (docs/performance.md).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "workshop.layers.FanoutChannelLayer",
            "CONFIG": {"capacity": envint("CHANNEL_CAPACITY", 5000), "expiry": 60},
        }
    }

# --- Auth and sessions --------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account or address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed logins are counted in the database, so every server process sees them.
# Counted per account and, separately, per address; a lockout lasts its cool-off,
# a successful login forgets the failures of that account and address.
AXES_FAILURE_LIMIT = envint("SUMMA_LOGIN_ATTEMPTS", 10)
AXES_COOLOFF_TIME = timedelta(minutes=envint("SUMMA_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "sessions.views.login_locked_out"
# A lockout is logged as one warning line, not one per attempt.
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "sessions:workshop_list"
LOGOUT_REDIRECT_URL = "buzzgroups:home"

# --- Email (password reset) -----------------------------------------------------
# Reset mails go to the console (the server's log) unless an SMTP host is given.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "summa@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 14 * 24 * 3600
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "workshop.errors.csrf_failure"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# No inline script anywhere: every script is a file under static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# --- Languages ----------------------------------------------------------------
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Oslo")

# --- Static files -------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- Summa --------------------------------------------------------------------
# A participant may post at most this many notes a minute (a person cannot do more).
SUMMA_NOTES_PER_MINUTE = envint("SUMMA_NOTES_PER_MINUTE", 20)
# Wrong join codes from one address in a minute before it is slowed down (429).
SUMMA_JOIN_ATTEMPTS_PER_MINUTE = envint("SUMMA_JOIN_ATTEMPTS_PER_MINUTE", 30)
# What one socket may ask of the server: expensive frames (resume, timer.expired,
# console actions) in a burst, then this many a second (docs/security.md).
SUMMA_SOCKET_BURST = envint("SUMMA_SOCKET_BURST", 10)
SUMMA_SOCKET_RATE = float(envint("SUMMA_SOCKET_RATE_PER_MINUTE", 60)) / 60
# A new workshop takes at most this many participants; the facilitator changes it
# on the groups page (docs/security.md).
SUMMA_MAX_PARTICIPANTS = envint("SUMMA_MAX_PARTICIPANTS", 2000)
# Phones joining from one address in a minute (a room behind one NAT shares an
# address: the default lets 1,000 phones join within two minutes).
SUMMA_JOINS_PER_ADDRESS_PER_MINUTE = envint("SUMMA_JOINS_PER_ADDRESS_PER_MINUTE", 600)
# Participant data is purged this many days after a workshop ends.
SUMMA_RETENTION_DAYS = envint("SUMMA_RETENTION_DAYS", 30)
# Theme suggestions beyond the same note posted twice: the dotted path of a function
# that maps a list of texts to a list of vectors (buzzgroups/similar.py). None by
# default: Summa ships no model and fetches none. Pairs at or above the cosine
# similarity in per cent are offered as "alike".
SUMMA_THEME_VECTORISER = os.environ.get("SUMMA_THEME_VECTORISER") or None
SUMMA_THEME_SIMILARITY_PERCENT = envint("SUMMA_THEME_SIMILARITY_PERCENT", 90)

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    }
}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_PREFIX,
        }
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"summa": {"level": os.environ.get("SUMMA_LOG_LEVEL", "INFO")}},
}
