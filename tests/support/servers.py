"""Real servers on 127.0.0.1 for the sending tests: an SMTP server (aiosmtpd) and a robot webhook."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def free_port() -> int:
    """A port nothing listens on (bound, read, released): also the 'server is down' address."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    subject: str
    body: str
    raw: bytes


class _Inbox:
    def __init__(self):
        self.mails: list[Mail] = []

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.original_content, policy=default_policy)
        self.mails.append(Mail(envelope.mail_from, list(envelope.rcpt_tos), str(parsed["Subject"]),
                               parsed.get_content(), envelope.original_content))
        return "250 OK"


class SmtpServer:
    """aiosmtpd in a thread. ``users``: login -> password, to require AUTH; ``tls``: 'starttls' or
    'ssl' with ``context`` (a server-side ssl.SSLContext)."""

    def __init__(self, users: dict[str, str] | None = None, tls: str = "none", context=None):
        self.inbox = _Inbox()
        self.port = free_port()
        self.users = users
        kwargs = {}
        if users is not None:
            # aiosmtpd only counts STARTTLS as TLS for AUTH, so on an SSL port it must not require it.
            kwargs |= {"authenticator": self._authenticate, "auth_required": True,
                       "auth_require_tls": tls == "starttls"}
        if tls == "starttls":
            kwargs |= {"tls_context": context, "require_starttls": True}
        elif tls == "ssl":
            kwargs |= {"ssl_context": context}
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, server_hostname="localhost",
                                     **kwargs)

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        login = auth_data.login.decode() if isinstance(auth_data.login, bytes) else auth_data.login
        password = auth_data.password.decode() if isinstance(auth_data.password, bytes) else auth_data.password
        return AuthResult(success=self.users.get(login) == password, handled=False)

    @property
    def mails(self) -> list[Mail]:
        return self.inbox.mails

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


@dataclass
class Post:
    path: str
    query: dict[str, str]
    body: dict


@dataclass
class RobotServer:
    """A webhook receiver: records each JSON post and answers ``reply`` with ``status``."""
    reply: dict = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})
    status: int = 200
    posts: list[Post] = field(default_factory=list)

    def __post_init__(self):
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                assert self.headers["Content-Type"].startswith("application/json")
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                robot.posts.append(Post(parts.path, query, json.loads(self.rfile.read(length).decode("utf-8"))))
                data = json.dumps(robot.reply).encode()
                self.send_response(robot.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # keep the test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]

    def url(self, path: str = "/robot/send?access_token=t0ken") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
