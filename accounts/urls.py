"""URLs of the accounts app, included under ``accounts/``; the password reset pages keep
Django's names, which its views reverse."""

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path("members/<int:pk>/", views.unit_members, name="accounts_members"),
    path("members/<int:pk>/invite/", views.member_invite, name="accounts_invite"),
    path("memberships/<int:pk>/role/", views.member_set_role, name="accounts_set_role"),
    path("memberships/<int:pk>/remove/", views.member_remove, name="accounts_remove"),
    path("invitations/<str:token>/", views.invitation_accept, name="accounts_invitation"),
    path("two-step/", views.two_factor_setup, name="accounts_two_factor"),
    path("two-step/code/", views.two_factor_verify, name="accounts_two_factor_verify"),
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
