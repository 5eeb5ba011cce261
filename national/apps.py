"""A synthetic national cascade (every province and commune carrying out 21-CT/TW) for
benchmarks and load tests; no models of its own."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NationalConfig(AppConfig):
    name = "national"
    verbose_name = _("National-scale data")
