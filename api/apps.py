from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The REST API for partner systems: endpoints, API tokens, the OpenAPI schema."""

    name = "api"
    verbose_name = _("API")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the API token's description with the schema generator.
        from api import schema  # noqa: F401
