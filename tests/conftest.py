"""Fixtures shared by the suite. Django imports stay inside the fixtures so that the pure
Python modules' tests also run without Django (``pytest -p no:django``)."""

import io

import pytest


@pytest.fixture(autouse=True)
def jobs_in_process(request):
    """Jobs queued after a commit run in-process, even when REDIS_URL is set, except in tests
    marked ``real_broker`` (those talk to a real Celery worker through Redis)."""
    if request.node.get_closest_marker("real_broker"):
        yield
        return
    from cascade.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def mail_through_the_outbox(request):
    """As in production, the default mailer writes to the outbox and its sender uses the
    "outbox" mailer (Django's test set-up would make every mailer the in-memory one, so
    mail would skip the outbox)."""
    if not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    settings = request.getfixturevalue("settings")
    settings.MAILERS = {
        "default": {"BACKEND": "notifications.mail.OutboxBackend"},
        "outbox": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    }
    yield


@pytest.fixture
def province(db):
    from tests.factories import make_unit

    return make_unit("Tỉnh ủy Thử Nghiệm", code="TU")


@pytest.fixture
def district(province):
    from tests.factories import make_unit
    from units.models import Level

    return make_unit("Huyện ủy Thử Nghiệm", parent=province, level=Level.DISTRICT, code="HU")


@pytest.fixture
def other_province(db):
    from tests.factories import make_unit

    return make_unit("Tỉnh ủy Bên Cạnh", code="TU")


@pytest.fixture
def people_committee(province):
    from tests.factories import make_unit
    from units.models import Bloc

    return make_unit(
        "Ủy ban nhân dân tỉnh Thử Nghiệm", parent=province, bloc=Bloc.GOVERNMENT, code="UBND"
    )


@pytest.fixture
def demo(db):
    """The demo cascade, loaded through the same command a newcomer runs."""
    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def directive(demo):
    """The demo's directive, 21-CT/TW issued by the centre."""
    from plans.models import Document

    return Document.objects.get(identifier="21-CT/TW", issuer__code="TW")


@pytest.fixture
def centre_leader(directive):
    """A leader of the centre: reads every unit's figures."""
    from tests.factories import member
    from units.models import Role

    return member(directive.issuer, Role.LEADER)
