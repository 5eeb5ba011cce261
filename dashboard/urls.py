from django.urls import path

from dashboard import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("tree/", views.tree, name="dashboard_tree"),
    path("export/<slug:table>.<slug:fmt>", views.export, name="dashboard_export"),
]
