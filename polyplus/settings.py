"""Settings, all from the environment (README lists every variable and its default)."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE as CSP_NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key"
# Partner hosts (PartnerDomain) must be allowed here too, by name or by a parent domain
# (".portal.example"); `.localhost` serves the demo partners' hosts under `make run`.
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS",
                         default=["127.0.0.1", "localhost", ".localhost", "[::1]", "testserver"])
# The portal's own host names (the first is its address in messages): never a partner's brand.
POLYPLUS_PORTAL_HOSTS = env.list("POLYPLUS_PORTAL_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# The app's own database role: owns no table and cannot bypass row-level security.
# The owner role (DATABASE_OWNER_URL) runs migrations; see polyplus.tenancy.db.
if "DATABASE_URL" not in env:
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. Use `make run` or `make test`, which start an embedded "
        "PostgreSQL when it is missing, or set it to your server (see README)."
    )
DATABASES = {"default": env.db_url("DATABASE_URL")}
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured("DATABASE_URL must be a PostgreSQL URL")
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # the tenancy middleware opens the transaction
# Connections are kept between requests (the tenant context is transaction-local, so nothing
# of one request reaches the next); the development server's thread per request gains nothing.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default=f"test_{DATABASES['default']['NAME']}")}
DATABASE_OWNER = env.db_url("DATABASE_OWNER_URL", default=env.str("DATABASE_URL"))
DATABASE_APP_USER = DATABASES["default"]["USER"]
# The role Poly staff work as (row-level security lets it see every partner); see polyplus.tenancy.rls.
DATABASE_STAFF_ROLE = env.str("DATABASE_STAFF_ROLE", default="polyplus_staff")

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")


def celery_redis_url(url: str) -> str:
    """kombu names a Redis unix socket `redis+socket://`; redis-py names it `unix://`."""
    return "redis+socket://" + url.removeprefix("unix://") if url.startswith("unix://") else url


INSTALLED_APPS = [
    "polyplus.tenancy",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "django_celery_beat",
    "django_htmx",
    "csp",
    "pgtrigger",
    "pghistory",
    "polyplus.portal",
    "contracts",
    "installbase",
    "tickets",
    "rma",
    "ecps",
    "polyplus.notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "polyplus.tenancy.middleware.TenancyMiddleware",
    "polyplus.tenancy.middleware.StaffMfaMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "polyplus.tenancy.middleware.PartnerHostMiddleware",
    "polyplus.tenancy.languages.PageLanguageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "polyplus.urls"
WSGI_APPLICATION = "polyplus.wsgi.application"

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
                "polyplus.portal.context_processors.brand",
            ],
        },
    },
]

AUTH_USER_MODEL = "tenancy.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "polyplus.tenancy.auth.AccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# Per address here; per account, for the form, the API token and the two-factor step alike,
# in polyplus.tenancy.lockout.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip"}
POLYPLUS_SIGN_IN_FAILURE_LIMIT = env.int("POLYPLUS_SIGN_IN_FAILURE_LIMIT", default=5)
POLYPLUS_SIGN_IN_LOCKOUT_SECONDS = env.int("POLYPLUS_SIGN_IN_LOCKOUT_SECONDS", default=300)
# How many proxies in front of the portal append to X-Forwarded-For; 0 ignores the header.
POLYPLUS_TRUSTED_PROXY_COUNT = env.int("POLYPLUS_TRUSTED_PROXY_COUNT", default=0)
if POLYPLUS_TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("POLYPLUS_TRUSTED_PROXY_COUNT cannot be negative")
ALLAUTH_TRUSTED_PROXY_COUNT = POLYPLUS_TRUSTED_PROXY_COUNT
ACCOUNT_FORMS = {"login": "polyplus.tenancy.auth.HostLoginForm"}
MFA_FORMS = {"authenticate": "polyplus.tenancy.auth.MfaAuthenticateForm"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Poly+ partner portal"
# Poly staff must have TOTP set up before they reach any page; off for the demo.
POLYPLUS_REQUIRE_STAFF_MFA = env.bool("POLYPLUS_REQUIRE_STAFF_MFA", default=not DEBUG)
POLYPLUS_CERT_REMINDER_DAYS = env.int("POLYPLUS_CERT_REMINDER_DAYS", default=30)

# Pages customers read (sign-in, status pages, share links) and the mails customers get speak
# the partner's default language, or the viewer's choice or browser's (polyplus/tenancy/languages.py).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("pl", "Polski"), ("sv", "Svenska")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "polyplus_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "media/"
S3_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def file_storage(env: environ.Env) -> dict:
    """Where stored files go: the S3 bucket POLYPLUS_S3_BUCKET names, else MEDIA_ROOT on local disk.

    Every file is private: nothing is public in the bucket and no storage URL is ever handed out;
    the portal's own views serve each file after their permission check.
    """
    bucket = env.str("POLYPLUS_S3_BUCKET", default="")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if not S3_BUCKET_NAME.match(bucket):
        raise ImproperlyConfigured(f"POLYPLUS_S3_BUCKET {bucket!r} is not an S3 bucket name")
    endpoint = env.str("POLYPLUS_S3_ENDPOINT_URL", default="")
    if endpoint and (urlsplit(endpoint).scheme not in {"http", "https"} or not urlsplit(endpoint).hostname):
        raise ImproperlyConfigured(f"POLYPLUS_S3_ENDPOINT_URL {endpoint!r} must be an http(s) URL")
    access_key = env.str("AWS_ACCESS_KEY_ID", default="")
    secret_key = env.str("AWS_SECRET_ACCESS_KEY", default="")
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured("Set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither "
                                   "(then boto3 finds credentials itself, e.g. an instance role)")
    options = {
        "bucket_name": bucket,
        "location": env.str("POLYPLUS_S3_PREFIX", default="").strip("/"),
        "region_name": env.str("POLYPLUS_S3_REGION", default="") or None,
        "endpoint_url": endpoint or None,
        # An S3-compatible server (MinIO) names buckets in the path, not the host name.
        "addressing_style": "path" if endpoint else None,
        "signature_version": "s3v4",
        # No ACL: objects inherit the bucket's (private); buckets that refuse ACLs accept this too.
        "default_acl": None,
        # Two uploads with one name must never overwrite: rollback clean-up deletes by name.
        "file_overwrite": False,
        # A download larger than this is spooled to a temporary file rather than held in memory.
        "max_memory_size": 2 * 1024 * 1024,
    }
    if access_key:
        options |= {"access_key": access_key, "secret_key": secret_key}
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    "default": file_storage(env),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True

# HTTPS only, with production defaults; devstack turns them off for `make run` and `make test`.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
# Behind trusted proxies (which terminate TLS), the request's scheme is the one they saw.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if POLYPLUS_TRUSTED_PROXY_COUNT else None

# Scripts only from the portal's own static files; the few <style> elements carry the
# request's nonce; style="" attributes are allowed (style-src-attr) as they cannot run code.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/docs/"],  # Swagger UI: its own inline script and CDN files
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", CSP_NONCE],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Nothing a request needs lives on one web host: sessions are kept in the shared Redis cache,
# beside Celery's keys under a prefix of their own.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "polyplus",
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cache"

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=1025)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=BASE_DIR / "var" / "mail")  # the .eml backend's folder
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Poly+ portal <noreply@polyplus.example>")
# Links in notification mail point here; threading headers use its host name.
POLYPLUS_PORTAL_URL = env.str("POLYPLUS_PORTAL_URL", default="http://127.0.0.1:8000").rstrip("/")

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=celery_redis_url(REDIS_URL))
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=celery_redis_url(REDIS_URL))
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "polyplus.tenancy.api_auth.TenantSessionAuthentication",
        "polyplus.tenancy.api_auth.TenantTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "polyplus.tenancy.api_common.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "polyplus.tenancy.api_common.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": "10/min"},
    "NUM_PROXIES": POLYPLUS_TRUSTED_PROXY_COUNT,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Poly+ partner portal API",
    "DESCRIPTION": "REST API for partners' service desks. Every list is scoped to the caller.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "rma.api.billing_fields_optional"],
    # Two "category" choice sets: a certification's (service) and a product's.
    "ENUM_NAME_OVERRIDES": {
        "ServiceCategoryEnum": "polyplus.tenancy.models.ServiceCategory",
        "ProductCategoryEnum": "contracts.models.ProductCategory",
        "DocumentStatusEnum": "polyplus.portal.models.DocumentStatus",
        "QuoteKindEnum": "polyplus.portal.models.QuoteKind",
        "EventKindEnum": "polyplus.notifications.kinds.EventKind",
        "InventoryUploadStatusEnum": "installbase.models.UploadStatus",
        "TrueUpStatusEnum": "installbase.models.TrueUpStatus",
        "ContractStatusEnum": "contracts.models.ContractStatus",
    },
}


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint logs each step of every PDF and fontTools each font it subsets, at INFO:
        # noise in the worker's log and time spent formatting it. Their warnings still show.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
