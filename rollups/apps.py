from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RollupsConfig(AppConfig):
    """Roll-up tables kept by the task services, read by the dashboard: below the tasks'
    services (which keep them), above the task models (which they count)."""

    name = "rollups"
    verbose_name = _("Roll-ups")
