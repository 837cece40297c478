"""Pages of innovation, mounted under /t/<tenant>/innovation/."""

from django.urls import path

from .views import archive, board, contributions, incentives, listings, rules, suggestions

urlpatterns = [
    # archives (员工创新电子档案)
    path("", archive.my_archive_view, name="innovation-archive"),
    path("people/<int:membership_id>/", archive.member_archive_view, name="innovation-member"),
    path("units/", archive.tenant_archive_view, name="innovation-units"),
    path("units/<int:unit_id>/", archive.unit_archive_view, name="innovation-unit"),
    # contributions: the online query, recording, verification, re-scoring, objections
    path("contributions/", contributions.contribution_list_view, name="innovation-contributions"),
    path("contributions/new/", contributions.contribution_new_view, name="innovation-contribution-new"),
    path(
        "contributions/<int:contribution_id>/", contributions.contribution_detail_view, name="innovation-contribution"
    ),
    path(
        "contributions/<int:contribution_id>/verify/",
        contributions.contribution_verify_view,
        name="innovation-contribution-verify",
    ),
    path(
        "contributions/<int:contribution_id>/reject/",
        contributions.contribution_reject_view,
        name="innovation-contribution-reject",
    ),
    path(
        "contributions/<int:contribution_id>/rescore/",
        contributions.contribution_rescore_view,
        name="innovation-contribution-rescore",
    ),
    path(
        "contributions/<int:contribution_id>/object/",
        contributions.objection_new_view,
        name="innovation-objection-new",
    ),
    # suggestions (合理化建议)
    path("suggestions/", suggestions.suggestion_list_view, name="innovation-suggestions"),
    path("suggestions/new/", suggestions.suggestion_new_view, name="innovation-suggestion-new"),
    path("suggestions/<int:suggestion_id>/", suggestions.suggestion_detail_view, name="innovation-suggestion"),
    path("suggestions/<int:suggestion_id>/act/", suggestions.suggestion_act_view, name="innovation-suggestion-act"),
    # rules (积分制), types and unit tuning (丰富和微调)
    path("rules/", rules.rules_view, name="innovation-rules"),
    path("rules/new/", rules.rule_version_new_view, name="innovation-rules-new"),
    path("rules/preview/", rules.rules_preview_view, name="innovation-rules-preview"),
    path("rules/<int:ruleversion_id>/", rules.rule_version_view, name="innovation-rule-version"),
    path("types/new/", rules.type_new_view, name="innovation-type-new"),
    path("tuning/<int:unit_id>/", rules.tuning_view, name="innovation-tuning"),
    # public listings (创新公示) and objections
    path("listings/", listings.listing_list_view, name="innovation-listings"),
    path("listings/new/", listings.listing_new_view, name="innovation-listing-new"),
    path("listings/settings/", listings.settings_view, name="innovation-settings"),
    path("listings/<int:listing_id>/", listings.listing_detail_view, name="innovation-listing"),
    path("listings/<int:listing_id>/finalize/", listings.listing_finalize_view, name="innovation-listing-finalize"),
    path("listings/<int:listing_id>/board/", board.board_create_view, name="innovation-board-create"),
    path("listings/<int:listing_id>/board/revoke/", board.board_revoke_view, name="innovation-board-revoke"),
    path(
        "objections/<int:objection_id>/resolve/", listings.objection_resolve_view, name="innovation-objection-resolve"
    ),
    # incentives (激励)
    path("incentives/", incentives.incentive_list_view, name="innovation-incentives"),
    path("incentives/new/", incentives.incentive_new_view, name="innovation-incentive-new"),
    path("studios/new/", incentives.studio_new_view, name="innovation-studio-new"),
]
