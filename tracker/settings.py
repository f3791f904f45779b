"""Django settings for Parley.

Everything that differs between a laptop and a deployment comes from the
environment (see README, "Configuration"). Development defaults are safe: with
DJANGO_DEBUG unset the site runs as production would and refuses to start
without a real secret key and allowed hosts.
"""

import datetime
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from tracker.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)

_DEV_SECRET_KEY = "parley-development-key-never-use-in-production"
SECRET_KEY = env_str("DJANGO_SECRET_KEY") or (_DEV_SECRET_KEY if DEBUG else "")
if not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_SECRET_KEY):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a random string of at least 50 characters "
        "when DJANGO_DEBUG is off. For local development set DJANGO_DEBUG=1."
    )

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS must list the site's host names (comma-separated) "
        "when DJANGO_DEBUG is off."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.syndication",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "csp",
    "axes",
    "tracker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # ETag, Last-Modified, 304s and the page cache for the public site and API.
    "tracker.caching.PublicCacheMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into a 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

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

# SQLite inside the project folder unless DATABASE_URL names another database (an
# empty DATABASE_URL names none).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend, converting each query text's placeholders once. Its
    # tests' database is Django's in-memory one, named as tools that look for
    # Django's backend (pytest-django's parallel runs) expect.
    DATABASES["default"]["ENGINE"] = "tracker.sqlite"
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
    # WAL lets readers carry on while an editor saves; a busy timeout waits
    # for a writer instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Keep each worker's connection: opening one (and switching it to WAL) costs
    # more than most pages, and closing the last one checkpoints the WAL to disk.
    DATABASES["default"]["CONN_MAX_AGE"] = None
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's PostgreSQL backend, whose prepared queries the server prepares too.
    DATABASES["default"]["ENGINE"] = "tracker.postgresql"

# The cache behind tracker.caching: Redis when REDIS_URL is set (shared by every
# worker and server), otherwise each process's own memory. Public pages are kept
# for PARLEY_CACHE_SECONDS (0 turns the copies off; off by default in development,
# where templates change under the cache) and told to shared caches to keep for
# PARLEY_MAX_AGE seconds before revalidating with their ETag.
REDIS_URL = env_str("REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "parley",
            "OPTIONS": {"MAX_ENTRIES": 1000},
        }
    )
}
PARLEY_CACHE_SECONDS = env_int("PARLEY_CACHE_SECONDS", 0 if DEBUG else 600)
PARLEY_MAX_AGE = env_int("PARLEY_MAX_AGE", 60)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: it refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic gathers the files whitenoise serves (DJANGO_STATIC_ROOT to move it).
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
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

SITE_NAME = "Parley"

# HTTPS-only settings are on in production; DJANGO_HTTPS=0 turns them off for a
# local plain-HTTP run of the production configuration.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp 4): everything from this site, nothing
# inline. Templates carry no <script>/<style> blocks and no style="" attributes;
# the one exception, the API docs page, widens the policy for itself only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Style attributes: none, except the one django-simple-history's admin history
        # page writes (style="border-top: 0"), allowed by its hash and by nothing else.
        "style-src-attr": [
            "'unsafe-hashes'",
            "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='",
        ],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "upgrade-insecure-requests": HTTPS,
    }
}

# Admin login lockout (django-axes). Failures count per username *and* client
# address together, so an attacker guessing one editor's password locks only
# that pair, never every editor and never the editor's own office.
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=env_int("DJANGO_LOGIN_COOLOFF_MINUTES", 30, minimum=1)
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

# The client address behind reverse proxies. DJANGO_TRUSTED_PROXY_COUNT is how
# many proxies in front of Parley append to X-Forwarded-For (1 for a single
# nginx or Caddy). With 0, the default, X-Forwarded-For is ignored: anyone can
# write that header, so it is trusted only when a proxy of ours writes it. The
# client is the entry the last proxy's upstream appended: the right-most one for
# one proxy, counting further left for each extra proxy, so entries a client
# adds itself never count. (django-ipware counts the proxies it sees *in* the
# header, one fewer than those in front of us; non-strict so that extra,
# client-written entries to the left are ignored instead of voiding the header.)
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT - 1
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
    AXES_IPWARE_PROXY_COUNT = None
AXES_IPWARE_PROXY_ORDER = "left-most"
IPWARE_STRICT = False

# The read-only API under /api/v1/ (tracker/api/). Anonymous and stateless: no
# authentication, so no session or CSRF cookie; JSON only (the browsable API
# would need inline script); lists are paginated by tracker.api.pagination.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": [],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}

# The API's OpenAPI schema (/api/v1/schema/) and docs (/api/v1/docs/), served
# from drf-spectacular-sidecar's static files: no CDN.
SPECTACULAR_SETTINGS = {
    "TITLE": "Parley API",
    "DESCRIPTION": (
        "Read-only access to every published record Parley holds on the talks it follows: "
        "talks, actors, relationships, topics, positions, statements, events, milestones "
        "and sources. Every record carries its public URL, its citations and its dates "
        "with their precision. Drafts never appear."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PUBLIC": True,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "PrecisionEnum": "tracker.dates.Precision",
        "PartOfDayEnum": "tracker.dates.PartOfDay",
        "ActorKindEnum": "tracker.models.ActorKind",
        "RelationshipKindEnum": "tracker.models.RelationshipKind",
        "TalksStateEnum": "tracker.models.NegotiationState",
        "ParticipationRoleEnum": "tracker.models.ParticipationRole",
        "StanceEnum": "tracker.models.Stance",
        "PositionBasisEnum": "tracker.models.PositionBasis",
        "StatementKindEnum": "tracker.models.StatementKind",
        "AttributionKindEnum": "tracker.models.AttributionKind",
        "FormEnum": "tracker.models.Form",
        "ChannelEnum": "tracker.models.Channel",
        "VerificationEnum": "tracker.models.Verification",
        "EventKindEnum": "tracker.models.EventKind",
        "EventRoleEnum": "tracker.models.EventRoleKind",
        "MilestoneKindEnum": "tracker.models.MilestoneKind",
        "MilestoneStateEnum": "tracker.models.MilestoneState",
        "SourceKindEnum": "tracker.models.SourceKind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "WARNING")},
}
