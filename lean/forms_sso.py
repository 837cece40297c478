"""Input of the lean office's single sign-on page (lean/sso.py checks the rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import StyledForm


class SsoSettingsForm(StyledForm):
    enabled = forms.BooleanField(label=_("Members may sign in through this provider"), required=False)
    button_label = forms.CharField(
        label=_("Name on the sign-in button"),
        max_length=100,
        required=False,
        help_text=_("Shown as “Sign in with …” on the enterprise's sign-in page, for example “企业统一认证”."),
    )
    issuer = forms.CharField(
        label=_("Issuer URL"),
        max_length=500,
        required=False,
        help_text=_("The provider's address; Lean reads its configuration from /.well-known/openid-configuration."),
    )
    client_id = forms.CharField(label=_("Client ID"), max_length=200, required=False)
    # Write-only: never rendered back (render_value=False), a blank value keeps the stored secret.
    client_secret = forms.CharField(
        label=_("Client secret"),
        max_length=500,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
    )
    scopes = forms.CharField(
        label=_("Scopes"),
        max_length=300,
        help_text=_("Separated by spaces; openid is required. Add the scope that releases the employee number."),
    )
    employee_number_claim = forms.CharField(
        label=_("Employee number claim"),
        max_length=100,
        help_text=_("The claim holding the employee number; when it is missing, preferred_username is used."),
    )

    def __init__(self, *args, has_secret: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        secret = self.fields["client_secret"]
        secret.widget.attrs.update(autocomplete="new-password")
        if has_secret:
            secret.help_text = _("A secret is stored. Leave this blank to keep it; type a new one to replace it.")
            secret.widget.attrs["placeholder"] = "••••••••"
        else:
            secret.help_text = _("No secret is stored yet.")
        self.fields["issuer"].widget.attrs.update(
            placeholder="https://sso.example.com/realms/lean", inputmode="url", autocomplete="off"
        )
        self.fields["client_id"].widget.attrs["autocomplete"] = "off"
