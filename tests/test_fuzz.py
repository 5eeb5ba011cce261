"""Every form class of the project, bound to generated input: cleaning and drawing it again
never raise, and markup typed into any field is drawn as text.

This complements ``test_fuzz_forms`` (which posts to the forms the demo users reach through
HTTP): here every ``Form`` class defined in the project's apps is found by walking their
modules, including forms only administrators or invited people see, and each is constructed
with the objects its ``__init__`` asks for (``CONTEXT``). A form asking for something new
fails the test with the line to add.

How many inputs per form: the hypothesis profile named by ``HYPOTHESIS_PROFILE``: ``ci`` (the
default, 100 each) or ``thorough`` (10 000 each)::

    HYPOTHESIS_PROFILE=thorough .venv/bin/python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import os
import pkgutil
from datetime import date
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

MARKER = "<script>fuzz()</script>"
NASTY = [
    MARKER,
    '"><img src=x onerror=alert(1)>',
    "{{ 7|add:7 }}{% now 'Y' %}",
    "\x00\x01\x1b[31m",
    "' OR 1=1 --",
    "𝕏" * 300,
    "9" * 40,
    "-1",
    "1e309",
    "NaN",
    "2025-02-30",
    "30/9/2023",
    "quý III/2023",
    "trước ngày 10/12 hằng năm",
    " ",
    "",
]
_HEALTH = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large]
settings.register_profile("ci", max_examples=100, deadline=None, suppress_health_check=_HEALTH)
settings.register_profile(
    "thorough", max_examples=10_000, deadline=None, suppress_health_check=_HEALTH
)
PROFILE = settings.get_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci")
    if os.environ.get("HYPOTHESIS_PROFILE") in ("ci", "thorough")
    else "ci"
)


def project_form_classes() -> list[type[forms.BaseForm]]:
    """Every form class defined in a module of the project's own apps."""
    base = Path(django_settings.BASE_DIR).resolve()
    found: dict[str, type[forms.BaseForm]] = {}
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if not path.is_relative_to(base) or ".venv" in path.parts:
            continue
        modules = [config.name]
        modules += [
            f"{config.name}.{info.name}"
            for info in pkgutil.iter_modules([str(path)])
            if "form" in info.name or info.name == "admin"
        ]
        for name in modules:
            module = importlib.import_module(name)
            for _attr, value in vars(module).items():
                if (
                    inspect.isclass(value)
                    and issubclass(value, forms.BaseForm)
                    and value.__module__ == module.__name__
                    and not value.__name__.startswith("_")
                ):
                    found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[key] for key in sorted(found)]


@pytest.fixture
def context(db, province, district):
    """The objects form constructors ask for, by parameter name."""
    from reports import services as report_services
    from reports.models import Frequency, ReportRequest
    from tests.factories import make_document, make_task, make_unit, member
    from units.models import Level, Role

    commune = make_unit("Đảng ủy xã Thử", parent=district, level=Level.COMMUNE, code="ĐU")
    plan = make_document(district, title="Kế hoạch thử")
    make_task(plan, lead=[commune], text="Nhiệm vụ thử", deadline_text="quý III/2025")
    requirement = report_services.report_requirement_create(
        actor=None,
        document=plan,
        frequency=Frequency.ANNUAL,
        receiver=district,
        units=[commune],
        starts_on=date(2025, 1, 1),
        generate=False,
    )
    report_services.report_requests_generate(
        requirement=requirement, until=date(2025, 12, 31), actor=None
    )
    report = ReportRequest.objects.filter(requirement=requirement).order_by("period_key")[0]
    user = member(district, Role.ADMINISTRATOR)
    return {
        "user": user,
        "document": plan,
        "report": report,
        "requirement": requirement,
        "reporters": [commune],
        "plans": type(plan).objects.filter(pk=plan.pk),
        "object_types": ["plans.document", "tasks.task"],
        "request": None,
    }


# Model forms of the admin are built by the admin itself: their ``instance`` is optional.
OPTIONAL = {"instance", "initial", "prefix", "auto_id", "files", "data", "request"}


def construct(form_class: type[forms.BaseForm], context: dict, data, files):
    """``form_class`` bound to ``data``, with what its ``__init__`` asks for from
    ``context``."""
    kwargs = {}
    for klass in form_class.__mro__:
        if "__init__" not in vars(klass) or klass.__module__.startswith("django."):
            continue
        for name, parameter in inspect.signature(klass.__init__).parameters.items():
            if parameter.kind != parameter.KEYWORD_ONLY or name in kwargs:
                continue
            if name in context:
                kwargs[name] = context[name]
            elif parameter.default is parameter.empty and name not in OPTIONAL:
                pytest.fail(
                    f"{form_class.__qualname__} needs {name!r}: add it to the context fixture "
                    "in tests/test_fuzz.py"
                )
    if "request" in inspect.signature(form_class.__init__).parameters:
        kwargs.setdefault("request", None)
    return form_class(data=data, files=files, **kwargs)


def _field_values(field: forms.Field) -> list[str]:
    """Values of the kind the field expects, next to which the generic ones are drawn."""
    values: list[str] = []
    choices = getattr(field, "choices", None)
    if choices is not None:
        with contextlib.suppress(TypeError):  # a choice list made lazily from a query
            values += [str(value) for value, _label in list(choices)[:30]]
    if isinstance(field, forms.DateField):
        values += ["2025-09-30", "2025-13-01"]
    if isinstance(field, (forms.IntegerField, forms.DecimalField)):
        values += ["0", "7", "-3", "2147483648"]
    return values or [""]


@st.composite
def form_input(draw, form: forms.BaseForm):
    data = QueryDict(mutable=True)
    files = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        generic = st.one_of(
            st.text(max_size=200),
            st.sampled_from(NASTY),
            st.integers(min_value=-(10**12), max_value=10**12).map(str),
            st.dates().map(date.isoformat),
        )
        value = st.one_of(st.sampled_from(_field_values(field)), generic)
        if isinstance(field, forms.FileField):
            if draw(st.booleans()):
                name_ = draw(st.one_of(st.sampled_from(NASTY), st.text(max_size=40)))
                # As the multipart parser would hand it over: a base name, no NUL.
                name_ = os.path.basename(name_.replace("\x00", "")).strip()
                content = draw(st.binary(max_size=300))
                files[key] = SimpleUploadedFile(
                    name_ if name_ not in ("", ".", "..") else "x", content
                )
            continue
        if isinstance(field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)):
            data.setlist(key, draw(st.lists(value, max_size=4)))
        elif draw(st.integers(0, 9)):  # sometimes the field is missing altogether
            data[key] = draw(value)
    return data, files


def test_every_form_class_is_found():
    names = {klass.__name__ for klass in project_form_classes()}
    assert {"DocumentForm", "TaskForm", "ReportForm", "InviteForm", "AuditSearchForm"} <= names


@pytest.mark.parametrize(
    "form_class", project_form_classes(), ids=lambda k: f"{k.__module__}.{k.__qualname__}"
)
def test_no_form_crashes_and_markup_stays_text(form_class, context):
    probe = construct(form_class, context, None, None)

    @PROFILE
    @given(form_input(probe))
    def check(generated: tuple[QueryDict, dict]) -> None:
        data, files = generated
        form = construct(form_class, context, data, files)
        form.is_valid()
        # Drawing the form is the slow part: only when markup was typed somewhere.
        if any("<" in value for values in data.lists() for value in values[1]):
            html = str(form)
            assert MARKER not in html, f"{form_class.__name__} drew markup as markup"

    check()
