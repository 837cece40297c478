"""The Celery app. Beat runs one dispatcher; each tenant's own cadence decides which of its jobs start."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("lean")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def setup_periodic_tasks(sender, **kwargs):
    from django.conf import settings

    sender.add_periodic_task(
        settings.LEAN_DISPATCH_INTERVAL,
        sender.signature("scheduling.dispatch"),
        name="dispatch tenant jobs",
    )
