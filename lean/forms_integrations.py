"""Input of the lean office's Integrations pages: API keys, webhook endpoints, the delivery log's filter."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .forms import StyledForm
from .models import ApiScope, WebhookDelivery, WebhookEvent


class ApiKeyForm(StyledForm):
    prefix = "key"

    name = forms.CharField(
        label=pgettext_lazy("api key", "Name"),
        max_length=100,
        help_text=_("Who uses the key, for example “HR system (production)”."),
    )
    scopes = forms.MultipleChoiceField(label=_("Scopes"), choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "off"

    def scope_groups(self):
        """The scope checkboxes split into what reads and what writes, for two columns."""
        checked = {str(v) for v in (self["scopes"].value() or [])}
        groups = {"read": [], "write": []}
        for value, label in ApiScope.choices:
            choice = {"value": value, "label": label, "checked": value in checked}
            choice["id"] = "id_key-scopes_" + value.replace(":", "-")
            groups["write" if value.endswith(":write") else "read"].append(choice)
        return [(_("Read"), groups["read"]), (_("Write"), groups["write"])]


class WebhookEndpointForm(StyledForm):
    prefix = "webhook"

    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Your receiver's address; events arrive as a signed POST of JSON."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["url"].widget.attrs.update(placeholder="https://hr.example.com/lean/webhook", inputmode="url")


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *WebhookDelivery.Status.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].widget.attrs["class"] = "form-select form-select-sm"
