"""URLs of the report chain, included under ``reports/``."""

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/start/", views.report_start, name="start"),
    path("<int:pk>/save/", views.report_save, name="save"),
    path("<int:pk>/review/", views.report_review, name="review"),
    path("<int:pk>/reopen/", views.report_reopen, name="reopen"),
    path("<int:pk>/refresh/", views.report_refresh, name="refresh"),
    path("<int:pk>/dates/", views.report_reschedule, name="reschedule"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path(
        "received/<int:unit_pk>/<int:document_pk>/<str:period_key>/",
        views.received,
        name="received",
    ),
    path("units/<int:unit_pk>/annual/", views.annual_request, name="annual_request"),
    path("annual/<int:pk>/", views.annual_file, name="annual_file"),
    path("annual/<int:pk>/download/", views.annual_download, name="annual_download"),
    path("plans/<int:document_pk>/", views.document_section, name="document_section"),
    path(
        "plans/<int:document_pk>/requirements/new/",
        views.requirement_create,
        name="requirement_create",
    ),
    path("requirements/<int:pk>/", views.requirement_detail, name="requirement"),
    path("requirements/<int:pk>/edit/", views.requirement_update, name="requirement_update"),
    path("requirements/<int:pk>/generate/", views.requirement_generate, name="generate"),
    path("requirements/<int:pk>/ad-hoc/", views.requirement_adhoc, name="adhoc"),
]
