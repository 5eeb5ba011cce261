from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("bell/", views.bell, name="bell"),
    path("<int:pk>/read/", views.notification_read, name="read"),
    path("read-all/", views.notifications_read_all, name="read_all"),
    path("digest/", views.digest, name="digest"),
    path("preferences/", views.preferences, name="preferences"),
    path("calendar/regenerate/", views.calendar_regenerate, name="calendar_regenerate"),
    path(
        "calendar/unit/<int:pk>/regenerate/",
        views.unit_calendar_regenerate,
        name="unit_calendar_regenerate",
    ),
    path("calendar/<str:token>.ics", views.feed_user, name="feed_user"),
    path("calendar/unit/<str:token>.ics", views.feed_unit, name="feed_unit"),
]
