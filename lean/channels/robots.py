"""Group robots (群机器人): WeCom (企业微信) and DingTalk (钉钉) custom robots, posted to by webhook.

WeCom:    POST <https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…>
          {"msgtype": "markdown", "markdown": {"content": "…"}}  (content at most 4096 bytes)
DingTalk: POST <https://oapi.dingtalk.com/robot/send?access_token=…>&timestamp=<ms>&sign=<…>
          {"msgtype": "markdown", "markdown": {"title": "…", "text": "…"}}
          sign = url-encoded base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")), timestamp in ms;
          only when the robot has a signing secret (加签).
Both answer HTTP 200 with {"errcode": 0, "errmsg": "ok"}; any other errcode is a refusal.
"""

import base64
import hashlib
import hmac
import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from ..outbound import PrivateAddress, check_before_call
from .base import Channel, DeliveryError

TIMEOUT_SECONDS = 10
WECOM_MAX_BYTES = 4096
DINGTALK_MAX_CHARS = 5000


def absolute(url: str) -> str:
    """A link a chat client can open: relative paths get the site's address (LEAN_SITE_URL) when it is set."""
    if not url or url.startswith(("http://", "https://")):
        return url
    site = getattr(settings, "LEAN_SITE_URL", "")
    return f"{site}{url}" if site else ""


def markdown_text(body: str, url: str) -> str:
    """The message's text under its title: the body, and a link back to the page when it has one."""
    parts = [body.strip()] if body.strip() else []
    link = absolute(url)
    if link:
        parts.append(f"[{_('Open in Lean')}]({link})")
    return "\n\n".join(parts)


def _cut_bytes(text: str, limit: int) -> str:
    data = text.encode()
    return text if len(data) <= limit else data[: limit - 3].decode(errors="ignore") + "…"


class RobotChannel(Channel):
    """A robot posts one markdown message per notification; `post` raises DeliveryError on any refusal."""

    def __init__(self, url: str):
        self.url = url

    def send(self, messages) -> int:
        for msg in messages:
            self.post(msg.title, markdown_text(msg.body, msg.url))
        return len(messages)

    def payload(self, title: str, text: str) -> dict:
        raise NotImplementedError

    def address(self) -> str:
        return self.url

    def post(self, title: str, text: str) -> None:
        try:
            check_before_call(self.url)
            response = requests.post(self.address(), json=self.payload(title, text), timeout=TIMEOUT_SECONDS)
        except (requests.RequestException, PrivateAddress) as error:
            raise DeliveryError(str(error)) from error
        if not response.ok:
            raise DeliveryError(f"HTTP {response.status_code}: {response.text[:300]}")
        try:
            answer = response.json()
        except ValueError as error:
            raise DeliveryError(
                _("The robot's answer is not JSON: %(text)s") % {"text": response.text[:300]}
            ) from error
        errcode = answer.get("errcode") if isinstance(answer, dict) else None
        if errcode != 0:
            errmsg = answer.get("errmsg", "") if isinstance(answer, dict) else ""
            raise DeliveryError(f"errcode {errcode}: {errmsg}"[:500])


class WeComChannel(RobotChannel):
    """A WeCom group robot (企业微信群机器人)."""

    kind = "wecom"

    def payload(self, title: str, text: str) -> dict:
        content = f"**{title}**\n{text}" if text else f"**{title}**"
        return {"msgtype": "markdown", "markdown": {"content": _cut_bytes(content, WECOM_MAX_BYTES)}}


def dingtalk_sign(secret: str, timestamp: int) -> str:
    """DingTalk's signature of a request (not yet url-encoded): base64 of HMAC-SHA256 over "<ms>\\n<secret>"."""
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class DingTalkChannel(RobotChannel):
    """A DingTalk custom robot (钉钉自定义机器人), signed when it has a secret."""

    kind = "dingtalk"

    def __init__(self, url: str, secret: str = ""):
        super().__init__(url)
        self.secret = secret

    def address(self) -> str:
        if not self.secret:
            return self.url
        timestamp = int(time.time() * 1000)
        parts = urlsplit(self.url)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("timestamp", "sign")]
        query += [("timestamp", str(timestamp)), ("sign", dingtalk_sign(self.secret, timestamp))]
        return urlunsplit(parts._replace(query=urlencode(query)))

    def payload(self, title: str, text: str) -> dict:
        full = f"#### {title}\n\n{text}" if text else f"#### {title}"
        return {"msgtype": "markdown", "markdown": {"title": title[:100], "text": full[:DINGTALK_MAX_CHARS]}}


def robot_for(channel) -> RobotChannel:
    """The robot of a configured NotificationChannel."""
    if channel.kind == "dingtalk":
        return DingTalkChannel(channel.webhook_url, channel.secret)
    return WeComChannel(channel.webhook_url)
