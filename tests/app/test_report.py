"""The monthly report on the hand-made tracker of report_data.py: every figure worked out by hand.

Month 2024-05, now 2024-06-03 10:00, cut-off 2024-06-01 00:00. Business time is Mon–Fri
09:00–12:00 + 13:30–18:00 (450 min a day). Per ticket (wall / business minutes):

    done in May  pri  breached               MTTA wall/bus   MTTR wall/bus     rating
    T1  arch.    P1   —                      8 / 8           120 / 120         5
    T2  Sat 22h  P1   response, assignment,  35 / 0          180 / 0           4
                      update (22:35→01:00 = 145 > 120 min)
    T3           P2   assignment (15 > 10)   15 / 15         390 / 300
    T4  arch.    P2   update (10:00→17:30    8 / 8           1470 / 480
                      > due 15:30); resolved exactly at its 17:30 due = met
    T5           P3   —                      120 / 120       2700 / 810        5
    T6           P3   resolution (due Wed    3960 / 180      10080 / 2250      3
                      05-29 17:00, done Fri 05-31 17:00)
    T7  arch.    P4   —                      60 / 60         180 / 180         4

    open at the cut-off, judged as they stood then
    T8   P1  update (last 21:00, due 23:00); resolution due 00:00 = cut, not yet missed
             (resolved 06-01 02:00, after the cut: unknown then); age 4 h
    T9   P3  resolution (due Fri 05-17 10:00); age 17.6 d
    T10  P4  response (due 05-31 15:00), assignment (due 05-31 15:00); age 1.4 d
    T11  P2  none: waiting for the reporter since 04-29 10:30 stops its clocks; age 32.6 d
    T12  P3  resolution (due Wed 05-22 18:00; reopened 05-22 09:00); age 11.6 d
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from xml.etree import ElementTree
from datetime import date, datetime

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from tests.support.libreoffice import convert, needs_libreoffice
from tests.support.report_data import NOW, T, make_tracker, write_month
from workbook.cli import main
from workbook.core.calendar import BusinessCalendar
from workbook.app import child, report_run
from workbook.app.report_run import make_report
from workbook.core.report import build_report
from workbook.app.report_frame import load_frame
from workbook.author.report_book import write_report

TOTAL = "合计"


@pytest.fixture(scope="module")
def tracker(tmp_path_factory):
    return make_tracker(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def report(tracker):
    return make_report(tracker, "2024-05", NOW)


def by_label(report, key):
    """{first column: rest of the row} of one table."""
    return {row[0]: row[1:] for row in report.table(key).rows}


def test_sla_met_breached_open_breached_and_compliance(report):
    # (met, breached, open-breached, met / all three)
    assert by_label(report, "sla_response") == {
        "P1": [1, 1, 0, 1 / 2],  # T1 met, T2 30 min > 15
        "P2": [2, 0, 0, 1.0],
        "P3": [2, 0, 0, 1.0],  # T6 answered after 17 h < 24 h
        "P4": [1, 0, 1, 1 / 2],  # T10 never answered, due 05-31 15:00
        TOTAL: [6, 1, 1, 6 / 8],
    }
    assert by_label(report, "sla_assignment") == {
        "P1": [1, 1, 0, 1 / 2], "P2": [1, 1, 0, 1 / 2], "P3": [2, 0, 0, 1.0], "P4": [1, 0, 1, 1 / 2],
        TOTAL: [5, 2, 1, 5 / 8],
    }
    assert by_label(report, "sla_update") == {  # P3 and P4 have no update target: nothing judged
        "P1": [1, 1, 1, 1 / 3], "P2": [1, 1, 0, 1 / 2], "P3": [0, 0, 0, None], "P4": [0, 0, 0, None],
        TOTAL: [2, 2, 1, 2 / 5],
    }
    assert by_label(report, "sla_resolution") == {
        "P1": [2, 0, 0, 1.0], "P2": [2, 0, 0, 1.0], "P3": [1, 1, 2, 1 / 4], "P4": [1, 0, 0, 1.0],
        TOTAL: [6, 1, 2, 6 / 9],
    }
    assert by_label(report, "sla_overall") == {  # a ticket meets "all targets" when it misses none
        "P1": [1, 1, 1, 1 / 3], "P2": [0, 2, 0, 0.0], "P3": [1, 1, 2, 1 / 4], "P4": [1, 0, 1, 1 / 2],
        TOTAL: [3, 4, 4, 3 / 11],
    }


def test_mtta_median_and_p90_on_both_clocks(report):
    # p90 of sorted x0..x(n-1) sits at 0.9 (n - 1): x_i + frac * (x_(i+1) - x_i), as PERCENTILE.INC.
    mtta = by_label(report, "mtta")  # minutes: count, median wall, p90 wall, median business, p90 business
    assert mtta["P1"] == pytest.approx([2, 21.5, 8 + 0.9 * 27, 4, 0.9 * 8])  # wall [8, 35], business [0, 8]
    assert mtta["P2"] == pytest.approx([2, 11.5, 8 + 0.9 * 7, 11.5, 8 + 0.9 * 7])  # [8, 15] on both
    assert mtta["P3"] == pytest.approx([2, 2040, 120 + 0.9 * 3840, 150, 120 + 0.9 * 60])  # [120, 3960], [120, 180]
    assert mtta["P4"] == pytest.approx([1, 60, 60, 60, 60])
    # wall [8, 8, 15, 35, 60, 120, 3960]: median x3; p90 at 5.4 = 120 + 0.4 * 3840
    # business [0, 8, 8, 15, 60, 120, 180]: median 15; p90 = 120 + 0.4 * 60
    assert mtta[TOTAL] == pytest.approx([7, 35, 120 + 0.4 * 3840, 15, 120 + 0.4 * 60])


def test_mttr_median_and_p90_on_both_clocks(report):
    mttr = by_label(report, "mttr")  # hours
    assert mttr["P1"] == pytest.approx([2, 150 / 60, (120 + 0.9 * 60) / 60, 60 / 60, 0.9 * 120 / 60])
    assert mttr["P2"] == pytest.approx([2, 930 / 60, (390 + 0.9 * 1080) / 60, 390 / 60, (300 + 0.9 * 180) / 60])
    assert mttr["P3"] == pytest.approx([2, 6390 / 60, (2700 + 0.9 * 7380) / 60, 1530 / 60, (810 + 0.9 * 1440) / 60])
    assert mttr["P4"] == pytest.approx([1, 3, 3, 3, 3])
    # wall [120, 180, 180, 390, 1470, 2700, 10080]; business [0, 120, 180, 300, 480, 810, 2250]
    assert mttr[TOTAL] == pytest.approx([7, 390 / 60, (2700 + 0.4 * 7380) / 60, 300 / 60, (810 + 0.4 * 1440) / 60])


def test_volumes_of_tickets_reported_in_the_month(report):
    # 11 reported in May: all but T11 (April) and the April archive.
    assert report.table("volume_channel").rows == [
        ["电话", 5, 5 / 11], ["在线工单", 2, 2 / 11], ["邮件", 2, 2 / 11], ["内部通讯群组", 1, 1 / 11],
        ["（空）", 1, 1 / 11]]
    assert by_label(report, "volume_module") == {"VPN网关": [3, 3 / 11], "会议室A打印机": [3, 3 / 11],
                                                 "OA系统": [2, 2 / 11], "销售模块V3.2": [2, 2 / 11],
                                                 "邮件服务器": [1, 1 / 11]}
    assert [row[:2] for row in report.table("volume_category").rows] == [["软件", 5], ["硬件", 3], ["网络", 3]]
    departments = {row[0]: row[1] for row in report.table("volume_department").rows}
    assert departments == {"行政部": 4, "销售部": 3, "财务部": 2, "信息部": 1, "研发部": 1}
    assert [row[1] for row in report.table("volume_department").rows] == [4, 3, 2, 1, 1]


def test_recurring_reopens_satisfaction_backlog(report):
    # module / category pairs reported at least 3 times (Settings) in May
    assert report.table("recurring").rows == [["VPN网关 / 网络", "VPN网关", "网络", 3],
                                              ["会议室A打印机 / 硬件", "会议室A打印机", "硬件", 3]]
    assert by_label(report, "reopens") == {"P1": [0, 0], "P2": [0, 0], "P3": [1, 1], "P4": [0, 0], TOTAL: [1, 1]}
    # ratings of tickets done in May: T1 5, T2 4, T5 5, T6 3, T7 4
    assert report.table("satisfaction").rows == [["1★", 0, 0.0], ["2★", 0, 0.0], ["3★", 1, 0.2], ["4★", 2, 0.4],
                                                 ["5★", 2, 0.4]]
    assert by_label(report, "backlog") == {  # P1 P2 P3 P4 total, open at the cut-off
        "<1天": [1, 0, 0, 0, 1],  # T8
        "1–3天": [0, 0, 0, 1, 1],  # T10
        "3–7天": [0, 0, 0, 0, 0],
        "7–30天": [0, 0, 2, 0, 2],  # T9, T12
        ">30天": [0, 1, 0, 0, 1],  # T11
    }


def test_reviews_due(report):
    # Not recorded: the VPN and printer groups (3 in 30 days), T4 (P2, archived) and T8 (P1, done since);
    # T1 has a finished review. The Reviews row of 20240301-001 was due 05-20: overdue on 06-03.
    assert by_label(report, "reviews_summary") == {"未登记": [4], "待复盘": [0], "已逾期": [1]}
    rows = report.table("reviews_due").rows
    assert [(r[0], r[2], r[4]) for r in rows] == [
        ("20240514-001、20240518-001、20240524-001", "吴工", "未登记"),
        ("20240515-001", "吴工", "未登记"),
        ("20240516-001、20240520-002、20240530-001", "郑工", "未登记"),
        ("20240531-001", "周工", "未登记"),
        ("20240301-001", "吴工", "已逾期"),
    ]
    assert rows[-1][3] == date(2024, 5, 20)


def test_overview_and_trend(report):
    overview = report.table("overview")
    assert dict(zip((c.key for c in overview.columns), overview.rows[0])) == pytest.approx({
        "reported": 11, "resolved": 7, "open": 5, "compliance": 3 / 11, "mtta": 15, "mttr": 5,
        "reopens": 1, "satisfaction": 21 / 5, "reviews_due": 5})
    trend = report.table("trend").rows
    assert [row[0] for row in trend] == [f"2023-{m:02d}" for m in range(6, 13)] + [f"2024-{m:02d}" for m in range(1, 6)]
    assert all(row[1:] == [None] * 6 for row in trend[:10])  # months before any ticket: blank, not 0
    # April (cut 05-01 00:00): T11, T13, T14 reported; T13 met, T14 assigned a day late; T11 open, paused.
    # MTTR business: T13 Tue 10:00 → Wed 10:00 = 390 + 60; T14 Mon 09:00 → Wed 10:00 = 450 + 450 + 60.
    assert trend[10] == pytest.approx(["2024-04", 3, 2, 1, 1 / 2, (450 + 960) / 2 / 60, (5 + 2) / 2])
    assert trend[11] == pytest.approx(["2024-05", 11, 7, 5, 3 / 11, 5.0, 4.2])


def test_judging_in_two_processes_gives_the_same_figures(tracker, report, monkeypatch):
    children = []

    def in_child(work):
        children.append(work)
        return child.in_child(work)
    monkeypatch.setattr(report_run, "in_child", in_child)
    monkeypatch.setattr(report_run, "PARALLEL_FROM", 2)
    assert make_report(tracker, "2024-05", NOW).as_dict() == report.as_dict()
    assert children  # half the open tickets were judged in a child


def test_cut_off_is_now_within_the_current_month(tracker):
    # On 05-31 23:00 T8 (reported 20:00) has not yet missed its update (due 23:00, not past).
    may = make_report(tracker, None, datetime(2024, 5, 31, 23, 0))
    assert may.month == "2024-05" and may.cut == datetime(2024, 5, 31, 23, 0)
    assert by_label(may, "sla_update")["P1"][2] == 0


def test_archived_tickets_keep_the_sla_outcome_frozen_when_archived(tmp_path):
    # By their times T13 met every target and T14 was assigned late; archived under other targets they
    # were judged 超时完成 (response) and 达标. A later change of targets does not rewrite April.
    path = make_tracker(tmp_path)
    frozen = [T["T13"] | {"sla_state": "超时完成", "breached": "响应"}, T["T14"] | {"sla_state": "达标"}]
    write_month(tmp_path / "archive" / "2024-04", "2024-04", frozen, [])
    april = make_report(path, "2024-04", NOW)
    assert by_label(april, "sla_response")["P3"] == [0, 1, 0, 0.0]
    assert by_label(april, "sla_assignment")["P4"] == [1, 0, 0, 1.0]
    assert by_label(april, "sla_overall")[TOTAL] == [1, 1, 0, 0.5]  # T11, open at the cut, is paused


def test_an_english_tracker_gets_an_english_report(tracker, tmp_path):
    loaded = load_frame(tracker)
    settings = loaded.tracker.settings
    english = build_report(loaded.frame, [], [], settings, BusinessCalendar.from_settings(settings), "2024-05", NOW,
                           "en")
    assert english.table("sla_overall").title == "SLA compliance: all targets"
    assert by_label(english, "sla_overall")["Total"] == [3, 4, 4, 3 / 11]
    assert [row[0] for row in english.table("backlog").rows] == ["< 1 day", "1–3 days", "3–7 days", "7–30 days",
                                                                 "> 30 days"]
    write_report(english, tmp_path / "en.xlsx")
    assert CalamineWorkbook.from_path(str(tmp_path / "en.xlsx")).sheet_names == [
        "Overview", "SLA", "Volumes", "Quality", "Reviews", "Trend"]


# -- the command ----------------------------------------------------------------------------------------

def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def test_json_for_scripts(tracker):
    result = run("report", tracker, "--month", "2024-05", "--now", "2024-06-03 10:00", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["month"] == "2024-05" and data["cut"] == "2024-06-01 00:00"
    tables = {t["key"]: t for t in data["tables"]}
    assert tables["sla_overall"]["rows"][-1] == {"priority": "合计", "met": 3, "breached": 4, "open_breached": 4,
                                                 "compliance": 3 / 11}
    assert tables["reviews_due"]["rows"][-1]["due_date"] == "2024-05-20"
    assert not (tracker.parent / "月度报告_2024-05.xlsx").exists()  # JSON alone writes no workbook


def test_bad_month_is_a_usage_error(tracker):
    assert run("report", tracker, "--month", "2024-13").exit_code == 2


@pytest.fixture(scope="module")
def book(tracker, report):
    """The report workbook, and where each table landed."""
    path = tracker.parent / "report.xlsx"
    return path, report, write_report(report, path)


def test_workbook_reads_back_in_calamine(book):
    path, report, placed = book
    workbook = CalamineWorkbook.from_path(str(path))
    assert workbook.sheet_names == ["概览", "SLA", "工单量", "质量", "复盘", "趋势"]
    for sheet, tables in placed.items():
        rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        for key, (row, _) in tables.items():
            table = report.table(key)
            assert rows[row - 1][0] == table.title
            assert rows[row][:len(table.columns)] == [c.header for c in table.columns]
            body = [r[:len(table.columns)] for r in rows[row + 1:row + 1 + len(table.rows)]]
            assert body == [[_as_read(v) for v in r] for r in table.rows], key


def _as_read(value):
    """A value as calamine gives it back: blanks as '', numbers as floats (to 15 digits), dates as dates."""
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return pytest.approx(float(value), rel=1e-12)
    return value


def test_charts_reference_their_table_ranges(book):
    path, report, placed = book
    expected = set()
    for sheet, tables in placed.items():
        for key, (row, _) in tables.items():
            table = report.table(key)
            keys = [c.key for c in table.columns]
            last = row + 1 + len(table.rows)  # the title is on `row`, the header below it
            for chart in table.charts:
                cols = [_letter(keys.index(k)) for k in chart.series]
                if chart.percent and report.compliance_target is not None:
                    cols.append(_letter(len(keys)))  # the target line, from the 目标 column after the table
                expected.add(tuple((f"{sheet}!{c}{row + 1}", f"{sheet}!A{row + 2}:A{last}", f"{sheet}!{c}{row + 2}:{c}{last}")
                                   for c in cols))
    found = chart_refs(path)
    assert len(found) == len(expected) == 18
    assert set(found) == expected


def chart_refs(path) -> list[tuple[tuple[str, str, str], ...]]:
    """Per chart part, per series: (title cell, categories, values), without quotes and dollars."""
    out = []
    with zipfile.ZipFile(path) as z:
        for name in sorted(n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)):
            root = ElementTree.fromstring(z.read(name))
            out.append(tuple(tuple(_ref(ser.find(f"{C}{part}//{C}f")) for part in ("tx", "cat", "val"))
                             for ser in root.iter(f"{C}ser")))
    return out


C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"


def _ref(element) -> str:
    return element.text.replace("$", "").replace("'", "")


def _letter(index: int) -> str:
    return "ABCDEFGHIJ"[index]


@needs_libreoffice
@pytest.mark.libreoffice
def test_libreoffice_renders_the_report_with_its_charts(book, tmp_path):
    path, report, _ = book
    pdf = convert(path, "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000
    # LibreOffice's own re-save keeps every chart on the same cells: it read them as charts over ranges.
    again = convert(path, "xlsx", tmp_path / "resaved")
    assert sorted(chart_refs(again)) == sorted(chart_refs(path))
    if shutil.which("pdftoppm"):  # the pictures stay in the test's temp folder, out of git
        import subprocess

        subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "2", str(pdf), str(tmp_path / "page")],
                       check=True, timeout=60)
        assert sorted(p.name for p in tmp_path.glob("page-*.png"))
