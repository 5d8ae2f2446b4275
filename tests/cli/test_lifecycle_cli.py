"""The lifecycle commands on a real file made by the template, read back with calamine."""

import shutil
from datetime import datetime

import pytest

from tests.support.cli import run, step
from workbook.xlsx.reader import read_book
from workbook.author.template import build_template
from workbook.core.tracker import load_tracker

NUMBER = "20240520-001"


@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    folder = tmp_path_factory.mktemp("templates")
    paths = {lang: folder / f"{lang}.xlsx" for lang in ("zh", "en")}
    for lang, path in paths.items():
        build_template(path, lang)
    return paths


@pytest.fixture
def book(blank, tmp_path):
    path = tmp_path / "工单跟踪.xlsx"
    shutil.copy(blank["zh"], path)
    return path


def ticket(path, number=NUMBER):
    tracker = load_tracker(read_book(path))
    return next(t for t in tracker.tickets if t.number == number), tracker


def log_rows(path, number=NUMBER):
    tracker = load_tracker(read_book(path))
    return [(r["time"], r["kind"], r["text"]) for _, r in tracker.log_table.records() if r["ticket_no"] == number]


def new_p2(path):
    return step("new", path, "--reporter", "张伟", "--department", "销售部", "--module", "销售模块V3.2",
                "--description", "无法下单", "--priority", "P2", "--channel", "电话", now="2024-05-21 16:30")


def test_a_p2_ticket_from_new_to_close(book):
    assert new_p2(book).strip() == NUMBER.replace("0520", "0521")
    number = "20240521-001"
    assert "已分派" in step("assign", book, number, "--to", "李工", now="2024-05-21 16:38")
    step("log", book, number, "--kind", "update", "已定位到", "数据库锁", now="2024-05-22 09:30")
    step("status", book, number, "waiting", "--reason", "等待用户截图", now="2024-05-22 10:00")
    step("status", book, number, "in-progress", now="2024-05-22 14:00")
    # update every 4 working hours: 09:30 + 240 + the 150 min pause = 17:30, so one more is due today
    step("log", book, number, "--kind", "update", "补丁测试中", now="2024-05-22 17:00")
    step("resolve", book, number, "--summary", "释放数据库锁", "--backup-done", now="2024-05-23 10:00")
    step("confirm", book, number, "--by", "张伟", "--rating", "5", "已测试，可以正常下单", now="2024-05-23 11:00")
    assert "已关闭" in step("close", book, number, now="2024-05-23 11:30")

    t, _ = ticket(book, number)
    assert (t.status, t.text("assignee"), t.text("summary"), t.text("backup_done")) == ("closed", "李工", "释放数据库锁", "是")
    # the progress update was the first word to the reporter
    assert t.times == {
        "reported_at": datetime(2024, 5, 21, 16, 30), "first_response_at": datetime(2024, 5, 22, 9, 30),
        "assigned_at": datetime(2024, 5, 21, 16, 38), "last_update_at": datetime(2024, 5, 22, 17, 0),
        "resolved_at": datetime(2024, 5, 23, 10, 0), "closed_at": datetime(2024, 5, 23, 11, 30),
        "imported_at": None}
    assert (t.text("confirmation"), t.satisfaction) == ("张伟：已测试，可以正常下单", 5)
    # Response 24 h wall: Wed 16:30. Assignment 10 working min: Tue 16:40.
    # Resolution 480 working min + the pause Wed 10:00-14:00 (120 + 30 = 150): 630 from Tue 16:30 =
    # Tue 90 + Wed 450 + Thu 90 -> Thu 10:30; resolved Thu 10:00, in time.
    assert t.raw["response_due"] == datetime(2024, 5, 22, 16, 30)
    assert t.raw["assignment_due"] == datetime(2024, 5, 21, 16, 40)
    assert t.raw["resolution_due"] == datetime(2024, 5, 23, 10, 30)
    assert (t.raw["next_update_due"], t.raw["sla_state"], t.raw["breached"]) == (None, "达标", None)
    assert [(f"{when:%m-%d %H:%M}", kind, text) for when, kind, text in log_rows(book, number)] == [
        ("05-21 16:30", "状态变更", "新建"),
        ("05-21 16:38", "状态变更", "新建 → 已分派：负责人 李工"),
        ("05-22 09:30", "进展同步", "已定位到 数据库锁"),
        ("05-22 10:00", "状态变更", "已分派 → 等待报修人：等待用户截图"),
        ("05-22 14:00", "状态变更", "等待报修人 → 处理中"),
        ("05-22 17:00", "进展同步", "补丁测试中"),
        ("05-23 10:00", "状态变更", "处理中 → 已解决：释放数据库锁"),
        ("05-23 11:00", "验证", "报修人 张伟 确认：已测试，可以正常下单（满意度 5/5）"),
        ("05-23 11:30", "状态变更", "已解决 → 已关闭"),
    ]
    # refresh finds nothing left to log or stamp
    result = run("refresh", book, "--now", "2024-05-23 11:30", "--dry-run")
    assert "进展日志!" not in result.output and "!S" not in result.output


@pytest.mark.parametrize("args, message", [
    (("close", NUMBER), "尚未解决，不能关闭"),
    (("resolve", NUMBER, "--summary", "重启"), "为 P1，解决前必须完成备份"),
    (("confirm", NUMBER, "--by", "张伟", "好了"), "尚未解决，不能确认处理结果"),
    (("status", NUMBER, "in-progress"), "已是「处理中」"),
    (("assign", NUMBER, "--to", "李工", "--vendor-contact", "王经理"), "须用 --lead-dept 指明主责部门"),
    (("notify", NUMBER, "--kind", "resolved"), "尚未解决，不能发送此通知"),
    (("log", "20240520-009", "--kind", "update", "x"), "找不到工单 20240520-009"),
])
def test_steps_out_of_order_exit_1_and_write_nothing(book, args, message):
    step("new", book, "--reporter", "张伟", "--module", "ERP", "--description", "慢", "--priority", "P1",
         now="2024-05-20 14:30")
    step("assign", book, NUMBER, "--to", "周工", now="2024-05-20 14:36")
    step("status", book, NUMBER, "in-progress", now="2024-05-20 14:40")
    before = book.read_bytes()
    result = run(args[0], book, *args[1:], "--now", "2024-05-20 15:00")
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
    assert book.read_bytes() == before


def test_new_prompts_for_the_required_fields_and_dry_run_writes_nothing(book):
    before = book.read_bytes()
    result = run("new", book, "--now", "2024-05-20 09:00", "--dry-run", input="张伟\nERP\n报表打不开\nP3\n")
    assert result.exit_code == 0, result.output
    assert "20240520-001" in result.output and "预演" in result.output and "工单!C2: (empty) -> '张伟'" in result.output
    assert book.read_bytes() == before


def test_notify_renders_the_templates_and_logs_on_request(book):
    new_p2(book)
    number = "20240521-001"
    out = run("notify", book, number, "--now", "2024-05-21 16:35")
    assert out.exit_code == 1 and "尚未分派负责人，不能发送此通知" in out.output
    step("assign", book, number, "--to", "李工", now="2024-05-21 16:38")
    zh = step("notify", book, number, "--log", now="2024-05-21 16:40")
    # P2 updates every 4 working hours: the promised first feedback
    assert "问题（工单 20240521-001，销售模块V3.2）已受理，处理负责人为李工工程师，预计初步反馈时间：4小时内。" in zh
    assert log_rows(book, number)[-1][1] == "通知"
    t, _ = ticket(book, number)
    assert t.time("first_response_at") == datetime(2024, 5, 21, 16, 40)
    en = step("notify", book, number, "--lang", "en", "--kind", "accepted", now="2024-05-21 16:41")
    assert "The engineer in charge is 李工; you will hear from us within 4 hours." in en


def test_a_team_template_beside_the_workbook_wins(book):
    new_p2(book)
    step("assign", book, "20240521-001", "--to", "李工", now="2024-05-21 16:38")
    (book.parent / "templates").mkdir()
    (book.parent / "templates" / "notifications.zh.txt").write_text(
        "# ours\n[accepted]\n{number}：{assignee}跟进，{hours}小时内回复。\n[progress]\n{nope}\n", encoding="utf-8")
    assert step("notify", book, "20240521-001", now="2024-05-21 16:40").strip() == "20240521-001：李工跟进，4小时内回复。"
    bad = run("notify", book, "20240521-001", "--kind", "progress", "--now", "2024-05-21 16:40")
    assert bad.exit_code == 1 and "未知占位符 {nope}" in bad.output


def test_english_workbook_reopen(blank, tmp_path):
    path = tmp_path / "tracker.xlsx"
    shutil.copy(blank["en"], path)
    step("new", path, "--reporter", "Ann", "--module", "Printer A", "--description", "jams", "--priority", "P4",
         now="2024-05-20 10:00")
    step("assign", path, NUMBER, "--to", "Bob", now="2024-05-20 10:10")
    step("resolve", path, NUMBER, "--summary", "new roller", now="2024-05-20 11:00")
    assert "In Progress" in step("reopen", path, NUMBER, "--reason", "jams again", now="2024-05-20 14:00")
    t, _ = ticket(path)
    assert t.status == "in_progress" and t.time("resolved_at") is None
    assert log_rows(path)[-1][1:] == ("Status Change", "Resolved → In Progress: reopened: jams again")
    # P4 resolution 2250 working min from Mon 10:00; solved 11:00-14:00 paused (60 + 30 = 90 working min):
    # 2340 = Mon 390 (10-12, 13:30-18) + Tue..Thu 1350 (1740) + Fri 05-24 450 (2190) + Mon 05-27 150 -> 11:30
    assert t.raw["resolution_due"] == datetime(2024, 5, 27, 11, 30)
