from django.apps import AppConfig


class BenchmarkingConfig(AppConfig):
    name = "benchmarking"
    default_auto_field = "django.db.models.BigAutoField"
