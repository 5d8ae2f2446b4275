"""notify --send against real servers on 127.0.0.1: an SMTP server (aiosmtpd) and robot webhooks."""

import base64
import hashlib
import hmac
import shutil
import ssl
import time

import pytest
import trustme

from tests.support.cli import run, step
from workbook.core.tracker import load_tracker
from workbook.xlsx.reader import read_book

from tests.support.servers import RobotServer, SmtpServer, free_port

NUMBER = "20240521-001"
SECRET = "SEC0123456789abcdef"
# The plain-text test server takes a login, as a company-internal relay may; aiosmtpd warns about it.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@pytest.fixture
def book(blank, tmp_path):
    path = tmp_path / "工单跟踪.xlsx"
    shutil.copy(blank, path)
    step("new", path, "--reporter", "张伟", "--contact", "张伟 zhangwei@example.com", "--module", "销售模块V3.2",
         "--description", "无法下单", "--priority", "P2", now="2024-05-21 16:30")
    step("assign", path, NUMBER, "--to", "李工", now="2024-05-21 16:38")
    return path


def notices(path):
    tracker = load_tracker(read_book(path))
    return [r["text"] for _, r in tracker.log_table.records() if r["ticket_no"] == NUMBER and r["kind"] == "通知"]


def mail_env(port, tls="none", **more):
    return {"TRACK_XLS_SMTP_HOST": "127.0.0.1", "TRACK_XLS_SMTP_PORT": str(port), "TRACK_XLS_SMTP_TLS": tls,
            "TRACK_XLS_SMTP_FROM": "support@example.com", **more}


def robot_env(url, kind, secret=""):
    return {"TRACK_XLS_WEBHOOK_URL": url, "TRACK_XLS_WEBHOOK_KIND": kind, "TRACK_XLS_WEBHOOK_SECRET": secret}


def test_the_notice_reaches_the_reporter_by_mail_and_the_signed_dingtalk_robot(book):
    with SmtpServer() as smtp, RobotServer() as robot:
        env = mail_env(smtp.port) | robot_env(robot.url(), "dingtalk", SECRET)
        before_ms = int(time.time() * 1000)
        out = step("notify", book, NUMBER, "--kind", "accepted", "--send", now="2024-05-21 16:40", env=env)
    assert "处理负责人为李工工程师，预计初步反馈时间：4小时内" in out
    assert "已发送：邮件 zhangwei@example.com" in out and "已发送：群机器人" in out
    [mail] = smtp.mails
    assert mail.recipients == ["zhangwei@example.com"] and mail.sender == "support@example.com"
    assert mail.subject == "工单 20240521-001：已受理"
    assert b"=?utf-8?" in mail.raw  # the Chinese subject travels RFC 2047-encoded
    assert "您反馈的问题（工单 20240521-001，销售模块V3.2）已受理" in mail.body
    [post] = robot.posts
    # DingTalk's signature, computed here as its documentation describes
    timestamp = post.query["timestamp"]
    assert before_ms <= int(timestamp) <= int(time.time() * 1000)
    expected = base64.b64encode(hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert post.query["sign"] == expected and post.query["access_token"] == "t0ken"
    assert post.body["msgtype"] == "text" and "已受理，处理负责人为李工工程师" in post.body["text"]["content"]
    [logged] = notices(book)
    assert logged.startswith("张伟您好") and logged.endswith("（已发送：邮件 zhangwei@example.com；群机器人）")
    tracker = load_tracker(read_book(book))
    assert tracker.tickets[0].text("first_response_at")  # the notice is the first response


@pytest.mark.parametrize("kind, reply, check", [
    ("wecom", {"errcode": 0, "errmsg": "ok"},
     lambda p: p.body["msgtype"] == "text" and "已受理" in p.body["text"]["content"]),
    ("feishu", {"code": 0, "msg": "success"},
     lambda p: p.body["msg_type"] == "text" and "已受理" in p.body["content"]["text"]),
    ("generic", {},
     lambda p: p.body["title"] == "工单 20240521-001：已受理" and p.body["ticket"] == NUMBER
     and p.body["kind"] == "accepted" and "已受理" in p.body["text"]),
])
def test_each_robot_gets_its_documented_format(book, kind, reply, check):
    with RobotServer(reply=reply) as robot:
        step("notify", book, NUMBER, "--send", now="2024-05-21 16:40", env=robot_env(robot.url(), kind))
    [post] = robot.posts
    assert check(post), post.body
    assert notices(book)[0].endswith("（已发送：群机器人）")


def test_a_signed_feishu_robot_gets_timestamp_and_sign(book):
    with RobotServer(reply={"code": 0}) as robot:
        step("notify", book, NUMBER, "--send", now="2024-05-21 16:40", env=robot_env(robot.url(), "feishu", SECRET))
    body = robot.posts[0].body
    key = f"{body['timestamp']}\n{SECRET}".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def test_servers_down_one_line_each_exit_1_nothing_logged_and_the_next_run_sends(book):
    before = book.read_bytes()
    down = mail_env(free_port()) | robot_env(f"http://127.0.0.1:{free_port()}/robot", "wecom")
    result = run("notify", book, NUMBER, "--send", "--now", "2024-05-21 16:40", env=down)
    assert result.exit_code == 1 and "Traceback" not in result.output
    failed = [line for line in result.output.splitlines() if line.startswith("发送失败")]
    assert len(failed) == 2, result.output
    assert "邮件 zhangwei@example.com" in failed[0] and "无法连接 127.0.0.1" in failed[0]
    assert "群机器人" in failed[1] and "无法连接群机器人" in failed[1]
    assert book.read_bytes() == before
    with SmtpServer() as smtp, RobotServer() as robot:
        step("notify", book, NUMBER, "--send", now="2024-05-21 16:45",
             env=mail_env(smtp.port) | robot_env(robot.url("/robot"), "wecom"))
    assert len(smtp.mails) == 1 and len(robot.posts) == 1 and len(notices(book)) == 1


def test_a_robot_that_answers_an_error_and_a_refused_login_fail_cleanly(book):
    before = book.read_bytes()
    with SmtpServer(users={"support": "right"}) as smtp, \
            RobotServer(reply={"errcode": 310000, "errmsg": "sign not match"}) as robot:
        env = mail_env(smtp.port, TRACK_XLS_SMTP_USER="support", TRACK_XLS_SMTP_PASSWORD="wrong") \
            | robot_env(robot.url(), "dingtalk", "SECwrong")
        result = run("notify", book, NUMBER, "--send", "--now", "2024-05-21 16:40", env=env)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "邮件服务器拒绝登录（535" in result.output
    assert "群机器人拒收" in result.output and "sign not match" in result.output
    assert smtp.mails == [] and book.read_bytes() == before


def test_one_channel_down_logs_the_one_that_took_it(book):
    with SmtpServer(users={"support": "right"}) as smtp:
        env = mail_env(smtp.port, TRACK_XLS_SMTP_USER="support", TRACK_XLS_SMTP_PASSWORD="right") \
            | robot_env(f"http://127.0.0.1:{free_port()}/robot", "wecom")
        result = run("notify", book, NUMBER, "--send", "--now", "2024-05-21 16:40", env=env)
    assert result.exit_code == 1
    assert len(smtp.mails) == 1
    assert notices(book)[0].endswith("（已发送：邮件 zhangwei@example.com）")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A test CA the client trusts through SSL_CERT_FILE, and a server certificate for 127.0.0.1."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server)
    ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return server, str(ca_file)


@pytest.mark.parametrize("tls", ["starttls", "ssl"])
def test_mail_over_starttls_and_ssl_with_login(book, certificate, tls, monkeypatch):
    context, ca_file = certificate
    monkeypatch.setenv("SSL_CERT_FILE", ca_file)
    with SmtpServer(users={"support@example.com": "s3cret-pw"}, tls=tls, context=context) as smtp:
        env = mail_env(smtp.port, tls, TRACK_XLS_SMTP_USER="support@example.com", TRACK_XLS_SMTP_PASSWORD="s3cret-pw")
        step("notify", book, NUMBER, "--send", now="2024-05-21 16:40", env=env)
    assert [m.recipients for m in smtp.mails] == [["zhangwei@example.com"]]


def test_nowhere_to_send_is_one_line_and_exit_1(book):
    result = run("notify", book, NUMBER, "--send", "--now", "2024-05-21 16:40", env={"TRACK_XLS_SMTP_HOST": ""})
    assert result.exit_code == 1 and "没有配置任何发送渠道" in result.output
