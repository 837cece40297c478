"""Input of the notification channels pages: a channel (WeCom or DingTalk group robot) and the log filter."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .forms import StyledForm
from .models import ChannelDelivery, NotificationChannel, Unit


class ChannelForm(StyledForm):
    """Add (with `kind`) or edit (without: a channel keeps its kind) a channel. The secret is write-only: it is
    never rendered back, and left blank on edit it stays as it is."""

    prefix = "channel"

    kind = forms.ChoiceField(label=_("Kind"), choices=NotificationChannel.Kind.choices, widget=forms.RadioSelect)
    name = forms.CharField(
        label=pgettext_lazy("channel", "Name"),
        max_length=100,
        help_text=_("For example “Lean office group”."),
    )
    webhook_url = forms.CharField(
        label=_("Webhook URL"),
        max_length=500,
        help_text=_("Copy it from the robot's settings in the group chat."),
    )
    secret = forms.CharField(
        label=_("Signing secret (DingTalk)"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("The “SEC…” secret of a DingTalk robot secured by signing (加签). WeCom robots have none."),
    )
    clear_secret = forms.BooleanField(label=_("Remove the signing secret"), required=False)
    unit = forms.ModelChoiceField(
        label=_("Only for the unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("The whole enterprise"),
        help_text=_("Then only notifications to members of this unit and the units below it are posted."),
    )

    def __init__(self, *args, channel: NotificationChannel | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(active=True).order_by("path")
        self.fields["unit"].label_from_instance = lambda unit: f"{'— ' * unit.depth}{unit.name}"
        url = self.fields["webhook_url"].widget.attrs
        url.update(
            placeholder="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…", inputmode="url", autocomplete="off"
        )
        self.fields["secret"].widget.attrs["autocomplete"] = "new-password"
        self.channel = channel
        if channel is None:
            del self.fields["clear_secret"]
        else:
            del self.fields["kind"]
            if channel.kind != NotificationChannel.Kind.DINGTALK:
                del self.fields["secret"], self.fields["clear_secret"]
            else:
                self.fields["secret"].help_text = (
                    _("A secret is saved: leave this blank to keep it.")
                    if channel.secret
                    else _("No secret is saved: the robot's posts are not signed.")
                )
                if not channel.secret:
                    del self.fields["clear_secret"]


class ChannelDeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *ChannelDelivery.Status.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].widget.attrs["class"] = "form-select form-select-sm"
