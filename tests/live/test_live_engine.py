"""The live engine against xlwings' remote interpreter, which runs without Excel.

``xw.Book(json=...)`` is the book a client (VBA, Office.js) sends xlwings Server: sheet names and
values. Everything done to it is recorded as actions (``setValues``, ``rangeDelete`` ...), which a
client would replay in Excel. The tests replay them on the sent values, as Excel would, and compare
the result with what the file engine writes for the same tracker.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from tests.support.books import typed_tracker
from workbook.core import schema
from workbook.core.book import BookData, find_table
from workbook.live.button import press
from workbook.core.changeset import ChangeSet
from workbook.core.errors import InputError
from workbook.xlsx.file_engine import FileEngine
from workbook.live.live_engine import TEXT_PREFIX, LiveEngine, blocks, excel_value
from workbook.xlsx.reader import read_book
from workbook.core.refresh import run_refresh

# The remote interpreter is part of xlwings PRO; xlwings accepts this key for noncommercial use.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
xw = pytest.importorskip("xlwings")
if "remote" not in [engine.name for engine in xw.engines]:  # xlwings was imported before the key was set
    from xlwings.pro import _xlremote

    xw.engines.add(xw.main.Engine(impl=_xlremote.engine))

NOW = datetime(2024, 5, 21, 10, 0)
TICKETS = [
    {"reported_at": datetime(2024, 5, 20, 14, 30), "reporter": "张伟", "module": "销售模块V3.2",
     "description": "=1+1 无法下单", "priority": "P1", "status": "新建"},
    {"reported_at": datetime(2024, 5, 20, 16, 0), "reporter": "李娜", "module": "会议室A打印机",
     "description": "-5 度报错", "priority": "P3", "status": "处理中", "assignee": "王工",
     "assigned_at": datetime(2024, 5, 20, 16, 5), "first_response_at": datetime(2024, 5, 20, 16, 3)},
    {"ticket_no": "20240518-001", "reported_at": datetime(2024, 5, 18, 9, 0), "reporter": "赵强",
     "module": "邮件", "description": "收不到邮件", "priority": "P2", "status": "等待报修人"},
    {"reported_at": datetime(2024, 4, 2, 9, 0), "reporter": "孙丽", "module": "VPN", "description": "断线",
     "priority": "P4", "status": "已关闭", "resolved_at": datetime(2024, 4, 3, 9, 0),
     "closed_at": datetime(2024, 4, 3, 10, 0), "summary": "重置账号"},
]
EXCEL_DATETIME = re.compile(r"^\d{4}-\d\d-\d\d( \d\d:\d\d:\d\d)?$")  # how the remote engine sends dates


# -- a tracker file, and the same tracker as a remote book ---------------------------------------------

def tracker_file(folder: Path, records=TICKETS, lang: str = "zh") -> Path:
    return typed_tracker(folder / "tracker.xlsx", list(records), lang)


def remote_book(book: BookData, name: str = "tracker.xlsm"):
    """``book``'s values sent the way xlwings' VBA client sends a workbook: rectangular, '' for
    empty, date-times as ISO strings."""
    sheets = []
    for sheet in book.sheets.values():
        width = max((len(row) for row in sheet.rows), default=0)
        values = [[_sent(v) for v in row] + [""] * (width - len(row)) for row in sheet.rows] or [[]]
        sheets.append({"name": sheet.name, "values": values, "pictures": [], "tables": []})
    return xw.Book(json={"client": "VBA", "version": xw.__version__, "names": [], "sheets": sheets,
                         "book": {"name": name, "active_sheet_index": 0, "selection": "B3"}})


def _sent(value):
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return f"{value:%Y-%m-%dT%H:%M:%S}Z" if isinstance(value, datetime) else f"{value:%Y-%m-%d}T00:00:00Z"
    return value


# -- Excel, as far as the tests need it: replay the actions on the values ------------------------------

def replay(book: BookData, actions: list[dict]) -> dict[str, list[list]]:
    """Each sheet's values after Excel ran ``actions``; fails on any action that is not a write."""
    grids = {name: [list(row) for row in sheet.rows] for name, sheet in book.sheets.items()}
    names = list(book.sheets)
    for action in actions:
        grid = grids[names[action["sheet_position"]]]
        if action["func"] == "setValues":
            for i, row in enumerate(action["values"]):
                for j, value in enumerate(row):
                    _put(grid, action["start_row"] + i, action["start_column"] + j, _typed(value))
        elif action["func"] == "rangeDelete":
            assert action["args"] == ["up"] and action["column_count"] == 16384  # whole rows
            del grid[action["start_row"]:action["start_row"] + action["row_count"]]
        else:
            raise AssertionError(f"unexpected action {action['func']}")  # no select, activate, save...
    return grids


def _put(grid: list[list], r: int, c: int, value) -> None:
    while len(grid) <= r:
        grid.append([])
    grid[r].extend([None] * (c + 1 - len(grid[r])))
    grid[r][c] = value


def _typed(value):
    """A written value as Excel stores it: prefixed text stays text; dates arrive as strings."""
    if isinstance(value, str):
        if value.startswith(TEXT_PREFIX):
            return value[1:]
        if EXCEL_DATETIME.match(value):
            return datetime.fromisoformat(value)
        assert not re.search(r"\d|^[=+\-@#]", value), f"{value!r} would not stay text in Excel"
    return None if value == "" else value


def same_grids(got: dict[str, list[list]], want: BookData) -> None:
    for name, sheet in want.sheets.items():
        height = max(len(sheet.rows), len(got[name]))
        for r in range(height):
            for c in range(max(len(_row(sheet.rows, r)), len(_row(got[name], r)))):
                a, b = _norm(_cell(got[name], r, c)), _norm(_cell(sheet.rows, r, c))
                assert a == b, f"{name} row {r + 1} col {c + 1}: live {a!r}, file {b!r}"


def _row(rows, r):
    return rows[r] if r < len(rows) else []


def _cell(rows, r, c):
    row = _row(rows, r)
    return row[c] if c < len(row) else None


def _norm(value):
    """calamine reads date-only cells as dates and every number as a float; Excel the same values."""
    if isinstance(value, datetime):
        return value.replace(microsecond=0)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return round(float(value), 6)
    return value


# -- tests ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_refresh_writes_what_the_file_engine_writes(tmp_path, lang):
    records = TICKETS if lang == "zh" else [_english(r) for r in TICKETS]
    path = tracker_file(tmp_path, records, lang)
    before = read_book(path)
    book = remote_book(before)
    _, live = run_refresh(LiveEngine(book), NOW)
    _, filed = run_refresh(FileEngine(path, backups=0), NOW)
    assert live.summary(lang) == filed.summary(lang)
    assert live.numbered == filed.numbered == ["20240402-001", "20240520-001", "20240520-002"]
    actions = book.json()["actions"]
    same_grids(replay(before, actions), read_book(path))
    # Blocks, not cells: a tracker's first refresh writes every computed column of every ticket.
    assert len(actions) < len(live.changes) / 4


def _english(record: dict) -> dict:
    codes = {label.zh: label.en for label in schema.STATUSES.values()}
    return {k: codes.get(v, v) if k == "status" else v for k, v in record.items()}


def test_text_that_excel_would_read_as_something_else_gets_the_prefix(tmp_path):
    texts = ["=1+1", "+86 138 0000 0000", "-5 度", "@张伟", "'引号", "001", "2024-05", "TRUE", "#N/A",
             "P1", "20240520-003", "普通文本", "plain text"]
    path = tracker_file(tmp_path, [])
    log = find_table(read_book(path), "log")
    changes = ChangeSet()
    for i, text in enumerate(texts):
        changes.set(log.name, log.first_row + i, log.columns["text"], text)
    before = read_book(path)
    book = remote_book(before)
    LiveEngine(book).apply(changes)
    FileEngine(path, backups=0).apply(changes)
    (action,) = book.json()["actions"]
    written = [row[0] for row in action["values"]]
    assert written == ["'" + t for t in texts[:-2]] + ["普通文本", "plain text"]
    same_grids(replay(before, [action]), read_book(path))


def test_removed_rows_go_bottom_first_in_blocks_after_the_writes(tmp_path):
    path = tracker_file(tmp_path)
    before = read_book(path)
    tickets = find_table(before, "tickets")
    changes = ChangeSet()
    for r in (1, 2, 4):
        changes.remove_row(tickets.name, r)
    changes.set(tickets.name, 3, tickets.columns["assignee"], "王工")
    book = remote_book(before)
    LiveEngine(book).apply(changes)
    FileEngine(path, backups=0).apply(changes)
    actions = book.json()["actions"]
    assert [(a["func"], a["start_row"], a["row_count"]) for a in actions] == [
        ("setValues", 3, 1), ("rangeDelete", 4, 1), ("rangeDelete", 1, 2)]
    same_grids(replay(before, actions), read_book(path))


def test_read_matches_the_file_reader(tmp_path):
    before = read_book(tracker_file(tmp_path))
    live = LiveEngine(remote_book(before)).read()
    assert list(live.sheets) == list(before.sheets)
    same_grids({n: s.rows for n, s in live.sheets.items()}, before)


def test_read_places_a_used_range_that_starts_below_a1():
    values = [["", "", ""], ["", "", ""], ["", "x", ""], ["", "", 2]]  # the client sends them from A1
    book = xw.Book(json={"client": "VBA", "version": xw.__version__, "names": [],
                         "book": {"name": "b.xlsx", "active_sheet_index": 0, "selection": "A1"},
                         "sheets": [{"name": "S", "values": values, "pictures": [], "tables": [],
                                     "used_range_address": "$B$3:$C$4"}]})
    rows = LiveEngine(book).read().sheets["S"].rows
    assert rows == [[], [], [None, "x", None], [None, None, 2]]


def test_rows_written_below_a_table_extend_it():
    book = xw.Book(json={"client": "VBA", "version": xw.__version__, "names": [],
                         "book": {"name": "b.xlsx", "active_sheet_index": 0, "selection": "A1"},
                         "sheets": [{"name": "S", "values": [["h1", "h2"], ["a", "b"]], "pictures": [],
                                     "tables": [{"name": "T", "range_address": "$A$1:$B$2",
                                                 "header_row_range_address": "$A$1:$B$1",
                                                 "data_body_range_address": "$A$2:$B$2",
                                                 "total_row_range_address": None,
                                                 "show_headers": True, "show_totals": False}]}]})
    changes = ChangeSet()
    for r in (2, 3):
        changes.set("S", r, 0, f"row {r}")
    changes.set("S", 6, 1, "far below")  # not adjacent: the table stays as it is there
    LiveEngine(book).apply(changes)
    resize = [a for a in book.json()["actions"] if a["func"] == "resizeTable"]
    assert [a["args"] for a in resize] == [[0, "$A$1:$B$4"]]


def test_bad_values_are_refused_before_anything_is_written(tmp_path):
    book = remote_book(read_book(tracker_file(tmp_path)))
    changes = ChangeSet()
    changes.set("工单", 1, 5, "fine")
    changes.set("工单", 2, 5, "x" * 40_000)
    with pytest.raises(InputError, match="32767"):
        LiveEngine(book).apply(changes)
    changes = ChangeSet()
    changes.set("no such sheet", 1, 1, "x")
    with pytest.raises(InputError, match="no such sheet"):
        LiveEngine(book).apply(changes)
    assert book.json()["actions"] == []


def test_blocks_join_columns_with_the_same_rows():
    edits = {(r, c): f"{r},{c}" for r in (5, 6) for c in (2, 3, 4)}
    edits[(9, 3)] = "alone"
    edits[(5, 7)] = "gap column"
    assert blocks(edits) == [
        (5, 2, [["5,2", "5,3", "5,4"], ["6,2", "6,3", "6,4"]]),
        (5, 7, [["gap column"]]),
        (9, 3, [["alone"]]),
    ]


def test_dates_are_written_as_date_times():
    assert excel_value(date(2024, 5, 20)) == datetime(2024, 5, 20)
    assert excel_value(None) is None
    assert excel_value(3.5) == 3.5


def test_buttons_report_like_the_cli(tmp_path):
    path = tracker_file(tmp_path)
    lines = press(remote_book(read_book(path)), "refresh", NOW)
    assert lines[0] == "新编号 3 个：20240402-001, 20240520-001, 20240520-002"
    assert lines[-1].startswith("本工作簿的更改尚未保存")
    assert press(remote_book(read_book(path)), "check", NOW) == ["未发现问题（4 个工单）"]
    assert press(remote_book(read_book(path)), "archive", NOW)[0] == "没有可归档的已关闭工单"  # not numbered yet
    run_refresh(FileEngine(path, backups=0), NOW)
    archive = press(remote_book(read_book(path)), "archive", NOW)
    assert archive[0] == "2024-04：1 个已关闭工单可归档（track-xls archive --month 2024-04）"


def test_read_rounds_date_times_to_the_second():
    book = xw.Book(json={"client": "VBA", "version": xw.__version__, "names": [],
                         "book": {"name": "b.xlsx", "active_sheet_index": 0, "selection": "A1"},
                         "sheets": [{"name": "S", "values": [["2024-05-20T14:29:59.9998Z", ""]], "pictures": [],
                                     "tables": []}]})
    assert LiveEngine(book).read().sheets["S"].rows == [[datetime(2024, 5, 20, 14, 30), None]]
