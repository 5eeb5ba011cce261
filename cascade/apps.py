"""The admin app, pointed at the project's scoped admin site."""

from django.contrib.admin.apps import AdminConfig


class CascadeAdminConfig(AdminConfig):
    """``django.contrib.admin`` with ``admin.site`` being the scoped site (cascade.admin)."""

    default_site = "cascade.admin.ScopedAdminSite"
