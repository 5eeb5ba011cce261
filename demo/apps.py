from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo: the five real seed plans and the tree they need, loaded through the
    importer, with reports and reminders. The top layer: it may use every app."""

    name = "demo"
    verbose_name = _("Demo")
