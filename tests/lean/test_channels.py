"""Notification channels against a local HTTP receiver: WeCom and DingTalk payloads, DingTalk's signature,
retries and the delivery log, unit and tenant scoping, bounded queries, and the lean office's pages."""

import base64
import hashlib
import hmac
import json
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lean.channels import DingTalkChannel, Message, WeComChannel
from lean.channels import services as channel_services
from lean.channels.services import MAX_ATTEMPTS, channel_create, channel_set_active, channel_update
from lean.errors import ApplicationError
from lean.models import ChannelDelivery, NotificationChannel
from lean.notify import notify, notify_each
from lean.tasks import deliver_channel_message
from lean.tenancy import tenant_scope
from tests.factories import make_member

pytestmark = pytest.mark.django_db

OK = (200, {"errcode": 0, "errmsg": "ok"})


class Receiver:
    """A robot on 127.0.0.1: answers the queued (status, json) in turn (then OK) and keeps every request as
    (path, query, json body). With `dingtalk_secret` it checks DingTalk's signature as DingTalk does and answers
    errcode 310000 when it is wrong."""

    def __init__(self, answers=(), dingtalk_secret=""):
        self.answers, self.received, self.secret = list(answers), [], dingtalk_secret
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                receiver.received.append((parts.path, query, body))
                status, answer = receiver.answers.pop(0) if receiver.answers else OK
                if receiver.secret and not receiver.signed(query):
                    status, answer = 200, {"errcode": 310000, "errmsg": "sign not match"}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def signed(self, query) -> bool:
        try:
            timestamp = int(query["timestamp"])
        except (KeyError, ValueError):
            return False
        if abs(time.time() * 1000 - timestamp) > 3600 * 1000:
            return False
        expected = hmac.new(self.secret.encode(), f"{timestamp}\n{self.secret}".encode(), hashlib.sha256).digest()
        return hmac.compare_digest(base64.b64encode(expected).decode(), query.get("sign", ""))

    @property
    def wecom_url(self):
        return f"{self.base}/cgi-bin/webhook/send?key=test-key"

    @property
    def dingtalk_url(self):
        return f"{self.base}/robot/send?access_token=test-token"

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver():
    made = []

    def make(answers=(), dingtalk_secret=""):
        made.append(Receiver(answers, dingtalk_secret))
        return made[-1]

    yield make
    for r in made:
        r.close()


@contextmanager
def eager_tasks():
    """Run the delivery task in place, its retries too (their backoff is not waited for)."""
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


def wecom(ts, url, **kwargs):
    return channel_create(actor=ts.lean_office, kind="wecom", name=kwargs.pop("name", "群"), webhook_url=url, **kwargs)


def run_deliveries(ts, deliveries):
    with eager_tasks():
        for d in deliveries:
            deliver_channel_message.apply(args=[ts.tenant.pk, d.pk])


def test_a_notification_is_posted_to_wecom_as_markdown_after_commit(
    tenant_a, receiver, settings, django_capture_on_commit_callbacks
):
    settings.LEAN_SITE_URL = "https://lean.example.com"
    a, robot = tenant_a, receiver()
    with tenant_scope(a.tenant):
        wecom(a, robot.wecom_url)
        with mock.patch.object(deliver_channel_message, "apply_async") as queued:
            with django_capture_on_commit_callbacks(execute=True):
                made = notify(
                    recipients=[a.manager, a.employee], title="课题待审批", body="请审批", url="/t/alpha/p/1/"
                )
                assert made == 2
                [delivery] = ChannelDelivery.objects.all()
                assert queued.call_count == 0  # nothing leaves before the commit
        queued.assert_called_once_with(args=[a.tenant.pk, delivery.pk], countdown=0)
    run_deliveries(a, [delivery])
    [(path, query, body)] = robot.received
    assert path == "/cgi-bin/webhook/send" and query == {"key": "test-key"}
    assert body["msgtype"] == "markdown"
    content = body["markdown"]["content"]
    assert content.startswith("**课题待审批**") and "请审批" in content
    assert "(https://lean.example.com/t/alpha/p/1/)" in content
    with tenant_scope(a.tenant):
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.error) == ("sent", 1, "") and delivery.sent_at


def test_dingtalk_posts_are_signed_and_the_receiver_verifies_them(tenant_a, receiver):
    a, robot = tenant_a, receiver(dingtalk_secret="SECabc123")
    with tenant_scope(a.tenant):
        channel_create(
            actor=a.lean_office, kind="dingtalk", name="钉钉群", webhook_url=robot.dingtalk_url, secret="SECabc123"
        )
        notify(recipients=[a.employee], title="积分已公示", body="请查看")
        deliveries = list(ChannelDelivery.objects.all())
    run_deliveries(a, deliveries)
    [(path, query, body)] = robot.received
    assert path == "/robot/send" and query["access_token"] == "test-token"
    assert robot.signed(query)
    assert body == {"msgtype": "markdown", "markdown": {"title": "积分已公示", "text": "#### 积分已公示\n\n请查看"}}
    with tenant_scope(a.tenant):
        assert ChannelDelivery.objects.get().status == "sent"


def test_a_wrong_dingtalk_secret_is_refused_and_logged_with_the_robots_answer(tenant_a, receiver):
    a, robot = tenant_a, receiver(dingtalk_secret="SECright")
    with tenant_scope(a.tenant):
        channel = channel_create(
            actor=a.lean_office, kind="dingtalk", name="钉钉群", webhook_url=robot.dingtalk_url, secret="SECwrong"
        )
        from lean.channels.services import channel_test

        delivery = channel_test(actor=a.lean_office, channel=channel)
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert "310000" in delivery.error and "sign not match" in delivery.error


def test_an_errcode_or_a_500_is_logged_as_failed_and_retried_until_it_is_taken(tenant_a, receiver):
    a = tenant_a
    robot = receiver([(200, {"errcode": 45009, "errmsg": "api freq out of limit"}), (500, {"error": "boom"})])
    with tenant_scope(a.tenant):
        wecom(a, robot.wecom_url)
        notify(recipients=[a.employee], title="提醒")
        [delivery] = ChannelDelivery.objects.all()
    with mock.patch.object(channel_services, "delivery_attempt", wraps=channel_services.delivery_attempt) as attempt:
        run_deliveries(a, [delivery])
    assert attempt.call_count == 3 and len(robot.received) == 3
    with tenant_scope(a.tenant):
        delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.error) == ("sent", 3, "")


def test_after_the_last_attempt_the_delivery_is_failed_with_the_last_error(tenant_a, receiver):
    a = tenant_a
    robot = receiver([(200, {"errcode": 93000, "errmsg": "invalid webhook url"})] * (MAX_ATTEMPTS + 2))
    with tenant_scope(a.tenant):
        wecom(a, robot.wecom_url)
        notify(recipients=[a.employee], title="提醒")
        [delivery] = ChannelDelivery.objects.all()
    run_deliveries(a, [delivery])
    assert len(robot.received) == MAX_ATTEMPTS
    with tenant_scope(a.tenant):
        delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", MAX_ATTEMPTS)
    assert delivery.error == "errcode 93000: invalid webhook url"
    run_deliveries(a, [delivery])  # a failed delivery is not posted again by a stray retry
    assert len(robot.received) == MAX_ATTEMPTS


def test_an_unreachable_robot_is_logged_not_raised(tenant_a):
    a = tenant_a
    with tenant_scope(a.tenant):
        wecom(a, "http://127.0.0.1:9/cgi-bin/webhook/send?key=k")
        notify(recipients=[a.employee], title="提醒")
        [delivery] = ChannelDelivery.objects.all()
        from lean.channels.services import delivery_attempt

        assert not delivery_attempt(delivery=delivery)
        delivery.refresh_from_db()
        assert delivery.status == "pending" and delivery.attempts == 1 and delivery.error


def test_a_unit_scoped_channel_only_gets_notifications_to_its_units_subtree(tenant_a, receiver):
    a = tenant_a
    whole, unit_only = receiver(), receiver()
    with tenant_scope(a.tenant):
        wecom(a, whole.wecom_url, name="全公司")
        wecom(a, unit_only.wecom_url, name="一分公司", unit=a.unit)
        notify(recipients=[a.employee], title="班组成员的通知")  # the team lies under the unit
        notify(recipients=[a.reviewer], title="总部专家的通知")  # HQ: outside the unit
        notify(recipients=[a.reviewer, a.manager], title="两人的通知")  # one of them in the unit: posted once
        notify(recipients=[a.lean_office], title="自己的操作", exclude=a.lean_office)  # nobody left: nothing
        deliveries = list(ChannelDelivery.objects.all())
    run_deliveries(a, deliveries)
    assert sorted(b["markdown"]["content"] for _p, _q, b in whole.received) == [
        "**两人的通知**",
        "**总部专家的通知**",
        "**班组成员的通知**",
    ]
    assert sorted(b["markdown"]["content"] for _p, _q, b in unit_only.received) == [
        "**两人的通知**",
        "**班组成员的通知**",
    ]


def test_a_paused_channel_gets_nothing_and_a_queued_delivery_is_not_posted_once_paused(tenant_a, receiver):
    a, robot = tenant_a, receiver()
    with tenant_scope(a.tenant):
        channel = wecom(a, robot.wecom_url)
        notify(recipients=[a.employee], title="暂停前")
        [queued] = ChannelDelivery.objects.all()
        channel_set_active(actor=a.lean_office, channel=channel, active=False)
        notify(recipients=[a.employee], title="暂停后")
        assert ChannelDelivery.objects.count() == 1
    run_deliveries(a, [queued])
    assert robot.received == []
    with tenant_scope(a.tenant):
        queued.refresh_from_db()
        assert queued.status == "failed"


def test_one_tenants_channel_never_receives_another_tenants_notifications(tenant_a, tenant_b, receiver):
    a, b = tenant_a, tenant_b
    robot_a, robot_b = receiver(), receiver()
    with tenant_scope(b.tenant):
        wecom(b, robot_b.wecom_url, name="乙群")
    with tenant_scope(a.tenant):
        wecom(a, robot_a.wecom_url, name="甲群")
        notify(recipients=[a.employee, a.manager], title="甲的通知")
        deliveries = list(ChannelDelivery.objects.all())
    assert len(deliveries) == 1
    run_deliveries(a, deliveries)
    with tenant_scope(b.tenant):
        assert ChannelDelivery.objects.count() == 0
        with pytest.raises(ChannelDelivery.DoesNotExist):  # tenant B's task door cannot load A's delivery
            ChannelDelivery.objects.get(pk=deliveries[0].pk)
    assert deliver_channel_message.apply(args=[b.tenant.pk, deliveries[0].pk]).get() == "gone"
    assert [body["markdown"]["content"] for _p, _q, body in robot_a.received] == ["**甲的通知**"]
    assert robot_b.received == []


@pytest.mark.parametrize("with_channels", [False, True])
def test_notify_each_queries_do_not_grow_with_the_recipients(tenant_a, with_channels):
    a = tenant_a
    with tenant_scope(a.tenant):
        if with_channels:
            wecom(a, "http://127.0.0.1:9/send?key=k", name="全公司")
            wecom(a, "http://127.0.0.1:9/send?key=k2", name="一分公司", unit=a.unit)
        people = [make_member(a.team, ["employee"]) for _ in range(20)]

        def count(recipients):
            with CaptureQueriesContext(connection) as queries:
                notify_each([(recipients, "标题", "正文", "/x/"), (recipients[:1], "另一条", "", "")])
            return len(queries)

        small, large = count(people[:2]), count(people)
        assert small == large
        assert ChannelDelivery.objects.count() == (8 if with_channels else 0)  # 2 messages × 2 channels, twice


def test_robot_messages_fit_the_vendors_limits():
    long = "很长的正文" * 2000
    wecom_payload = WeComChannel("http://x/?key=k").payload("标题", long)
    assert len(wecom_payload["markdown"]["content"].encode()) <= 4096
    ding = DingTalkChannel("http://x/?access_token=t").payload("标" * 300, long)
    assert len(ding["markdown"]["title"]) == 100 and len(ding["markdown"]["text"]) <= 5000
    assert Message(recipients=(), title="t").body == ""


# --- services: validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "url", "field"),
    [
        ("wecom", "ftp://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "webhook_url"),
        ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send", "webhook_url"),
        ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=", "webhook_url"),
        ("dingtalk", "https://oapi.dingtalk.com/robot/send", "webhook_url"),
        ("dingtalk", "not a url", "webhook_url"),
        ("slack", "https://hooks.example.com/?key=k", "kind"),
    ],
)
def test_bad_channels_are_refused_and_nothing_is_stored(tenant_a, kind, url, field):
    a = tenant_a
    with tenant_scope(a.tenant):
        with pytest.raises(ApplicationError) as error:
            channel_create(actor=a.lean_office, kind=kind, name="群", webhook_url=url)
        assert field in error.value.field_errors
        assert NotificationChannel.objects.count() == 0


def test_only_the_lean_office_manages_channels_and_names_are_unique(tenant_a):
    a = tenant_a
    with tenant_scope(a.tenant):
        for member in (a.manager, a.reviewer, a.employee):
            with pytest.raises(ApplicationError) as error:
                channel_create(
                    actor=member,
                    kind="wecom",
                    name="群",
                    webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
                )
            assert error.value.code == "permission_denied"
        channel = wecom(a, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", name="精益群")
        with pytest.raises(ApplicationError) as error:
            wecom(a, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k2", name=" 精益群 ")
        assert "name" in error.value.field_errors
        assert NotificationChannel.objects.count() == 1
        with pytest.raises(ApplicationError):
            channel_update(actor=a.lean_office, channel=channel, name="新名字", webhook_url="https://x.example.com/")
        channel.refresh_from_db()
        assert channel.name == "精益群"  # a refused edit changes nothing


def test_the_secret_is_write_only_and_kept_out_of_the_history(tenant_a):
    a = tenant_a
    url = "https://oapi.dingtalk.com/robot/send?access_token=t"
    with tenant_scope(a.tenant):
        channel = channel_create(actor=a.lean_office, kind="dingtalk", name="钉钉", webhook_url=url, secret="SEC1")
        channel_update(actor=a.lean_office, channel=channel, name="钉钉群", webhook_url=url, secret="")
        channel.refresh_from_db()
        assert (channel.name, channel.secret) == ("钉钉群", "SEC1")  # blank keeps it
        channel_update(actor=a.lean_office, channel=channel, name="钉钉群", webhook_url=url, secret="SEC2")
        channel.refresh_from_db()
        assert channel.secret == "SEC2"
        channel_update(actor=a.lean_office, channel=channel, name="钉钉群", webhook_url=url, clear_secret=True)
        channel.refresh_from_db()
        assert channel.secret == ""
        history = list(channel.history.all())
        assert len(history) == 4 and history[0].history_user == a.lean_office.user
        assert not hasattr(history[0], "secret")


# --- pages ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"), [("lean_office", 200), ("manager", 403), ("reviewer", 403), ("employee", 403)]
)
def test_who_may_open_the_channels_pages(client, two_tenants, login, role, expected):
    a, _b = two_tenants
    login(getattr(a, role))
    channel = a.extra["channel"]
    base = f"/t/{a.tenant.slug}/integrations/channels/"
    assert client.get(base).status_code == expected
    assert client.get(f"{base}{channel.pk}/").status_code == expected
    if expected == 403:
        assert client.post(f"{base}{channel.pk}/toggle/").status_code == 403
        assert client.post(f"{base}{channel.pk}/test/").status_code == 403
        assert client.post(base, {"channel-kind": "wecom"}).status_code == 403


def test_the_lean_office_adds_a_channel_and_sees_clear_errors(client, tenant_a, login):
    a = tenant_a
    login(a.lean_office)
    client.cookies.load({"django_language": "en"})
    url = f"/t/{a.tenant.slug}/integrations/channels/"
    page = client.get(url)
    assert page.status_code == 200 and "Add a group robot" in page.content.decode()
    bad = client.post(
        url,
        {"channel-kind": "wecom", "channel-name": "Lean group", "channel-webhook_url": "https://qyapi.weixin.qq.com/x"},
    )
    assert bad.status_code == 400 and "carries its key" in bad.content.decode()
    with tenant_scope(a.tenant):
        assert NotificationChannel.objects.count() == 0
    good = client.post(
        url,
        {
            "channel-kind": "dingtalk",
            "channel-name": "Lean group",
            "channel-webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=abc",
            "channel-secret": "SECtopsecret",
            "channel-unit": a.unit.pk,
        },
    )
    with tenant_scope(a.tenant):
        channel = NotificationChannel.objects.get()
    assert good.status_code == 302 and good["Location"].endswith(f"/channels/{channel.pk}/")
    assert (channel.kind, channel.unit_id, channel.secret, channel.created_by_id) == (
        "dingtalk",
        a.unit.pk,
        "SECtopsecret",
        a.lean_office.pk,
    )
    detail = client.get(good["Location"]).content.decode()
    assert "SECtopsecret" not in detail and "A secret is saved" in detail
    listing = client.get(url).content.decode()
    assert "Lean group" in listing and "SECtopsecret" not in listing


def test_a_unit_of_another_tenant_cannot_be_chosen(client, two_tenants, login):
    a, b = two_tenants
    login(a.lean_office)
    response = client.post(
        f"/t/{a.tenant.slug}/integrations/channels/",
        {
            "channel-kind": "wecom",
            "channel-name": "x",
            "channel-webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
            "channel-unit": b.unit.pk,
        },
    )
    assert response.status_code == 400
    with tenant_scope(a.tenant):
        assert not NotificationChannel.objects.filter(name="x").exists()


def test_edit_pause_and_test_message_from_the_page(client, tenant_a, login, receiver):
    a, robot = tenant_a, receiver([(200, {"errcode": 0, "errmsg": "ok"}), (200, {"errcode": 93000, "errmsg": "bad"})])
    with tenant_scope(a.tenant):
        channel = wecom(a, robot.wecom_url, name="精益群")
    login(a.lean_office)
    client.cookies.load({"django_language": "en"})
    url = f"/t/{a.tenant.slug}/integrations/channels/{channel.pk}/"
    sent = client.post(f"{url}test/", follow=True).content.decode()
    assert "The test message was posted" in sent
    assert robot.received[0][2]["markdown"]["content"].startswith("**Test message from Lean**")
    refused = client.post(f"{url}test/", follow=True).content.decode()
    assert "did not take the test message" in refused and "errcode 93000: bad" in refused
    with tenant_scope(a.tenant):
        assert list(ChannelDelivery.objects.values_list("status", "is_test")) == [("failed", True), ("sent", True)]
    assert client.post(f"{url}toggle/").status_code == 302
    with tenant_scope(a.tenant):
        channel.refresh_from_db()
        assert not channel.active
    saved = client.post(url, {"channel-name": "新名字", "channel-webhook_url": robot.wecom_url, "channel-unit": ""})
    assert saved.status_code == 302
    bad = client.post(url, {"channel-name": "新名字", "channel-webhook_url": "javascript:alert(1)"})
    assert bad.status_code == 400 and "Enter an http(s) URL." in bad.content.decode()
    with tenant_scope(a.tenant):
        channel.refresh_from_db()
        assert (channel.name, channel.webhook_url) == ("新名字", robot.wecom_url)
    log = client.get(url, {"status": "failed"}, HTTP_HX_REQUEST="true")
    assert log.status_code == 200 and "errcode 93000" in log.content.decode() and "<html" not in log.content.decode()


def test_the_channels_page_queries_do_not_grow_with_channels_and_deliveries(client, tenant_a, login):
    a = tenant_a
    login(a.lean_office)
    url = f"/t/{a.tenant.slug}/integrations/channels/"

    def grow(n):
        with tenant_scope(a.tenant):
            start = NotificationChannel.objects.count()
            for i in range(start, start + n):
                channel = wecom(a, f"http://127.0.0.1:9/send?key=k{i}", name=f"群{i}", unit=a.unit if i % 2 else None)
                ChannelDelivery.objects.bulk_create(
                    [ChannelDelivery(tenant=a.tenant, channel=channel, title=f"t{j}") for j in range(3)]
                )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    grow(2)
    small = queries()
    grow(10)
    assert queries() == small
    with tenant_scope(a.tenant):
        channel = NotificationChannel.objects.first()
    detail = f"{url}{channel.pk}/"
    with CaptureQueriesContext(connection) as before:
        client.get(detail)
    with tenant_scope(a.tenant):
        ChannelDelivery.objects.bulk_create(
            [ChannelDelivery(tenant=a.tenant, channel=channel, title=f"x{j}") for j in range(30)]
        )
    with CaptureQueriesContext(connection) as after:
        client.get(detail)
    assert len(after) == len(before)


def test_the_demo_gives_huaxin_two_paused_channels_with_example_addresses(db):
    from config.demo import channels as channels_demo
    from tests.factories import make_tenant_set

    ts = make_tenant_set("huaxin", "华信")
    assert channels_demo.seed(ts.tenant) and not channels_demo.seed(ts.tenant)  # a second start adds nothing
    with tenant_scope(ts.tenant):
        channels = list(NotificationChannel.objects.order_by("kind"))
        assert [(c.kind, c.active) for c in channels] == [("dingtalk", False), ("wecom", False)]
        assert all("EXAMPLE" in c.webhook_url for c in channels)
        notify(recipients=[ts.employee], title="演示")
        assert ChannelDelivery.objects.count() == 0
