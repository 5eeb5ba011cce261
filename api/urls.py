"""The API's addresses, mounted at /api/."""

from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from api import pages, views

# No ".json" suffixes: JSON is the only format, and one address per resource is enough.
router = DefaultRouter()
router.include_format_suffixes = False
router.register("units", views.UnitViewSet)
router.register("documents", views.DocumentViewSet)
router.register("targets", views.TargetViewSet)
router.register("measurements", views.MeasurementViewSet)
router.register("tasks", views.TaskViewSet)
router.register("assignments", views.AssignmentViewSet)
router.register("occurrences", views.OccurrenceViewSet)
router.register("progress-updates", views.ProgressUpdateViewSet)
router.register("reports", views.ReportViewSet)
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("tokens", views.ApiTokenViewSet)

app_name = "api"
urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("imports/preview/", views.ImportPreviewView.as_view(), name="import-preview"),
    path("imports/", views.ImportView.as_view(), name="import"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        # A browser that is not signed in is sent to the login page rather than given a 401.
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema", template_name="api/swagger_ui.html"
            )
        ),
        name="docs",
    ),
    # The page where administrators issue and revoke tokens in the browser.
    path("manage/tokens/", pages.token_page, name="token_page"),
    path("manage/tokens/<int:pk>/revoke/", pages.token_revoke, name="token_revoke"),
    path("", include(router.urls)),
]
