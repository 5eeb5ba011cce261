"""The cascade between documents, tasks given to units and groups, and plans fulfilling them."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from plans import services as plan_services
from plans.models import DocumentStatus
from tasks import services as task_services
from tasks.models import AssignmentRole, TaskStatus
from tests.factories import make_document, make_task, make_unit, member
from units.models import Bloc, Level, Role


def test_a_plan_knows_the_top_of_its_cascade_and_its_depth(province, district):
    directive = make_document(province, number="21")
    plan = make_document(district, number="3", implements=directive)
    sub = make_document(district, number="4", implements=plan)
    assert (plan.root, plan.depth) == (directive, 1)
    assert (sub.root, sub.depth) == (directive, 2)


def test_a_document_cannot_implement_its_own_descendant(province, district):
    directive = make_document(province, number="21")
    plan = make_document(district, number="3", implements=directive)
    with pytest.raises(ValidationError) as error:
        plan_services.document_update(actor=None, document=directive, implements=plan)
    assert "implements" in error.value.message_dict
    directive.refresh_from_db()
    assert directive.implements is None


def test_moving_a_plan_brings_its_descendants_along(province, district, other_province):
    first = make_document(province, number="1")
    second = make_document(other_province, number="2")
    plan = make_document(district, number="3", implements=first)
    sub = make_document(district, number="4", implements=plan)
    plan_services.document_update(actor=None, document=plan, implements=second)
    sub.refresh_from_db()
    assert (sub.root, sub.depth) == (second, 2)


def test_a_reference_is_created_once_and_found_again(province):
    first = plan_services.document_reference(
        actor=None, identifier="275-KH/TU", issuer=province, issued_on=datetime.date(2023, 7, 26)
    )
    again = plan_services.document_reference(actor=None, identifier="275-KH/TU", issuer=province)
    assert first == again
    assert first.status == DocumentStatus.REFERENCE
    assert first.identifier == "275-KH/TU"


def test_references_looked_up_together_are_found_once_and_created_once(
    province, django_assert_max_num_queries
):
    known = plan_services.document_reference(actor=None, identifier="275-KH/TU", issuer=province)
    wanted = [
        plan_services.Reference("275-KH/TU", issuer=province),
        plan_services.Reference("179-HD/BTGTU"),
        plan_services.Reference("179-HD/BTGTU"),
    ]
    # One lookup for all; for the new one a uniqueness check, an insert and an audit row; the
    # savepoint around the service.
    with django_assert_max_num_queries(6):
        found = plan_services.document_references(actor=None, wanted=wanted)
    assert found[0] == known
    assert found[1] == found[2]
    assert found[1].status == DocumentStatus.REFERENCE


def test_an_identifier_that_is_not_one_is_refused_with_its_words(province):
    with pytest.raises(ValidationError, match="hello"):
        plan_services.document_references(actor=None, wanted=[plan_services.Reference("hello")])


def test_a_task_given_to_a_group_becomes_one_assignment_per_unit(province, district):
    communes = [
        make_unit(f"Đảng ủy xã {name}", parent=district, level=Level.COMMUNE, code="ĐU")
        for name in ("Đắk Ruồng", "Tân Lập", "Đắk Tờ Re")
    ]
    board = make_unit(
        "Ban Tuyên giáo Huyện ủy", parent=district, bloc=Bloc.PARTY_BOARD, code="BTGHU"
    )
    closed = make_unit(
        "Đảng ủy xã Đã Giải Thể",
        parent=district,
        level=Level.COMMUNE,
        code="ĐU",
        active_until=datetime.date(2020, 1, 1),
    )
    plan = make_document(district, number="3")
    task = task_services.task_create(
        actor=None,
        document=plan,
        text="Xây dựng kế hoạch thực hiện",
        assignees=task_services.Assignees(
            lead_groups=[
                task_services.GroupSpec(
                    label="Các đảng ủy xã",
                    anchor=district,
                    blocs=[Bloc.PARTY_COMMITTEE],
                    levels=[Level.COMMUNE],
                )
            ],
            support=[board],
        ),
        requires_plan=True,
    )
    leads = {a.unit for a in task.assignments.filter(role=AssignmentRole.LEAD)}
    assert leads == set(communes)
    assert closed not in leads
    assert task.groups.get().label == "Các đảng ủy xã"
    assert task.assignments.get(role=AssignmentRole.SUPPORT).unit == board


def test_a_plan_asked_for_is_fulfilled_by_linking_it(province, district):
    directive = make_document(province, number="21")
    task = make_task(directive, lead=[district], requires_plan=True, text="Xây dựng kế hoạch")
    plan = make_document(district, number="3", implements=directive)
    assignment = task.assignments.get()
    assert assignment.fulfilled_by == plan
    assert assignment.status == TaskStatus.DONE
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_progress_of_every_lead_completes_the_task(province, district, people_committee):
    plan = make_document(province, number="5")
    task = make_task(plan, lead=[district, people_committee])
    district_staff = member(district)
    committee_staff = member(people_committee)
    task_services.task_complete(
        actor=district_staff, assignment=task.assignments.get(unit=district), note="Đã xong"
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    task_services.task_complete(
        actor=committee_staff, assignment=task.assignments.get(unit=people_committee), note="Xong"
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_staff_cannot_log_progress_for_another_unit(province, district, other_province):
    plan = make_document(province, number="5")
    task = make_task(plan, lead=[district])
    stranger = member(other_province)
    with pytest.raises(PermissionDenied):
        task_services.progress_add(
            actor=stranger, assignment=task.assignments.get(), note="x", status=TaskStatus.DONE
        )
    assert not task.assignments.get().updates.exists()


def test_staff_cannot_add_tasks_to_another_units_document(province, district):
    plan = make_document(province, number="5")
    staff = member(district, Role.STAFF)
    with pytest.raises(PermissionDenied):
        task_services.task_create(actor=staff, document=plan, text="Việc mới")
    assert not plan.tasks.exists()


def test_every_change_leaves_an_audit_row(province, district):
    from audit.models import AuditEvent

    staff = member(district)
    plan = make_document(district, number="3")
    plan_services.document_update(actor=staff, document=plan, title="Tên mới của kế hoạch")
    event = AuditEvent.objects.filter(object_type="plans.document", action="update").get()
    assert event.actor == staff
    assert event.changes["title"][1] == "Tên mới của kế hoạch"
