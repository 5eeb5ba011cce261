"""Search ignores diacritics and case, and only finds what the user may see."""

from django.urls import reverse

from plans.selectors import search
from tests.factories import UserFactory


def test_ke_hoach_470_finds_the_lai_chau_plan(demo, django_user_model):
    admin = django_user_model.objects.get(username="admin")
    documents, _ = search(user=admin, query="ke hoach 470")
    assert [d.identifier for d in documents] == ["470/KH-LĐLĐ"]


def test_units_are_found_by_name_without_diacritics(demo, django_user_model):
    admin = django_user_model.objects.get(username="admin")
    _, units = search(user=admin, query="KON RAY")
    assert "Huyện ủy Kon Rẫy" in [u.name for u in units]
    _, units = search(user=admin, query="ubnd thanh thuy")
    assert "Ủy ban nhân dân xã Thanh Thủy" in [u.name for u in units]


def test_search_finds_nothing_for_an_outsider(demo):
    documents, units = search(user=UserFactory(), query="21-CT/TW")
    assert documents == [] and units == []


def test_the_search_box_answers_htmx_with_only_the_results(client, demo, django_user_model):
    client.force_login(django_user_model.objects.get(username="admin"))
    response = client.get(reverse("search"), {"q": "Kiến An"}, headers={"HX-Request": "true"})
    assert b"<html" not in response.content
    assert "Quận ủy Kiến An" in response.content.decode()


def test_hostile_search_input_is_harmless(client, demo, django_user_model):
    client.force_login(django_user_model.objects.get(username="admin"))
    for query in ["", "%", "' OR 1=1 --", "<script>alert(1)</script>", "x" * 5000, "\x00\x01"]:
        response = client.get(reverse("search"), {"q": query})
        assert response.status_code == 200
        assert b"<script>alert(1)</script>" not in response.content
