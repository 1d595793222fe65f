"""Settings for the HK AI Portal, read from the environment (see README.md)."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_count(name, default):
    value = os.environ.get(name, "").strip() or str(default)
    if not (value.isascii() and value.isdigit()):
        raise SystemExit(f"{name} must be a whole number, 0 or more, not {value!r}.")
    return int(value)


RATE_PERIODS = {"second": 1, "minute": 60, "hour": 60 * 60, "day": 24 * 60 * 60}


def env_rate(name, default):
    """Return a rate such as "120/minute" as (requests, seconds)."""
    value = os.environ.get(name, "").strip() or default
    count, _slash, period = value.partition("/")
    if not (count.isascii() and count.isdigit() and int(count) > 0 and period in RATE_PERIODS):
        raise SystemExit(
            f"{name} must be a number of requests per second, minute, hour or day (120/minute), not {value!r}."
        )
    return int(count), RATE_PERIODS[period]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # SystemExit rather than an exception: the operator sees one line, not a traceback.
        raise SystemExit(
            "DJANGO_SECRET_KEY is not set: set it (or DJANGO_DEBUG=1 for development) to start the portal."
        )
    # Development only: a fixed key keeps sessions alive across restarts of the dev server.
    SECRET_KEY = "django-insecure-development-only-key-never-used-with-debug-off"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

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
    "django.contrib.postgres",
    "django_filters",
    "csp",
    "axes",
    "directory",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The API's rate limit, CORS and 304s, for pages from the cache as for fresh ones.
    "directory.api.middleware.ApiMiddleware",
    # Before everything a cached page does not need: a hit skips sessions, locale, CSRF, authentication and the rest.
    "directory.caching.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "directory.revision_recording.RevisionAuthorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "directory.middleware.PermissionsPolicyMiddleware",
    # Last, as django-axes requires: it turns a lockout flagged during the request into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hkai_portal.urls"
WSGI_APPLICATION = "hkai_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "directory.languages.language_links",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while an editor writes; IMMEDIATE avoids "database is locked" on upgrade.
    # Connections persist (CONN_MAX_AGE above) so each worker keeps its page cache warm. 16 MB of page cache holds
    # the indexes a searched list reads at 100,000 items (the 2 MB default did not); it bounds what a big export adds
    # to a worker (bench/export.py --memory-check: +20 MB from 10,000 to 1,000,000 rows, within the 30 MB target),
    # which a larger cache, or mmap, would not.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-16000;",
        "transaction_mode": "IMMEDIATE",
    }

# One cache shared by every host when REDIS_URL is set (facet counts, anonymous pages); one per process otherwise.
# Sessions stay in the database and login throttling too (django-axes' database handler), so neither depends on it.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "directory.caching.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("DJANGO_CACHE_PREFIX", "hkai"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Anonymous readers' pages come from the cache until content changes (directory/caching.py); benchmarks that
# measure the uncached pages turn it off.
PAGE_CACHE = env_bool("DJANGO_PAGE_CACHE", default=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# Each language is named in itself (autonyms), as language switchers should. Simplified Chinese pages are made from
# the Traditional ones by conversion (directory/chinese.py); its catalogue is generated, never edited.
LANGUAGES = [("en", "English"), ("zh-hant", "繁體"), ("zh-hans", "简体")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["directory.formats"]
TIME_ZONE = "Asia/Hong_Kong"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# An absolute URL (a separate media host, or object storage behind its own domain) is allowed by the CSP below.
MEDIA_URL = os.environ.get("DJANGO_MEDIA_URL", "media/")
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))

# Dataset releases (manage.py publish_dataset, /data/): where they are kept, and the compilation's licence. The
# sources' own texts stay under their publishers' terms, which the /data/ page says.
DATASET_ROOT = Path(os.environ.get("DJANGO_DATASET_ROOT", BASE_DIR / "datasets"))
DATASET_LICENCE = os.environ.get("DJANGO_DATASET_LICENCE", "CC BY 4.0")
DATASET_LICENCE_URL = os.environ.get("DJANGO_DATASET_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Logos are at most 2 MB (directory.validators). The first handler passes no file on past that size and refuses any
# multipart request larger than FILE_UPLOAD_MAX_MEMORY_SIZE, within which Django's memory handler keeps every file:
# no upload is ever written to a temporary file. The bound leaves room for a phone photo, so that an editor who picks
# one gets the form back with the 2 MB error rather than an error page; the proxy's client_max_body_size matches it
# (README.md). The fields besides files may hold 3 MB.
FILE_UPLOAD_HANDLERS = [
    "directory.uploads.LogoSizeUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024

# A path of its own keeps the admin out of the way of scanners that try /admin/ on every site.
ADMIN_PATH = (os.environ.get("DJANGO_ADMIN_PATH", "").strip().strip("/") or "admin") + "/"
LOGIN_URL = "admin:login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# How many proxies in front of gunicorn append the address they were reached from to X-Forwarded-For (README,
# "Production"). With none, the header is ignored: any client can send one.
TRUSTED_PROXIES = env_count("DJANGO_TRUSTED_PROXIES", 0)
# Requests to /api/ per client address (directory/api/middleware.py), counted in the cache.
API_RATE_LIMIT = env_rate("DJANGO_API_RATE_LIMIT", "120/minute")
# Failed sign-ins are counted in the database, so a pause holds on every gunicorn host (directory/throttling.py). A
# username is paused at one address after 5 failures from it, and an address for every username after 20 (password
# spraying); once a username has failed 20 times from anywhere, each address is paused at its first failure with it.
# None lets anyone pause the rightful user at an address they do not share.
AXES_HANDLER = "directory.throttling.SignInThrottle"
AXES_CLIENT_IP_CALLABLE = "directory.throttling.client_address"
AXES_FAILURE_LIMIT = 5
SIGN_IN_ADDRESS_FAILURE_LIMIT = 20
SIGN_IN_USERNAME_FAILURE_LIMIT = 20
AXES_COOLOFF_TIME = timedelta(minutes=15)
# An attempt refused during a lockout is not recorded, so it cannot make the lockout longer: it ends the cool-off after
# the failure that started it, whatever the owner (or anyone) tries meanwhile.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# axes' own count, and what a successful sign-in clears: once the right password has gone in, earlier typos never add
# up to a lockout with later ones, while signing in to one's own account leaves an address's other failures counted.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "directory.lockout.lockout_response"
# No banner on every manage.py command; failures are still logged, with the username and address masked.
AXES_VERBOSE = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
# No script of ours or the admin's reads the CSRF cookie: forms carry the token in a hidden field.
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
# Load balancers probe over plain HTTP, behind the TLS-ending proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

# No inline script or style anywhere, ours or the admin's, so neither needs 'unsafe-inline'. JSON-LD blocks are data,
# which CSP does not block.
_media = urlsplit(MEDIA_URL)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([f"{_media.scheme}://{_media.netloc}"] if _media.netloc else [])],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Powerful browser features the portal never uses, denied to it and to anything it might embed.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)

# Review notifications (directory/reviews.py). Development prints mail to the console; production sends it through
# the SMTP server the environment names (README.md, "Email").
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_count("DJANGO_EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "HK AI Portal <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
