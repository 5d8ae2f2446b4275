"""``track-xls import``: header mapping, value normalising, every rejected row with its reason, and the CLI."""

from __future__ import annotations

import hashlib
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
import xlsxwriter
from click.testing import CliRunner

from workbook.cli import main
from workbook.core.book import find_table
from workbook.core.errors import InputError
from workbook.app.import_source import read_map_file
from workbook.core.importer import convert_rows, find_mapping, normalise, require_columns
from workbook.xlsx.reader import read_book

from tests.support import hostile
from tests.support.libreoffice import convert as lo_convert, needs_libreoffice

NOW = datetime(2024, 5, 21, 10, 0)
OLD_HEADERS = ["单号", "报修日期", "联系人", "系统/设备", "故障描述", "紧急程度", "当前状态", "处理人", "备注"]
OLD_ROW = ["20240520-003", "2024/5/20 14:30", "张伟", "会议室A打印机", "卡纸", "紧急", "处理中", "李工", "x"]


def mapped(rows, overrides=None):
    return require_columns(find_mapping(rows, overrides), "source")


def convert(rows, taken=None, existing=None, lang="zh", overrides=None):
    return convert_rows(rows, mapped(rows, overrides), lang, NOW, taken or {}, existing or {})


def only(rows, **kw) -> dict:
    result = convert(rows, **kw)
    assert not result.rejected, result.rejected
    [(_, values)] = result.tickets
    return values


def reasons(rows, **kw) -> dict[int, str]:
    return {r.row: r.reason for r in convert(rows, **kw).rejected}


# -- headers -------------------------------------------------------------------------------------------

def test_chinese_aliases():
    m = mapped([OLD_HEADERS])
    assert m.columns == {"ticket_no": 0, "reported_at": 1, "reporter": 2, "module": 3, "description": 4,
                         "priority": 5, "status": 6, "assignee": 7}
    assert m.unused == ["备注"]


def test_english_aliases_hints_and_punctuation():
    headers = ["Ticket ID", "Created (yyyy-mm-dd hh:mm)", "Requester", "Severity*", "Assigned To", "Subject",
               "State", "Component"]
    m = mapped([["Support log 2024"], [], headers])
    assert m.header_row == 2
    assert set(m.columns) == {"ticket_no", "reported_at", "reporter", "priority", "assignee", "description",
                              "status", "module"}


def test_schema_headers_beat_aliases_and_better_aliases_beat_worse():
    m = mapped([["标题", "问题描述", "日期", "报修时间", "优先级"]])
    assert m.columns["description"] == 1 and m.columns["reported_at"] == 3
    assert m.unused == ["标题", "日期"]


def test_computed_columns_are_never_imported():
    m = mapped([["报修时间", "优先级", "响应截止", "SLA State"]])
    assert set(m.columns) == {"reported_at", "priority"} and m.unused == ["响应截止", "SLA State"]


def test_map_file(tmp_path):
    path = tmp_path / "map.txt"
    path.write_text("# 我们的旧表\n开单时间 = 报修时间\n受理人 = assignee\n备注 = -\n程度=Priority\nCase # = ticket_no\n",
                    encoding="utf-8")
    overrides = read_map_file(path)
    m = mapped([["开单时间", "受理人", "备注", "程度", "联系人", "Case #"]], overrides)
    assert m.columns == {"reported_at": 0, "assignee": 1, "priority": 3, "reporter": 4, "ticket_no": 5}
    assert m.unused == ["备注"]


@pytest.mark.parametrize("line,where", [("just words", "map.txt:2"), ("a = 响应截止", "map.txt:2"),
                                        ("a = nonsense", "map.txt:2"), (" = reporter", "map.txt:2")])
def test_map_file_mistakes_name_the_line(tmp_path, line, where):
    path = tmp_path / "map.txt"
    path.write_text(f"x = reporter\n{line}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_map_file(path)
    assert where in str(err.value)


def test_no_header_and_missing_columns_are_errors():
    with pytest.raises(InputError, match="--map"):
        mapped([["a", "b"], [1, 2]])
    with pytest.raises(InputError) as err:
        mapped([["报修时间", "报修人", "问题描述"]])
    assert "优先级" in err.value.render("zh") and "Priority" in err.value.render("en")


def test_normalise():
    assert normalise(" 报修时间（必填） ") == normalise("报修时间") == "报修时间"
    assert normalise("Ticket #") == normalise("ticket") and normalise(None) == ""


# -- values --------------------------------------------------------------------------------------------

def test_values_are_normalised_to_the_tracker_language():
    values = only([OLD_HEADERS, OLD_ROW])
    assert values["ticket_no"] == "20240520-003"
    assert values["reported_at"] == datetime(2024, 5, 20, 14, 30)
    assert values["priority"] == "P1" and values["status"] == "处理中"
    assert only([OLD_HEADERS, OLD_ROW], lang="en")["status"] == "In Progress"


@pytest.mark.parametrize("typed", ["2024-05-20 14:30", "2024/5/20 14:30", "2024年5月20日 14:30", 45432.604166666664,
                                   "45432.604166666664", datetime(2024, 5, 20, 14, 30, 12), "2024/5/20 2:30 PM"])
def test_date_formats_people_type(typed):
    assert only([OLD_HEADERS, [None, typed, *OLD_ROW[2:]]])["reported_at"] == datetime(2024, 5, 20, 14, 30)


@pytest.mark.parametrize("typed,code", [("紧急", "P1"), ("High", "P2"), ("p1", "P1"), (3, "P3"), ("P4 低", "P4"),
                                        ("一般", "P3")])
def test_priorities_people_type(typed, code):
    row = OLD_ROW[:5] + [typed] + OLD_ROW[6:]
    assert only([OLD_HEADERS, row])["priority"] == code


def test_numbers_are_kept_and_tidied():
    for typed in ("20240520003", "2024-05-20-003", "２０２４０５２０-００３"):
        assert only([OLD_HEADERS, [typed, *OLD_ROW[1:]]])["ticket_no"] == "20240520-003"
    assert only([OLD_HEADERS, [None, *OLD_ROW[1:]]])["ticket_no"] is None  # refresh numbers it


def test_status_from_times_when_the_source_has_none():
    headers = ["报修时间", "优先级", "分派时间", "解决时间", "关闭时间"]
    # same time, no description: not enough to call them duplicates of each other
    rows = [headers, ["2024-05-20 09:00", "P3"], ["2024-05-20 09:00", "P3", "2024-05-20 09:30"],
            ["2024-05-20 09:00", "P3", None, "2024-05-20 11:00"], ["2024-05-20 09:00", "P3", None, None, "2024-05-20 12:00"]]
    got = [values for _, values in convert(rows).tickets]
    assert [v["status"] for v in got] == ["新建", "已分派", "已解决", "已关闭"]
    # no time is made up: a done time the source lacks stays empty (not the import's clock)
    assert got[3]["resolved_at"] is None and got[3]["closed_at"] == datetime(2024, 5, 20, 12)


def test_text_stays_text_and_codes_follow_the_tracker():
    headers = ["报修时间", "优先级", "问题描述", "受理渠道", "已备份", "满意度", "联系方式"]
    values = only([headers, ["2024-05-20 09:00", "P3", "=1+1", "E-mail", "Yes", "5星", 13800138000.0]])
    assert values["description"] == "=1+1" and values["channel"] == "邮件" and values["backup_done"] == "是"
    assert values["satisfaction"] == 5 and values["contact"] == "13800138000"


def test_every_bad_row_is_rejected_with_its_reason():
    rows = [OLD_HEADERS,
            OLD_ROW,                                                       # 2 taken
            ["20240520-004", "昨天下午", *OLD_ROW[2:]],                     # 3 date
            ["20240520-005", "2024-05-20 14:30", *OLD_ROW[2:5], None, *OLD_ROW[6:]],  # 4 no priority
            ["20240520-006", "2024-05-20 14:30", *OLD_ROW[2:5], "很急", *OLD_ROW[6:]],  # 5 priority
            ["20240520-007", *OLD_ROW[1:6], "搁置", *OLD_ROW[7:]],         # 6 status
            ["20240520-008", "2025-01-01 09:00", *OLD_ROW[2:]],            # 7 future
            ["IT-0008", *OLD_ROW[1:]],                                     # 8 number format
            OLD_ROW,                                                       # 9 duplicate of row 2
            ["20240520-010", *OLD_ROW[1:4], "长" * 40000, *OLD_ROW[5:]],   # 10 too long for a cell
            [None] * 9,                                                    # blank: skipped, not rejected
            ["20240520-011", None, "张伟"]]                                # 12 no reported time
    got = reasons(rows)
    assert sorted(got) == [3, 4, 5, 6, 7, 8, 9, 10, 12]
    assert "昨天下午" in got[3] and "优先级" in got[4] and "很急" in got[5] and "搁置" in got[6]
    assert "未来" in got[7] and "源表第 2 行" in got[8] and "源表第 2 行" in got[9] and "32767" in got[10]
    assert "报修时间" in got[12]


def rows_of(path: Path) -> list[dict]:
    return [r for _, r in find_table(read_book(path), "tickets").records()]


def test_a_legacy_number_is_kept_in_its_own_column_and_the_ticket_gets_a_new_number(tmp_path):
    source = write_csv(tmp_path / "old.csv", [OLD_HEADERS, ["A-001", *OLD_ROW[1:]],
                                              ["A-002", "2024/5/20 15:00", "李娜", "ERP", "慢", "低", "已解决", "周工"]])
    target = tmp_path / "工单跟踪.xlsx"
    result = invoke(source, target)
    assert result.exit_code == 0, result.output
    got = rows_of(target)
    assert [(r["ticket_no"], r["legacy_no"]) for r in got] == [("20240520-001", "A-001"), ("20240520-002", "A-002")]
    assert all(r["imported_at"] == datetime(2024, 5, 21, 10, 0) for r in got)
    # resolved in the source without a time: no time made up, and nothing judged that is not known
    assert got[1]["resolved_at"] is None and got[1]["sla_state"] == "达标"
    # the P1 is still open: its response deadline (14:45) passed before the import without a
    # recorded response, so it is not judged; its resolution (18:30) is overdue, which is known
    assert "响应" not in (got[0]["breached"] or "") and "解决" in got[0]["breached"]
    later = CliRunner().invoke(main, ["refresh", str(target), "--now", "2024-05-22 09:00"])
    assert later.exit_code == 0 and rows_of(target)[1]["resolved_at"] is None  # not made up later either
    again = invoke(source, target)  # the same source twice: nothing doubled
    assert again.exit_code == 1 and "A-001" in again.output


def test_numbers_and_tickets_already_in_the_tracker_are_rejected():
    taken = {"20240520-003": "工单!A7", "20240520-009": "归档索引"}
    row2 = ["20240520-009", *OLD_ROW[1:]]
    row3 = [None, *OLD_ROW[1:]]
    existing = {(datetime(2024, 5, 20, 14, 30), "张伟", "卡纸"): "工单!A9"}
    got = reasons([OLD_HEADERS, OLD_ROW, row2, row3], taken=taken, existing=existing)
    assert "工单!A7" in got[2] and "归档索引" in got[3] and "工单!A9" in got[4]


# -- the command -------------------------------------------------------------------------------------------

def write_csv(path: Path, rows: list[list], encoding: str = "utf-8-sig", sep: str = ",") -> Path:
    path.write_text("\n".join(sep.join("" if v is None else str(v) for v in row) for row in rows) + "\n",
                    encoding=encoding)
    return path


def invoke(*args):
    return CliRunner().invoke(main, ["import", *map(str, args), "--now", "2024-05-21 10:00"])


def ticket_rows(path: Path) -> list[list]:
    return [r for r in read_book(path).sheets["工单"].rows[1:] if any(v is not None for v in r)]


@pytest.mark.parametrize("encoding,sep", [("utf-8-sig", ","), ("gb18030", ","), ("utf-8", ";"), ("gb18030", "\t"),
                                          ("utf-16", "\t")])
def test_csv_into_a_new_tracker_then_refresh_and_check(tmp_path, encoding, sep):
    source = write_csv(tmp_path / "old.csv", [OLD_HEADERS, OLD_ROW, [None, "2024-05-20 15:00", *OLD_ROW[2:]]],
                       encoding, sep)
    target = tmp_path / "工单跟踪.xlsx"
    result = invoke(source, target)
    assert result.exit_code == 0, result.output
    assert "可导入 2 行" in result.output and "备注" in result.output  # the unused column is named
    rows = ticket_rows(target)
    assert [r[0] for r in rows] == ["20240520-003", "20240520-004"] and rows[0][8] == "卡纸"  # kept, then continued
    refresh = CliRunner().invoke(main, ["refresh", str(target), "--now", "2024-05-21 10:00"])
    assert refresh.exit_code == 0, refresh.output
    assert [r[0] for r in ticket_rows(target)] == ["20240520-003", "20240520-004"]


def test_any_rejected_row_means_nothing_is_written(tmp_path):
    source = write_csv(tmp_path / "old.csv", [OLD_HEADERS, OLD_ROW, [None, "昨天", *OLD_ROW[2:]]])
    target = tmp_path / "new.xlsx"
    result = invoke(source, target)
    assert result.exit_code == 1 and "第 3 行" in result.output and "昨天" in result.output
    assert not target.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["old.csv"]
    existing = hostile.tracker(tmp_path)
    before = existing.read_bytes()
    assert invoke(source, existing).exit_code == 1 and existing.read_bytes() == before


def test_skip_rejected_takes_the_rest_and_lists_the_rest(tmp_path):
    source = write_csv(tmp_path / "old.csv", [OLD_HEADERS, OLD_ROW, [None, "昨天", *OLD_ROW[2:]]])
    target = hostile.tracker(tmp_path)
    result = invoke(source, target, "--skip-rejected")
    assert result.exit_code == 0 and "第 3 行" in result.output
    rows = ticket_rows(target)
    assert [r[2] for r in rows] == ["张伟", "张伟"] and rows[1][0] == "20240520-003"  # appended below row 2


def test_importing_the_same_source_twice_adds_nothing(tmp_path):
    source = write_csv(tmp_path / "old.csv", [OLD_HEADERS, OLD_ROW, [None, "2024-05-20 15:00", *OLD_ROW[2:]]])
    target = tmp_path / "t.xlsx"
    assert invoke(source, target).exit_code == 0
    before = target.read_bytes()
    again = invoke(source, target)
    assert again.exit_code == 1 and again.output.count("已在跟踪表") + again.output.count("重复") == 2
    assert target.read_bytes() == before


def test_dry_run_writes_nothing(tmp_path):
    source = write_csv(tmp_path / "old.csv", [OLD_HEADERS, OLD_ROW])
    result = invoke(source, tmp_path / "t.xlsx", "--dry-run")
    assert result.exit_code == 0 and "可导入 1 行" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.csv"]


def test_xlsx_source_with_a_title_several_sheets_and_real_dates(tmp_path):
    source = tmp_path / "old.xlsx"
    book = xlsxwriter.Workbook(str(source))
    book.add_worksheet("说明").write(0, 0, "本表记录 IT 报修")
    sheet = book.add_worksheet("2024年报修")
    sheet.write(0, 0, "IT 报修登记表")
    sheet.write_row(2, 0, OLD_HEADERS)
    sheet.write_row(3, 0, OLD_ROW)
    sheet.write_datetime(3, 1, datetime(2024, 5, 20, 14, 30), book.add_format({"num_format": "yyyy/m/d h:mm"}))
    book.close()
    target = tmp_path / "t.xlsx"
    assert invoke(source, target, "--lang", "en").exit_code == 0
    [row] = [r for r in read_book(target).sheets["Tickets"].rows[1:] if any(r)]
    assert row[:3] == ["20240520-003", datetime(2024, 5, 20, 14, 30), "张伟"] and row[11] == "In Progress"
    assert "说明" in invoke(source, target, "--sheet", "nope").output  # the sheets there are listed


@pytest.mark.parametrize("build", [hostile.encrypted, hostile.zip_bomb, hostile.billion_laughs, hostile.truncated,
                                   hostile.word_document, hostile.empty, hostile.far_row, hostile.missing])
def test_hostile_sources_are_refused(tmp_path, build):
    source = build(tmp_path)
    target = tmp_path / "t.xlsx"
    result = invoke(source, target)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert source.name in result.output and len(result.output.strip().splitlines()) == 1
    assert not target.exists()


@needs_libreoffice
@pytest.mark.libreoffice
def test_xls_and_ods_sources(tmp_path):
    """One LibreOffice run makes both files (.xls BIFF8 and .ods); calamine reads both."""
    source = tmp_path / "old.xlsx"
    book = xlsxwriter.Workbook(str(source))
    sheet = book.add_worksheet("报修")
    sheet.write_row(0, 0, OLD_HEADERS)
    sheet.write_row(1, 0, OLD_ROW)
    book.close()
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    for fmt in ("xls", "ods"):
        converted = lo_convert(source, fmt, tmp_path / fmt)
        renamed = converted.with_name(f"saved-as-{fmt}.xlsx")  # a name that lies about the content
        renamed.write_bytes(converted.read_bytes())
        for path in (converted, renamed):
            target = tmp_path / f"{path.name}.tracker.xlsx"
            result = invoke(path, target)
            assert result.exit_code == 0, result.output
            assert ticket_rows(target)[0][:3] == ["20240520-003", datetime(2024, 5, 20, 14, 30), "张伟"]
    assert hashlib.sha256(source.read_bytes()).hexdigest() == digest  # a source is only read


def test_formula_looking_text_is_imported_as_text(tmp_path):
    source = write_csv(tmp_path / "old.csv", [OLD_HEADERS, [None, "2024-05-20 15:00", "=cmd|' /C calc'!A0", "+m",
                                                            "@SUM(1)", "P3"]])
    target = tmp_path / "t.xlsx"
    assert invoke(source, target).exit_code == 0
    assert ticket_rows(target)[0][2] == "=cmd|' /C calc'!A0"
    with zipfile.ZipFile(target) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")
