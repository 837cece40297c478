from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class LeanConfig(AppConfig):
    name = "lean"
    verbose_name = _("Lean")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks, rls  # noqa: F401  (registers the system checks)
        from .db import guard_connection_role  # noqa: F401  (connects the role guard)

        post_migrate.connect(rls.install_after_migrate, dispatch_uid="lean-rls")

        from . import versioned_cache

        # The tenant of each request, by its URL's slug (TenantMiddleware): one query less on every request.
        versioned_cache.watch("lean.tenant", tables=["lean_tenant"], per_tenant=False)
