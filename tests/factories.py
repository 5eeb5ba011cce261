"""Factories for the test suite. Units and documents are created through the services, so
tests see the same derived fields (paths, identifiers, cascade roots) as the product."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from plans import services as plan_services
from plans.models import DocType, Document, DocumentStatus
from tasks import services as task_services
from tasks.models import Task
from units import services as unit_services
from units.models import Bloc, Level, Membership, Role, Unit

User = get_user_model()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-1")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_unit(
    name: str = "",
    *,
    parent: Unit | None = None,
    bloc: str = Bloc.PARTY_COMMITTEE,
    level: str = Level.PROVINCE,
    code: str = "TU",
    **fields,
) -> Unit:
    make_unit.counter += 1
    return unit_services.unit_create(
        actor=None,
        parent=parent,
        name=name or f"Đơn vị {make_unit.counter}",
        bloc=bloc,
        level=level,
        code=code,
        **fields,
    )


make_unit.counter = 0


def member(unit: Unit, role: str = Role.STAFF, user=None):
    user = user or UserFactory()
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


def make_document(
    issuer: Unit | None,
    *,
    number: str | None = None,
    doc_type: str = DocType.PLAN,
    implements: Document | None = None,
    status: str = DocumentStatus.ISSUED,
    issued_on=None,
    **fields,
) -> Document:
    import datetime

    make_document.counter += 1
    return plan_services.document_create(
        actor=None,
        doc_type=doc_type,
        title=fields.pop("title", f"Kế hoạch thử số {make_document.counter}"),
        issuer=issuer,
        status=status,
        number=number if number is not None else str(make_document.counter),
        issued_on=issued_on or datetime.date(2023, 8, 10),
        implements=implements,
        **fields,
    )


make_document.counter = 0


def make_task(document: Document, *, lead=(), support=(), **fields) -> Task:
    return task_services.task_create(
        actor=None,
        document=document,
        text=fields.pop("text", "Tổ chức quán triệt Chỉ thị"),
        assignees=task_services.Assignees(lead=list(lead), support=list(support)),
        **fields,
    )
