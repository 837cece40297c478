from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchmarkingConfig(AppConfig):
    name = "benchmarking"
    verbose_name = _("Benchmarking")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from lean.navigation import NavItem, register
        from targets.signals import readings_changed

        from .services import on_readings_changed

        readings_changed.connect(on_readings_changed, dispatch_uid="benchmarking.readings_changed")
        register(NavItem(_("Benchmarking"), "benchmarking-board", "benchmarking.view", "bar-chart-steps"))
