"""`track-xls export` on the hand-made tracker of report_data.py, into every kind of target.

Each target is read back by a reader of its own (sqlite3, duckdb, psycopg; Parquet files through
duckdb), never through the SQLAlchemy code that wrote it. PostgreSQL is a real server the module
starts with initdb + pg_ctl in a temporary folder (as the unprivileged user ``nobody`` when the
tests run as root, since initdb refuses root).

Hand-checked values (business time Mon–Fri 09:00–12:00 + 13:30–18:00, 450 min a day; now Mon
2024-06-03 10:00; see test_report.py for the figures these share):

    T6  20240524-001 P3 resolution: due Wed 05-29 17:00 (3 working days = 1350 min from Fri 17:00),
        done Fri 05-31 17:00: breached, 2250 business minutes used.
    T3  20240514-001 P2 assignment: reported 09:30, assigned 09:45, target 10 min: breached, 15 used.
    T4  20240515-001 P2 (archived in May) resolution: due 05-16 17:30, done exactly then: met, 480 used.
    T10 20240530-001 P4 new: response and assignment due Fri 05-31 15:00, breached; resolution
        (5 working days) due Thu 06-06 15:00, open.
    T11 20240429-001 P2 waiting for the reporter since 04-29 10:30: resolution open, its clock stopped (no due).
    T13 20240409-001 archived in April with 超时完成 / 响应 frozen: response breached, though by its times it met.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.cli import kill_when_paused
from tests.support.report_data import T, make_tracker, write_month
from workbook.cli import main
from workbook.core.book import find_table
from workbook.core.changeset import ChangeSet
from workbook.xlsx.file_engine import FileEngine

NOW_ARG = ("--now", "2024-06-03 10:00")
TABLES = ("tickets", "log", "reviews", "faq", "sla")
FAQ = [{"module": "VPN网关", "symptom": "无法连接 VPN", "cause": "证书过期", "solution": "更新证书",
        "source_tickets": "20240514-001"}]
TEAM = {"20240514-001": ("VIP", 1.5), "20240524-001": ("普通", 2)}  # 客户等级 (text), 工时 (numbers)


# -- the tracker ------------------------------------------------------------------------------------------

@pytest.fixture
def tracker(tmp_path):
    """report_data's tracker with an FAQ row, two team columns, and April archived with frozen SLA columns."""
    path = make_tracker(tmp_path, faq=FAQ)
    engine = FileEngine(path, backups=0)
    table = find_table(engine.read(), "tickets")
    changes = ChangeSet()
    width = max(table.columns.values()) + 1
    for i, header in enumerate(("客户等级", "工时")):
        changes.set(table.name, table.header_row, width + i, header)
    for row, record in table.records():
        for i, value in enumerate(TEAM.get(str(record["ticket_no"]), ())):
            changes.set(table.name, row, width + i, value)
    engine.apply(changes)
    april = [T["T13"] | {"sla_state": "超时完成", "breached": "响应"}, T["T14"] | {"sla_state": "达标"}]
    write_month(tmp_path / "archive" / "2024-04", "2024-04", april, [])
    return path


def export(path, target, *args):
    result = CliRunner().invoke(main, ["export", str(path), "--to", target, *NOW_ARG, "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def counts(report, key):
    return {name: table[key] for name, table in report["tables"].items()}


def edit(path, sheet, changes_of):
    """Apply ``changes_of(table)`` (a ChangeSet) to ``sheet`` of the tracker, through the file engine."""
    engine = FileEngine(path, backups=0)
    engine.apply(changes_of(find_table(engine.read(), sheet)))


def row_of(table, number):
    return next(r for r, rec in table.records() if rec["ticket_no"] == number)


# -- targets, each with a reader of its own --------------------------------------------------------------

_STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def norm(value):
    """Values as every reader gives them back: SQLite's text time stamps and dates as the others'."""
    if isinstance(value, str) and _STAMP.match(value):
        return value[:19]
    if isinstance(value, (datetime, date)):
        return str(value)[:19]
    return value


class Sqlite:
    def __init__(self, tmp_path):
        self.file = tmp_path / "history.db"
        self.spec = str(self.file)

    def fetch(self, sql):
        with sqlite3.connect(self.file) as con:
            return [tuple(norm(v) for v in row) for row in con.execute(sql).fetchall()]


class Duck:
    def __init__(self, tmp_path):
        self.duckdb = pytest.importorskip("duckdb")
        self.file = tmp_path / "history.duckdb"
        self.spec = f"duckdb:///{self.file}"

    def fetch(self, sql):
        with self.duckdb.connect(str(self.file), read_only=True) as con:
            return [tuple(norm(v) for v in row) for row in con.execute(sql).fetchall()]


class Parquet:
    def __init__(self, tmp_path):
        pytest.importorskip("pyarrow")
        self.duckdb = pytest.importorskip("duckdb")
        self.folder = tmp_path / "parquet"
        self.spec = f"parquet:///{self.folder}"

    def fetch(self, sql):
        for name in TABLES:
            sql = re.sub(rf"\b(from|join) {name}\b", rf"\1 read_parquet('{self.folder / name}.parquet')", sql)
        with self.duckdb.connect() as con:
            return [tuple(norm(v) for v in row) for row in con.execute(sql).fetchall()]


class Postgres:
    def __init__(self, server, name):
        import psycopg

        self.psycopg, self.url = psycopg, f"{server}/{name}"
        with psycopg.connect(f"{server}/postgres", autocommit=True) as con:
            con.execute(f"CREATE DATABASE {name}")
        self.spec = self.url

    def fetch(self, sql):
        with self.psycopg.connect(self.url) as con:
            return [tuple(norm(v) for v in row) for row in con.execute(sql).fetchall()]


@pytest.fixture(scope="module")
def postgres():
    """A PostgreSQL server on 127.0.0.1 for this module: ``postgresql://postgres@127.0.0.1:PORT``."""
    pytest.importorskip("psycopg")
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("PostgreSQL's initdb/pg_ctl are not on the PATH (Debian: apt-get install postgresql)")
    as_user = []
    folder = Path(tempfile.mkdtemp(prefix="track-xls-pg-"))  # not under pytest's 0700 tmp: nobody must reach it
    if os.getuid() == 0:  # initdb refuses to run as root
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv to start PostgreSQL as nobody")
        as_user = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
        shutil.chown(folder, "nobody", "nogroup")
    data, port = folder / "data", _free_port()
    try:
        subprocess.run([*as_user, initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                        "--locale=C.UTF-8"], check=True, capture_output=True)
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-l", str(folder / "log"), "-w", "start", "-o",
                        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"],
                       check=True, capture_output=True)
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"PostgreSQL did not start: {exc.stderr.decode(errors='replace').strip()[-300:]}")
    yield f"postgresql://postgres@127.0.0.1:{port}"
    subprocess.run([*as_user, pg_ctl, "-D", str(data), "-w", "stop", "-m", "fast"], capture_output=True)
    shutil.rmtree(folder, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


KINDS = ["sqlite", "duckdb", "parquet", "postgresql"]


@pytest.fixture(params=KINDS)
def target(request, tmp_path):
    if request.param == "postgresql":
        return Postgres(request.getfixturevalue("postgres"), f"t{os.getpid()}_{time.monotonic_ns()}")
    return {"sqlite": Sqlite, "duckdb": Duck, "parquet": Parquet}[request.param](tmp_path)


def snapshot(target):
    """Every table's rows, for comparing a target before and after."""
    return {name: sorted(target.fetch(f"select * from {name}"), key=repr) for name in TABLES}


# -- what an export holds ---------------------------------------------------------------------------------

def test_counts_and_hand_checked_values(tracker, target):
    report = export(tracker, target.spec)
    # 9 live + 5 archived tickets; Log rows of T11, T12 (live) and T1 (May); SLA: P1/P2 four targets, P3/P4 three
    assert counts(report, "rows") == {"tickets": 14, "log": 6, "reviews": 2, "faq": 1, "sla": 3 * 4 + 3 * 4 + 5 * 3 + 3 * 3}
    assert counts(report, "inserted") == counts(report, "rows") and report["archives"] == 2

    fetch = target.fetch
    assert fetch("select count(*) from tickets where archive_month is null") == [(9,)]
    assert fetch("select priority, priority_label, status, status_label, satisfaction, backup_done, reported_at, "
                 "archive_month, source_file from tickets where ticket_no = '20240513-001'") == [
        ("P1", "紧急", "closed", "已关闭", 5, True, "2024-05-13 10:00:00", "2024-05", "archive/2024-05/工单归档_2024-05.xlsx")]
    assert fetch("select status, status_label, archive_month, source_file from tickets "
                 "where ticket_no = '20240429-001'") == [("waiting", "等待报修人", None, "工单跟踪.xlsx")]
    # the team's own columns, typed by what they hold
    assert fetch('select ticket_no, "客户等级", "工时" from tickets where "客户等级" is not null order by 1') == [
        ("20240514-001", "VIP", 1.5), ("20240524-001", "普通", 2.0)]

    def sla(number, metric):
        return fetch("select clock, target_minutes, due, completed_at, outcome, minutes_used from sla "
                     f"where ticket_no = '{number}' and metric = '{metric}'")[0]

    assert sla("20240524-001", "resolution") == ("business", 1350.0, "2024-05-29 17:00:00", "2024-05-31 17:00:00",
                                                 "breached", 2250.0)
    assert sla("20240514-001", "assignment") == ("business", 10.0, "2024-05-14 09:40:00", "2024-05-14 09:45:00",
                                                 "breached", 15.0)
    assert sla("20240515-001", "resolution") == ("business", 480.0, "2024-05-16 17:30:00", "2024-05-16 17:30:00",
                                                 "met", 480.0)
    assert sla("20240530-001", "response")[2:] == ("2024-05-31 15:00:00", None, "breached", None)
    assert sla("20240530-001", "assignment")[2:] == ("2024-05-31 15:00:00", None, "breached", None)
    assert sla("20240530-001", "resolution")[2:] == ("2024-06-06 15:00:00", None, "open", None)
    assert sla("20240429-001", "resolution")[2:] == (None, None, "open", None)
    assert sla("20240409-001", "response")[4] == "breached"  # frozen when archived
    assert fetch("select count(*) from sla where ticket_no = '20240409-001' and outcome = 'breached'") == [(1,)]

    assert fetch("select seq, time, kind, kind_label, text from log where ticket_no = '20240520-001' order by seq") == [
        (1, "2024-05-20 09:20:00", "status_change", "状态变更", "新建 → 已分派"),
        (2, "2024-05-21 10:00:00", "status_change", "状态变更", "已分派 → 已解决"),
        (3, "2024-05-22 09:00:00", "status_change", "状态变更", "已解决 → 处理中")]
    assert fetch("select archive_month, source_file from log where ticket_no = '20240513-001'") == [
        ("2024-05", "archive/2024-05/工单归档_2024-05.xlsx")]
    assert fetch("select date, status, status_label, faq_updated, symptom from reviews "
                 "where ticket_nos = '20240513-001'") == [("2024-05-14", "done", "已完成", True, "登录提示验证码错误")]
    assert fetch("select module, symptom, source_tickets from faq") == [("VPN网关", "无法连接 VPN", "20240514-001")]


def test_second_run_changes_nothing(tracker, target):
    export(tracker, target.spec)
    before = snapshot(target)
    files = _files(target)
    again = export(tracker, target.spec, "--now", "2024-06-03 11:00")  # an hour on: no deadline passes in between
    assert not again["written"]
    assert set(counts(again, "inserted").values()) == set(counts(again, "updated").values()) == {0}
    assert snapshot(target) == before
    if files:  # SQLite and Parquet: not a byte rewritten
        assert _files(target) == files


def _files(target) -> dict[str, tuple[str, int]]:
    if isinstance(target, Sqlite):
        paths = [target.file]
    elif isinstance(target, Parquet):
        paths = sorted(target.folder.iterdir())
    else:
        return {}
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in paths}


def test_after_a_closure_only_that_tickets_rows_change(tracker, target):
    export(tracker, target.spec)
    before = snapshot(target)

    def close_t9(table):
        changes, row = ChangeSet(), row_of(table, "20240514-002")
        for key, value in (("status", "已关闭"), ("resolved_at", datetime(2024, 6, 3, 9)),
                           ("closed_at", datetime(2024, 6, 3, 9, 30)), ("summary", "已处理")):
            changes.set(table.name, row, table.columns[key], value)
        return changes

    edit(tracker, "tickets", close_t9)
    report = export(tracker, target.spec)
    assert counts(report, "updated") == {"tickets": 1, "log": 0, "reviews": 0, "faq": 0, "sla": 1}  # resolution met late
    assert set(counts(report, "inserted").values()) == set(counts(report, "deleted").values()) == {0}
    after = snapshot(target)
    for name in TABLES:
        changed = set(after[name]) ^ set(before[name])
        assert all("20240514-002" in row for row in changed), name
    assert target.fetch("select status, closed_at from tickets where ticket_no = '20240514-002'") == [
        ("closed", "2024-06-03 09:30:00")]
    assert target.fetch("select outcome, completed_at from sla where ticket_no = '20240514-002' "
                        "and metric = 'resolution'") == [("breached", "2024-06-03 09:00:00")]


def test_a_ticket_gone_from_the_workbook_is_marked_not_deleted(tracker, target):
    export(tracker, target.spec)
    edit(tracker, "tickets", lambda table: _removed(table, "20240520-001"))
    report = export(tracker, target.spec, "--now", "2024-06-04 10:00")
    assert report["tables"]["tickets"] == {"rows": 14, "inserted": 0, "updated": 1, "deleted": 0,
                                               "marked_missing": 1}
    assert target.fetch("select ticket_no, missing_since from tickets where missing_since is not null") == [
        ("20240520-001", "2024-06-04 10:00:00")]
    assert target.fetch("select count(*) from log where ticket_no = '20240520-001'") == [(3,)]  # its history stays
    again = export(tracker, target.spec, "--now", "2024-06-04 11:00")
    assert counts(again, "updated")["tickets"] == 0 and counts(again, "marked_missing")["tickets"] == 0


def _removed(table, number):
    changes = ChangeSet()
    changes.remove_row(table.name, row_of(table, number))
    return changes


def test_since_reads_the_later_archives_and_leaves_older_rows_as_they_are(tracker, tmp_path):
    target = Sqlite(tmp_path)
    export(tracker, target.spec)
    report = export(tracker, target.spec, "--since", "2024-05")
    assert report["archives"] == 1
    # April's T13 and T14 are not in this hand-made tracker's 归档索引: a run that does not read April
    # cannot tell them from deleted tickets, so they are marked; their rows stay
    assert counts(report, "marked_missing")["tickets"] == 2
    assert target.fetch("select count(*) from sla where ticket_no = '20240409-001'") == [(3,)]


def test_since_keeps_tickets_the_archive_index_places_before_it(tracker, tmp_path):
    target = Sqlite(tmp_path)
    export(tracker, target.spec)

    def index_april(table):
        changes = ChangeSet()
        for i, number in enumerate(("20240409-001", "20240415-001")):
            changes.set(table.name, table.end_row + i, table.columns["ticket_no"], number)
            changes.set(table.name, table.end_row + i, table.columns["month"], "2024-04")
        return changes

    edit(tracker, "archive_index", index_april)
    before = snapshot(target)
    report = export(tracker, target.spec, "--since", "2024-05")
    assert report["archives"] == 1 and not report["written"]
    assert snapshot(target) == before


# -- one transaction ------------------------------------------------------------------------------------------

KILL_SCRIPT = """
import sys, time
from datetime import datetime
from pathlib import Path
from workbook.app import export

def pause(step):
    if step == "log-written":
        print("paused", flush=True)
        time.sleep(120)

export.step_hook = pause
export.run_export(Path(sys.argv[1]), sys.argv[2], now=datetime(2024, 6, 3, 10, 0))
"""


def test_kill_9_in_the_middle_leaves_the_previous_export_whole(tracker, target):
    export(tracker, target.spec)
    before = snapshot(target)
    edit(tracker, "tickets", lambda table: _removed(table, "20240520-001"))
    edit(tracker, "log", lambda table: _appended_update(table, "20240514-002"))
    kill_when_paused(KILL_SCRIPT, str(tracker), target.spec)  # tickets and log written, not committed
    assert snapshot(target) == before
    report = export(tracker, target.spec)
    assert counts(report, "marked_missing")["tickets"] == 1 and counts(report, "inserted")["log"] == 1


def _appended_update(table, number):
    changes = ChangeSet()
    for key, value in (("ticket_no", number), ("time", datetime(2024, 6, 3, 9)), ("author", "孙工"),
                       ("kind", "进展同步"), ("text", "已定位")):
        changes.set(table.name, table.end_row, table.columns[key], value)
    return changes


def test_parquet_swap_interrupted_between_its_renames_is_put_right(tracker, tmp_path):
    target = Parquet(tmp_path)
    export(tracker, target.spec)
    before = snapshot(target)
    old = tmp_path / ".parquet.old"
    target.folder.rename(old)  # died after moving the old export aside, before the new one came in
    (tmp_path / ".parquet.new").mkdir()
    dry = export(tracker, target.spec, "--dry-run")  # reads the previous export where it is
    assert set(counts(dry, "inserted").values()) == set(counts(dry, "updated").values()) == {0}
    assert old.exists() and not target.folder.exists()  # a dry run puts nothing right
    assert not export(tracker, target.spec)["written"]
    assert snapshot(target) == before and not old.exists() and not (tmp_path / ".parquet.new").exists()


# -- refusals and the command line ---------------------------------------------------------------------------------

def test_dry_run_writes_nothing(tracker, tmp_path):
    report = export(tracker, str(tmp_path / "new.db"), "--dry-run")
    assert report["dry_run"] and counts(report, "inserted")["tickets"] == 14
    assert not (tmp_path / "new.db").exists()


def test_a_table_track_xls_did_not_make_is_not_touched(tracker, tmp_path):
    db = tmp_path / "theirs.db"
    with sqlite3.connect(db) as con:
        con.execute("create table tickets (id integer primary key, title text)")
        con.execute("insert into tickets values (1, 'theirs')")
    result = CliRunner().invoke(main, ["export", str(tracker), "--to", str(db), *NOW_ARG])
    assert result.exit_code == 1 and "不是 track-xls 导出的表 tickets" in result.output
    with sqlite3.connect(db) as con:
        assert con.execute("select * from tickets").fetchall() == [(1, "theirs")]
        assert con.execute("select name from sqlite_master where type = 'table'").fetchall() == [("tickets",)]


def test_text_output_and_misuse(tracker, tmp_path):
    result = CliRunner().invoke(main, ["export", str(tracker), "--to", str(tmp_path / "h.db"), *NOW_ARG])
    assert result.exit_code == 0, result.output
    assert "已导出到" in result.stdout and "tickets：14 行（新增 14" in result.stdout
    again = CliRunner().invoke(main, ["export", str(tracker), "--to", str(tmp_path / "h.db"), *NOW_ARG,
                                      "--lang", "en"])
    assert "is up to date; nothing written" in again.stdout
    assert CliRunner().invoke(main, ["export", str(tracker), "--to", "mysql://x/y"]).exit_code == 2
    assert CliRunner().invoke(main, ["export", str(tracker), "--to", "h.db", "--since", "2024-5"]).exit_code == 2


def test_unreachable_server_is_one_line(tracker):
    port = _free_port()  # nothing listens there
    result = CliRunner().invoke(main, ["export", str(tracker), "--to", f"postgresql://me:secret@127.0.0.1:{port}/db"])
    assert result.exit_code == 1 and "上次的导出未改动" in result.output
    assert "secret" not in result.output and "Traceback" not in result.output


def test_kill_9_during_the_first_export_leaves_no_table_behind(tracker, tmp_path):
    # Python's sqlite3 commits a CREATE TABLE on its own unless the transaction is begun by hand
    target = Sqlite(tmp_path)
    kill_when_paused(KILL_SCRIPT, str(tracker), target.spec)
    assert target.fetch("select name from sqlite_master") == []


def test_a_new_team_column_rebuilds_the_table_and_keeps_marked_rows(tracker, target):
    export(tracker, target.spec)
    edit(tracker, "tickets", lambda table: _removed(table, "20240520-001"))
    export(tracker, target.spec, "--now", "2024-06-04 10:00")

    def add_column(table):
        changes = ChangeSet()
        column = max(table.columns.values()) + 3
        changes.set(table.name, table.header_row, column, "回访日期")
        changes.set(table.name, row_of(table, "20240514-001"), column, datetime(2024, 5, 20, 9))
        return changes

    edit(tracker, "tickets", add_column)
    report = export(tracker, target.spec, "--now", "2024-06-05 10:00")
    assert report["tables"]["tickets"]["rows"] == 14
    assert target.fetch('select ticket_no, "回访日期" from tickets where "回访日期" is not null') == [
        ("20240514-001", "2024-05-20 09:00:00")]
    assert target.fetch("select ticket_no, missing_since from tickets where missing_since is not null") == [
        ("20240520-001", "2024-06-04 10:00:00")]
    assert not export(tracker, target.spec, "--now", "2024-06-05 10:00")["written"]


@pytest.mark.parametrize("values, expected", [
    ([1, 2.0, None, " "], "integer"), ([1, 2.5], "real"), ([True, False], "boolean"),
    ([datetime(2024, 5, 1, 9), date(2024, 5, 2)], "timestamp"), ([date(2024, 5, 2)], "date"),
    (["VIP", 3], "text"), ([], "text")])
def test_team_columns_take_the_narrowest_type_of_what_they_hold(values, expected):
    from workbook.core.export_rows import infer_type

    assert infer_type(values) == expected


def test_a_missing_optional_package_is_named(tracker, tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "duckdb" else real(name, *a))
    result = CliRunner().invoke(main, ["export", str(tracker), "--to", f"duckdb:///{tmp_path / 'h.duckdb'}"])
    assert result.exit_code == 1 and "pip install 'track-xls[export]'" in result.output
    assert not (tmp_path / "h.duckdb").exists()


def test_an_english_tracker_exports_the_same_columns_with_english_labels(tmp_path):
    from tests.support.books import typed_tracker

    path = typed_tracker(tmp_path / "tracker.xlsx", [
        {"ticket_no": "20240520-001", "reported_at": datetime(2024, 5, 20, 9), "reporter": "Wei Zhang",
         "module": "VPN gateway", "description": "cannot connect", "priority": "P2", "status": "Closed",
         "resolved_at": datetime(2024, 5, 20, 11), "closed_at": datetime(2024, 5, 20, 12), "backup_done": "Yes"},
        {"reported_at": datetime(2024, 5, 21, 9), "reporter": "Na Li", "module": "Mail server",
         "description": "no mail", "priority": "P4", "status": "New"}], lang="en")
    target = Sqlite(tmp_path)
    result = CliRunner().invoke(main, ["export", str(path), "--to", target.spec, *NOW_ARG])
    assert result.exit_code == 0, result.output
    assert "Tickets!A3: the ticket has no number and is not exported" in result.stdout
    assert target.fetch("select ticket_no, priority_label, status, status_label, backup_done, source_file "
                        "from tickets") == [("20240520-001", "High", "closed", "Closed", 1, "tracker.xlsx")]


def test_a_table_dropped_by_hand_is_made_anew(tracker, tmp_path):
    target = Sqlite(tmp_path)
    export(tracker, target.spec)
    with sqlite3.connect(target.file) as con:
        con.execute("drop table sla")
    report = export(tracker, target.spec)
    assert report["tables"]["sla"]["inserted"] == 48 and counts(report, "inserted")["tickets"] == 0
    assert target.fetch("select count(*) from sla") == [(48,)]
