"""The refresh plan on in-memory trackers: numbers, computed columns, status-change log rows."""

from copy import deepcopy
from datetime import datetime

from workbook.core.book import find_table
from workbook.core.refresh import plan_refresh
from workbook.core.tracker import load_tracker

from tests.support.books import make_book

P1 = {"reported_at": datetime(2024, 5, 20, 14, 30), "reporter": "张伟", "module": "销售模块V3.2",
      "description": "无法下单", "priority": "P1", "status": "新建"}


def plan(tickets, log=(), now=datetime(2024, 5, 20, 14, 50), lang="zh", **kw):
    book = make_book(tickets, log, lang=lang, **kw)
    return book, plan_refresh(load_tracker(book), now)


def written(book, result, sheet_key, row):
    """{column key: value} the plan writes into one row."""
    table = find_table(book, sheet_key)
    by_col = {c: k for k, c in table.columns.items()}
    return {by_col[c]: v for (r, c), v in result.changes.cells.get(table.name, {}).items() if r == row}


def test_new_p1_ticket_is_numbered_and_overdue_after_fifteen_minutes():
    book, result = plan([P1])
    row = written(book, result, "tickets", 1)
    assert result.numbered == ["20240520-001"]
    assert row["ticket_no"] == "20240520-001"
    # 24x7: 14:30 + 15 min response, + 10 min assignment, + 4 h resolution
    assert row["response_due"] == datetime(2024, 5, 20, 14, 45)
    assert row["assignment_due"] == datetime(2024, 5, 20, 14, 40)
    assert row["resolution_due"] == datetime(2024, 5, 20, 18, 30)
    assert "next_update_due" not in row  # no update clock before assignment: the cell stays empty
    assert row["sla_state"] == "超时"
    assert row["breached"] == "响应、分派"
    assert row["review_needed"] == "是"
    assert result.states == {"overdue": 1}


def test_numbers_continue_after_the_archive_index():
    _, result = plan([P1, P1 | {"reported_at": datetime(2024, 5, 20, 9, 0)}], archived=["20240520-004"])
    assert result.numbered == ["20240520-005", "20240520-006"]


def test_english_workbook_gets_english_values():
    book, result = plan([P1 | {"status": "New"}], lang="en", now=datetime(2024, 5, 20, 14, 35))
    row = written(book, result, "tickets", 1)
    assert row["sla_state"] == "On Track" and row["review_needed"] == "Yes"


def test_at_risk_after_75_percent_of_a_running_target():
    # P3 resolution: 3 working days = 3 x 450 = 1350 min from Mon 05-20 09:00, due Wed 05-22 18:00.
    # At Wed 15:00: Mon 450 + Tue 450 + Wed 180 (9-12) + 90 (13:30-15:00) = 1170 min = 87 % used.
    ticket = P1 | {"priority": "P3", "reported_at": datetime(2024, 5, 20, 9, 0), "status": "已分派",
                   "assignee": "周工", "assigned_at": datetime(2024, 5, 20, 9, 30)}
    log = [{"ticket_no": "20240520-001", "time": datetime(2024, 5, 20, 9, 30), "kind": "状态变更", "text": "新建 → 已分派"}]
    book, result = plan([ticket | {"ticket_no": "20240520-001"}], log, now=datetime(2024, 5, 22, 15, 0))
    row = written(book, result, "tickets", 1)
    assert row["resolution_due"] == datetime(2024, 5, 22, 18, 0)
    assert row["sla_state"] == "预警"
    assert result.logged == 0


def test_status_change_is_logged_at_refresh_time_and_pauses_resolution():
    now = datetime(2024, 5, 20, 15, 0)
    ticket = P1 | {"ticket_no": "20240520-001", "status": "等待报修人", "assignee": "周工",
                   "first_response_at": datetime(2024, 5, 20, 14, 35), "assigned_at": datetime(2024, 5, 20, 14, 38)}
    book, result = plan([ticket], now=now)
    log = written(book, result, "log", 1)
    assert log == {"ticket_no": "20240520-001", "time": now, "author": "track-xls", "kind": "状态变更",
                   "text": "新建 → 等待报修人"}
    row = written(book, result, "tickets", 1)
    assert "resolution_due" not in row  # paused from now on: no deadline while waiting
    assert row["sla_state"] == "正常"


def test_done_status_gets_its_time_stamped():
    now = datetime(2024, 5, 20, 16, 0)
    ticket = P1 | {"ticket_no": "20240520-001", "status": "已解决", "backup_done": "是",
                   "first_response_at": datetime(2024, 5, 20, 14, 35), "assigned_at": datetime(2024, 5, 20, 14, 38)}
    book, result = plan([ticket], now=now)
    row = written(book, result, "tickets", 1)
    assert row["resolved_at"] == now
    assert row["sla_state"] == "达标"


def test_a_bad_row_is_marked_and_the_others_computed():
    book, result = plan([P1 | {"priority": "P9"}, P1])
    bad, good = written(book, result, "tickets", 1), written(book, result, "tickets", 2)
    assert result.numbered == ["20240520-001", "20240520-002"]  # its report time still gives it a number
    assert bad["sla_state"] == "待补全" and "response_due" not in bad  # no target without a priority
    assert bad["problems"].startswith("K2 ")
    assert good["sla_state"] == "超时" and "problems" not in good
    assert result.states == {"needs_fix": 1, "overdue": 1}
    assert any("工单!K2: [priority]" in line for line in result.summary("zh"))


def test_plan_leaves_its_tracker_as_it_was():
    book = make_book([P1, P1 | {"status": "已解决", "ticket_no": "20240520-007"}])
    tracker = load_tracker(book)
    before = (deepcopy(tracker.tickets), deepcopy(tracker.histories), deepcopy(book))
    plan_refresh(tracker, datetime(2024, 5, 20, 14, 50))
    assert (tracker.tickets, tracker.histories, book) == before


def test_second_plan_over_the_result_changes_nothing():
    book, result = plan([P1])
    again = plan_refresh(load_tracker(result.changes.applied_to(book)), datetime(2024, 5, 20, 14, 50))
    assert not again.changes
