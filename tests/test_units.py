"""The organisation tree: subtrees, cycles, succession, and who may see and change what."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from plans.models import Document
from tests.factories import UserFactory, make_document, make_unit, member
from units import services
from units.models import Bloc, Level, Role, Unit


def test_a_subtree_is_one_query(django_assert_num_queries, province, district):
    commune = make_unit("Đảng ủy xã A", parent=district, level=Level.COMMUNE, code="ĐU")
    with django_assert_num_queries(1):
        names = list(
            Unit.objects.filter(path__startswith=province.path).values_list("name", flat=True)
        )
    assert set(names) == {province.name, district.name, commune.name}


def test_a_unit_cannot_be_moved_under_its_own_descendant(province, district):
    with pytest.raises(ValidationError, match=district.name):
        services.unit_move(actor=None, unit=province, new_parent=district)
    province.refresh_from_db()
    assert province.depth == 1


def test_a_unit_cannot_be_its_own_successor_through_a_chain(province, other_province):
    services.unit_set_successors(actor=None, unit=province, successors=[other_province])
    with pytest.raises(ValidationError):
        services.unit_set_successors(actor=None, unit=other_province, successors=[province])
    assert list(other_province.successors.all()) == []


def test_a_dissolved_unit_keeps_its_history_and_names_its_successor(province, other_province):
    services.unit_update(actor=None, unit=province, active_until=datetime.date(2025, 6, 30))
    services.unit_set_successors(actor=None, unit=province, successors=[other_province])
    plan = make_document(province, number="105")
    assert not Unit.objects.get(pk=province.pk).is_active
    assert list(other_province.predecessors.all()) == [province]
    assert plan.issuer == province


def test_a_unit_cannot_end_before_it_starts(db):
    with pytest.raises(ValidationError):
        services.unit_create(
            actor=None,
            parent=None,
            name="Tỉnh ủy X",
            bloc=Bloc.PARTY_COMMITTEE,
            level=Level.PROVINCE,
            active_from=datetime.date(2025, 7, 1),
            active_until=datetime.date(2025, 1, 1),
        )


def test_only_an_administrator_above_may_reshape_the_tree(province, district, other_province):
    admin = member(province, Role.ADMINISTRATOR)
    staff = member(province, Role.STAFF)
    services.unit_create(
        actor=admin, parent=district, name="Xã mới", bloc=Bloc.PARTY_COMMITTEE, level=Level.COMMUNE
    )
    with pytest.raises(PermissionDenied):
        services.unit_create(
            actor=staff,
            parent=district,
            name="Xã khác",
            bloc=Bloc.PARTY_COMMITTEE,
            level=Level.COMMUNE,
        )
    with pytest.raises(PermissionDenied):
        services.unit_update(actor=admin, unit=other_province, name="Đổi tên")


def test_staff_read_their_own_units_work_only(province, district, other_province):
    staff = member(district)
    assert set(Unit.objects.readable_by(staff)) == {district}
    assert set(Unit.objects.editable_by(staff)) == {district}


def test_a_leader_reads_the_whole_subtree_but_edits_nothing(province, district, other_province):
    leader = member(province, Role.LEADER)
    assert set(Unit.objects.readable_by(leader)) == {province, district}
    assert not Unit.objects.editable_by(leader).exists()


def test_an_outsider_sees_no_unit_at_all(province):
    outsider = UserFactory()
    assert not Unit.objects.visible_to(outsider).exists()
    assert not Document.objects.visible_to(outsider).exists()


def test_documents_are_visible_up_the_chain_of_command_but_not_sideways(
    province, district, other_province
):
    directive = make_document(province, number="105")
    sideways = make_document(other_province, number="7")
    own = make_document(district, number="9", implements=directive)
    staff = member(district)
    visible = set(Document.objects.visible_to(staff))
    assert {directive, own} <= visible
    assert sideways not in visible
    assert set(Document.objects.editable_by(staff)) == {own}
