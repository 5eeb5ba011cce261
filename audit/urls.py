"""The audit trail's pages, included under ``audit/``."""

from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_search, name="search"),
    path("documents/<int:pk>/", views.document_history, name="document_history"),
    path("tasks/<int:pk>/", views.task_history, name="task_history"),
    path("reports/<int:pk>/", views.report_history, name="report_history"),
]
