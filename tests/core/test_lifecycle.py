"""Lifecycle steps on in-memory trackers: every rule and message, and a full history per priority.

Deadlines are worked out by hand in the comments. Default targets (SPEC): P1 response 15 min,
assignment 10 min, update every 2 h, resolution 4 h, all 24x7; P2 response 24 h 24x7, assignment
10 min, update 4 h, resolution 8 h on the business clock; P3/P4 response 24 h 24x7, assignment 1
working day (450 min), resolution 3 / 5 working days (1350 / 2250 min), no update target. Business
clock: Mon-Fri 09:00-12:00 + 13:30-18:00 (450 min a day) with China's holidays::

         April 2024                    May 2024
    Mo Tu We Th Fr Sa Su        Mo Tu We Th Fr Sa Su
     1  2  3  4  5  6  7                1  2  3  4  5
     8  9 10 11 12 13 14         6  7  8  9 10 11 12
    15 16 17 18 19 20 21        13 14 15 16 17 18 19
    22 23 24 25 26 27 28        20 21 22 23 24 25 26
    29 30                       27 28 29 30 31

    Labour Day 2024: off 05-01 .. 05-05; make-up working days Sun 04-28 and Sat 05-11.
"""

from datetime import datetime

import pytest

from workbook.core.errors import InputError
from workbook.core.lifecycle import (find_ticket, plan_assign, plan_close, plan_confirm, plan_log, plan_new,
                                plan_reopen, plan_resolve, plan_status)
from workbook.core.log import History, status_in_text
from workbook.core.refresh import plan_refresh
from workbook.core.tracker import load_tracker
from workbook.core.validation import check_tickets

from tests.support.books import make_book

FIELDS = {"reporter": "张伟", "department": "销售部", "contact": "13800000000", "channel": "电话",
          "module": "销售模块V3.2", "category": "软件", "description": "无法下单", "impact": "销售部全员"}


def dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


class Desk:
    """An in-memory tracker; each step's change set is applied before the next one is planned."""

    def __init__(self, tickets=(), log=(), lang="zh", archived=()):
        self.book = make_book(list(tickets), list(log), lang=lang, archived=archived)
        self.lang = lang

    @property
    def tracker(self):
        return load_tracker(self.book)

    def new(self, now: str, priority: str, **fields) -> str:
        changes, number = plan_new(self.tracker, FIELDS | {"priority": priority} | fields, dt(now))
        self.book = changes.applied_to(self.book)
        return number

    def do(self, plan, number: str, now: str, *args, **kw):
        changes = plan(self.tracker, number, dt(now), *args, **kw)
        self.book = changes.applied_to(self.book)
        return changes

    def refuses(self, plan, number: str, now: str, *args, **kw) -> str:
        before = self.book
        with pytest.raises(InputError) as caught:
            plan(self.tracker, number, dt(now), *args, **kw)
        assert self.book is before
        return str(caught.value)

    def row(self, number: str) -> dict:
        return find_ticket(self.tracker, number, self.lang).raw

    def due(self, number: str) -> dict:
        row = self.row(number)
        keys = ("response_due", "assignment_due", "next_update_due", "resolution_due", "sla_state", "breached")
        return {k: row[k] for k in keys}

    def log(self, number: str) -> list[tuple[datetime, str, str, str]]:
        table = self.tracker.log_table
        return [(r["time"], r["author"], r["kind"], r["text"]) for _, r in table.records() if r["ticket_no"] == number]

    def findings(self, now: str):
        t = self.tracker
        return [(f.cell, f.rule) for f in check_tickets(t.tickets_table, t.tickets, dt(now), self.lang)]


# -- full histories, one per priority -------------------------------------------------------------------

def test_p1_history_with_a_pause_and_a_reopen_on_the_24x7_clock():
    desk = Desk()
    n = desk.new("2024-05-20 14:30", "P1")
    assert n == "20240520-001"
    # 14:30 + 15 min response, + 10 min assignment, + 4 h resolution; no update clock before assignment
    assert desk.due(n) == {"response_due": dt("2024-05-20 14:45"), "assignment_due": dt("2024-05-20 14:40"),
                           "next_update_due": None, "resolution_due": dt("2024-05-20 18:30"),
                           "sla_state": "正常", "breached": None}
    desk.do(plan_assign, n, "2024-05-20 14:36", "周工")
    assert desk.due(n)["next_update_due"] == dt("2024-05-20 16:36")  # assigned 14:36 + 2 h
    desk.do(plan_log, n, "2024-05-20 14:40", "notification", "问题已受理，处理负责人为周工工程师，预计初步反馈时间：2小时内")
    assert desk.row(n)["first_response_at"] == dt("2024-05-20 14:40")  # within 14:45
    desk.do(plan_log, n, "2024-05-20 15:30", "update", "已定位到数据库锁")
    assert desk.row(n)["last_update_at"] == dt("2024-05-20 15:30")
    assert desk.due(n)["next_update_due"] == dt("2024-05-20 17:30")  # update 15:30 + 2 h
    desk.do(plan_status, n, "2024-05-20 16:00", "waiting", reason="等待用户提供截图")
    # waiting: both clocks stopped, no deadline to show
    assert desk.due(n)["next_update_due"] is None and desk.due(n)["resolution_due"] is None
    desk.do(plan_status, n, "2024-05-20 16:45", "in_progress")
    # paused 16:00-16:45 = 45 min: update 17:30 + 45 = 18:15; resolution 18:30 + 45 = 19:15
    assert desk.due(n)["next_update_due"] == dt("2024-05-20 18:15")
    assert desk.due(n)["resolution_due"] == dt("2024-05-20 19:15")
    desk.do(plan_resolve, n, "2024-05-20 17:30", "数据库锁超时，已释放并调整参数", backup_done=True)
    assert desk.row(n)["status"] == "已解决" and desk.row(n)["resolved_at"] == dt("2024-05-20 17:30")
    assert desk.due(n)["sla_state"] == "达标"
    # Reopened at 18:00: solved 17:30-18:00 (30 min) counts as paused, the report time stays the anchor.
    desk.do(plan_reopen, n, "2024-05-20 18:00", "用户反馈再次无法下单")
    row = desk.row(n)
    assert row["status"] == "处理中" and row["resolved_at"] is None
    # resolution 14:30 + 4 h + 45 + 30 = 19:45; update 15:30 + 2 h + 45 + 30 = 18:45
    assert desk.due(n) == {"response_due": dt("2024-05-20 14:45"), "assignment_due": dt("2024-05-20 14:40"),
                           "next_update_due": dt("2024-05-20 18:45"), "resolution_due": dt("2024-05-20 19:45"),
                           "sla_state": "正常", "breached": None}
    desk.do(plan_log, n, "2024-05-20 18:30", "update", "重新排查：连接池配置被回滚")
    assert desk.due(n)["next_update_due"] == dt("2024-05-20 20:30")
    desk.do(plan_resolve, n, "2024-05-20 19:00", "连接池配置被回滚，已恢复并加入变更检查")
    assert desk.row(n)["resolved_at"] == dt("2024-05-20 19:00")  # 19:00 <= 19:45: met
    desk.do(plan_confirm, n, "2024-05-20 19:20", "张伟", "已测试，可以正常下单", rating=5)
    desk.do(plan_close, n, "2024-05-20 19:30")
    row = desk.row(n)
    assert (row["status"], row["closed_at"], row["satisfaction"]) == ("已关闭", dt("2024-05-20 19:30"), 5)
    assert row["confirmation"] == "张伟：已测试，可以正常下单"
    assert desk.due(n)["sla_state"] == "达标" and desk.due(n)["resolution_due"] == dt("2024-05-20 19:45")
    assert [(t.strftime("%H:%M"), kind, text) for t, _, kind, text in desk.log(n)] == [
        ("14:30", "状态变更", "新建"),
        ("14:36", "状态变更", "新建 → 已分派：负责人 周工"),
        ("14:40", "通知", "问题已受理，处理负责人为周工工程师，预计初步反馈时间：2小时内"),
        ("15:30", "进展同步", "已定位到数据库锁"),
        ("16:00", "状态变更", "已分派 → 等待报修人：等待用户提供截图"),
        ("16:45", "状态变更", "等待报修人 → 处理中"),
        ("17:30", "状态变更", "处理中 → 已解决：数据库锁超时，已释放并调整参数"),
        ("18:00", "状态变更", "已解决 → 处理中：重新打开：用户反馈再次无法下单"),
        ("18:30", "进展同步", "重新排查：连接池配置被回滚"),
        ("19:00", "状态变更", "处理中 → 已解决：连接池配置被回滚，已恢复并加入变更检查"),
        ("19:20", "验证", "报修人 张伟 确认：已测试，可以正常下单（满意度 5/5）"),
        ("19:30", "状态变更", "已解决 → 已关闭"),
    ]
    # what refresh derives from the finished sheet is what the steps wrote
    assert not plan_refresh(desk.tracker, dt("2024-05-20 19:30")).changes.cells.get("进展日志")


def test_p2_history_with_a_pause_on_the_business_clock():
    desk = Desk()
    n = desk.new("2024-05-21 16:30", "P2")
    # response 24 h wall: Wed 16:30. assignment 10 working min: 16:40.
    # resolution 480: Tue 16:30-18:00 = 90, Wed 390 = 180 (9-12) + 210 from 13:30 -> Wed 17:00
    assert desk.due(n) | {"sla_state": None} == {
        "response_due": dt("2024-05-22 16:30"), "assignment_due": dt("2024-05-21 16:40"), "next_update_due": None,
        "resolution_due": dt("2024-05-22 17:00"), "sla_state": None, "breached": None}
    desk.do(plan_assign, n, "2024-05-21 16:38", "李工")
    # update 240 from 16:38: Tue 82, Wed 158 from 09:00 -> 11:38
    assert desk.due(n)["next_update_due"] == dt("2024-05-22 11:38")
    desk.do(plan_status, n, "2024-05-22 09:10", "in_progress")
    desk.do(plan_status, n, "2024-05-22 10:00", "waiting")
    desk.do(plan_status, n, "2024-05-22 14:00", "in_progress")
    # paused 10:00-12:00 + 13:30-14:00 = 150 working min.
    # update 240 + 150 = 390 from Tue 16:38: Tue 82, Wed 308 = 180 + 128 from 13:30 -> 15:38
    # resolution 480 + 150 = 630 from Tue 16:30: Tue 90, Wed 450, Thu 90 -> Thu 10:30
    assert desk.due(n)["next_update_due"] == dt("2024-05-22 15:38")
    assert desk.due(n)["resolution_due"] == dt("2024-05-23 10:30")
    desk.do(plan_log, n, "2024-05-22 15:00", "update", "补丁已在测试环境验证")
    # update 240 from Wed 15:00: Wed 180 (15-18), Thu 60 -> Thu 10:00
    assert desk.due(n)["next_update_due"] == dt("2024-05-23 10:00")
    desk.do(plan_resolve, n, "2024-05-23 10:00", "补丁上线", workaround="手工导出", long_term_fix="升级到 V3.3",
            backup_done=True)
    row = desk.row(n)
    assert (row["workaround"], row["long_term_fix"], row["backup_done"]) == ("手工导出", "升级到 V3.3", "是")
    # response came with the assignment (16:38), everything else in time
    assert desk.due(n)["sla_state"] == "达标" and desk.due(n)["breached"] is None
    desk.do(plan_confirm, n, "2024-05-23 11:00", "张伟", "已恢复", rating=4)
    desk.do(plan_close, n, "2024-05-23 11:30")
    assert desk.row(n)["status"] == "已关闭" and desk.due(n)["sla_state"] == "达标"


def test_p3_history_reopened_across_labour_day():
    desk = Desk()
    n = desk.new("2024-04-29 10:00", "P3")
    # assignment 450 from Mon 04-29 10:00: Mon 120 + 270 = 390, Tue 60 -> 04-30 10:00
    # resolution 1350: Mon 390, Tue 450 (840), 05-01..05-05 off, Mon 05-06 450 (1290), Tue 05-07 60 -> 10:00
    assert desk.due(n)["assignment_due"] == dt("2024-04-30 10:00")
    assert desk.due(n)["resolution_due"] == dt("2024-05-07 10:00")
    desk.do(plan_assign, n, "2024-04-29 11:00", "王工")
    desk.do(plan_resolve, n, "2024-04-30 16:00", "清理浏览器缓存")  # P3: no backup needed
    assert desk.due(n)["sla_state"] == "达标"
    desk.do(plan_reopen, n, "2024-05-06 10:00", "节后再次出现")
    # solved Tue 04-30 16:00 -> Mon 05-06 10:00 = 120 (16-18) + 60 (9-10) = 180 working min paused:
    # 1350 + 180 = 1530: 1290 by Mon 05-06 18:00, Tue 05-07 240 = 180 + 60 from 13:30 -> 14:30.
    # At 05-06 10:00, 630 of 1530 remain... on the target's own scale 1 - 630/1350 = 53 % used: on track.
    assert desk.due(n)["resolution_due"] == dt("2024-05-07 14:30")
    assert desk.due(n)["sla_state"] == "正常"
    desk.do(plan_status, n, "2024-05-06 11:00", "waiting")
    desk.do(plan_status, n, "2024-05-06 15:00", "in_progress")
    # another 60 (11-12) + 90 (13:30-15:00) = 150: 1680, Tue 05-07 390 = 180 + 210 from 13:30 -> 17:00
    assert desk.due(n)["resolution_due"] == dt("2024-05-07 17:00")
    desk.do(plan_resolve, n, "2024-05-07 16:00", "更换打印机驱动")
    desk.do(plan_confirm, n, "2024-05-07 16:30", "张伟", "打印正常")
    desk.do(plan_close, n, "2024-05-07 17:00")
    row = desk.row(n)
    assert row["resolved_at"] == dt("2024-05-07 16:00") and row["satisfaction"] is None
    assert desk.due(n)["sla_state"] == "达标"


def test_p4_history_done_late_with_a_pause_over_a_make_up_saturday():
    desk = Desk()
    n = desk.new("2024-05-10 17:00", "P4")
    # response 24 h wall -> Sat 05-11 17:00. assignment 450: Fri 60, Sat 05-11 is a make-up working day:
    # 390 = 180 + 210 from 13:30 -> Sat 17:00. resolution 2250: Fri 60, Sat 450 (510), Mon 05-13 (960),
    # Tue (1410), Wed (1860), Thu 05-16 390 -> 17:00
    assert desk.due(n)["assignment_due"] == dt("2024-05-11 17:00")
    assert desk.due(n)["resolution_due"] == dt("2024-05-16 17:00")
    desk.do(plan_assign, n, "2024-05-13 09:30", "赵工")  # late: after Sat 17:00
    assert desk.due(n)["sla_state"] == "超时" and desk.due(n)["breached"] == "响应、分派"
    desk.do(plan_status, n, "2024-05-14 10:00", "waiting")
    desk.do(plan_status, n, "2024-05-15 10:00", "in_progress")
    # paused Tue 10:00-18:00 = 390 + Wed 09:00-10:00 = 60: one working day, due a day later: Fri 05-17 17:00
    assert desk.due(n)["resolution_due"] == dt("2024-05-17 17:00")
    desk.do(plan_resolve, n, "2024-05-17 17:30", "更换鼠标")
    assert desk.due(n)["sla_state"] == "超时完成" and desk.due(n)["breached"] == "响应、分派、解决"
    desk.do(plan_close, n, "2024-05-17 17:40")
    assert desk.row(n)["closed_at"] == dt("2024-05-17 17:40")


# -- new ----------------------------------------------------------------------------------------------------

def test_new_writes_the_row_and_a_log_row():
    desk = Desk(archived=["20240520-004"])
    n = desk.new("2024-05-20 14:30", "p2", channel="E-mail", category="Network")
    assert n == "20240520-005"  # never reuses an archived number
    row = desk.row(n)
    assert (row["reported_at"], row["status"], row["priority"]) == (dt("2024-05-20 14:30"), "新建", "P2")
    assert (row["channel"], row["category"]) == ("邮件", "网络")  # either language, written in the workbook's
    assert desk.log(n) == [(dt("2024-05-20 14:30"), "track-xls", "状态变更", "新建")]


def test_new_takes_a_reported_time_and_keeps_formula_like_text():
    desk = Desk(lang="en")
    n = desk.new("2024-05-20 15:00", "P3", reported_at=dt("2024-05-20 09:15"), description="=SUM(A1)", channel="电话")
    row = desk.row(n)
    assert n == "20240520-001" and row["reported_at"] == dt("2024-05-20 09:15")
    assert (row["description"], row["channel"], row["status"]) == ("=SUM(A1)", "Phone", "New")


@pytest.mark.parametrize("fields, message", [
    ({"reporter": ""}, "必填项「报修人」为空"),
    ({"priority": "P9"}, "优先级应为 P1–P4，实际为 'P9'"),
    ({"channel": "飞鸽传书"}, "「受理渠道」的值 '飞鸽传书' 不在下拉列表中"),
    ({"reported_at": dt("2024-05-21 09:00")}, "「报修时间」在未来"),
])
def test_new_refuses_bad_fields(fields, message):
    desk = Desk()
    with pytest.raises(InputError, match=message):
        plan_new(desk.tracker, FIELDS | {"priority": "P1"} | fields, dt("2024-05-20 14:30"))


# -- refusals: a step out of order names the ticket, the cell and the rule ------------------------------

@pytest.fixture
def p1():
    """A P1 ticket, assigned and in progress."""
    desk = Desk()
    n = desk.new("2024-05-20 14:30", "P1")
    desk.do(plan_assign, n, "2024-05-20 14:36", "周工")
    desk.do(plan_status, n, "2024-05-20 14:40", "in_progress")
    return desk, n


def test_resolving_p1_without_backup_is_refused(p1):
    desk, n = p1
    message = desk.refuses(plan_resolve, n, "2024-05-20 15:00", "重启服务")
    assert message == ("工单!V2: 工单 20240520-001 为 P1，解决前必须完成备份：请先备份，再加 --backup-done")


def test_resolving_needs_a_summary_and_an_assignee():
    desk = Desk()
    n = desk.new("2024-05-20 14:30", "P3")
    assert "尚未分派负责人，不能解决；请先 track-xls assign" in desk.refuses(plan_resolve, n, "2024-05-20 15:00", "x")
    desk.do(plan_assign, n, "2024-05-20 14:40", "周工")
    assert "没有处理总结" in desk.refuses(plan_resolve, n, "2024-05-20 15:00", "  ")


def test_closing_an_unresolved_ticket_is_refused(p1):
    desk, n = p1
    message = desk.refuses(plan_close, n, "2024-05-20 15:00")
    assert message == "工单!L2: 工单 20240520-001 是「处理中」，尚未解决，不能关闭；请先 track-xls resolve"


def test_closing_twice_and_closing_without_summary_are_refused():
    desk = Desk([{"ticket_no": "20240520-001", "reported_at": dt("2024-05-20 09:00"), "reporter": "张伟",
                  "module": "打印机", "description": "卡纸", "priority": "P4", "status": "已解决",
                  "assignee": "周工", "resolved_at": dt("2024-05-20 10:00")}])
    assert "没有处理总结（原因 / 处理方法），不能关闭；请加 --summary" in desk.refuses(
        plan_close, "20240520-001", "2024-05-20 11:00")
    desk.do(plan_close, "20240520-001", "2024-05-20 11:00", summary="清理搓纸轮")
    assert desk.row("20240520-001")["summary"] == "清理搓纸轮"
    assert "已是「已关闭」" in desk.refuses(plan_close, "20240520-001", "2024-05-20 11:10")


def test_closing_a_p2_typed_resolved_without_backup_is_refused():
    desk = Desk([{"ticket_no": "20240520-001", "reported_at": dt("2024-05-20 09:00"), "reporter": "张伟",
                  "module": "ERP", "description": "慢", "priority": "P2", "status": "已解决", "assignee": "周工",
                  "summary": "重建索引"}])
    assert "为 P2，关闭前必须完成备份" in desk.refuses(plan_close, "20240520-001", "2024-05-20 11:00")


def test_assigning_a_closed_ticket_is_refused_in_either_language():
    closed = {"ticket_no": "20240520-001", "reported_at": dt("2024-05-20 09:00"), "reporter": "张伟",
              "module": "ERP", "description": "慢", "priority": "P3", "assignee": "周工", "summary": "ok",
              "resolved_at": dt("2024-05-20 10:00"), "closed_at": dt("2024-05-20 10:30")}
    zh = Desk([closed | {"status": "已关闭"}]).refuses(plan_assign, "20240520-001", "2024-05-20 11:00", "李工")
    assert zh == "工单!L2: 工单 20240520-001 已是「已关闭」，不能分派；如问题复现，请先 track-xls reopen"
    en = Desk([closed | {"status": "Closed"}], lang="en").refuses(
        plan_assign, "20240520-001", "2024-05-20 11:00", "Li")
    assert en == ("Tickets!L2: ticket 20240520-001 is Closed: cannot assign it; "
                  "if the problem is back, run track-xls reopen first")


def test_cross_department_ticket_must_name_the_lead_department():
    desk = Desk()
    n = desk.new("2024-05-20 14:30", "P2")
    message = desk.refuses(plan_assign, n, "2024-05-20 14:35", "周工", vendor_contact="王经理")
    assert message.startswith("工单!N2: ") and "须用 --lead-dept 指明主责部门" in message
    desk.do(plan_assign, n, "2024-05-20 14:35", "周工", vendor_contact="王经理（供应商）", lead_department="信息部")
    assert desk.log(n)[-1][2:] == ("通知", "已通知供应商接口人 王经理（供应商）：工单 20240520-001（P2，销售模块V3.2）无法下单")
    assert desk.row(n)["lead_department"] == "信息部"


def test_reassigning_keeps_the_first_assignment_time(p1):
    desk, n = p1
    desk.do(plan_assign, n, "2024-05-20 15:00", "李工")
    row = desk.row(n)
    assert (row["assignee"], row["assigned_at"], row["status"]) == ("李工", dt("2024-05-20 14:36"), "处理中")
    assert desk.log(n)[-1] == (dt("2024-05-20 15:00"), "周工", "通知", "改派：负责人 李工（原负责人 周工）")


def test_status_steps_out_of_order():
    desk = Desk()
    n = desk.new("2024-05-20 14:30", "P3")
    assert "尚未分派负责人，不能改为等待报修人" in desk.refuses(plan_status, n, "2024-05-20 14:40", "waiting")
    desk.do(plan_assign, n, "2024-05-20 14:40", "周工")
    desk.do(plan_status, n, "2024-05-20 14:50", "waiting")
    assert "已是「等待报修人」" in desk.refuses(plan_status, n, "2024-05-20 15:00", "waiting")
    desk.do(plan_resolve, n, "2024-05-20 15:00", "用户自行解决")  # resolving ends the wait
    assert "不能改为等待报修人" in desk.refuses(plan_status, n, "2024-05-20 15:10", "waiting")
    assert "必填项「原因」为空" in desk.refuses(plan_reopen, n, "2024-05-20 15:10", " ")


def test_in_progress_on_a_done_ticket_reopens_it():
    desk = Desk()
    n = desk.new("2024-05-20 14:30", "P3")
    desk.do(plan_assign, n, "2024-05-20 14:40", "周工")
    assert "尚未解决，不能重新打开" in desk.refuses(plan_reopen, n, "2024-05-20 15:00", "x")
    desk.do(plan_resolve, n, "2024-05-20 15:00", "重装驱动")
    desk.do(plan_status, n, "2024-05-20 16:00", "in_progress", reason="复现")
    assert desk.row(n)["status"] == "处理中" and desk.row(n)["resolved_at"] is None
    assert desk.log(n)[-1][3] == "已解决 → 处理中：重新打开：复现"


def test_confirm_rules():
    desk = Desk()
    n = desk.new("2024-05-20 14:30", "P3")
    desk.do(plan_assign, n, "2024-05-20 14:40", "周工")
    assert "尚未解决，不能确认处理结果" in desk.refuses(plan_confirm, n, "2024-05-20 15:00", "张伟", "ok")
    desk.do(plan_resolve, n, "2024-05-20 15:00", "重装驱动")
    assert "满意度应为 1–5 的整数，实际为 6" in desk.refuses(plan_confirm, n, "2024-05-20 15:10", "张伟", "ok", rating=6)
    assert "必填项「处理结果确认」为空" in desk.refuses(plan_confirm, n, "2024-05-20 15:10", "张伟", "")
    desk.do(plan_confirm, n, "2024-05-20 15:10", "张伟", "可以打印", rating=3)
    assert desk.log(n)[-1] == (dt("2024-05-20 15:10"), "张伟", "验证", "报修人 张伟 确认：可以打印（满意度 3/5）")


def test_log_rules(p1):
    desk, n = p1
    assert "日志类型 'status_change' 无效" in desk.refuses(plan_log, n, "2024-05-20 15:00", "status_change", "x")
    assert "日志内容为空" in desk.refuses(plan_log, n, "2024-05-20 15:00", "investigation", " ")
    desk.do(plan_log, n, "2024-05-20 15:00", "investigation", "查看日志")
    assert desk.row(n)["first_response_at"] is None  # internal work is not an answer to the reporter
    desk.do(plan_log, n, "2024-05-20 15:10", "verification", "远程验证通过")
    assert desk.log(n)[-2:] == [(dt("2024-05-20 15:00"), "周工", "排查", "查看日志"),
                                (dt("2024-05-20 15:10"), "周工", "验证", "远程验证通过")]


def test_unknown_and_blocked_tickets():
    desk = Desk([{"ticket_no": "20240520-001", "reported_at": "昨天", "reporter": "张伟", "module": "ERP",
                  "description": "慢", "priority": "P3", "status": "新建"}])
    assert "找不到工单 20240520-009" in desk.refuses(plan_assign, "20240520-009", "2024-05-20 15:00", "周工")
    message = desk.refuses(plan_assign, "20240520-001", "2024-05-20 15:00", "周工")
    assert "工单 20240520-001 有必须先修正的问题：工单!B2: [date]" in message


def test_a_step_that_would_break_a_check_rule_is_refused(p1):
    desk, n = p1
    desk.do(plan_resolve, n, "2024-05-20 16:00", "重启", backup_done=True)
    # 15:57 is within the 5 minutes' tolerance for "future", but before the resolution
    message = desk.refuses(plan_close, n, "2024-05-20 15:57")
    assert "此步骤会违反规则" in message and "[time_order]" in message


def test_a_status_typed_in_the_sheet_is_logged_before_the_step():
    ticket = {"ticket_no": "20240520-001", "reported_at": dt("2024-05-20 09:00"), "reporter": "张伟",
              "module": "ERP", "description": "慢", "priority": "P3", "status": "等待报修人", "assignee": "周工",
              "assigned_at": dt("2024-05-20 09:10")}
    log = [{"ticket_no": "20240520-001", "time": dt("2024-05-20 09:10"), "kind": "状态变更", "text": "新建 → 已分派"}]
    desk = Desk([ticket], log)
    desk.do(plan_status, "20240520-001", "2024-05-20 10:00", "in_progress")
    assert [row[1:] for row in desk.log("20240520-001")[1:]] == [
        ("track-xls", "状态变更", "已分派 → 等待报修人"), ("周工", "状态变更", "等待报修人 → 处理中")]


# -- the same rules when the sheet is typed in ------------------------------------------------------------

def test_refresh_treats_a_typed_reopen_like_the_reopen_step():
    desk = Desk()
    n = desk.new("2024-05-20 14:30", "P1")
    desk.do(plan_assign, n, "2024-05-20 14:36", "周工")
    desk.do(plan_resolve, n, "2024-05-20 16:00", "重启", backup_done=True)
    tracker = desk.tracker
    table = tracker.tickets_table
    desk.book.sheets["工单"].rows[1][table.columns["status"]] = "处理中"  # the agent types it
    result = plan_refresh(desk.tracker, dt("2024-05-20 17:00"))
    desk.book = result.changes.applied_to(desk.book)
    row = desk.row(n)
    assert row["resolved_at"] is None and desk.log(n)[-1][3] == "已解决 → 处理中"
    # solved 16:00-17:00 paused: 14:30 + 4 h + 1 h = 19:30
    assert desk.due(n)["resolution_due"] == dt("2024-05-20 19:30")


def test_check_reports_steps_out_of_order_typed_in_the_sheet():
    desk = Desk()
    desk.new("2024-05-20 14:30", "P1")
    sheet, columns = desk.book.sheets["工单"], desk.tracker.tickets_table.columns
    for key, value in (("status", "已关闭"), ("satisfaction", 5)):
        sheet.rows[1][columns[key]] = value
    assert set(desk.findings("2024-05-20 16:00")) >= {
        ("Z2", "closed_without_summary"), ("S2", "closed_without_resolution"), ("V2", "backup_required"),
        ("X2", "rating_without_confirmation")}


# -- the Log's pauses -------------------------------------------------------------------------------------

@pytest.mark.parametrize("changes, pauses", [
    ([("09:00", "waiting"), ("10:00", "in_progress")], [("09:00", "10:00")]),
    ([("09:00", "waiting"), ("10:00", "resolved")], [("09:00", "10:00")]),  # the wait ends at resolution
    ([("09:00", "resolved"), ("10:00", "closed")], []),  # done for good: not a pause
    ([("09:00", "resolved"), ("10:00", "closed"), ("11:00", "in_progress")], [("09:00", "11:00")]),
    ([("09:00", "waiting"), ("10:00", "resolved"), ("11:00", "in_progress")], [("09:00", "11:00")]),
    ([("09:00", "resolved"), ("10:00", "waiting")], [("09:00", None)]),  # reopened into waiting
])
def test_pauses_count_solved_time_before_a_reopen(changes, pauses):
    def t(hhmm):
        return dt(f"2024-05-20 {hhmm}") if hhmm else None
    history = History(status_changes=[(t(when), status) for when, status in changes])
    assert history.pauses() == tuple((t(a), t(b)) for a, b in pauses)


def test_status_change_text_may_carry_a_note():
    assert status_in_text("已解决 → 处理中：重新打开：又坏了 → 再看") == "in_progress"
    assert status_in_text("Resolved → In Progress: reopened: broken again") == "in_progress"
    assert status_in_text("新建 → 已分派") == "assigned"
