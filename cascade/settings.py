"""Django settings, read from the environment (see README.md for every variable)."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from cascade.env import (
    env_bool,
    env_database,
    env_int,
    env_list,
    env_redis_url,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
    SECRET_KEY = "development-only-key-never-use-in-production-0123456789abcdef"  # noqa: S105
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "cascade.apps.CascadeAdminConfig",  # django.contrib.admin, scoped (cascade/admin.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "treebeard",
    "audit",
    "background",
    "accounts",
    "units",
    "plans",
    "tasks",
    "rollups",
    "reports",
    "notifications",
    "dashboard",
    "api",
    "national",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cascade.middleware.PreferredLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.signin.SecondStepMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "cascade.middleware.BusyDatabaseMiddleware",
]

ROOT_URLCONF = "cascade.urls"
WSGI_APPLICATION = "cascade.wsgi.application"
ASGI_APPLICATION = "cascade.asgi.application"

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
                "django.template.context_processors.csp",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The only backend: every password check passes the lockout (accounts/signin.py).
AUTHENTICATION_BACKENDS = ["accounts.signin.SignInBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Uploaded originals and attachments live outside the static root and are only ever served
# through views that check the requester may see the object they belong to.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# No route serves this prefix: uploads are only reachable through permission-checked views.
MEDIA_URL = "/private-media/"
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
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# The import review posts every part of a plan (a 2 MB plan runs to thousands of paragraphs,
# nine fields each); the body size above still bounds the request.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 100_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Content Security Policy: no inline scripts or styles, nothing from other origins.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
# Sign-in is refused this long after repeated failures (accounts.throttle).
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 15 * 60)
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# E-mail (Django 6.1 mailers): the console in development, SMTP when EMAIL_HOST is set.
# Outside development the default is SMTP (localhost:25 unless EMAIL_HOST says otherwise): a
# console backend in production would lose every e-mail (the outbox retries a failed send).
_email_backend = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("EMAIL_HOST") or not DEBUG
    else "django.core.mail.backends.console.EmailBackend",
)
_email_options = (
    {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": env_int("EMAIL_TIMEOUT", 30),
    }
    if _email_backend.endswith("smtp.EmailBackend")
    else {}
)
# Every e-mail goes through the outbox (the default mailer writes rows, notifications/mail.py);
# the job that sends them uses the "outbox" mailer, the real server.
MAILERS = {
    "default": {"BACKEND": "notifications.mail.OutboxBackend"},
    "outbox": {"BACKEND": _email_backend, "OPTIONS": _email_options},
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "no-reply@localhost")

# Celery: with REDIS_URL unset, jobs run in-process right after the transaction commits.
REDIS_URL = env_redis_url("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE

# --- Reminders, beat schedules and the e-mail outbox (the notifications app) ---------------
# Jobs are in notifications/jobs.py. Celery beat reads its schedule from the database
# (notifications.ScheduledJob, editable in the admin): django-celery-beat 2.9.0 declares
# Django<6.1, so a small scheduler of our own stands in for it. Without Redis,
# `manage.py run_scheduler` runs the same schedules in-process.
CELERY_BEAT_SCHEDULER = "notifications.beat:DatabaseScheduler"
# A worker killed mid-job: its message goes back to the queue (the jobs are idempotent).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Seconds before Redis hands an unacknowledged message (its worker died) to another
    # worker. Minutes, not an hour: the sweep, the outbox and the generator finish well
    # within it, and a job running longer is harmless when redelivered (each runs alone and
    # is idempotent). The long PDF renders do not rely on it (REPORTS_RENDER_TIMEOUT).
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 300),
}
# The PDF renders go to their own queue, so a night of renders never holds up the reminders
# and the outbox; every worker listens to both (`celery worker -Q celery,renders`).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "reports.jobs.render_annual_report": {"queue": "renders"},
    "reports.jobs.render_accepted_annual_reports": {"queue": "renders"},
}
# A render that has shown no progress for this many seconds died with its worker: the next
# delivery of its message, or the nightly job, renders it again (reports.annual_services).
REPORTS_RENDER_TIMEOUT = env_int("REPORTS_RENDER_TIMEOUT", 15 * 60)
# Publishing when Redis is down must not hang a request: fail fast; the outbox and the
# periodic jobs catch up once it is back.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Days before the due date that reminders go out, and days overdue before the leaders of
# the unit above are told; per unit or plan in notifications.ReminderPolicy.
NOTIFICATIONS_REMINDER_OFFSETS = (7, 3, 1)
NOTIFICATIONS_ESCALATE_AFTER_DAYS = 7
NOTIFICATIONS_SWEEP_BATCH = env_int("NOTIFICATIONS_SWEEP_BATCH", 5000)
NOTIFICATIONS_OUTBOX_MAX_ATTEMPTS = 10
# Seconds an e-mail may stay "being sent" before its sender is taken to be dead and it is sent
# again with the same Message-ID (longer than one SMTP conversation, EMAIL_TIMEOUT).
NOTIFICATIONS_OUTBOX_RESEND_AFTER = env_int("NOTIFICATIONS_OUTBOX_RESEND_AFTER", 10 * 60)
# The address put before links in e-mails, e.g. https://cascade.example.gov.vn
NOTIFICATIONS_SITE_URL = env_str("SITE_URL", "") or ""

# Dashboard sections that count the whole subtree are cached this many seconds (and refreshed
# by a job when a change makes them stale): only with a cache every server process shares.
DASHBOARD_CACHE_SECONDS = env_int("DASHBOARD_CACHE_SECONDS", 300 if REDIS_URL else 0)
if DASHBOARD_CACHE_SECONDS < 0:
    raise ImproperlyConfigured(
        f"DASHBOARD_CACHE_SECONDS must be 0 (no cache) or a number of seconds, "
        f"not {DASHBOARD_CACHE_SECONDS}."
    )

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Page",
    # JSON only: /api/docs/ is the browsable page (DRF's own needs inline scripts the CSP refuses).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "PAGE_SIZE": 50,
    # Counted in the cache (Redis when REDIS_URL is set): per API token, per signed-in person.
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.ApiTokenRateThrottle",
        "api.throttling.ApiSessionRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_token": env_str("API_TOKEN_RATE", "1000/hour"),
        "api_session": env_str("API_SESSION_RATE", "3000/hour"),
    },
    "EXCEPTION_HANDLER": "api.exceptions.handle",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# The OpenAPI schema (api/docs.py holds its texts); the documentation page's scripts are
# served from this site (the sidecar package), as the CSP requires.
SPECTACULAR_SETTINGS = {
    "TITLE": "Cascade API",
    "DESCRIPTION": "See api/docs.py",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Like every page: for signed-in people and API tokens (openapi.yaml is the public copy).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "TaskStatusEnum": "tasks.models.TaskStatus",
        "DocumentStatusEnum": "plans.models.DocumentStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_texts",
        "api.schema.drop_database_ranges",
        "api.schema.add_error_responses",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools narrate every step of every PDF at INFO.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
FORMAT_MODULE_PATH = ["cascade.formats"]
