"""Deployment hardening: Django's deployment check passes with production settings, every
response carries the security headers, and uploads are reachable only through views that
check permissions."""

from __future__ import annotations

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import UserFactory, make_document, member

BASE_DIR = Path(__file__).resolve().parent.parent


def test_the_deployment_check_reports_no_issue():
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    environment = {
        key: value
        for key, value in os.environ.items()
        # Only the variables the issue's command line sets: none a test run leaves behind
        # (DJANGO_ALLOW_ASYNC_UNSAFE from browser tests, the test settings module…).
        if not key.startswith("DJANGO_")
        and key not in {"SECURE_SSL_REDIRECT", "EMAIL_BACKEND", "DEBUG", "ALLOWED_HOSTS"}
    }
    environment.update(
        DEBUG="false",
        SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(50)),
        ALLOWED_HOSTS="example.org",
        DJANGO_SETTINGS_MODULE="cascade.settings",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_every_page_carries_the_security_headers(client, province, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    client.force_login(member(province))
    response = client.get(reverse("home"), secure=True)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    page = response.content.decode()
    assert "<script>" not in page and " style=" not in page and "<style" not in page


def test_uploads_live_outside_the_web_root():
    media = Path(settings.MEDIA_ROOT).resolve()
    for served in [Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS)]:
        served = served.resolve()
        assert not media.is_relative_to(served) and not served.is_relative_to(media)


@pytest.mark.django_db
def test_an_upload_is_served_only_through_its_permission_check(client, province, other_province):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from plans import services as plan_services

    document = make_document(province, title="Kế hoạch có tệp gốc")
    plan_services.document_update(
        actor=None,
        document=document,
        original_file=SimpleUploadedFile("goc.txt", b"original text"),
    )
    document.refresh_from_db()
    stored = document.original_file.name
    client.force_login(member(other_province, user=UserFactory()))
    # No route serves the media prefix…
    assert client.get(settings.MEDIA_URL + stored).status_code == 404
    # …and the permission-checked view refuses someone who may not see the document.
    assert client.get(reverse("document_file", args=[document.pk])).status_code == 404
    client.force_login(member(province))
    response = client.get(reverse("document_file", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"original text"
