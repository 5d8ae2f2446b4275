"""Where notices and alerts go: the mail server and the team-chat robot, as plain values.

Each value comes from the 通知 section of Settings, and an environment variable overrides it
(:data:`ENV`), so a scheduled job can carry its own account. Passwords and robot secrets come only
from the environment or the OS keyring (the caller looks the keyring up and passes it in
``secrets``); a workbook is shared and mailed around, so it never holds one.

Also pure and here: the robots' documented message bodies (:func:`robot_payload`) and their
signatures (:func:`dingtalk_sign`, :func:`feishu_sign`); :mod:`workbook.app.delivery` posts them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .book import Value
from .errors import InputError
from .schema import Label, code_of
from .settings import Settings

ENV = {
    "smtp_host": "TRACK_XLS_SMTP_HOST",
    "smtp_port": "TRACK_XLS_SMTP_PORT",
    "smtp_tls": "TRACK_XLS_SMTP_TLS",
    "smtp_user": "TRACK_XLS_SMTP_USER",
    "smtp_password": "TRACK_XLS_SMTP_PASSWORD",
    "smtp_from": "TRACK_XLS_SMTP_FROM",
    "webhook_url": "TRACK_XLS_WEBHOOK_URL",
    "webhook_kind": "TRACK_XLS_WEBHOOK_KIND",
    "webhook_secret": "TRACK_XLS_WEBHOOK_SECRET",
    "supervisors": "TRACK_XLS_SUPERVISORS",
}
SECRETS = ("smtp_password", "webhook_secret")
TLS_MODES = {"none": Label("无", "none"), "starttls": Label("STARTTLS", "starttls"), "ssl": Label("SSL", "ssl")}
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}
ROBOTS = {"wecom": Label("企业微信", "wecom"), "dingtalk": Label("钉钉", "dingtalk"),
          "feishu": Label("飞书", "feishu"), "generic": Label("通用", "generic")}
_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
_SEPARATORS = re.compile(r"[,;，；、\s]+")


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    tls: str  # a key of TLS_MODES
    sender: str
    user: str = ""
    password: str = ""


@dataclass(frozen=True)
class Robot:
    kind: str  # a key of ROBOTS
    url: str
    secret: str = ""


@dataclass(frozen=True)
class Channels:
    smtp: Smtp | None
    robot: Robot | None
    supervisors: tuple[str, ...]  # e-mail addresses
    contacts: Mapping[str, tuple[str, str]]  # name -> (e-mail, mobile)

    def address_of(self, person: str) -> str | None:
        """A person's e-mail: the text itself when it is an address, else from the contacts."""
        person = (person or "").strip()
        if is_address(person):
            return person
        mail = self.contacts.get(person, ("", ""))[0]
        return mail if is_address(mail) else None

    def mobile_of(self, person: str) -> str:
        return self.contacts.get((person or "").strip(), ("", ""))[1]


def is_address(text: str) -> bool:
    return bool(_ADDRESS.match((text or "").strip()))


def address_in(text: str) -> str | None:
    """The first e-mail address in a free-text cell such as 联系方式 ('张伟 zhangwei@example.com')."""
    return next((part for part in _SEPARATORS.split(text or "") if is_address(part)), None)


def read_channels(settings: Settings, env: Mapping[str, str], secrets: Mapping[str, str], lang: str) -> Channels:
    """The channels configured by Settings, ``env`` (wins) and ``secrets`` (the keyring, when the
    environment has no password or secret)."""
    values: dict[str, tuple[Value, str]] = dict(settings.notify)
    for key, name in ENV.items():
        if env.get(name, "").strip():
            values[key] = (env[name].strip(), name)
    for key in SECRETS:
        if key not in values and secrets.get(key):
            values[key] = (secrets[key], "keyring")

    def text(key: str) -> str:
        value = values.get(key, ("", ""))[0]
        return "" if value is None else str(value).strip()

    smtp = None
    if text("smtp_host"):
        tls = _choice(values, "smtp_tls", TLS_MODES, lang) or "ssl"
        sender = text("smtp_from") or text("smtp_user")
        if not is_address(sender):
            raise InputError("channel_sender", _where(values, "smtp_from"), lang=lang, value=sender or "—")
        smtp = Smtp(text("smtp_host"), _port(values, lang) or DEFAULT_PORTS[tls], tls, sender,
                    text("smtp_user"), text("smtp_password"))
    robot = None
    if text("webhook_url"):
        url = text("webhook_url")
        if not url.startswith(("http://", "https://")):
            raise InputError("channel_url", _where(values, "webhook_url"), lang=lang, value=url)
        kind = _choice(values, "webhook_kind", ROBOTS, lang) or _robot_from_url(url)
        robot = Robot(kind, url, text("webhook_secret"))
    supervisors = tuple(a for a in _SEPARATORS.split(text("supervisors")) if a)
    for address in supervisors:
        if not is_address(address):
            raise InputError("channel_address", _where(values, "supervisors"), lang=lang, value=address)
    return Channels(smtp, robot, supervisors, dict(settings.contacts))


def _where(values: dict[str, tuple[Value, str]], key: str) -> str:
    return values.get(key, ("", ENV[key]))[1]


def _choice(values: dict[str, tuple[Value, str]], key: str, table: dict[str, Label], lang: str) -> str | None:
    if key not in values:
        return None
    value, where = values[key]
    code = code_of(table, value)
    if code is None:
        allowed = " | ".join(table)
        raise InputError("channel_choice", where, lang=lang, value=value, allowed=allowed)
    return code


def _port(values: dict[str, tuple[Value, str]], lang: str) -> int | None:
    if "smtp_port" not in values:
        return None
    value, where = values["smtp_port"]
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = 0.0
    if not number.is_integer() or not 0 < number < 65536:
        raise InputError("channel_port", where, lang=lang, value=value)
    return int(number)


def _robot_from_url(url: str) -> str:
    """The robot a webhook address belongs to, when its kind is not given."""
    for host, kind in (("qyapi.weixin.qq.com", "wecom"), ("oapi.dingtalk.com", "dingtalk"),
                       ("open.feishu.cn", "feishu"), ("open.larksuite.com", "feishu")):
        if host in url:
            return kind
    return "generic"


# -- the robots' message formats ----------------------------------------------------------------------

def robot_payload(robot: Robot, subject: str, body: str, mobiles: tuple[str, ...] = (),
                  extra: Mapping[str, str] | None = None, timestamp_ms: int = 0) -> dict:
    """The JSON body the robot documents for a text message; ``mobiles`` are @-mentioned where the
    robot can (WeCom, DingTalk). ``extra`` (ticket, kind...) goes only into the generic body.

    - WeCom: ``{"msgtype": "text", "text": {"content", "mentioned_mobile_list"}}``
    - DingTalk: ``{"msgtype": "text", "text": {"content"}, "at": {"atMobiles"}}`` (signed in the URL)
    - Feishu: ``{"msg_type": "text", "content": {"text"}}``, with ``timestamp`` and ``sign`` when signed
    - generic: ``{"title", "text", ...extra}``
    """
    content = f"{subject}\n{body}"
    if robot.kind == "wecom":
        return {"msgtype": "text", "text": {"content": content, "mentioned_mobile_list": list(mobiles)}}
    if robot.kind == "dingtalk":
        mentions = "".join(f" @{m}" for m in mobiles)  # DingTalk shows the mention only if named in the text
        return {"msgtype": "text", "text": {"content": content + mentions}, "at": {"atMobiles": list(mobiles)}}
    if robot.kind == "feishu":
        payload = {"msg_type": "text", "content": {"text": content}}
        if robot.secret:
            seconds = str(timestamp_ms // 1000)
            payload |= {"timestamp": seconds, "sign": feishu_sign(robot.secret, seconds)}
        return payload
    return {"title": subject, "text": body, **(extra or {})}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk: base64(HMAC-SHA256(key=secret, "timestamp\\nsecret")), sent URL-encoded with the timestamp."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp_s: str) -> str:
    """Feishu: base64(HMAC-SHA256(key="timestamp\\nsecret", empty message))."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def robot_accepted(kind: str, reply: object) -> bool:
    """Whether the robot's JSON reply says the message was taken (HTTP 200 is not enough for them)."""
    if kind == "generic":
        return True
    if not isinstance(reply, dict):
        return False
    if kind == "feishu":
        return reply.get("code", reply.get("StatusCode")) == 0
    return reply.get("errcode") == 0
