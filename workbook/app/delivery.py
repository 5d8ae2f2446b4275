"""Sending: e-mail over SMTP (plain, STARTTLS, SSL) and posts to a team-chat robot.

:func:`deliver` sends one :class:`Message` and either returns (the server or robot accepted it) or
raises :class:`DeliveryError` with one line saying why; the callers record only what returned.
Secrets are looked up by :func:`secrets_from_keyring` when the ``keyring`` package is installed
(optional) and the environment has none.
"""

from __future__ import annotations

import http.client
import json
import smtplib
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from ..core.alerts import Message
from ..core.channels import ENV, Channels, Robot, Smtp, dingtalk_sign, robot_accepted, robot_payload
from ..core.errors import ChannelDown, DeliveryError

TIMEOUT = 20  # seconds per connection: a scheduled run must not hang on a dead server
KEYRING_SERVICE = "track-xls"


def secrets_from_keyring(env: Mapping[str, str]) -> dict[str, str]:
    """smtp_password / webhook_secret from the OS keyring (service ``track-xls``), for those the
    environment lacks; empty when the optional ``keyring`` package is absent or has no backend."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return {}
    out = {}
    for key in ("smtp_password", "webhook_secret"):
        if env.get(ENV[key]):
            continue
        try:
            value = keyring.get_password(KEYRING_SERVICE, key)
        except (KeyringError, RuntimeError):  # no usable backend (a server without a desktop session)
            return out
        if value:
            out[key] = value
    return out


def deliver(message: Message, channels: Channels, lang: str, extra: dict[str, str] | None = None) -> None:
    """Send ``message`` on its channel; DeliveryError when it was not accepted."""
    if message.channel == "mail":
        send_mail(channels.smtp, message.to, message.subject, message.body, lang)
    else:
        post_robot(channels.robot, message, lang, extra)


def send_mail(smtp: Smtp, to: tuple[str, ...], subject: str, body: str, lang: str) -> None:
    mail = EmailMessage()
    mail["Subject"], mail["From"], mail["To"] = subject, smtp.sender, ", ".join(to)
    mail["Date"], mail["Message-ID"] = formatdate(localtime=True), make_msgid(domain=smtp.sender.split("@")[-1])
    mail.set_content(body)  # UTF-8, and the subject is RFC 2047-encoded by the default policy
    try:
        if smtp.tls == "ssl":
            server = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=TIMEOUT, context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT)
        with server:
            if smtp.tls == "starttls":
                server.starttls(context=ssl.create_default_context())
            if smtp.user:
                server.login(smtp.user, smtp.password)
            server.send_message(mail)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError("send_refused_login", lang=lang, reason=_smtp_reason(exc)) from exc
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        raise DeliveryError("send_refused", lang=lang, reason=_smtp_reason(exc)) from exc
    except UnicodeError as exc:  # smtplib sends logins and, without SMTPUTF8, addresses as ASCII only
        raise DeliveryError("send_refused", lang=lang, reason=exc) from exc
    except (smtplib.SMTPException, OSError) as exc:  # refused, timed out, TLS failed, server hung up
        reason = _smtp_reason(exc) if isinstance(exc, smtplib.SMTPResponseException) else str(exc) or type(exc).__name__
        raise ChannelDown("send_unreachable", lang=lang, host=smtp.host, port=smtp.port, reason=reason) from exc


def _smtp_reason(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{who}: {code} {_text(msg)}" for who, (code, msg) in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return str(exc)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def post_robot(robot: Robot, message: Message, lang: str, extra: dict[str, str] | None = None) -> None:
    now_ms = int(time.time() * 1000)
    payload = robot_payload(robot, message.subject, message.body, message.to, extra, now_ms)
    url = robot.url
    if robot.kind == "dingtalk" and robot.secret:  # DingTalk signs in the query string
        query = urllib.parse.urlencode({"timestamp": now_ms, "sign": dingtalk_sign(robot.secret, now_ms)})
        url += ("&" if "?" in url else "?") + query
    request = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False).encode(),
                                     headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", "replace").strip()[:200]
        raise DeliveryError("send_http", lang=lang, status=exc.code, reason=body or exc.reason) from exc
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:  # ValueError: a bad URL
        reason = getattr(exc, "reason", None) or exc or type(exc).__name__
        raise ChannelDown("send_no_reply", lang=lang, reason=reason) from exc
    try:
        reply = json.loads(raw) if raw.strip() else None
    except ValueError:
        reply = None
    if not robot_accepted(robot.kind, reply):
        shown = raw.decode("utf-8", "replace").strip()[:200] or "—"
        raise DeliveryError("send_robot", lang=lang, reply=shown)
