from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from innovation.views import board as innovation_board
from insights.audit import apis as audit_apis
from insights.dashboard import tiles as dashboard_tiles
from insights.views import audit, dashboard, home
from insights.views import query as query_views
from integrations import views as integrations
from lean import apis
from lean.views import accounts, auth, channels, notifications, org, tenant_settings
from lean.views import sso as sso_views
from scheduling import views as jobs

tenant_patterns = [
    path("", home.home_view, name="home"),
    path("login/", auth.tenant_login_view, name="tenant-login"),
    path("sso/login/", sso_views.sso_login_view, name="sso-login"),
    path("sso/callback/", sso_views.sso_callback_view, name="sso-callback"),
    path("units/", org.unit_list_view, name="unit-list"),
    path("units/<int:unit_id>/", org.unit_detail_view, name="unit-detail"),
    path("members/", org.member_list_view, name="member-list"),
    path("members/<int:membership_id>/", org.member_detail_view, name="member-detail"),
    path("members/<int:membership_id>/edit/", org.member_edit_view, name="member-edit"),
    path("members/<int:membership_id>/activation/", accounts.member_activation_view, name="member-activation"),
    path("members/<int:membership_id>/force-reset/", accounts.member_force_reset_view, name="member-force-reset"),
    path("api/v1/units/", apis.UnitListApi.as_view(), name="api-unit-list"),
    path("api/v1/units/<int:unit_id>/", apis.UnitDetailApi.as_view(), name="api-unit-detail"),
    path("api/v1/members/", apis.MemberListApi.as_view(), name="api-member-list"),
    path("api/v1/members/<int:membership_id>/", apis.MemberDetailApi.as_view(), name="api-member-detail"),
    path("notifications/", notifications.notification_list_view, name="notifications"),
    path("notifications/read/", notifications.notification_read_all_view, name="notifications-read"),
    path("notifications/<int:notification_id>/open/", notifications.notification_open_view, name="notification-open"),
    path("settings/", tenant_settings.tenant_settings_view, name="tenant-settings"),
    path("integrations/", integrations.integrations_view, name="integrations"),
    path("integrations/sso/", sso_views.sso_settings_view, name="sso-settings"),
    path("integrations/keys/<int:apikey_id>/revoke/", integrations.key_revoke_view, name="integrations-key-revoke"),
    path("integrations/webhooks/<int:webhookendpoint_id>/", integrations.webhook_view, name="integrations-webhook"),
    path(
        "integrations/webhooks/<int:webhookendpoint_id>/toggle/",
        integrations.webhook_toggle_view,
        name="integrations-webhook-toggle",
    ),
    path(
        "integrations/deliveries/<int:webhookdelivery_id>/resend/",
        integrations.delivery_resend_view,
        name="integrations-delivery-resend",
    ),
    path("integrations/channels/", channels.channels_view, name="integrations-channels"),
    path(
        "integrations/channels/<int:notificationchannel_id>/",
        channels.channel_view,
        name="integrations-channel",
    ),
    path(
        "integrations/channels/<int:notificationchannel_id>/toggle/",
        channels.channel_toggle_view,
        name="integrations-channel-toggle",
    ),
    path(
        "integrations/channels/<int:notificationchannel_id>/test/",
        channels.channel_test_view,
        name="integrations-channel-test",
    ),
    path("audit/", audit.audit_view, name="audit"),
    path("api/v1/audit/", audit_apis.AuditListApi.as_view(), name="api-audit-list"),
    path("jobs/", jobs.job_runs_view, name="jobs-runs"),
    path("jobs/run/", jobs.job_run_view, name="jobs-run"),
    path("jobs/settings/", jobs.job_settings_view, name="jobs-settings"),
    path("query/", query_views.query_view, name="query"),
    path("query/data.json", query_views.query_data_view, name="query-data"),
    path("query/export.xlsx", query_views.query_export_view, {"fmt": "xlsx"}, name="query-export-xlsx"),
    path("query/export.csv", query_views.query_export_view, {"fmt": "csv"}, name="query-export-csv"),
    path("query/save/", query_views.query_save_view, name="query-save"),
    path("query/saved/<int:saved_query_id>/", query_views.saved_query_view, name="query-saved"),
    path("query/saved/<int:saved_query_id>/delete/", query_views.saved_query_delete_view, name="query-saved-delete"),
    path("dashboard/", dashboard.dashboard_view, name="dashboard"),
    *[
        # One fixed route per tile (not a URL argument): the probe maps every URL argument to an object id.
        path(f"dashboard/tiles/{tile}.json", dashboard.tile_view, {"tile": tile}, name=f"dashboard-tile-{tile}")
        for tile in dashboard_tiles.TILES
    ],
    *[
        path(
            f"dashboard/tiles/{tile}.{fmt}",
            dashboard.tile_export_view,
            {"tile": tile, "fmt": fmt},
            name=f"dashboard-tile-{tile}-{fmt}",
        )
        for tile in dashboard_tiles.TILES
        for fmt in ("xlsx", "csv")
    ],
    path("targets/", include("targets.urls")),
    path("targets/", include("insights.urls")),
    path("api/v1/targets/", include("targets.api_urls")),
    path("benchmarking/", include("benchmarking.urls")),
    path("api/v1/benchmarking/", include("benchmarking.api_urls")),
    path("projects/", include("projects.urls")),
    path("api/v1/projects/", include("projects.api_urls")),
    path("innovation/", include("innovation.urls")),
    path("api/v1/innovation/", include("innovation.api_urls")),
    path("api/v1/hr/", include("integrations.hr.urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The schema's address relative to the docs page, since reversing it would need the tenant's slug. The split
    # view serves Swagger UI's start-up script as a file of its own (?script), as the Content-Security-Policy needs.
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url="../schema/"), name="api-docs"),
]

urlpatterns = [
    path("", auth.root_view, name="root"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password_reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path("password_reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    # The activation (first-login) link names its tenant itself, like a reset link names its user.
    path("activate/<uidb64>/<token>/", accounts.ActivateView.as_view(), name="activate"),
    path("tenants/", auth.tenant_list_view, name="tenant-list"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("t/<slug:tenant_slug>/", include(tenant_patterns)),
    # A listing's read-only page for a notice-board screen: no login, the token names the tenant and the listing.
    path("board/<str:token>/", innovation_board.board_view, name="innovation-board"),
]

handler404 = "lean.apis.page_not_found"
