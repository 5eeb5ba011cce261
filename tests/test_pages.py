"""Every page renders for the demo data, and editing is refused outside one's own unit."""

import pytest
from django.urls import reverse

from plans.models import Document
from tasks.models import Assignment, Task, TaskStatus
from tests.factories import UserFactory, make_document, make_task, member
from units.models import Role, Unit


@pytest.fixture
def admin_client(client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="admin"))
    return client


def test_every_demo_page_renders_for_an_administrator(admin_client):
    urls = [reverse("home"), reverse("document_create"), reverse("search") + "?q=ke+hoach"]
    for document in Document.objects.all():
        urls += [reverse("document", args=[document.pk]), reverse("cascade", args=[document.pk])]
        urls.append(reverse("document_edit", args=[document.pk]))
    for task in Task.objects.all():
        urls += [reverse("task", args=[task.pk]), reverse("task_edit", args=[task.pk])]
    urls += [reverse("unit", args=[unit.pk]) for unit in Unit.objects.all()]
    urls += [reverse("task_create", args=[Document.objects.filter(depth=2).first().pk])]
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 200, url
    assert len(urls) > 300


def test_the_admin_covers_every_model(admin_client):
    from django.apps import apps
    from django.contrib import admin

    ours = {"units", "plans", "tasks", "audit"}
    for model in apps.get_models():
        if model._meta.app_label in ours:
            assert model in admin.site._registry, model
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            assert admin_client.get(url).status_code == 200, url


def test_pages_are_vietnamese_by_default_and_english_on_request(admin_client):
    page = admin_client.get(reverse("home")).content.decode()
    assert 'lang="vi"' in page
    admin_client.cookies["django_language"] = "en"
    assert 'lang="en"' in admin_client.get(reverse("home")).content.decode()


def test_a_demo_staff_member_sees_their_plan_and_its_cascade(client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="canbo.konray"))
    plan = Document.objects.get(issuer__name="Huyện ủy Kon Rẫy", depth=2)
    page = client.get(reverse("document", args=[plan.pk])).content.decode()
    assert "Ban Tuyên giáo Huyện ủy" in page
    assert "hoàn thành trong quý III-2023" in page
    cascade = client.get(reverse("cascade", args=[plan.root_id])).content.decode()
    assert "105-KH/TU" in cascade
    assert "470/KH-LĐLĐ" not in cascade  # another branch


def test_anonymous_visitors_are_sent_to_the_login_page(client, demo):
    response = client.get(reverse("document", args=[Document.objects.first().pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_staff_of_one_unit_cannot_edit_another_units_document(client, province, district):
    theirs = make_document(province, number="105", title="Kế hoạch của tỉnh")
    client.force_login(member(district))
    response = client.post(
        reverse("document_edit", args=[theirs.pk]),
        {
            "doc_type": "KH",
            "issuer": district.pk,
            "status": "issued",
            "number": "9",
            "issued_on": "2023-08-10",
            "title": "Đã bị sửa",
        },
    )
    assert response.status_code in (403, 404)
    theirs.refresh_from_db()
    assert theirs.title == "Kế hoạch của tỉnh"
    assert client.get(reverse("task_create", args=[theirs.pk])).status_code == 404


def test_an_outsider_cannot_open_a_document_or_its_file(client, province):
    document = make_document(province, number="7")
    client.force_login(UserFactory())
    assert client.get(reverse("document", args=[document.pk])).status_code == 404
    assert client.get(reverse("document_file", args=[document.pk])).status_code == 404


def test_staff_create_a_document_for_their_unit_and_see_a_duplicate_refused(client, district):
    client.force_login(member(district))
    data = {
        "doc_type": "KH",
        "issuer": district.pk,
        "status": "issued",
        "number": "12",
        "issued_on": "2023-08-10",
        "place": "Kon Rẫy",
        "title": "Kế hoạch thực hiện",
    }
    response = client.post(reverse("document_create"), data)
    assert response.status_code == 302
    document = Document.objects.get(number="12")
    assert document.identifier == "12-KH/HU"
    response = client.post(reverse("document_create"), data)
    assert response.status_code == 200
    assert "12-KH/HU" in response.content.decode()
    assert Document.objects.filter(number="12").count() == 1


def test_a_malformed_document_form_gets_clear_messages_and_saves_nothing(client, district):
    client.force_login(member(district))
    response = client.post(
        reverse("document_create"),
        {
            "doc_type": "XX",
            "issuer": district.pk,
            "status": "issued",
            "number": "abc",
            "issued_on": "31/02/2023",
            "title": "",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"doc_type", "number", "issued_on", "title"}
    assert not Document.objects.exists()


def test_a_task_is_added_in_place_with_htmx(client, district):
    plan = make_document(district, number="3")
    client.force_login(member(district))
    form = client.get(reverse("task_create", args=[plan.pk]), headers={"HX-Request": "true"})
    assert b"<html" not in form.content and b"<form" in form.content
    response = client.post(
        reverse("task_create", args=[plan.pk]),
        {"text": "Tổ chức quán triệt", "lead": [district.pk], "deadline_text": "quý III/2023"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#task-rows"
    assert "Tổ chức quán triệt" in response.content.decode()
    assert plan.tasks.get().assignments.get().unit == district


def test_progress_is_logged_with_evidence_and_shown_in_place(client, province, district):
    from django.core.files.uploadedfile import SimpleUploadedFile

    plan = make_document(province, number="3")
    task = make_task(plan, lead=[district])
    assignment = task.assignments.get()
    client.force_login(member(district))
    response = client.post(
        reverse("progress_create", args=[assignment.pk]),
        {
            "status": TaskStatus.DONE,
            "note": "Đã tổ chức hội nghị <b>quán triệt</b>",
            "files": [SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 test")],
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "&lt;b&gt;quán triệt&lt;/b&gt;" in page
    assignment.refresh_from_db()
    assert assignment.status == TaskStatus.DONE
    attachment = assignment.updates.get().attachments.get()
    download = client.get(reverse("attachment", args=[attachment.pk]))
    assert download.status_code == 200
    client.force_login(UserFactory())
    assert client.get(reverse("attachment", args=[attachment.pk])).status_code == 404


def test_a_leader_may_read_the_subtree_but_not_log_progress(client, province, district):
    plan = make_document(district, number="3")
    task = make_task(plan, lead=[district])
    client.force_login(member(province, Role.LEADER))
    assert client.get(reverse("task", args=[task.pk])).status_code == 200
    response = client.post(
        reverse("progress_create", args=[task.assignments.get().pk]),
        {"status": "done", "note": "x"},
    )
    assert response.status_code == 404
    assert not Assignment.objects.get(task=task).updates.exists()


def test_the_home_page_counts_a_directives_own_tasks_whatever_lies_below_it(client, demo):
    from django.contrib.auth import get_user_model

    from plans.selectors import directives_for

    admin = get_user_model().objects.get(username="admin")
    directive = Document.objects.get(identifier="21-CT/TW", issuer__code="TW")
    listed = {d.pk: d for d in directives_for(user=admin)}
    assert Document.objects.filter(root=directive).count() > 1
    assert listed[directive.pk].task_total == directive.tasks.count()
    done = directive.tasks.filter(status="done").count()
    assert listed[directive.pk].task_done == done
    # A document implementing nothing with nothing below it is no cascade to follow.
    lone = Document.objects.filter(implements__isnull=True).exclude(
        pk__in=Document.objects.filter(root__isnull=False).values("root_id")
    )
    assert not set(lone.values_list("pk", flat=True)) & set(listed)
    client.force_login(admin)
    assert "21-CT/TW" in client.get(reverse("home")).content.decode()
