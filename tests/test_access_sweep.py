"""The access sweep: every URL pattern of the project, requested by three users for the demo's
objects, must answer only those who may see or change what it is about.

The patterns are read from the resolver itself, so a new page, fragment, download or API
endpoint is swept without touching this file. Path parameters are filled from the demo:

* ``pk`` by the route segment in front of it (``documents/<pk>`` → a document,
  ``reports/attachments/<pk>`` → a report attachment…), see ``ANCHORS_BY_SEGMENT``;
* other parameters by their name (``unit_pk``, ``document_pk``, ``period_key``…) from the same
  object, or from ``VALUES`` for parameters that take one of a few words (``fmt``…).

A pattern whose parameter cannot be filled fails the sweep with the line to add.

Users: the owning unit's staff, a leader of another province, and a signed-in outsider with no
membership. Every object of a province carries a marker ("canary") in its title or text; a
response to someone outside that province must not contain it, must not be a success for an
object of that province (units excepted: the tree is public to members, their contents are
not), and a POST from them must not write anything (every write leaves an audit row).

``SWEEP_SAMPLE`` (default 2) is how many objects of each kind per province are swept;
``SWEEP_SAMPLE=0`` sweeps every demo object.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.sweep_cases import (
    ANCHORS_BY_PARAM,
    ANCHORS_BY_SEGMENT,
    VALUES,
    Case,
    World,
    build_world,
    canary,
    document_cases,
)

pytestmark = pytest.mark.django_db

SKIPPED_PREFIXES = ("admin/", "i18n/")
# Pages anyone may open, signed in or not.
PUBLIC_NAMES = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
# Parameters that are themselves the secret (calendar feeds): whoever holds one may read; a
# forged one must open nothing.
CAPABILITY_PARAMS = {"token", "uidb64", "signed"}
DENIED = {400, 403, 404, 405}


# --- the patterns --------------------------------------------------------------------------


@dataclass
class Pattern:
    route: str  # the whole route, for messages
    name: str  # namespaced name for reverse()
    params: list[str]
    segment_before_pk: str


_PARAM = re.compile(r"<(?:[^>:]+:)?([^>]+)>|\(\?P<([^>]+)>[^)]*\)")


def _route_text(pattern) -> str:
    return str(pattern.pattern)


def iter_patterns(resolvers=None, prefix: str = "", namespace: str = "") -> Iterator[Pattern]:
    """Every URL pattern reachable from the root, with its full route and namespaced name."""
    resolvers = resolvers if resolvers is not None else get_resolver().url_patterns
    for entry in resolvers:
        route = prefix + _route_text(entry).lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            if route.startswith(SKIPPED_PREFIXES):
                continue
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from iter_patterns(entry.url_patterns, route, ns)
        elif isinstance(entry, URLPattern):
            params = [a or b for a, b in _PARAM.findall(route)]
            before = route.split("<pk>")[0] if "<pk>" in route else ""
            match = re.search(r"(?:<(?:[^>:]+:)?pk>|\(\?P<pk>)", route)
            before = route[: match.start()] if match else ""
            before = _PARAM.sub("", before).strip("/^")
            yield Pattern(
                route=route,
                name=f"{namespace}{entry.name}" if entry.name else "",
                params=params,
                segment_before_pk=before,
            )


def anchor_for(pattern: Pattern) -> Callable[[World], list[Case]] | None:
    if "pk" in pattern.params:
        segments = [s for s in pattern.segment_before_pk.split("/") if s]
        for length in range(len(segments), 0, -1):
            key = "/".join(segments[-length:])
            if key in ANCHORS_BY_SEGMENT:
                return ANCHORS_BY_SEGMENT[key]
        return None
    for param, anchor in ANCHORS_BY_PARAM.items():
        if param in pattern.params:
            return anchor
    return None


def how_to_fill(pattern: Pattern, param: str) -> str:
    if param == "pk":
        segment = pattern.segment_before_pk.split("/")[-1] or "?"
        return (
            f"The sweep cannot tell what <pk> is in {pattern.route!r} ({pattern.name}). Add "
            f'"{segment}": <cases function> to ANCHORS_BY_SEGMENT in tests/sweep_cases.py '
            "(or reuse one: document_cases, task_cases, report_cases…)."
        )
    return (
        f"The sweep cannot fill <{param}> in {pattern.route!r} ({pattern.name}). Add it to "
        "the values of the case functions in tests/sweep_cases.py, to ANCHORS_BY_PARAM "
        "(it names an object) or to VALUES (it takes one of a few words)."
    )


# --- requesting and judging ----------------------------------------------------------------


def body_text(response) -> str:
    content = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    if content[:4] == b"PK\x03\x04":  # Word, Excel: look inside the zip
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            content = b"".join(archive.read(name) for name in archive.namelist())
    return content.decode("utf-8", errors="replace")


def is_login_redirect(response) -> bool:
    return response.status_code in (301, 302) and "/login/" in response.get("Location", "")


@dataclass
class Tally:
    requests: int = 0
    leaks: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    owner_successes: int = 0


def _audit_count() -> int:
    from audit.models import AuditEvent

    return AuditEvent.objects.count()


def _request(client: Client, method: str, url: str, tally: Tally, **extra):
    tally.requests += 1
    try:
        if method == "GET":
            return client.get(url, **extra)
        return client.post(url, {}, **extra)
    except Exception as error:  # a crash is reported with the request that caused it
        tally.errors.append(f"{method} {url}: {type(error).__name__}: {error}")
        return None


def judge(
    *,
    response,
    method: str,
    url: str,
    who: str,
    foreign: bool,
    forbidden_marks: list[str],
    public_page: bool,
    writes: int,
    tally: Tally,
) -> None:
    """Record a leak if ``response`` gives ``who`` something that is not theirs."""
    if response is None:
        return
    status = response.status_code
    if status >= 500:
        tally.errors.append(f"{method} {url} as {who}: {status}")
        return
    text = body_text(response) if status < 300 or status == 400 else ""
    for mark in forbidden_marks:
        if mark in text:
            tally.leaks.append(f"{method} {url} as {who}: shows another province's data ({mark})")
            return
    if foreign and 200 <= status < 300 and not public_page:
        tally.leaks.append(f"{method} {url} as {who}: {status} for an object not theirs")
    accepted = 300 <= status < 400 and not is_login_redirect(response)
    if foreign and method == "POST" and accepted:
        tally.leaks.append(f"{method} {url} as {who}: {status}, a write accepted")
    elif foreign and writes:
        tally.leaks.append(f"{method} {url} as {who}: wrote {writes} audited change(s)")


def test_every_url_pattern_answers_only_those_allowed(demo, settings):
    settings.SECURE_SSL_REDIRECT = False
    world = build_world()
    patterns = [
        p
        for p in iter_patterns()
        if p.name not in PUBLIC_NAMES and not p.route.startswith(SKIPPED_PREFIXES)
    ]
    assert len(patterns) > 30, "the sweep found too few URL patterns"
    tally = Tally()
    clients: dict[int, Client] = {}

    def client_for(user) -> Client:
        if user.pk not in clients:
            client = Client()
            client.force_login(user)
            clients[user.pk] = client
        return clients[user.pk]

    all_marks = {p.path: canary(p.path) for p in world.provinces}
    cases_cache: dict[Callable, list[Case]] = {}
    unfillable = []
    for pattern in patterns:
        anchor = anchor_for(pattern)
        if pattern.params and anchor is None and not all(p in VALUES for p in pattern.params):
            if any(p in CAPABILITY_PARAMS for p in pattern.params):
                anchor = None
            else:
                unfillable.append(how_to_fill(pattern, pattern.params[0]))
                continue
        if anchor is not None and anchor not in cases_cache:
            cases_cache[anchor] = anchor(world)
        cases = cases_cache.get(anchor, [Case(label="no object", values={}, anchored=False)])
        if anchor is not None and not cases:
            unfillable.append(f"No demo object to fill {pattern.route!r}: add one in build_world.")
            continue
        for case in cases:
            for url in _urls(pattern, case, unfillable):
                _sweep_url(pattern, case, url, world, client_for, all_marks, tally)
    assert not unfillable, "\n".join(unfillable)
    print(
        f"\naccess sweep: {len(patterns)} URL patterns, {tally.requests} requests, "
        f"{len(tally.leaks)} leaks, {tally.owner_successes} successful owner requests"
    )
    problems = tally.leaks + tally.errors
    assert not problems, f"{len(tally.leaks)} leaks, {len(tally.errors)} errors:\n" + "\n".join(
        problems[:150]
    )
    assert tally.owner_successes > len(patterns), "owners should succeed on their own pages"


def _urls(pattern: Pattern, case: Case, unfillable: list[str]) -> list[str]:
    """The addresses to request for ``case``: one per combination of word parameters."""
    kwargs_list: list[dict] = [{}]
    for param in pattern.params:
        if param in case.values and case.values[param] not in (None, ""):
            kwargs_list = [{**k, param: case.values[param]} for k in kwargs_list]
        elif param in VALUES:
            kwargs_list = [{**k, param: value} for k in kwargs_list for value in VALUES[param]()]
        elif param in CAPABILITY_PARAMS:
            kwargs_list = [{**k, param: "forged-" + "x" * 20} for k in kwargs_list]
        else:
            unfillable.append(how_to_fill(pattern, param))
            return []
    if not pattern.name:
        unfillable.append(f"{pattern.route!r} has no name: name it so the sweep can reverse it.")
        return []
    return [reverse(pattern.name, kwargs=kwargs) for kwargs in kwargs_list]


def _sweep_url(pattern, case, url, world, client_for, all_marks, tally) -> None:
    from units.models import memberships_of

    forged = any(p in CAPABILITY_PARAMS for p in pattern.params)
    owners = [world.staff_of(u) for u in case.owner_units[:1] if u is not None]
    if case.owner_user is not None:
        owners = [case.owner_user]
    case_provinces = case.provinces
    visitors = []
    # A leader of another province (the one after the object's own, in tree order).
    paths = [p.path for p in world.provinces]
    if case_provinces:
        first = sorted(case_provinces)[0]
        index = paths.index(first) if first in paths else 0
        for offset in range(1, len(paths)):
            other = paths[(index + offset) % len(paths)]
            if other not in case_provinces:
                visitors.append((f"leader of {other}", world.leaders[other], other))
                break
    else:
        visitors.append(("leader of " + paths[0], world.leaders[paths[0]], paths[0]))
    visitors.append(("outsider", world.outsider, None))
    queries = [""]
    if not pattern.params:
        for ids in world.query_ids.values():
            queries.append("?" + "&".join(f"{k}={v}" for k, v in ids.items() if v))
    for who, user, home in visitors:
        memberships_of(user)
        user_provinces = {home} if home else set()
        if not case.anchored:
            foreign = False
        elif case.owner_user is not None:
            foreign = True
        elif case.shared:
            foreign = not user_provinces
        else:
            foreign = not (user_provinces & case_provinces)
        if forged:
            foreign = True
        marks = [m for path, m in all_marks.items() if path not in user_provinces]
        client = client_for(user)
        for query in queries:
            for method, extra in (("GET", {}), ("GET", {"HTTP_HX_REQUEST": "true"}), ("POST", {})):
                if extra and query:
                    continue
                before = _audit_count() if method == "POST" else 0
                response = _request(client, method, url + query, tally, **extra)
                writes = (_audit_count() - before) if method == "POST" else 0
                judge(
                    response=response,
                    method=method,
                    url=url + query,
                    who=who,
                    foreign=foreign,
                    forbidden_marks=marks,
                    public_page=case.public_to_members and not forged,
                    writes=writes,
                    tally=tally,
                )
    # The owner last: their POSTs may change the object.
    for owner in owners[:1]:
        if owner is None:
            continue
        client = client_for(owner)
        for method in ("GET", "POST"):
            response = _request(client, method, url, tally)
            if response is None:
                continue
            if response.status_code >= 500:
                tally.errors.append(f"{method} {url} as owner: {response.status_code}")
            elif response.status_code < 400:
                tally.owner_successes += 1


# --- every URL that could take a password ---------------------------------------------------


def _every_route(resolvers=None, prefix: str = "") -> Iterator[str]:
    """Every URL pattern of the project, the admin's included, as a requestable path: each
    parameter filled with a harmless value (the request need not find anything, only reach
    the view that might sign someone in)."""
    resolvers = resolvers if resolvers is not None else get_resolver().url_patterns
    for entry in resolvers:
        text = _route_text(entry)
        if isinstance(entry, URLResolver):
            yield from _every_route(entry.url_patterns, prefix + text.lstrip("^"))
            continue
        route = prefix + text.lstrip("^").rstrip("$")
        route = re.sub(r"<int:[^>]+>", "1", route)
        route = re.sub(r"<(?:[^>:]+:)?[^>]+>", "x", route)
        route = re.sub(r"\(\?P<[^>]+>[^)]*\)", "1", route)
        route = re.sub(r"[\\^$?*+()\[\]|]", "", route)
        yield "/" + route


def test_every_url_that_authenticates_passes_the_lockout_and_the_second_step(db, settings):
    """POST a right password of a person with two-step sign-in on to every URL pattern: no
    response may leave a signed-in session. POST wrong passwords: every view that checks
    them (Django's ``user_login_failed`` fires) counts them in the one lockout."""
    import pyotp
    from django.contrib.auth.signals import user_login_failed

    from accounts.models import Counter, TwoFactorDevice
    from accounts.two_factor import two_factor_begin, two_factor_confirm
    from tests.factories import UserFactory

    settings.SECURE_SSL_REDIRECT = False
    assert settings.AUTHENTICATION_BACKENDS == ["accounts.signin.SignInBackend"]
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    two_factor_begin(actor=root)
    two_factor_confirm(
        actor=root, code=pyotp.TOTP(TwoFactorDevice.objects.get(user=root).secret).now()
    )
    routes = sorted(set(_every_route()))
    assert any(r.startswith("/admin/login") for r in routes) and "/login/" in routes
    checked: list[str] = []

    def note(sender, credentials, request=None, **kwargs):
        checked.append(request.path if request is not None else "?")

    user_login_failed.connect(note)
    try:
        for route in routes:
            client = Client()
            data = {"username": "root", "password": "pw-for-tests-1", "next": "/"}
            client.post(route, data)
            assert "_auth_user_id" not in client.session, f"{route} signed in with a password alone"
            before = len(checked)
            failures = Counter.objects.filter(key__startswith="signin:name:").first()
            client.post(route, {**data, "password": "wrong"})
            if len(checked) > before:
                after = Counter.objects.filter(key__startswith="signin:name:").first()
                assert (
                    after is not None and after.count == (failures.count if failures else 0) + 1
                ), f"{route} checks passwords outside the lockout"
            Counter.objects.all().delete()
    finally:
        user_login_failed.disconnect(note)
    assert "/login/" in checked, "the sign-in page itself should have been seen checking"


# --- a confidential plan --------------------------------------------------------------------

CONFIDENTIAL_MARK = "zqxmatzqx"


def _make_confidential(world: World):
    """The first sampled plan issued below a province, with the marker in its title and its
    tasks' texts (written through the services, so the audit trail holds them too), its
    circle reduced to its own subtree, then marked confidential. Returns the plan and the
    province above it."""
    from plans import services as plan_services
    from plans.models import Document, DocumentRecipient
    from tasks import services as task_services
    from tasks.models import Assignment, Task
    from units.models import Unit

    for case in document_cases(world):
        document = Document.objects.select_related("issuer").get(pk=case.values["pk"])
        if document.issuer_id and document.issuer.depth > 2 and document.tasks.exists():
            break
    else:
        raise AssertionError("the demo has no plan issued below a province")
    issuer = document.issuer
    DocumentRecipient.objects.filter(document=document).exclude(
        unit__path__startswith=issuer.path
    ).delete()
    Assignment.objects.filter(task__document=document).exclude(
        unit__path__startswith=issuer.path
    ).delete()
    plan_services.document_update(
        actor=None, document=document, title=f"{document.title} {CONFIDENTIAL_MARK}"
    )
    for task in Task.objects.filter(document=document):
        task_services.task_update(
            actor=None,
            task=task,
            text=f"{task.text} {CONFIDENTIAL_MARK}",
            section=task.section,
            deadline_text=task.deadline_text,
            requires_plan=task.requires_plan,
        )
    plan_services.document_update(actor=None, document=document, confidential=True)
    province = Unit.objects.get(path=issuer.path[: 2 * Unit.steplen])
    return document, province


def test_a_confidential_plan_appears_in_no_response_to_anyone_outside_its_circle(demo, settings):
    """A leader, an administrator (who searches the audit trail) and an observer of the
    province above a confidential plan: no page, fragment, download, API answer or audit row
    they are given holds its title or its tasks' texts."""
    from tests.factories import member
    from units.models import Role

    settings.SECURE_SSL_REDIRECT = False
    world = build_world()
    document, province = _make_confidential(world)
    visitors = {
        role: member(province, role) for role in (Role.LEADER, Role.ADMINISTRATOR, Role.OBSERVER)
    }
    clients = {}
    for role, user in visitors.items():
        clients[role] = Client()
        clients[role].force_login(user)
    tally = Tally()
    cases_cache: dict[Callable, list[Case]] = {}
    searched = CONFIDENTIAL_MARK[:6]  # pages echo the search words: ask for a part only
    queries = ["", f"?q={searched}&text={searched}"]
    for pattern in iter_patterns():
        if pattern.name in PUBLIC_NAMES:
            continue
        anchor = anchor_for(pattern)
        if pattern.params and anchor is None and not all(p in VALUES for p in pattern.params):
            continue  # capability links (calendar feeds) are swept above
        if anchor is not None and anchor not in cases_cache:
            cases_cache[anchor] = [
                c for c in anchor(world) if province.path in c.provinces or not c.anchored
            ]
        cases = cases_cache.get(anchor, [Case(label="no object", values={}, anchored=False)])
        for case in cases:
            for url in _urls(pattern, case, []):
                for role, client in clients.items():
                    for query in queries if not pattern.params else [""]:
                        for method, extra in (
                            ("GET", {}),
                            ("GET", {"HTTP_HX_REQUEST": "true"}),
                            ("POST", {}),
                        ):
                            response = _request(client, method, url + query, tally, **extra)
                            if response is None:
                                continue
                            if response.status_code >= 500:
                                tally.errors.append(f"{method} {url}{query} as {role}: 500")
                            elif CONFIDENTIAL_MARK in body_text(response):
                                tally.leaks.append(f"{method} {url}{query} as {role}")
    print(f"\nconfidential sweep: {tally.requests} requests, {len(tally.leaks)} leaks")
    assert tally.requests > 300
    problems = tally.leaks + tally.errors
    assert not problems, "\n".join(problems[:100])
    # The plan's own circle still sees it, so the marker was there to be found.
    inside = Client()
    inside.force_login(world.staff_of(document.issuer))
    assert CONFIDENTIAL_MARK in body_text(inside.get(reverse("document", args=[document.pk])))
