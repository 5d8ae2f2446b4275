"""``updated`` (the tracker as a command's own edits leave it, re-reading only what they touch) is
the tracker a whole new reading gives, for edits to any Tickets cell and appended Log rows."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, strategies as st

from workbook.core.changeset import ChangeSet
from workbook.core.tracker import load_tracker, updated

from tests.support.books import make_book

START = datetime(2024, 5, 20, 9, 0)
TICKETS = [{"ticket_no": f"20240520-00{i}" if i % 3 else None, "reported_at": START + timedelta(hours=i),
            "reporter": "张伟", "module": "销售", "description": "无法下单", "priority": f"P{1 + i % 4}",
            "status": ("新建", "处理中", "已解决", "已关闭")[i % 4]} for i in range(1, 8)]
LOG = [{"ticket_no": "20240520-001", "time": START + timedelta(hours=2), "kind": "状态变更", "text": "新建 → 处理中"},
       {"ticket_no": "20240520-002", "time": START + timedelta(hours=3), "kind": "进展更新", "text": "查看日志"}]
BOOK = make_book(TICKETS, LOG)
TRACKER = load_tracker(BOOK)
COLUMNS = sorted(TRACKER.tickets_table.columns.values())
VALUES = st.one_of(st.none(), st.sampled_from(["", "P2", "高", "已关闭", "20240520-009", "2024/5/21 10:00"]),
                   st.datetimes(datetime(2024, 5, 1), datetime(2024, 6, 1)))
TICKET_EDITS = st.lists(st.tuples(st.integers(1, 10), st.sampled_from(COLUMNS), VALUES), max_size=8)
LOG_ROWS = st.lists(st.tuples(st.sampled_from(["20240520-001", "20240520-004", "20240520-009", "", "A-1"]),
                              st.datetimes(datetime(2024, 5, 19), datetime(2024, 5, 25)),
                              st.sampled_from(["状态变更", "进展更新", "备注"]),
                              st.sampled_from(["处理中 → 等待报修人", "等待报修人 → 处理中", "已解决", "看了"])),
                    max_size=5)


@given(TICKET_EDITS, LOG_ROWS)
def test_updated_reads_as_a_whole_new_reading(ticket_edits, log_rows):
    changes = ChangeSet()
    tickets, log = TRACKER.tickets_table, TRACKER.log_table
    for row, col, value in ticket_edits:
        changes.set(tickets.name, row, col, value)
    for i, (number, when, kind, text) in enumerate(log_rows):
        for key, value in zip(("ticket_no", "time", "kind", "text"), (number, when, kind, text)):
            changes.set(log.name, log.end_row + i, log.columns[key], value)
    got, want = updated(TRACKER, changes), load_tracker(changes.applied_to(BOOK))
    assert got.tickets == want.tickets
    assert dict(got.histories) == {n: h for n, h in want.histories.items()}
    assert got.used == want.used and got.reserved == want.reserved
    assert got.book.sheets == want.book.sheets
    assert (got.tickets_table.end_row, got.log_table.end_row) == (want.tickets_table.end_row, want.log_table.end_row)
    assert load_tracker(BOOK).tickets == TRACKER.tickets  # the tracker it was given is left as it was


def test_only_the_rows_edited_are_read_again():
    changes = ChangeSet()
    changes.set(TRACKER.tickets_table.name, 2, TRACKER.tickets_table.columns["status"], "已关闭")
    got = updated(TRACKER, changes)
    assert got.tickets[0] is TRACKER.tickets[0] and got.tickets[1] is not TRACKER.tickets[1]
    assert got.tickets[1].status == "closed" and TRACKER.tickets[1].status == "resolved"


def test_edits_elsewhere_read_the_whole_tracker():
    changes = ChangeSet()
    reviews = BOOK.sheet("reviews")
    changes.set(reviews.name, 5, 1, "20240520-001")
    changes.set(TRACKER.tickets_table.name, 1, TRACKER.tickets_table.columns["status"], "已关闭")
    got = updated(TRACKER, changes)
    assert got.tickets[0] is not TRACKER.tickets[0]
    assert got.tickets == load_tracker(changes.applied_to(BOOK)).tickets
