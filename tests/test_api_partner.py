"""The partner-system example in the README runs against a live server with the demo: it
reads the cascade of 21-CT/TW and posts a task update with a token."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from api.services import api_token_issue
from audit.models import AuditEvent
from tasks.models import ProgressUpdate

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "partner_example.py"


def test_the_partner_script_reads_the_cascade_and_posts_an_update(
    live_server, transactional_db, demo, django_user_model
):
    staff = django_user_model.objects.get(username="canbo.kienan")
    key = api_token_issue(actor=None, user=staff, name="Phần mềm quận").key
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--url", live_server.url, "--token", key],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Cascade of 21-CT/TW" in result.stdout
    assert "275-KH/TU" in result.stdout
    assert "Posted progress update" in result.stdout
    update = ProgressUpdate.objects.get(author=staff)
    assert update.note.startswith("Cập nhật từ hệ thống đối tác")
    event = AuditEvent.objects.get(action="progress", actor=staff)
    assert event.source.startswith("api:token:")


def test_the_partner_script_says_why_a_bad_token_fails(live_server, transactional_db):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--url", live_server.url, "--token", "csc_not-a-token"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "HTTP 401" in result.stderr
