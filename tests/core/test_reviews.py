"""Reviews and the FAQ handbook: what needs a review, 需复盘, FAQ entries, and the `review` command."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from click.testing import CliRunner

from tests.support.books import make_book, sheet_rows
from tests.support.report_data import NOW, T, make_tracker
from workbook.core import schema
from workbook.core.book import SheetData, find_table
from workbook.core.changeset import ChangeSet
from workbook.cli import main
from workbook.xlsx.file_engine import FileEngine
from workbook.xlsx.reader import read_book
from workbook.core.reviews import find_needs, plan_review, read_reviews, review_flags
from workbook.core.settings import defaults
from workbook.core.tickets import read_tickets
from workbook.core.tracker import load_tracker

DAY = timedelta(days=1)
START = datetime(2024, 5, 6, 9, 0)


def ticket(number, priority="P3", status="处理中", at=START, module="VPN网关", category="网络", **more):
    return {"ticket_no": number, "reported_at": at, "reporter": "张伟", "module": module, "category": category,
            "description": "连不上", "priority": priority, "status": status, **more}


def needs_of(tickets, reviews=()):
    book = make_book(tickets, reviews=reviews)
    found = read_tickets(find_table(book, "tickets"))
    return find_needs(found, read_reviews(find_table(book, "reviews")), defaults(), "zh")


# -- which tickets need a review ------------------------------------------------------------------------

def test_three_of_a_module_and_category_within_30_days_recur():
    # Defaults: 3 tickets within 30 days. The window includes its end: day 0, 10 and 30 make a group.
    group = [ticket("20240506-001"), ticket("20240516-001", at=START + 10 * DAY),
             ticket("20240605-001", at=START + 30 * DAY)]
    [need] = needs_of(group)
    assert need.kind == "recurring" and need.numbers == ("20240506-001", "20240516-001", "20240605-001")
    assert need.reason == "重复问题：VPN网关 / 网络，30 天内 3 次"
    # one minute later the third is outside the first's window, and no later window holds three
    assert needs_of(group[:2] + [ticket("20240605-001", at=START + 30 * DAY + timedelta(minutes=1))]) == []
    # another category is another problem
    assert needs_of(group[:2] + [ticket("20240605-001", at=START + 20 * DAY, category="软件")]) == []


def test_done_p1_p2_need_a_review_open_ones_and_p3_do_not():
    tickets = [ticket("20240506-001", "P1", "处理中", module="A"), ticket("20240506-002", "P2", "已解决", module="B"),
               ticket("20240506-003", "P1", "已关闭", module="C"), ticket("20240506-004", "P3", "已关闭", module="D")]
    assert [(n.kind, n.numbers, n.reason) for n in needs_of(tickets)] == [
        ("priority", ("20240506-002",), "P2 工单"), ("priority", ("20240506-003",), "P1 工单")]


def test_reviewed_tickets_do_not_count_again_and_a_p1_in_a_group_is_covered_by_it():
    group = [ticket(f"202405{6 + i:02d}-001", "P1" if i == 0 else "P3", "已关闭" if i == 0 else "处理中",
                    at=START + i * DAY, assignee="吴工" if i else "周工") for i in range(3)]
    [need] = needs_of(group)
    assert need.kind == "recurring" and len(need.numbers) == 3 and need.owner == "吴工"  # the most frequent
    assert needs_of(group, [{"ticket_nos": "20240506-001"}]) == []  # two fresh tickets are no recurrence
    later = [ticket(f"202405{20 + i:02d}-001", at=START + (14 + i) * DAY) for i in range(3)]
    [need] = needs_of(group + later, [{"ticket_nos": "20240506-001, 20240507-001、20240508-001"}])
    assert need.numbers == ("20240520-001", "20240521-001", "20240522-001")


def test_a_review_row_is_finished_when_marked_done_or_typed_with_a_root_cause():
    rows = [{"ticket_nos": "1", "status": "已完成"}, {"ticket_nos": "2", "root_cause": "配置错误"},
            {"ticket_nos": "3"}, {"ticket_nos": "4", "status": "待复盘", "root_cause": "写了一半"}]
    book = make_book([], reviews=rows)
    assert [r.done for r in read_reviews(find_table(book, "reviews"))] == [True, True, False, False]


def test_review_needed_flags():
    book = make_book([ticket("20240506-001", "P1"), ticket("20240506-002", "P2"), ticket("20240506-003", "P3"),
                      ticket("20240506-004", "P4")],
                     reviews=[{"ticket_nos": "20240506-002", "status": "已完成"},
                              {"ticket_nos": "20240506-003", "status": "待复盘"}])
    tickets = read_tickets(find_table(book, "tickets"))
    # P1 without a finished review; the P3 named in a pending row. Not the reviewed P2, not the P4.
    assert review_flags(tickets, read_reviews(find_table(book, "reviews"))) == {"20240506-001", "20240506-003"}


# -- the plan -------------------------------------------------------------------------------------------

def test_plan_appends_pending_rows_marks_tickets_and_writes_the_faq():
    tickets = [ticket("20240520-001", "P2", "已解决", assignee="吴工"), ticket("20240521-001", "P3", module="OA系统")]
    reviews = [{"ticket_nos": "20240521-001", "status": "已完成", "faq_updated": "是", "root_cause": "索引失效",
                "symptom": "页面很慢", "solution": "重建索引"},
               {"ticket_nos": "20240301-001", "status": "已完成", "faq_updated": "是", "symptom": "打印卡纸",
                "solution": "清洁传感器"}]
    book = make_book(tickets, reviews=reviews)
    faq = [{"module": "oa系统", "symptom": "页面很慢 ", "cause": "", "solution": "重启", "source_tickets": "20240101-001"}]
    book.sheets["常见问题手册"] = SheetData("常见问题手册", sheet_rows("faq", faq))
    plan = plan_review(load_tracker(book), [], NOW)
    # due: 5 working days (5 x 450 min) from Mon 06-03 10:00: 390 left on Monday, Tue–Fri 1800, then
    # 60 more; Mon 06-10 is the Dragon Boat holiday, so Tue 06-11 10:00.
    assert plan.due == date(2024, 6, 11)
    reviews_sheet, faq_sheet, tickets_sheet = (plan.changes.cells[n] for n in ("复盘", "常见问题手册", "工单"))
    assert _row(reviews_sheet, 3, "reviews") == {
        "ticket_nos": "20240520-001", "date": date(2024, 6, 3), "reason": "P2 工单", "owner": "吴工",
        "due_date": date(2024, 6, 11), "status": "待复盘", "faq_updated": "否"}
    assert _row(tickets_sheet, 1, "tickets") == {"review_needed": "是"}
    # the existing entry (same module and symptom, any case and spacing) is updated, sources merged;
    # the other review's tickets are nowhere to be found, so its module is unknown: skipped
    assert _row(faq_sheet, 1, "faq") == {"cause": "索引失效", "solution": "重建索引",
                                         "source_tickets": "20240101-001、20240521-001"}
    assert (plan.faq_added, plan.faq_updated, plan.faq_skipped) == ([], ["页面很慢"], ["打印卡纸"])


def _row(cells, row, sheet):
    keys = [c.key for c in schema.SHEET_COLUMNS[sheet]]
    return {keys[c]: v for (r, c), v in cells.items() if r == row}


# -- the command on a file ------------------------------------------------------------------------------

def review(path, *more):
    result = CliRunner().invoke(main, ["review", str(path), "--now", "2024-06-03 10:00", *more])
    assert result.exit_code == 0, result.output
    return result.output


def records(path, key):
    return [record for _, record in find_table(read_book(path), key).records()]


def test_review_command_records_once_marks_and_keeps_the_faq(tmp_path):
    faq = [{"module": T["T1"]["module"], "symptom": "登录提示验证码错误", "solution": "重启",
            "source_tickets": "20240401-009"}]
    path = make_tracker(tmp_path, faq)
    plan = json.loads(review(path, "--dry-run", "--format", "json"))
    assert [n["tickets"] for n in plan["needs"]] == [
        ["20240514-001", "20240518-001", "20240524-001"], ["20240515-001"],
        ["20240516-001", "20240520-002", "20240530-001"], ["20240531-001"]]
    assert not plan["written"] and len(records(path, "reviews")) == 2

    out = review(path)
    assert "需要复盘 4 项" in out and "常见问题手册：新增 0 条，更新 1 条" in out
    rows = records(path, "reviews")
    assert [r["ticket_nos"] for r in rows[2:]] == ["20240514-001、20240518-001、20240524-001", "20240515-001",
                                                   "20240516-001、20240520-002、20240530-001", "20240531-001"]
    assert all(r["status"] == "待复盘" and r["faq_updated"] == "否" for r in rows[2:])
    flagged = {r["ticket_no"] for r in records(path, "tickets") if r["review_needed"] == "是"}
    # P1–P2 without a finished review (T2, T3, T8, T11) and the live tickets of the new rows (T5, T6, T10)
    assert flagged == {T[k]["ticket_no"] for k in ("T2", "T3", "T8", "T11", "T5", "T6", "T10")}
    [entry] = records(path, "faq")  # T1 is archived: its module comes from the archive
    assert (entry["solution"], entry["source_tickets"]) == ("清理缓存并重启验证码服务", "20240401-009、20240513-001")

    assert "没有新的需要复盘的工单" in review(path) and "没有需要更改的内容" in review(path)
    assert len(records(path, "reviews")) == 6

    # The team finishes the VPN review and adds what it taught to the FAQ.
    engine = FileEngine(path)
    table = find_table(engine.read(), "reviews")
    done = {"status": "已完成", "root_cause": "证书过期", "faq_updated": "是", "symptom": "VPN 连接失败",
            "solution": "更新证书"}
    changes = ChangeSet()
    for key, value in done.items():
        changes.set(table.name, 3, table.columns[key], value)
    engine.apply(changes)
    assert "常见问题手册：新增 1 条，更新 0 条" in review(path)
    vpn = records(path, "faq")[1]
    assert (vpn["module"], vpn["cause"], vpn["source_tickets"]) == ("VPN网关", "证书过期",
                                                                    "20240514-001、20240518-001、20240524-001")
    flagged = {r["ticket_no"] for r in records(path, "tickets") if r["review_needed"] == "是"}
    assert flagged == {T[k]["ticket_no"] for k in ("T8", "T11", "T5", "T10")}


def test_refresh_keeps_the_flags_review_wrote(tmp_path):
    path = make_tracker(tmp_path)
    review(path)
    before = {r["ticket_no"]: r["review_needed"] for r in records(path, "tickets")}
    result = CliRunner().invoke(main, ["refresh", str(path), "--now", "2024-06-03 10:00"])
    assert result.exit_code == 0, result.output
    assert {r["ticket_no"]: r["review_needed"] for r in records(path, "tickets")} == before
