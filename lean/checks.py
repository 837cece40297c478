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
