"""Every form the demo users see, filled with generated input: never a server error, and
markup typed into any field comes back as text.

The forms are not listed here: the test walks the pages a staff member and a leader reach
from the home page, reads each ``<form method="post">`` (its action and fields), and posts
generated values of the kind each field expects, and of every other kind (dates that are not
dates, numbers with letters, choices that do not exist, very long text, markup, control
characters). A new form on any reachable page is fuzzed without editing this test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzzing import FORM_EXAMPLES

MARKER = "<script>fuzzMarker()</script>"
# Pages whose links lead away from forms or change the session, and downloads.
SKIP_PATHS = ("/logout/", "/i18n/", "/admin/", "/static/", "/media/", "/api/")
SKIP_SUFFIXES = (".pdf", ".docx", ".xlsx", ".csv", ".ics", "/download/", "/file/")
MAX_PAGES = 150
PAGES_PER_VIEW = 8


@dataclass
class Field:
    """One input of a form as the page draws it."""

    tag: str
    kind: str
    name: str
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    action: str
    fields: dict[str, Field] = field(default_factory=dict)
    multipart: bool = False

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        """The view and the field names: the same form for another object is not new."""
        return _view_name(self.action), tuple(sorted(self.fields))


class PageReader(HTMLParser):
    """The links and the POST forms of a page."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.url, a["href"]))
        elif tag == "form" and a.get("method", "get").lower() == "post":
            action = a.get("hx-post") or a.get("action") or self.url
            self._form = Form(
                action=urljoin(self.url, action),
                multipart="multipart" in a.get("enctype", ""),
            )
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                return
            self._form.fields[a["name"]] = Field("input", kind, a["name"], a.get("value", ""))
        elif tag == "textarea":
            self._textarea = Field("textarea", "text", a["name"])
            self._form.fields[a["name"]] = self._textarea
        elif tag == "select":
            self._select = Field("select", "select", a["name"])
            self._form.fields[a["name"]] = self._select
        if tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data


def _internal(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.netloc not in ("", "testserver"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if path.startswith(SKIP_PATHS) or parts.path.endswith(SKIP_SUFFIXES):
        return None
    return path


def _view_name(path: str) -> str:
    from django.urls import Resolver404, resolve

    try:
        return resolve(urlsplit(path).path).view_name
    except Resolver404:
        return path


def collect_forms(client) -> list[Form]:
    """Walk the pages reachable from the home page (a few of each kind: the task pages of
    one plan look like those of another) and return their distinct POST forms."""
    seen: set[str] = set()
    per_view: dict[str, int] = {}
    queue = ["/"]
    forms: dict[tuple, Form] = {}
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        view = _view_name(path)
        if path in seen or per_view.get(view, 0) >= PAGES_PER_VIEW:
            continue
        seen.add(path)
        per_view[view] = per_view.get(view, 0) + 1
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        reader = PageReader(f"http://testserver{path}")
        reader.feed(response.content.decode())
        for form in reader.forms:
            action = _internal(form.action)
            if action is None:
                continue
            form.action = action
            forms.setdefault(form.key, form)
        for link in reader.links:
            target = _internal(link)
            if target and target not in seen:
                queue.append(target)
    if any(key[0] == "import_start" for key in forms):
        # The import's review form appears only once a plan has been read: read a seed.
        seed = Path(__file__).resolve().parent.parent / "demo" / "seeds" / "004.txt"
        review = client.post("/documents/import/", {"text": seed.read_text(encoding="utf-8")})
        reader = PageReader("http://testserver/documents/import/")
        reader.feed(review.content.decode())
        for form in reader.forms:
            action = _internal(form.action)
            if action is not None:
                form.action = action
                forms.setdefault(form.key, form)
    return list(forms.values())


TEXT = st.one_of(
    st.text(max_size=80),
    st.just(MARKER),
    st.text(max_size=30).map(lambda t: f"{t}{MARKER}{t}"),
    st.sampled_from(["", " ", "0", "-1", "1e309", "NaN", "∞", "\x00", "'; DROP TABLE x; --"]),
    st.text(alphabet="ăâđêôơưáàảãạ 0123456789", min_size=3000, max_size=12000),
)
DATES = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
    st.sampled_from(["2025-02-30", "31/31/2025", "0000-00-00", "9999-12-31", "quý III/2023"]),
)
NUMBERS = st.one_of(
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["12,5", "1.000.000", "10%", "-0", "99999999999999999999999"]),
)


def value_for(item: Field) -> st.SearchStrategy:
    """What a person or a script might send for ``item``: mostly the kind it expects."""
    if item.kind == "select":
        expected = st.sampled_from(item.options) if item.options else st.just("")
    elif item.kind == "date":
        expected = DATES
    elif item.kind == "number":
        expected = NUMBERS
    elif item.kind == "checkbox":
        expected = st.sampled_from(["on", ""])
    elif item.kind == "hidden":
        expected = st.just(item.value)
    elif item.kind == "file":
        return st.one_of(
            st.none(),
            st.tuples(
                st.sampled_from(["bang-chung.pdf", "ke-hoach.docx", "a.txt", "<b>x</b>.exe"]),
                st.binary(max_size=2000),
            ).map(lambda pair: SimpleUploadedFile(pair[0], pair[1])),
        )
    else:
        expected = TEXT
    return st.one_of(expected, expected, expected, TEXT, DATES, NUMBERS)


def _fuzz(client, form: Form) -> int:
    tried = 0

    @settings(
        max_examples=FORM_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def post(data) -> None:
        nonlocal tried
        payload = {}
        for name, item in form.fields.items():
            value = data.draw(value_for(item), label=name)
            if value is not None:
                payload[name] = value
        response = client.post(form.action, payload, follow=True)
        tried += 1
        assert response.status_code < 500, (form.action, payload)
        body = response.content.decode(errors="replace")
        assert MARKER not in body, f"{form.action} printed markup from its input"

    post()
    return tried


@pytest.mark.parametrize("login", ["canbo.konray", "lanhdao.kontum"])
def test_every_form_survives_generated_input_and_prints_markup_as_text(demo, client, login):
    from django.contrib.auth import get_user_model

    from reports.demo import load_demo_reports

    load_demo_reports()
    client.force_login(get_user_model().objects.get(username=login))
    forms = collect_forms(client)
    assert len(forms) >= 5, [f.action for f in forms]
    tried = sum(_fuzz(client, form) for form in forms)
    print(f"\n{login}: {len(forms)} forms, {tried} generated posts, no server error")
