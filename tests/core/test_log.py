"""Reading the Log into histories: each ticket's events in time order, whatever order the rows are in."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, strategies as st

from workbook.core.book import find_table
from workbook.core.log import read_histories, status_in_text

from tests.support.books import make_book

START = datetime(2024, 5, 20, 9, 0)
LOG_ROWS = st.lists(st.tuples(st.sampled_from(["20240520-001", "20240520-002", ""]),
                              st.integers(0, 3).map(lambda h: START + timedelta(hours=h)),
                              st.sampled_from(["状态变更", "进展同步", "排查"]),
                              st.sampled_from(["新建 → 处理中", "处理中 → 等待报修人", "已解决", "看了"])),
                    max_size=12)


def log_table(rows):
    records = [{"ticket_no": n, "time": t, "kind": k, "text": x} for n, t, k, x in rows]
    return find_table(make_book([], records), "log")


@given(LOG_ROWS)
def test_events_are_in_time_order_ties_in_row_order(rows):
    histories = read_histories(log_table(rows))
    for number in {n for n, *_ in rows if n}:
        changes = [(t, status_in_text(x)) for n, t, k, x in rows if n == number and k == "状态变更"]
        assert histories[number].status_changes == sorted([c for c in changes if c[1]], key=lambda c: c[0])
        assert histories[number].updates == sorted(t for n, t, k, _ in rows if n == number and k == "进展同步")


def test_a_row_out_of_place_is_sorted_in():
    rows = [("20240520-001", START + timedelta(hours=2), "状态变更", "新建 → 处理中"),
            ("20240520-001", START + timedelta(hours=1), "状态变更", "处理中 → 等待报修人"),
            ("20240520-001", START + timedelta(hours=1), "状态变更", "等待报修人 → 处理中"),
            ("20240520-001", START, "进展同步", "看了")]
    history = read_histories(log_table(rows))["20240520-001"]
    assert history.status_changes == [(START + timedelta(hours=1), "waiting"), (START + timedelta(hours=1), "in_progress"),
                                      (START + timedelta(hours=2), "in_progress")]
    assert history.updates == [START]
