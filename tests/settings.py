"""Settings for the test suite: production-like (DEBUG off), with fast hashing and files in a
temporary folder."""

import os
import tempfile

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from cascade.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A worker started by a test is given the test process's folder (TEST_MEDIA_ROOT).
MEDIA_ROOT = os.environ.get("TEST_MEDIA_ROOT") or tempfile.mkdtemp(prefix="cascade-media-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MAILERS = {
    "default": {"BACKEND": "notifications.mail.OutboxBackend"},
    "outbox": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STATIC_ROOT = tempfile.mkdtemp(prefix="cascade-static-")
# Dashboard figures are computed at every request (tests of the cache turn it on).
DASHBOARD_CACHE_SECONDS = 0
# A subprocess started by a fault test sends to the test's SMTP sink (tests/smtp_sink.py).
if os.environ.get("TEST_SMTP_PORT"):
    MAILERS = {
        "default": {"BACKEND": "notifications.mail.OutboxBackend"},
        "outbox": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": "127.0.0.1",
                "port": int(os.environ["TEST_SMTP_PORT"]),
                "timeout": 30,
            },
        },
    }
