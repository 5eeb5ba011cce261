"""The OpenAPI schema: checked into the repository as openapi.yaml and kept equal to what the
code generates; served as JSON/YAML and on a documentation page that loads nothing from
another site and passes the site's CSP."""

from __future__ import annotations

import io
import re
from pathlib import Path

from django.core.management import call_command

from tests.api_support import token_client
from tests.factories import UserFactory

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "openapi.yaml"
REGENERATE = ".venv/bin/python manage.py spectacular --lang en --validate --file openapi.yaml"


def test_openapi_yaml_is_what_the_code_generates(db):
    out = io.StringIO()
    call_command("spectacular", "--lang", "en", stdout=out)
    generated = out.getvalue().strip()
    checked_in = SCHEMA_FILE.read_text(encoding="utf-8").strip() if SCHEMA_FILE.exists() else ""
    assert generated == checked_in, (
        f"openapi.yaml differs from the schema the code generates. Regenerate it with:\n"
        f"    DEBUG=true {REGENERATE}\nand commit the result."
    )


def test_the_schema_describes_operations_in_english_and_vietnamese():
    text = SCHEMA_FILE.read_text(encoding="utf-8")
    assert "Post a progress update" in text
    assert "Ghi tiến độ cho phần việc của đơn vị" in text
    assert "scheme: bearer" in text


def test_the_schema_is_served_to_signed_in_people_and_tokens(client, db):
    assert client.get("/api/schema/").status_code == 401
    client.force_login(UserFactory())
    response = client.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")
    assert token_client(UserFactory()).get("/api/schema/").status_code == 200


def test_the_documentation_page_sends_strangers_to_the_login_page(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_documentation_page_uses_only_local_assets_and_passes_the_csp(client, db):
    client.force_login(UserFactory())
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp
    # No inline script or style: every script and stylesheet is a file of this site.
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", page)
    assert "<style" not in page
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert url.startswith("/"), url
    script_url = re.findall(r'<script src="([^"]+)"', page)[-1]
    script = client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()
