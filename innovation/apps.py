from django.apps import AppConfig


class InnovationConfig(AppConfig):
    name = "innovation"
    default_auto_field = "django.db.models.BigAutoField"
