"""System checks for a production configuration."""

from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def owner_url_check(app_configs, **kwargs):
    if not settings.DATABASE_OWNER_URL:
        return [
            Warning(
                "DATABASE_OWNER_URL is not set: migrations would run as the application role, which cannot "
                "create tables or row-level security policies.",
                id="lean.W001",
            )
        ]
    return []


@register(deploy=True)
def secret_key_check(app_configs, **kwargs):
    # Django's own check (security.W009) lets the development key through: it is long and varied, only public.
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        return [
            Warning(
                "SECRET_KEY is the development key written in config/settings.py: anyone can forge sessions and "
                "password-reset links with it.",
                hint="Set SECRET_KEY in the environment to a long random value.",
                id="lean.W002",
            )
        ]
    return []
