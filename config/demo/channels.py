"""Demo step of the notification channels: huaxin has a WeCom robot for the lean office's group and a DingTalk robot
for the first generation company, both paused and with example addresses (nothing is ever posted from the demo),
so the page shows how a channel is set up, scoped to a unit and tested."""

from lean.channels.services import channel_create, channel_set_active
from lean.models import Membership, NotificationChannel, Role, Unit
from lean.tenancy import tenant_scope

# tenant slug → [(kind, name, webhook URL, secret, unit code or None)]: example addresses only, never real ones.
CHANNELS = {
    "huaxin": [
        ("wecom", "精益办工作群", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=EXAMPLE-0000-KEY", "", None),
        (
            "dingtalk",
            "第一发电公司精益群",
            "https://oapi.dingtalk.com/robot/send?access_token=EXAMPLE0000TOKEN",
            "SECEXAMPLE0000SECRET",
            "GEN1",
        ),
    ],
}


def seed(tenant) -> bool:
    """The tenant's paused demo channels, once; False when they are there (or the tenant has none)."""
    if tenant.slug not in CHANNELS:
        return False
    with tenant_scope(tenant):
        if NotificationChannel.objects.exists():
            return False
        office = Membership.objects.filter(roles__contains=[Role.LEAN_OFFICE], active=True).order_by("pk").first()
        if office is None:
            return False
        for kind, name, url, secret, unit_code in CHANNELS[tenant.slug]:
            unit = Unit.objects.filter(code=unit_code).first() if unit_code else None
            channel = channel_create(actor=office, kind=kind, name=name, webhook_url=url, secret=secret, unit=unit)
            channel_set_active(actor=office, channel=channel, active=False)
    return True
