from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The composition root: settings, URLs, the Celery app, and what wires every app together — the demo and
    benchmark data (config/demo) and their commands. Nothing imports it but the entry points."""

    name = "config"
    verbose_name = "Lean"
