from django.contrib.auth import views as auth_views
from django.urls import path

from accounts.views import TwoStepLoginView
from plans import views as plan_views
from plans.importing import views as import_views
from tasks import views as task_views
from units import views as unit_views

urlpatterns = [
    path("", plan_views.home, name="home"),
    path(
        "login/",
        TwoStepLoginView.as_view(),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("search/", plan_views.search, name="search"),
    path("documents/new/", plan_views.document_create, name="document_create"),
    path("documents/import/", import_views.import_start, name="import_start"),
    path("documents/import/confirm/", import_views.import_confirm, name="import_confirm"),
    path("documents/<int:pk>/", plan_views.document_detail, name="document"),
    path("documents/<int:pk>/edit/", plan_views.document_edit, name="document_edit"),
    path("documents/<int:pk>/cascade/", plan_views.document_cascade, name="cascade"),
    path(
        "documents/<int:pk>/cascade/children/",
        plan_views.document_cascade_children,
        name="cascade_children",
    ),
    path("documents/<int:pk>/file/", plan_views.document_file, name="document_file"),
    path("documents/<int:pk>/export.docx", plan_views.document_export_docx, name="export_docx"),
    path("documents/<int:pk>/export.pdf", plan_views.document_export_pdf, name="export_pdf"),
    path("documents/<int:pk>/export.xlsx", plan_views.document_export_xlsx, name="export_xlsx"),
    path("documents/<int:pk>/tasks/new/", task_views.task_create, name="task_create"),
    path("tasks/<int:pk>/", task_views.task_detail, name="task"),
    path("tasks/<int:pk>/edit/", task_views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/deadline/", task_views.deadline_correct, name="deadline_correct"),
    path("deadlines/review/", task_views.deadlines_review, name="deadlines_review"),
    path("assignments/<int:pk>/progress/", task_views.progress_create, name="progress_create"),
    path("attachments/<int:pk>/", task_views.attachment_download, name="attachment"),
    path("units/<int:pk>/", unit_views.unit_detail, name="unit"),
    path("units/picker/", unit_views.unit_picker, name="unit_picker"),
    path("units/picker/pick/", unit_views.unit_picker_pick, name="unit_picker_pick"),
]
