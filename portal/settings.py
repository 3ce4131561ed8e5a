"""Settings for the eco portal: one file, every deployment difference read from the environment.

The typed helpers below fail loudly: a value that cannot be parsed raises ImproperlyConfigured at
start-up instead of silently meaning something else. The defaults are safe for production (DEBUG
off, secure cookies); local development opts in with DJANGO_DEBUG=true, which the Makefile sets.
Every setting the apps read is declared here, once, with its default (apps read ``settings.X``,
never ``getattr(settings, X, default)``). Secrets may also come from a file: ``NAME_FILE``
(see portal.env.env_secret). See the README for the table of variables.
"""

from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from portal.client import parse_trusted_proxies
from portal.env import (
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_json,
    env_list,
    env_rate_limits,
    env_secret,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PORTAL_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)

if DEBUG:
    SECRET_KEY = env_secret("DJANGO_SECRET_KEY", "dev-only-insecure-key-never-used-in-production")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
else:
    SECRET_KEY = env_secret("DJANGO_SECRET_KEY", "")
    if not SECRET_KEY:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off.")

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Project apps first so that their templates override the libraries'.
    "portal",
    "portal.tipoffs",
    "portal.learning",
    "portal.privacy",
    "cms",
    "disclosure",
    "surveys",
    "enterprises",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.table_block",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Accounts
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Background work
    "django_tasks",
    "django_tasks_db",
    # Content-Security-Policy (its system checks; the middleware is portal's subclass)
    "csp",
    # Django
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "portal.unavailable.DependencyUnavailableMiddleware",  # database/storage down → 503
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.PortalCSPMiddleware",  # Content-Security-Policy, see its block below
    "portal.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.pagecache.AnonymousPageCacheMiddleware",  # anonymous page cache, before routing
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.audit.AuditActorMiddleware",  # who is acting, for audit rows written by signals
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.StaffMfaMiddleware",
    "portal.middleware.AdminAccessDeniedMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "portal.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite under var/ by default (nothing to install); DATABASE_URL selects PostgreSQL in production.
DATABASE_URL = env_secret("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
            conn_health_checks=True,
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "portal.sqlite3",
            "OPTIONS": {
                # WAL and a busy timeout let the dev server and a task worker share the file.
                "transaction_mode": "IMMEDIATE",
                "timeout": 10,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions -----------------------------------------------------------------------
# Sessions, allauth's rate limits and the public forms' rate limits live in the cache, so every
# process must see the same one: Redis when REDIS_URL is set, else a database table
# (`manage.py createcachetable`), never per-process memory.
REDIS_URL = env_secret("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.RedisCache",  # Django's, reusing one client per pool
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("PORTAL_CACHE_PREFIX", "portal"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",
        }
    }
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Background tasks (django-tasks; Wagtail 8 uses the same framework) -----------------------
TASKS = {
    "default": {
        "BACKEND": env_str(
            "PORTAL_TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if DEBUG
            else "django_tasks_db.DatabaseBackend",
        )
    }
}

# --- Accounts (django-allauth) ----------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
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
ACCOUNT_ADAPTER = "portal.accounts.PortalAccountAdapter"
# The sign-up notice and its consent box (portal.privacy, docs/privacy.md).
ACCOUNT_SIGNUP_FORM_CLASS = "portal.privacy.forms.SignupConsentForm"
ACCOUNT_LOGIN_METHODS = {"email", "phone"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "phone", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PHONE_VERIFICATION_ENABLED = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, stated so that they are visible and tunable in one place.
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "change_phone": "1/m/user",
    "verify_phone": "1/30s/key,3/m/ip",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = env_str("PORTAL_EMAIL_SUBJECT_PREFIX", "[生态文明公众参与平台] ")
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("PORTAL_MFA_ISSUER", "Eco Portal")
LOGIN_REDIRECT_URL = "me"
LOGIN_URL = "account_login"
WAGTAILADMIN_LOGIN_URL = "account_login"
# Staff who can open the Wagtail admin must enrol TOTP before they may use it.
PORTAL_REQUIRE_STAFF_MFA = env_bool("PORTAL_REQUIRE_STAFF_MFA", not DEBUG)

# Text messages go through one small interface (portal.sms); the console sender logs them.
# A production deployment names its gateway's sender class here (see docs/operations.md).
PORTAL_SMS_SENDER = env_str("PORTAL_SMS_SENDER", "portal.sms.ConsoleSmsSender")
# Mainland gateways send only texts registered with them: each SMS template key of the portal
# (templates/notifications/<key>.sms.txt) maps to the gateway's template id (Aliyun TemplateCode,
# Tencent TemplateId). PORTAL_SMS_TEMPLATES='{"tipoff_resolved": "SMS_123456789"}' overrides
# single keys; an unknown key or an empty id stops start-up.
PORTAL_SMS_TEMPLATES = {
    key: f"PORTAL_{key.upper()}"
    for key in (
        "account_verification_code",
        "account_unknown_number",
        "tipoff_submitted",
        "tipoff_accepted",
        "tipoff_not_accepted",
        "tipoff_assigned",
        "tipoff_extended",
        "tipoff_resolved",
        "tipoff_merged",
        "tipoff_reply",
    )
}
_sms_templates = env_json("PORTAL_SMS_TEMPLATES", {})
if not isinstance(_sms_templates, dict):
    raise ImproperlyConfigured(
        'PORTAL_SMS_TEMPLATES must be a JSON object, e.g. {"tipoff_resolved": "SMS_123456789"}.'
    )
for _key, _template_id in _sms_templates.items():
    if _key not in PORTAL_SMS_TEMPLATES:
        raise ImproperlyConfigured(
            f"PORTAL_SMS_TEMPLATES: unknown key {_key!r}; known: {sorted(PORTAL_SMS_TEMPLATES)}."
        )
    if not isinstance(_template_id, str) or not _template_id.strip():
        raise ImproperlyConfigured(f"PORTAL_SMS_TEMPLATES[{_key!r}] must be a non-empty string.")
    PORTAL_SMS_TEMPLATES[_key] = _template_id.strip()
# Delivery attempts of one notification row (one recipient, one channel) before it stays failed.
PORTAL_NOTIFY_MAX_ATTEMPTS = env_int("PORTAL_NOTIFY_MAX_ATTEMPTS", 5, minimum=1, maximum=50)

# --- Rate limits on public forms (portal.ratelimit; docs/operations.md lists them all) -----
# Each entry is scope: (uses, window in seconds), counted per hashed key in the shared cache.
DISCLOSURE_RATE_LIMITS = {
    "request_client": (5, 3600),  # 依申请公开 submissions (valid or not) per client per hour
    "request_id": (3, 86400),  # filed requests per ID number per day
    "status_client": (10, 600),  # status look-ups per client per 10 minutes
}
DISCLOSURE_RATE_LIMITS = env_rate_limits("DISCLOSURE_RATE_LIMITS", DISCLOSURE_RATE_LIMITS)
SURVEYS_RATE_LIMITS = {
    "code_client": (20, 600),  # survey-code attempts (form or link) per client per 10 minutes
}
SURVEYS_RATE_LIMITS = env_rate_limits("SURVEYS_RATE_LIMITS", SURVEYS_RATE_LIMITS)
# Attachments of disclosure items (PDF and Office files, checked by extension and first bytes).
DISCLOSURE_ATTACHMENT_MAX_BYTES = env_int(
    "DISCLOSURE_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024
)
CMS_RATE_LIMITS = {
    "error_report_client": (5, 3600),  # 纠错 (report an error on a page) per client per hour
}
CMS_RATE_LIMITS = env_rate_limits("CMS_RATE_LIMITS", CMS_RATE_LIMITS)
ENTERPRISES_RATE_LIMITS = {
    "api_client": (120, 60),  # monitoring API calls (any token, valid or not) per client per minute
    "api_token": (600, 3600),  # monitoring API calls per enterprise token per hour
    "lookup_client": (60, 600),  # tip-off form's enterprise look-ups per client per 10 minutes
}
ENTERPRISES_RATE_LIMITS = env_rate_limits("ENTERPRISES_RATE_LIMITS", ENTERPRISES_RATE_LIMITS)
# Documents attached to enterprise reports (PDF and Office files, checked like disclosure's).
ENTERPRISES_ATTACHMENT_MAX_BYTES = env_int(
    "ENTERPRISES_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024
)
ENTERPRISES_ATTACHMENTS_PER_REPORT = 20

# --- Email ----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@localhost")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
if env_str("EMAIL_HOST", ""):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("EMAIL_HOST", "")
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1, maximum=65535)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# The development senders print every message, addresses and tracking codes included, to the
# process output: with DEBUG off the portal refuses to start with them (docs/operations.md,
# "Logs and personal data"). A deployment without SMS names portal.sms.DisabledSmsSender.
if not DEBUG:
    if EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":
        raise ImproperlyConfigured(
            "EMAIL_HOST must be set when DJANGO_DEBUG is off: the console e-mail backend would "
            "write every message, addresses included, to the log."
        )
    if PORTAL_SMS_SENDER in ("portal.sms.ConsoleSmsSender", "portal.sms.MemorySmsSender"):
        raise ImproperlyConfigured(
            f"PORTAL_SMS_SENDER={PORTAL_SMS_SENDER} is for development and tests only: name the "
            "SMS gateway's sender class, or portal.sms.DisabledSmsSender to send no texts."
        )

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [Path(env_str("PORTAL_LOCALE_DIR", str(BASE_DIR / "locale")))]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False  # content is authored in Chinese; the interface is translated
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files: public media and private files, all through Django's storage API.
# Two storages besides static files: "default" holds public media (Wagtail images and documents);
# "private" holds tip-off evidence photos, survey release files and export files, which reach a
# browser only through access-checked views (streamed, or a short-lived signed URL). Code uses
# these storages only (portal/storage.py); nothing opens paths under MEDIA_ROOT.
# PORTAL_STORAGE=filesystem (default): MEDIA_ROOT and PORTAL_PRIVATE_ROOT (outside MEDIA_ROOT, so
# the web server never serves it). PORTAL_STORAGE=s3: S3-compatible object storage (django-storages),
# one public and one private bucket (or one bucket with two prefixes). See docs/operations.md.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media")))
PORTAL_PRIVATE_ROOT = Path(env_str("PORTAL_PRIVATE_ROOT", str(VAR_DIR / "private")))
PORTAL_STORAGE = env_choice("PORTAL_STORAGE", "filesystem", ["filesystem", "s3"])
# How access-checked views hand out a private file: "stream" (through Django, default) or
# "signed-url" (S3 only: a redirect to a presigned URL valid PORTAL_PRIVATE_URL_EXPIRY seconds).
PORTAL_PRIVATE_DELIVERY = env_choice("PORTAL_PRIVATE_DELIVERY", "stream", ["stream", "signed-url"])
PORTAL_PRIVATE_URL_EXPIRY = env_int("PORTAL_PRIVATE_URL_EXPIRY", 60, minimum=1, maximum=3600)


if PORTAL_STORAGE == "filesystem":
    if PORTAL_PRIVATE_DELIVERY == "signed-url":
        raise ImproperlyConfigured("PORTAL_PRIVATE_DELIVERY=signed-url needs PORTAL_STORAGE=s3.")
    if PORTAL_PRIVATE_ROOT.resolve().is_relative_to(MEDIA_ROOT.resolve()):
        raise ImproperlyConfigured("PORTAL_PRIVATE_ROOT must not be inside DJANGO_MEDIA_ROOT.")
    _PUBLIC_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    _PRIVATE_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PORTAL_PRIVATE_ROOT},
    }
else:  # s3
    _endpoint = env_str("PORTAL_S3_ENDPOINT_URL", "") or None
    _addressing = env_choice(
        "PORTAL_S3_ADDRESSING_STYLE",
        "path" if _endpoint else "virtual",
        ["path", "virtual", "auto"],
    )
    _s3_common = {
        "endpoint_url": _endpoint,
        "region_name": env_str("PORTAL_S3_REGION", "") or None,
        "access_key": env_str("PORTAL_S3_ACCESS_KEY_ID", "") or None,
        "secret_key": env_secret("PORTAL_S3_SECRET_ACCESS_KEY", "") or None,
        "addressing_style": _addressing,
        "signature_version": "s3v4",
        "file_overwrite": False,  # like the filesystem: a taken name gets a suffix
        "default_acl": None,  # access is the buckets' policy, never a per-object ACL
        # botocore's 60 s waits and 5 tries would outlast gunicorn's timeout (portal/s3.py)
        "connect_timeout": env_float("PORTAL_S3_CONNECT_TIMEOUT", 3.0, minimum=0.1, maximum=60),
        "read_timeout": env_float("PORTAL_S3_READ_TIMEOUT", 10.0, minimum=0.1, maximum=300),
        "max_attempts": env_int("PORTAL_S3_MAX_ATTEMPTS", 3, minimum=1, maximum=10),
    }
    _public_bucket = env_str("PORTAL_S3_PUBLIC_BUCKET", "")
    _private_bucket = env_str("PORTAL_S3_PRIVATE_BUCKET", "")
    _public_prefix = env_str("PORTAL_S3_PUBLIC_PREFIX", "").strip("/")
    _private_prefix = env_str("PORTAL_S3_PRIVATE_PREFIX", "").strip("/")
    if not _public_bucket or not _private_bucket:
        raise ImproperlyConfigured(
            "PORTAL_STORAGE=s3 needs PORTAL_S3_PUBLIC_BUCKET and PORTAL_S3_PRIVATE_BUCKET."
        )
    if _public_bucket == _private_bucket and (
        not _public_prefix
        or not _private_prefix
        or f"{_public_prefix}/".startswith(f"{_private_prefix}/")
        or f"{_private_prefix}/".startswith(f"{_public_prefix}/")
    ):
        raise ImproperlyConfigured(
            "One bucket for public and private files needs two separate prefixes "
            "(PORTAL_S3_PUBLIC_PREFIX, PORTAL_S3_PRIVATE_PREFIX)."
        )
    _PUBLIC_STORAGE = {
        "BACKEND": "portal.s3.S3Storage",
        "OPTIONS": {
            **_s3_common,
            "bucket_name": _public_bucket,
            "location": _public_prefix,
            "querystring_auth": False,  # public media: plain, cacheable URLs
            "custom_domain": env_str("PORTAL_S3_PUBLIC_DOMAIN", "") or None,
        },
    }
    _PRIVATE_STORAGE = {
        "BACKEND": "portal.s3.S3Storage",
        "OPTIONS": {
            **_s3_common,
            "bucket_name": _private_bucket,
            "location": _private_prefix,
            "querystring_auth": True,  # any URL of a private file is signed and short-lived
            "querystring_expire": PORTAL_PRIVATE_URL_EXPIRY,
        },
    }
STORAGES = {
    "default": _PUBLIC_STORAGE,
    "private": _PRIVATE_STORAGE,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG  # serve straight from static/ in development
if DEBUG:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Wagtail --------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = env_str("PORTAL_SITE_NAME", "攀枝花市东区生态文明建设公众参与平台")
# The public address of the site: the default Wagtail Site takes its host and port from it (on
# migrate and seed_reference), so the sitemap, feeds and emails name the real host.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000").strip().rstrip("/")
_base = urlsplit(PORTAL_BASE_URL)
try:
    _base.port  # noqa: B018 - raises ValueError on a bad port
except ValueError:
    raise ImproperlyConfigured(
        f"PORTAL_BASE_URL={PORTAL_BASE_URL!r} has an invalid port."
    ) from None
if _base.scheme not in {"http", "https"} or not _base.hostname or _base.path or _base.query:
    raise ImproperlyConfigured(
        f"PORTAL_BASE_URL={PORTAL_BASE_URL!r} must be scheme and host only, "
        "e.g. https://eco.example.gov.cn"
    )
WAGTAILADMIN_BASE_URL = PORTAL_BASE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "portal.search_backend"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "csv", "odt", "ods", "txt", "zip"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No avatars from gravatar.com: blocked in mainland China, and it would send a hash of each staff
# email abroad. Wagtail shows its default avatar (or one uploaded in the account settings).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_COMMENTS_ENABLED = True

# --- Deployment shape: client addresses, robots, readiness ------------------------------------
# Whom to believe about the client's address (portal/client.py): 0 = nobody (REMOTE_ADDR), a hop
# count (1 = one nginx in front), or trusted networks ("127.0.0.1/32,10.0.0.0/8").
PORTAL_TRUSTED_PROXIES = parse_trusted_proxies(env_str("PORTAL_TRUSTED_PROXIES", "0"))
# robots.txt lets crawlers index public pages; a staging copy turns this off.
PORTAL_ROBOTS_ALLOW = env_bool("PORTAL_ROBOTS_ALLOW", True)
# /readyz fails when the oldest task waiting for a worker is older than this (seconds).
PORTAL_READY_MAX_QUEUE_AGE = env_int("PORTAL_READY_MAX_QUEUE_AGE", 300, minimum=1)

# --- Site content (cms) ---------------------------------------------------------------------
CMS_PAGE_CACHE_SECONDS = env_int("CMS_PAGE_CACHE_SECONDS", 300, minimum=0)  # shared page cache
CMS_BROWSER_MAX_AGE = env_int("CMS_BROWSER_MAX_AGE", 60, minimum=0)  # Cache-Control max-age
# Anonymous pages (portal/pagecache.py): how long a browser or shared cache may serve a stale copy
# while it refetches, the nginx microcache lifetime (X-Accel-Expires; 0 = the edge does not
# cache), and the share/tracking parameters ignored for caching and canonical links ("utm_*"
# is a prefix).
PORTAL_STALE_WHILE_REVALIDATE = env_int("PORTAL_STALE_WHILE_REVALIDATE", 30, minimum=0)
PORTAL_EDGE_CACHE_SECONDS = env_int("PORTAL_EDGE_CACHE_SECONDS", 2, minimum=0, maximum=60)
PORTAL_CACHE_IGNORED_PARAMS = frozenset(
    env_list(
        "PORTAL_CACHE_IGNORED_PARAMS",
        [
            "from",
            "isappinstalled",
            "scene",
            "clicktime",
            "enterid",
            "spm",
            "share_token",
            "share_source",
            "utm_*",
            "fbclid",
            "gclid",
        ],
    )
)

# --- Tip-offs (portal.tipoffs) --------------------------------------------------------------
# Statutory periods (portal/tipoffs/deadlines.py; 《信访工作条例》).
TIPOFFS_ACCEPT_WORKING_DAYS = env_int("TIPOFFS_ACCEPT_WORKING_DAYS", 2, minimum=1, maximum=30)
TIPOFFS_HANDLING_DAYS = env_int("TIPOFFS_HANDLING_DAYS", 60, minimum=1, maximum=365)
TIPOFFS_MAX_EXTENSION_DAYS = env_int("TIPOFFS_MAX_EXTENSION_DAYS", 30, minimum=0, maximum=365)
TIPOFFS_REVIEW_DAYS = env_int("TIPOFFS_REVIEW_DAYS", 30, minimum=1, maximum=365)
TIPOFFS_REVIEW_REQUEST_DAYS = env_int("TIPOFFS_REVIEW_REQUEST_DAYS", 30, minimum=1, maximum=365)
TIPOFFS_AUTO_CLOSE_DAYS = env_int("TIPOFFS_AUTO_CLOSE_DAYS", 15, minimum=1, maximum=365)
TIPOFFS_DAY_COUNT = env_choice("TIPOFFS_DAY_COUNT", "calendar", ["calendar", "working"])
# Rate limits per scope: (uses, window in seconds). TIPOFFS_RATE_LIMITS='{"ip": [5, 3600]}'
# overrides single scopes.
TIPOFFS_RATE_LIMITS = {
    "ip": (10, 3600),  # submissions per client address per hour
    "phone": (5, 86400),  # submissions per phone per day
    "track": (30, 600),  # tracking-code look-ups per client address per 10 minutes
    "api": (120, 3600),  # Open311 POSTs per API key per hour
    "followup": (20, 86400),  # additions, ratings and review requests per report per day
    "nearby": (60, 600),  # nearby-report look-ups of the report form per client address
}
TIPOFFS_RATE_LIMITS = env_rate_limits("TIPOFFS_RATE_LIMITS", TIPOFFS_RATE_LIMITS)
# Photos: upload size, decoded pixels, longest edge of the cleaned copy.
TIPOFFS_PHOTO_MAX_BYTES = env_int("TIPOFFS_PHOTO_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
TIPOFFS_PHOTO_MAX_PIXELS = env_int("TIPOFFS_PHOTO_MAX_PIXELS", 40_000_000, minimum=10_000)
TIPOFFS_PHOTO_MAX_EDGE = env_int("TIPOFFS_PHOTO_MAX_EDGE", 2560, minimum=100)
TIPOFFS_IDENTITY_RETENTION_YEARS = env_int(
    "TIPOFFS_IDENTITY_RETENTION_YEARS", 3, minimum=1, maximum=30
)
# Map tiles for the location picker ("" = no map, address only); {z}/{x}/{y} placeholders.
# The report form's map picker (Leaflet, vendored under static/vendor/leaflet/). Tiles are the
# deployment's choice, e.g. 天地图 (Tianditu) vector + label layers in Web Mercator:
#   TIPOFFS_MAP_TILE_URL=https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={token}
#   TIPOFFS_MAP_LABEL_URL=(the same with cva_w / LAYER=cva)
# With no tile URL there is no map and no external request: the address field is enough.
TIPOFFS_MAP_TILE_URL = env_str("TIPOFFS_MAP_TILE_URL", "")
TIPOFFS_MAP_LABEL_URL = env_str("TIPOFFS_MAP_LABEL_URL", "")
TIPOFFS_MAP_TOKEN = env_secret("TIPOFFS_MAP_TOKEN", "")
TIPOFFS_MAP_SUBDOMAINS = env_str("TIPOFFS_MAP_SUBDOMAINS", "01234567")
TIPOFFS_MAP_ATTRIBUTION = env_str("TIPOFFS_MAP_ATTRIBUTION", "")
TIPOFFS_MAP_REVIEW_NUMBER = env_str("TIPOFFS_MAP_REVIEW_NUMBER", "")  # 审图号, e.g. GS(2024)0568号
TIPOFFS_MAP_CENTER_LAT = env_float("TIPOFFS_MAP_CENTER_LAT", 26.5853, minimum=-90, maximum=90)
TIPOFFS_MAP_CENTER_LON = env_float("TIPOFFS_MAP_CENTER_LON", 101.7180, minimum=-180, maximum=180)
for _name, _url in (
    ("TIPOFFS_MAP_TILE_URL", TIPOFFS_MAP_TILE_URL),
    ("TIPOFFS_MAP_LABEL_URL", TIPOFFS_MAP_LABEL_URL),
):
    if _url and not _url.startswith(("https://", "http://")):
        raise ImproperlyConfigured(f"{_name} must be an http(s):// URL template.")
    if _url and "{token}" in _url and not TIPOFFS_MAP_TOKEN:
        raise ImproperlyConfigured(f"{_name} needs TIPOFFS_MAP_TOKEN (its {{token}}).")
if TIPOFFS_MAP_LABEL_URL and not TIPOFFS_MAP_TILE_URL:
    raise ImproperlyConfigured("TIPOFFS_MAP_LABEL_URL needs TIPOFFS_MAP_TILE_URL (the base layer).")
# Nearby open reports shown on the form before submitting: within this many metres.
TIPOFFS_NEARBY_RADIUS_M = env_int("TIPOFFS_NEARBY_RADIUS_M", 500, minimum=50)

# --- Surveys --------------------------------------------------------------------------------
SURVEYS_SIGNAL_RETENTION_DAYS = env_int("SURVEYS_SIGNAL_RETENTION_DAYS", 30, minimum=1)
SURVEYS_EXPORT_KEEP_DAYS = env_int("SURVEYS_EXPORT_KEEP_DAYS", 7, minimum=1)

# --- Personal information (docs/privacy.md) --------------------------------------------------
# Original evidence photos: years after the report closes (the SHA-256 and cleaned copy stay).
TIPOFFS_ORIGINAL_PHOTO_RETENTION_YEARS = env_int(
    "TIPOFFS_ORIGINAL_PHOTO_RETENTION_YEARS", 3, minimum=1, maximum=30
)
# 依申请公开 applicants: ID number and contacts, years after the request is replied or closed.
DISCLOSURE_APPLICANT_RETENTION_YEARS = env_int(
    "DISCLOSURE_APPLICANT_RETENTION_YEARS", 3, minimum=1, maximum=30
)
# Accounts never verified (no confirmed email, no verified phone) and never used.
PRIVACY_UNVERIFIED_ACCOUNT_DAYS = env_int("PRIVACY_UNVERIFIED_ACCOUNT_DAYS", 30, minimum=1)
# Requests from people without an account: answer within (statutory 15) working days, keep the
# requester's name and contact this many years after the answer.
PRIVACY_REQUEST_WORKING_DAYS = env_int("PRIVACY_REQUEST_WORKING_DAYS", 15, minimum=1, maximum=15)
PRIVACY_REQUEST_RETENTION_YEARS = env_int(
    "PRIVACY_REQUEST_RETENTION_YEARS", 3, minimum=1, maximum=30
)

# Covering indexes (Index(include=...)) are a PostgreSQL feature; SQLite builds the same index
# without the extra columns, which is all the embedded database needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- Security -------------------------------------------------------------------------------
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # Wagtail marks its own preview views SAMEORIGIN
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    # Behind a TLS-terminating proxy (nginx, SLB) that sets X-Forwarded-Proto.
    if env_bool("DJANGO_BEHIND_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The health and readiness checks are probed over plain HTTP by load balancers.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# --- Content-Security-Policy and Permissions-Policy -------------------------------------------
# On everywhere (production, development, tests and the browser journeys), with django-csp 4.
# The public site runs no inline script, no inline event handler and no inline style: scripts
# and styles are files under static/. Pages are cached and shared, so nonces are not used.
# The Wagtail admin (/admin/) renders inline <script> in its widgets and inline styles, so
# portal.middleware.PortalCSPMiddleware replaces those directives there with
# PORTAL_CSP_ADMIN_DIRECTIVES. See docs/operations.md, "Accounts and security".
# Origins of images from elsewhere, e.g. the tip-off map's tile server
# ("https://tiles.example.gov.cn" when TIPOFFS_MAP_TILE_URL points there).
PORTAL_CSP_EXTRA_IMG_SRC = env_list("PORTAL_CSP_EXTRA_IMG_SRC", [])


def _tile_origin(template: str) -> str:
    """``https://t{s}.tianditu.gov.cn/vec_w/…`` → ``https://*.tianditu.gov.cn`` (CSP source)."""
    scheme, _, rest = template.partition("://")
    host = rest.split("/", 1)[0]
    labels = ["*" if "{" in label else label for label in host.split(".")]
    return f"{scheme}://{'.'.join(labels)}"


# The configured map tiles are allowed as images without listing them twice.
for _template in (TIPOFFS_MAP_TILE_URL, TIPOFFS_MAP_LABEL_URL):
    if _template and _tile_origin(_template) not in PORTAL_CSP_EXTRA_IMG_SRC:
        PORTAL_CSP_EXTRA_IMG_SRC.append(_tile_origin(_template))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *PORTAL_CSP_EXTRA_IMG_SRC],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Replaced directives under /admin/ (Wagtail 8: inline widget scripts, inline styles, image
# previews from blob: URLs, its own preview iframes).
PORTAL_CSP_ADMIN_DIRECTIVES = {
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:", *PORTAL_CSP_EXTRA_IMG_SRC],
    "font-src": ["'self'", "data:"],
    "frame-ancestors": ["'self'"],
}
# Browser features no page needs are switched off; the tip-off form may ask for the position.
PORTAL_PERMISSIONS_POLICY = {
    "camera": "()",
    "microphone": "()",
    "geolocation": "(self)",
    "payment": "()",
    "usb": "()",
    "serial": "()",
    "hid": "()",
    "midi": "()",
    "display-capture": "()",
    "accelerometer": "()",
    "gyroscope": "()",
    "magnetometer": "()",
}

# --- Logging --------------------------------------------------------------------------------
# Every handler carries the redacting filter (portal/logredact.py): e-mail addresses, phone and
# ID numbers and tracking codes never reach the output. Django's own "django" and "django.server"
# loggers lose their default handlers (an unfiltered console in DEBUG, mail_admins with the
# request) and propagate to the filtered root handler instead.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_personal_data": {"()": "portal.logredact.RedactPersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("PORTAL_LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}
