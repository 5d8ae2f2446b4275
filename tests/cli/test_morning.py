"""A shared tracker's morning: colleagues typed rows overnight, some of them wrong. One refresh
numbers and computes every row it can, makes typed values right, marks and lists the rest, and
changes nothing else; check reports the same list."""

from __future__ import annotations

import json
from datetime import datetime


from tests.support.cli import run
from tests.support.books import typed_tracker
from workbook.core import schema
from workbook.core.book import find_table
from workbook.xlsx.reader import read_book

NOW = "2024-05-20 15:00"
BASE = {"reporter": "张伟", "module": "ERP", "description": "无法登录"}
ROWS = [
    BASE | {"reported_at": datetime(2024, 5, 20, 9, 0), "priority": "P3", "status": "新建", "channel": "e-mail"},
    BASE | {"reported_at": datetime(2024, 5, 20, 10, 0), "priority": "P4", "status": "open"},
    BASE | {"reported_at": datetime(2024, 5, 20, 11, 0), "priority": "P3"},  # no status
    BASE | {"reported_at": datetime(2024, 5, 20, 12, 0), "priority": "高", "status": "新建"},
    BASE | {"reported_at": "2024/5/20 9:30", "priority": "P3", "status": "新建"},  # a date Excel kept as text
    BASE | {"reported_at": datetime(2024, 5, 20, 13, 0), "priority": "超级急", "status": "新建"},
    BASE | {"ticket_no": "20240519-001", "reported_at": datetime(2024, 5, 19, 9, 0), "priority": "P3", "status": "新建"},
    BASE | {"ticket_no": "20240519-001", "reported_at": datetime(2024, 5, 19, 10, 0), "priority": "P3", "status": "新建"},
]


def rows(path) -> list[dict]:
    return [record for _, record in find_table(read_book(path), "tickets").records()]


def test_a_shared_trackers_morning(tmp_path):
    path = typed_tracker(tmp_path / "工单跟踪.xlsx", ROWS)
    before_book = read_book(path)
    before = rows(path)

    result = run("refresh", path, "--now", NOW)
    assert result.exit_code == 0, result.output
    after = rows(path)
    marker = schema.SLA_STATES["needs_fix"].zh

    # Every row with a report time is numbered, in report order; the duplicates keep theirs.
    assert [r["ticket_no"] for r in after] == ["20240520-001", "20240520-003", "20240520-004", "20240520-005",
                                              "20240520-002", "20240520-006", "20240519-001", "20240519-001"]
    # Values made right in their cells: 高 -> P2, open -> 新建, e-mail -> 邮件, the text date -> a date cell.
    assert after[3]["priority"] == "P2" and after[1]["status"] == "新建" and after[0]["channel"] == "邮件"
    assert after[4]["reported_at"] == datetime(2024, 5, 20, 9, 30)
    # Good rows computed; the P2 and the text-dated row too, now that they are right.
    for i in (0, 1, 3, 4):
        assert after[i]["sla_state"] in ("正常", "预警", "超时") and after[i]["response_due"], after[i]
        assert not after[i]["problems"]
    # Rows that cannot be judged are marked, their deadlines written as far as they go, the reason beside.
    no_status, unknown, dup_a, dup_b = after[2], after[5], after[6], after[7]
    assert no_status["sla_state"] == marker and no_status["response_due"] and "L4" in no_status["problems"]
    assert unknown["sla_state"] == marker and not unknown["response_due"] and "超级急" in unknown["problems"]
    assert dup_a["sla_state"] == dup_b["sla_state"] == marker
    assert "A9" in dup_a["problems"] and "A8" in dup_b["problems"]
    # The summary names each problem's cell and rule, and counts the fixes.
    for line in ("工单!L4: [required]", "工单!K7: [priority]", "工单!A8: [duplicate_number]",
                 "工单!A9: [duplicate_number]", "规范写法 4 处", "待补全 4 个"):
        assert line in result.output, result.output
    # Nothing else changed: the typed cells of every row, and every sheet but Tickets, Log and Dashboard.
    fixed = {(3, "priority"), (1, "status"), (0, "channel"), (4, "reported_at")}
    for i, (old, new) in enumerate(zip(before, after)):
        for key, value in old.items():
            if key not in schema.COMPUTED_KEYS and key != "ticket_no" and (i, key) not in fixed:
                assert new[key] == value, (i, key)
    after_book = read_book(path)
    for name in ("设置", "复盘", "常见问题手册", "归档索引"):
        assert after_book.sheets[name].rows == before_book.sheets[name].rows, name

    # check lists the same problems and exits 1; a second refresh has nothing left to do.
    checked = run("check", path, "--now", NOW, "--format", "json")
    assert checked.exit_code == 1
    found = {f"{f['sheet']}!{f['cell']}: [{f['rule']}]" for f in json.loads(checked.output)["findings"]}
    listed = {line.strip().split(" ", 2)[0] + " " + line.strip().split(" ", 2)[1]
              for line in result.output.splitlines() if line.startswith("  工单!")}
    assert found == listed
    again = run("refresh", path, "--now", NOW)
    assert again.exit_code == 0 and "没有需要更改的内容" in again.output, again.output


def test_only_workbook_problems_stop_a_refresh(tmp_path):
    path = typed_tracker(tmp_path / "t.xlsx", ROWS[:1])
    from workbook.core.changeset import ChangeSet
    from workbook.xlsx.file_engine import FileEngine

    engine = FileEngine(path, backups=0)
    table = find_table(engine.read(), "tickets")
    changes = ChangeSet()
    changes.set(table.name, 0, table.columns["priority"], "备注")  # the Priority column is gone
    engine.apply(changes)
    before = path.read_bytes()
    result = run("refresh", path, "--now", NOW)
    assert result.exit_code == 1 and "优先级" in result.output and "Traceback" not in result.output
    assert path.read_bytes() == before
