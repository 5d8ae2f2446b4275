from datetime import datetime

from workbook.core.normalize import plan_fixes
from workbook.core.tracker import load_tracker

from tests.support.books import make_book

GOOD = {"ticket_no": "20240520-001", "reported_at": datetime(2024, 5, 20, 14, 30), "reporter": "张伟",
        "module": "销售模块V3.2", "description": "登录失败", "priority": "P3", "status": "处理中"}


def fixes(*rows, lang="zh"):
    return [(f.cell, f.old, f.new) for f in plan_fixes(load_tracker(make_book(list(rows), lang=lang)))]


def test_rows_spelled_right_need_no_fix():
    assert fixes(GOOD, GOOD | {"channel": "电话", "backup_done": "是"}) == []


def test_fixes_row_by_row_each_in_column_order():
    rows = [GOOD | {"reported_at": "2024/5/20 9:05", "status": "in progress", "priority": "高"},
            GOOD,
            GOOD | {"channel": " phone ", "backup_done": "yes", "resolved_at": "2024-05-20 18:00"}]
    assert fixes(*rows) == [
        ("工单!K2", "高", "P2"), ("工单!L2", "in progress", "处理中"), ("工单!B2", "2024/5/20 9:05", datetime(2024, 5, 20, 9, 5)),
        ("工单!V4", "yes", "是"), ("工单!F4", " phone ", "电话"), ("工单!S4", "2024-05-20 18:00", datetime(2024, 5, 20, 18, 0)),
    ]


def test_a_number_is_a_priority_and_true_is_not():
    # 1 == True in Python: each distinct value is worked out once, by its type as well
    assert fixes(GOOD | {"priority": True}, GOOD | {"priority": 1}, GOOD | {"priority": 2.0}) == [
        ("工单!K3", 1, "P1"), ("工单!K4", 2.0, "P2")]
    assert fixes(GOOD | {"priority": 1}, GOOD | {"priority": True}) == [("工单!K2", 1, "P1")]


def test_what_reads_as_nothing_or_a_typo_stays():
    assert fixes(GOOD | {"priority": "P9", "status": "搁置", "channel": "信鸽", "resolved_at": "1980-01-01 10:00"}) == []
