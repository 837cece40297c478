"""Server-side request forgery: with private addresses not allowed (production's default), a lean office cannot
make the server call into its own network through a webhook, a chat robot or an SSO issuer, neither by typing an
internal address nor by a public name that resolves to one when the call is made."""

import pytest

from integrations import webhooks
from integrations.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from lean.channels import services as channels
from lean.channels.base import DeliveryError
from lean.channels.robots import WeComChannel
from lean.errors import ApplicationError
from lean.outbound import PrivateAddress, check_before_call, saved_url_problem
from lean.sso import issuer_problem
from lean.tenancy import tenant_scope
from tests.integrations.test_webhooks import Receiver

pytestmark = pytest.mark.django_db

INTERNAL = [
    "http://127.0.0.1:6379/",
    "http://localhost:5432/",
    "http://10.1.2.3/hook",
    "http://192.168.0.8/hook",
    "http://169.254.169.254/latest/meta-data/",  # a cloud's metadata service
    "http://[::1]:8000/",
    "http://[fd00::1]/",
]


@pytest.fixture
def public_only(settings):
    settings.LEAN_ALLOW_PRIVATE_URLS = False


@pytest.mark.parametrize("url", INTERNAL)
def test_an_internal_address_is_refused_when_saved(public_only, tenant_a, url):
    assert saved_url_problem(url)
    with tenant_scope(tenant_a.tenant):
        with pytest.raises(ApplicationError) as refused:
            webhooks.endpoint_create(actor=tenant_a.lean_office, url=url, events=[WebhookEvent.LISTING_FINALIZED])
        assert "内部网络" in str(refused.value.field_errors["url"][0])
        with pytest.raises(ApplicationError) as refused:
            channels.channel_create(actor=tenant_a.lean_office, kind="wecom", name="内网", webhook_url=f"{url}?key=k")
        assert "webhook_url" in refused.value.field_errors
        assert not WebhookEndpoint.objects.exists()
    assert issuer_problem(url.rstrip("/"))


def test_a_public_name_is_saved_without_asking_dns(public_only, tenant_a):
    assert saved_url_problem("https://hr.example.com/lean/webhook") is None
    with tenant_scope(tenant_a.tenant):
        webhooks.endpoint_create(
            actor=tenant_a.lean_office, url="https://hr.example.com/hook", events=[WebhookEvent.LISTING_FINALIZED]
        )


def test_a_delivery_to_an_internal_address_is_never_sent(settings, tenant_a):
    receiver = Receiver()
    try:
        with tenant_scope(tenant_a.tenant):
            # Saved while allowed (say, before the setting changed), or a name that now resolves inside.
            webhooks.endpoint_create(
                actor=tenant_a.lean_office, url=receiver.url, events=[WebhookEvent.LISTING_FINALIZED]
            )
            settings.LEAN_ALLOW_PRIVATE_URLS = False
            [delivery] = webhooks.event_emit(event=WebhookEvent.LISTING_FINALIZED, data={}, event_id="ev-ssrf")
            assert webhooks.delivery_attempt(delivery=delivery) is False
            delivery = WebhookDelivery.objects.get(pk=delivery.pk)
            assert "内部网络" in delivery.last_error and delivery.last_status_code is None
        with pytest.raises(DeliveryError):
            WeComChannel(receiver.url + "?key=k").post("标题", "正文")
        assert receiver.received == []
    finally:
        receiver.close()


def test_a_name_resolving_to_loopback_is_refused_before_the_call(public_only):
    with pytest.raises(PrivateAddress):
        check_before_call("http://localhost:9/hook")  # a name, resolved at call time
    with pytest.raises(PrivateAddress):
        check_before_call("https://no-such-host.invalid/hook")  # unresolvable: nothing to call


def test_allowed_for_on_premises_installs(settings):
    settings.LEAN_ALLOW_PRIVATE_URLS = True
    assert saved_url_problem("http://10.1.2.3/hook") is None
    check_before_call("http://127.0.0.1:9/hook")
