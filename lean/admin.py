"""The platform operator's admin: tenants and logins only. Tenant data is reached in the product, per tenant."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Tenant, User


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "default_language", "active", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(User)
class LeanUserAdmin(UserAdmin):
    list_display = ["username", "full_name", "email", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = [*UserAdmin.fieldsets, (None, {"fields": ["full_name"]})]
