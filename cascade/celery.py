"""The Celery application. Jobs live in each app's ``jobs.py`` (not ``tasks.py``, which would
collide with the ``tasks`` app's name)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cascade.settings")

app = Celery("cascade")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(related_name="jobs")
