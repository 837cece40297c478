"""The tenant's own settings, as the lean office edits them."""

from django import forms
from django.utils.translation import gettext_lazy as _


class TenantSettingsForm(forms.Form):
    ranking_enabled = forms.BooleanField(
        label=_("Show employees their rank in their unit"),
        required=False,
        help_text=_(
            "Off by default: the archive, the home page and the HR API show points and contributions without a "
            "rank, and the unit page lists no top contributors."
        ),
    )
