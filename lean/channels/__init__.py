"""Where notifications go: one interface, four channels.

`Channel.send(messages)` takes `Message`s (recipients, title, body, url). In-app and email send inside the
request (email after commit, as before); the tenant's group robots — WeCom (企业微信) and DingTalk (钉钉) —
get their messages through a Celery task after commit, logged in `ChannelDelivery`, so a slow or broken robot
never slows or breaks a request.
"""

from .base import Channel, DeliveryError, Message
from .email import EmailChannel
from .inapp import InAppChannel
from .robots import DingTalkChannel, WeComChannel, robot_for

__all__ = [
    "Channel",
    "DeliveryError",
    "DingTalkChannel",
    "EmailChannel",
    "InAppChannel",
    "Message",
    "WeComChannel",
    "robot_for",
]
