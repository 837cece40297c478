"""Notification channels in a real browser on a phone: the lean office adds a WeCom robot, sends a test message
that a local receiver takes, and reads the outcome in the delivery log."""

import pytest

from lean.models import NotificationChannel
from lean.tenancy import tenant_scope
from tests.lean.test_channels import Receiver

from .conftest import screenshot
from .test_targets import sign_in

pytestmark = pytest.mark.browser


def test_add_a_robot_and_send_a_test_message_on_a_phone(page, live_server, transactional_db, tenant_a):
    robot = Receiver()
    try:
        sign_in(page, live_server.url, tenant_a.lean_office)
        page.goto(f"{live_server.url}/t/alpha/integrations/channels/")
        page.check("#channel-form input[value=wecom]")
        page.fill("#id_channel-name", "精益办工作群")
        page.fill("#id_channel-webhook_url", f"{robot.base}/cgi-bin/webhook/send")  # no key: refused
        page.click("#channel-form button[type=submit]")
        assert page.locator("#channel-form .invalid-feedback").count() >= 1
        page.fill("#id_channel-webhook_url", robot.wecom_url)
        page.click("#channel-form button[type=submit]")
        page.wait_for_url("**/integrations/channels/*/")
        page.click("#test-form button[type=submit]")
        page.wait_for_selector("#delivery-log tbody tr[data-delivery]")
        assert page.locator("#delivery-log tbody .badge.text-bg-success").count() == 1  # sent
        screenshot(page, "channels-phone")
        assert robot.received and robot.received[0][1] == {"key": "test-key"}
        with tenant_scope(tenant_a.tenant):
            assert NotificationChannel.objects.get().name == "精益办工作群"
    finally:
        robot.close()
