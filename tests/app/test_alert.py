"""track-xls alert: SLA alerts once per ticket × metric × level, remembered in the Log, against real servers."""

import json
import shutil
from datetime import datetime

import pytest

from tests.support.cli import run, step
from workbook.author.template import build_template
from workbook.core.alerts import current_alerts, remembered
from workbook.core.book import BookData, SheetData
from workbook.core.changeset import ChangeSet
from workbook.core.channels import read_channels
from workbook.core.errors import InputError
from workbook.core.settings import NOTIFY, SECTIONS, read_settings
from workbook.core.tracker import load_tracker
from workbook.xlsx.file_engine import FileEngine
from workbook.xlsx.reader import read_book

from tests.support.books import make_book
from tests.support.servers import RobotServer, SmtpServer, free_port

NUMBER = "20240520-001"


@pytest.fixture
def book(blank, tmp_path):
    """A P1 ticket: reported 10:00, assigned 10:05, progress 10:06 (the first response), 12:00 and 13:00.
    Resolution is due 14:00 (4 h, 24x7), at risk from 13:00 (75 %); the next update is due 15:00,
    at risk from 14:30; nothing else is late."""
    path = tmp_path / "工单跟踪.xlsx"
    shutil.copy(blank, path)
    step("new", path, "--reporter", "张伟", "--module", "ERP", "--description", "无法登录", "--priority", "P1",
         now="2024-05-20 10:00")
    step("assign", path, NUMBER, "--to", "李工", now="2024-05-20 10:05")
    for now in ("10:06", "12:00", "13:00"):
        step("log", path, NUMBER, "--kind", "update", "处理中", now=f"2024-05-20 {now}")
    fill_settings(path, {"supervisors": "boss@example.com"}, [("李工", "li@example.com", 13800000001)])
    return path


def fill_settings(path, notify: dict, contacts: list):
    """Type values into the Settings sheet's 通知 and 通讯录 sections, as a user would."""
    engine = FileEngine(path, backups=0)
    sheet = engine.read().sheet("settings")
    changes = ChangeSet()
    for r, row in enumerate(sheet.rows):
        first = row[0] if row else None
        for key, value in notify.items():
            if NOTIFY[key].matches(first):
                changes.set(sheet.name, r, 1, value)
        if SECTIONS["contacts"].matches(first):
            for i, contact in enumerate(contacts):
                for c, value in enumerate(contact):
                    changes.set(sheet.name, r + 2 + i, c, value)
    engine.apply(changes)


def alert_rows(path):
    tracker = load_tracker(read_book(path))
    return [r["text"] for _, r in tracker.log_table.records() if r["kind"] == "通知" and "[alert " in r["text"]]


def env_for(smtp_port, robot_url):
    return {"TRACK_XLS_SMTP_HOST": "127.0.0.1", "TRACK_XLS_SMTP_PORT": str(smtp_port), "TRACK_XLS_SMTP_TLS": "none",
            "TRACK_XLS_SMTP_FROM": "support@example.com", "TRACK_XLS_WEBHOOK_URL": robot_url,
            "TRACK_XLS_WEBHOOK_KIND": "wecom"}


def test_one_alert_per_level_never_two_while_the_clock_moves(book):
    with SmtpServer() as smtp, RobotServer() as robot:
        env = env_for(smtp.port, robot.url())
        first = step("alert", book, now="2024-05-20 13:10", env=env)  # resolution 79 % used: at risk
        assert "已发送 20240520-001 解决预警 → 邮件 li@example.com" in first
        assert "已发送 20240520-001 解决预警 → 群机器人" in first
        assert step("alert", book, now="2024-05-20 13:40", env=env).strip() == "没有新的 SLA 提醒"
        third = step("alert", book, now="2024-05-20 14:20", env=env)  # past 14:00: overdue
        assert "已发送 20240520-001 解决超时 → 邮件 li@example.com, boss@example.com" in third
        assert step("alert", book, now="2024-05-20 14:25", env=env).strip() == "没有新的 SLA 提醒"
    assert [m.recipients for m in smtp.mails] == [["li@example.com"], ["li@example.com", "boss@example.com"]]
    assert smtp.mails[0].subject == "【SLA预警】工单 20240520-001（P1）解决将于 2024-05-20 14:00 到期"
    assert "李工您好：工单 20240520-001（P1，ERP）的解决时限已用去 79%" in smtp.mails[0].body
    assert smtp.mails[1].subject == "【SLA超时】工单 20240520-001（P1）解决已超时（截止 2024-05-20 14:00）"
    assert len(robot.posts) == 2
    assert robot.posts[0].body["text"]["mentioned_mobile_list"] == ["13800000001"]
    assert robot.posts[1].body["text"]["content"].startswith("【SLA超时】工单 20240520-001")
    rows = alert_rows(book)
    assert len(rows) == 2
    assert rows[0].endswith("[alert resolution at_risk mail,chat]") and "已发送预警提醒：解决（截止 2024-05-20 14:00）" in rows[0]
    assert rows[1].endswith("[alert resolution overdue mail,chat]")
    ticket = load_tracker(read_book(book)).tickets[0]
    assert ticket.time("first_response_at") == datetime(2024, 5, 20, 10, 6)  # alerts are not answers


def test_servers_down_exit_1_one_line_per_message_nothing_logged_next_run_retries(book):
    before = book.read_bytes()
    down = env_for(free_port(), f"http://127.0.0.1:{free_port()}/robot")
    result = run("alert", book, "--now", "2024-05-20 13:10", env=down)
    assert result.exit_code == 1 and "Traceback" not in result.output
    failed = [line for line in result.output.splitlines() if line.startswith("发送失败")]
    assert len(failed) == 2, result.output
    assert "已发送 0 条，失败 2 条" in result.output
    assert book.read_bytes() == before
    with SmtpServer() as smtp:  # the mail server is back, the robot is still down
        env = env_for(smtp.port, f"http://127.0.0.1:{free_port()}/robot")
        assert run("alert", book, "--now", "2024-05-20 13:15", env=env).exit_code == 1
        assert len(smtp.mails) == 1 and alert_rows(book)[-1].endswith("[alert resolution at_risk mail]")
        with RobotServer() as robot:  # both back: only the chat message is still owed
            step("alert", book, now="2024-05-20 13:20", env=env_for(smtp.port, robot.url()))
    assert len(smtp.mails) == 1 and len(robot.posts) == 1
    assert alert_rows(book)[-1].endswith("[alert resolution at_risk chat]")


def test_dry_run_and_json_send_and_write_nothing(book):
    before = book.read_bytes()
    down = env_for(free_port(), f"http://127.0.0.1:{free_port()}/robot")
    result = run("alert", book, "--now", "2024-05-20 14:20", "--dry-run", "--format", "json", env=down)
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)
    assert [(r["ticket"], r["metric"], r["level"], r["channel"], r["sent"]) for r in records] == [
        (NUMBER, "resolution", "overdue", "mail", False), (NUMBER, "resolution", "overdue", "chat", False)]
    assert records[0]["to"] == ["li@example.com", "boss@example.com"]
    assert book.read_bytes() == before


def test_digest_goes_to_the_chat_and_the_supervisors(book):
    with SmtpServer() as smtp, RobotServer() as robot:
        step("alert", book, "--digest", now="2024-05-20 14:20", env=env_for(smtp.port, robot.url()))
    [mail] = smtp.mails
    assert mail.recipients == ["boss@example.com"]
    assert mail.subject == "工单汇总 2024-05-20 14:20：未完成 1，预警 0，超时 1"
    assert "- 20240520-001 P1 超时 负责人 李工 ERP 截止 2024-05-20 14:00 解决" in mail.body
    assert len(robot.posts) == 1 and alert_rows(book) == []  # a summary is not a per-ticket alert


def test_an_assignee_nobody_can_reach_is_reported(book):
    fill_settings(book, {}, [("李工", "", "")])
    result = run("alert", book, "--now", "2024-05-20 13:10",
                 env={"TRACK_XLS_SMTP_HOST": "127.0.0.1", "TRACK_XLS_SMTP_FROM": "support@example.com"})
    assert result.exit_code == 1 and "无法送达 20240520-001 解决预警：负责人 李工 在通讯录中没有邮箱" in result.output


# -- pure parts -----------------------------------------------------------------------------------------

def test_each_update_interval_is_its_own_deadline():
    tickets = [{"ticket_no": NUMBER, "reported_at": datetime(2024, 5, 20, 10), "priority": "P1", "status": "处理中",
                "assignee": "李工", "assigned_at": datetime(2024, 5, 20, 10, 5),
                "first_response_at": datetime(2024, 5, 20, 10, 5)}]
    log = [{"ticket_no": NUMBER, "time": datetime(2024, 5, 20, 10, 5), "kind": "状态变更", "text": "新建 → 已分派"},
           {"ticket_no": NUMBER, "time": datetime(2024, 5, 20, 11, 40), "kind": "通知",
            "text": "已发送预警提醒 [alert update at_risk@2024-05-20T12:05 chat]"},
           {"ticket_no": NUMBER, "time": datetime(2024, 5, 20, 12), "kind": "进展同步", "text": "处理中"}]
    tracker = load_tracker(make_book(tickets, log))
    assert remembered(tracker) == {(NUMBER, "update", "at_risk", "2024-05-20T12:05"): {"chat"}}
    # 12:00 + 2 h: the next interval is due 14:00 and at risk from 13:30, a new alert
    alerts = {(a.metric, a.level, a.key[3]) for a in current_alerts(tracker, datetime(2024, 5, 20, 13, 35))}
    assert ("update", "at_risk", "2024-05-20T14:00") in alerts


def settings_book(notify_rows):
    rows = [["通知"], ["名称", "值"], *notify_rows, [], ["通讯录"], ["姓名", "邮箱", "手机"], ["李工", "li@x.cn", 13800000001.0]]
    book = make_book([])
    return BookData({**book.sheets, "设置": SheetData("设置", rows)})


def test_channels_from_settings_with_the_environment_winning():
    settings = read_settings(settings_book([["邮件服务器", "smtp.example.cn"], ["邮件端口", 465], ["邮件加密", "SSL"],
                                            ["邮件账号", "ops@example.cn"], ["群机器人地址", "https://oapi.dingtalk.com/robot/send?access_token=a"],
                                            ["超时抄送主管", "a@example.cn、b@example.cn"],
                                            ["邮件密码", "typed-in-the-sheet"]]))
    channels = read_channels(settings, {}, {}, "zh")
    assert channels.smtp.password == ""  # a password typed into the workbook is never used
    assert (channels.smtp.host, channels.smtp.port, channels.smtp.tls, channels.smtp.sender) == (
        "smtp.example.cn", 465, "ssl", "ops@example.cn")
    assert channels.robot.kind == "dingtalk" and channels.supervisors == ("a@example.cn", "b@example.cn")
    assert channels.address_of("李工") == "li@x.cn" and channels.mobile_of("李工") == "13800000001"
    env = {"TRACK_XLS_SMTP_PORT": "587", "TRACK_XLS_SMTP_TLS": "starttls", "TRACK_XLS_SMTP_PASSWORD": "pw",
           "TRACK_XLS_WEBHOOK_SECRET": "SEC1"}
    channels = read_channels(settings, env, {"smtp_password": "from keyring"}, "zh")
    assert (channels.smtp.port, channels.smtp.tls, channels.smtp.password, channels.robot.secret) == (
        587, "starttls", "pw", "SEC1")
    assert read_channels(settings, {}, {"smtp_password": "kr"}, "zh").smtp.password == "kr"


def test_a_bad_setting_names_its_cell_and_a_bad_variable_its_name():
    settings = read_settings(settings_book([["邮件服务器", "smtp.example.cn"], ["邮件端口", "abc"],
                                            ["发件人", "ops@example.cn"]]))
    with pytest.raises(InputError, match=r"设置!B4: 端口应为 1–65535 的整数，实际为 'abc'"):
        read_channels(settings, {}, {}, "zh")
    with pytest.raises(InputError, match="TRACK_XLS_SMTP_TLS: 'tls' is not one of none | starttls | ssl"):
        read_channels(settings, {"TRACK_XLS_SMTP_PORT": "25", "TRACK_XLS_SMTP_TLS": "tls"}, {}, "en")


def test_new_trackers_have_the_sections_and_no_secret_row(blank):
    tracker = load_tracker(read_book(blank))
    assert tracker.settings.notify == {} and tracker.settings.contacts == {}  # nothing is sent until filled in
    names = {str(row[0]) for row in read_book(blank).sheet("settings").rows if row}
    assert {"通知", "通讯录", "邮件服务器", "群机器人地址"} <= names
    assert not any("密码" in n or "secret" in n.lower() for n in names)


def test_an_english_tracker_gets_english_alerts_and_log_rows(tmp_path):
    path = tmp_path / "tracker.xlsx"
    build_template(path, "en")
    step("new", path, "--reporter", "Ann", "--module", "ERP", "--description", "cannot log in", "--priority", "P1",
         now="2024-05-20 10:00")
    step("assign", path, NUMBER, "--to", "li@example.com", now="2024-05-20 10:05")
    with RobotServer(reply={}) as robot:
        out = step("alert", path, now="2024-05-20 13:10",
                   env={"TRACK_XLS_WEBHOOK_URL": robot.url("/hook"), "TRACK_XLS_WEBHOOK_KIND": "generic"})
    # no update since the assignment at 10:05 (due 12:05); resolution due 14:00, 79 % used
    assert "sent 20240520-001 update Overdue → team chat" in out
    assert "sent 20240520-001 resolution At Risk → team chat" in out
    first = robot.posts[0].body
    assert first["title"] == "[SLA overdue] ticket 20240520-001 (P1): update missed (due 2024-05-20 12:05)"
    assert (first["ticket"], first["metric"], first["level"]) == (NUMBER, "update", "overdue")
    assert first["text"].startswith("Ticket 20240520-001 (P1, ERP) missed its update target (due 2024-05-20 12:05).")
    tracker = load_tracker(read_book(path))
    rows = [r["text"] for _, r in tracker.log_table.records() if r["kind"] == "Notification"]
    assert rows == [
        "Overdue alert sent: update (due 2024-05-20 12:05) → team chat [alert update overdue@2024-05-20T12:05 chat]",
        "At Risk alert sent: resolution (due 2024-05-20 14:00) → team chat [alert resolution at_risk chat]"]
