"""FileEngine end to end: a change set applied to real packages, read back by calamine.

Every member a change set does not own must keep its bytes; the owned ones must read back as written.
"""

from __future__ import annotations

import re
import shutil
import uuid
import zlib
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree
from python_calamine import CalamineWorkbook

from tests.support.engine_fixtures import (COL, DASHBOARD, EXCEL_SAVED, HEADERS, SAVED_WORKBOOKS, TICKETS, add_calc_chain,
                             make_tracker, part,
                             raw_members, sheet_part, vba_project)
from tests.support.libreoffice import convert, needs_libreoffice
from tests.xlsx.test_package import LosingCompressor
from workbook.xlsx import file_engine
from workbook.xlsx import package
from workbook.xlsx import sheet_rows
from workbook.core.cells import col_letter
from workbook.core.changeset import ChangeSet
from workbook.core.errors import (ChangedSinceRead, FileProblem, InputError, LockedError, NotWritable, OpenInApp,
                                  ReadBackMismatch, VerifyError)
from workbook.xlsx.file_engine import FileEngine, check_openable
from workbook.xlsx.safe_write import backups_of

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
LAST = col_letter(len(HEADERS) - 1)  # the last schema column
TABLE_LAST = col_letter(len(HEADERS))  # the team's formula column right of it
ROWS = 20  # data rows in the fixture: Excel rows 2..21
DUE = datetime(2024, 5, 21, 10, 30)


@pytest.fixture
def tracker(tmp_path) -> Path:
    return make_tracker(tmp_path / "tracker.xlsx", ROWS)


@pytest.fixture
def macro_tracker(tmp_path) -> Path:
    return make_tracker(tmp_path / "tracker.xlsm", ROWS, vba=vba_project(tmp_path))


def refresh_like(rows=range(1, ROWS + 1)) -> ChangeSet:
    """Computed columns for every ticket, as a refresh writes them."""
    changes = ChangeSet()
    for r in rows:
        changes.set(TICKETS, r, COL["response_due"], DUE + timedelta(minutes=r))
        changes.set(TICKETS, r, COL["sla_state"], "超时" if r % 4 == 0 else "正常")
        changes.set(TICKETS, r, COL["breached"], "响应" if r % 4 == 0 else None)
    return changes


def values(path: Path, sheet: str = TICKETS) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def changed_members(before: dict, path: Path) -> set[str]:
    after = raw_members(path)
    assert [n for n in before if n in after] == list(after), "member order changed"
    return {n for n in before if before[n] != after.get(n)}


# -- what is kept, what is written --------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["tracker", "macro_tracker"])
def test_refresh_touches_only_the_owned_parts(kind, request):
    path = request.getfixturevalue(kind)
    before = raw_members(path)
    engine = FileEngine(path)
    engine.read()
    engine.apply(refresh_like())
    # XlsxWriter already sets fullCalcOnLoad and there is no calcChain: only the sheet changes.
    assert changed_members(before, path) == {sheet_part(path, TICKETS)}
    rows = values(path)
    assert rows[4][COL["response_due"]] == DUE + timedelta(minutes=4)
    assert rows[4][COL["sla_state"]] == "超时" and rows[3][COL["sla_state"]] == "正常"
    assert rows[4][COL["breached"]] == "响应" and rows[3][COL["breached"]] == ""
    assert rows[2][COL["description"]] == "=1+1 typed by a reporter"
    if path.suffix == ".xlsm":
        assert "xl/vbaProject.bin" in before and b"macroEnabled" in part(path, "[Content_Types].xml")


def test_user_formulas_and_other_cells_survive(tracker):
    FileEngine(tracker).apply(refresh_like())
    xml = part(tracker, sheet_part(tracker, TICKETS)).decode()
    assert xml.count("<f>IF(Tickets[[#This Row],[解决时间]]") == ROWS
    assert '<f>COUNTA(A2:A21)</f>' in xml
    assert re.search(r'<row r="6"[^>]*hidden="1"', xml)
    assert values(tracker, DASHBOARD)[0][0] == "待处理"


@pytest.mark.parametrize("typed", ["=1+1", "+8613800000000", "-x", "@x", "=HYPERLINK(\"http://x\")"])
def test_typed_formula_lookalikes_stay_text(tracker, typed):
    changes = ChangeSet()
    changes.set(TICKETS, 3, COL["description"], typed)
    FileEngine(tracker).apply(changes)
    assert values(tracker)[3][COL["description"]] == typed
    cell = re.search(rb'<c r="I4"[^>]*>.*?</c>', part(tracker, sheet_part(tracker, TICKETS))).group()
    assert b"<f>" not in cell and b't="inlineStr"' in cell


def test_dates_read_back_as_dates_even_in_unformatted_columns(tracker):
    changes = ChangeSet()
    changes.set(TICKETS, 2, len(HEADERS) + 8, datetime(2024, 6, 1, 9, 45))  # a column nobody formatted
    changes.set(TICKETS, 3, len(HEADERS) + 8, date(2024, 6, 2))
    before = raw_members(tracker)
    FileEngine(tracker).apply(changes)
    rows = values(tracker)
    assert rows[2][len(HEADERS) + 8] == datetime(2024, 6, 1, 9, 45)
    assert rows[3][len(HEADERS) + 8] in (date(2024, 6, 2), datetime(2024, 6, 2))
    assert "xl/styles.xml" in changed_members(before, tracker)


def test_clearing_a_cell(tracker):
    changes = ChangeSet()
    changes.set(TICKETS, 1, COL["reporter"], None)
    changes.set(TICKETS, 1, COL["department"], "")
    FileEngine(tracker).apply(changes)
    rows = values(tracker)
    assert rows[1][COL["reporter"]] == "" and rows[1][COL["department"]] == ""
    assert rows[1][COL["module"]] == "销售模块V3.2"


# -- rows appended and removed ------------------------------------------------------------------------

def test_appended_rows_extend_table_validation_formats_and_names(tracker):
    changes = ChangeSet()
    for r in (ROWS + 1, ROWS + 2):
        changes.set(TICKETS, r, COL["ticket_no"], f"20240601-00{r}")
        changes.set(TICKETS, r, COL["reported_at"], datetime(2024, 6, 1, 9, r))
        changes.set(TICKETS, r, COL["priority"], "P2")
    FileEngine(tracker).apply(changes)
    last = ROWS + 3
    table = etree.fromstring(part(tracker, "xl/tables/table1.xml"))
    assert table.get("ref") == f"A1:{TABLE_LAST}{last}"
    assert table.find(f"{{{MAIN}}}autoFilter").get("ref") == f"A1:{TABLE_LAST}{last}"
    sheet = etree.fromstring(part(tracker, sheet_part(tracker, TICKETS)))
    assert sheet.find(f"{{{MAIN}}}dimension").get("ref").endswith(str(last))
    assert [v.get("sqref") for v in sheet.iter(f"{{{MAIN}}}dataValidation")] == [f"K2:K{last}", f"L2:L{last}"]
    assert sheet.find(f"{{{MAIN}}}conditionalFormatting").get("sqref") == f"A2:{LAST}{last}"
    names = {n.get("name"): n.text for n in etree.fromstring(part(tracker, "xl/workbook.xml")).iter(f"{{{MAIN}}}definedName")}
    assert names["_xlnm.Print_Area"] == f"工单!$A$1:${LAST}${last}"
    assert names["工单数"] == "COUNTA(工单!$A:$A)-1"
    rows = values(tracker)
    assert rows[ROWS + 2][:2] == [f"20240601-00{ROWS + 2}", datetime(2024, 6, 1, 9, ROWS + 2)]
    xml = part(tracker, sheet_part(tracker, TICKETS))
    assert b's="1"' in re.search(rb'<c r="B23"[^>]*>', xml).group()  # the column's date format
    # the team's formula column is filled in the new rows, as Excel fills a calculated column
    assert re.search(rb'<c r="%s23"[^>]*>' % TABLE_LAST.encode() + rb'<f>IF\(Tickets\[\[#This Row\],\[', xml)


def test_removed_rows_move_up(tracker):
    before = values(tracker)
    changes = ChangeSet()
    changes.remove_row(TICKETS, 2)
    changes.remove_row(TICKETS, 3)
    FileEngine(tracker).apply(changes)
    after = values(tracker)
    assert after[:2] == before[:2]
    assert after[2:ROWS - 1] == before[4:ROWS + 1]
    table = etree.fromstring(part(tracker, "xl/tables/table1.xml"))
    assert table.get("ref") == f"A1:{TABLE_LAST}{ROWS - 1}"
    xml = part(tracker, sheet_part(tracker, TICKETS)).decode()
    assert f"<f>COUNTA(A2:A{ROWS - 1})</f>" in xml
    assert re.search(r'<row r="4"[^>]*hidden="1"', xml)  # the hidden row moved up with its data


def test_comments_follow_their_rows(tracker):
    before = raw_members(tracker)
    changes = ChangeSet()
    changes.remove_row(TICKETS, 1)  # the comment sits on row 3 (0-based 2)
    FileEngine(tracker).apply(changes)
    assert b'<comment ref="A2"' in part(tracker, "xl/comments1.xml")
    vml = part(tracker, "xl/drawings/vmlDrawing1.vml")
    assert b"<x:Row>1</x:Row>" in vml and b"<x:Anchor>1, 15, 0, 10, 2, 40, 5, 4</x:Anchor>" in vml
    assert b"[0]!SampleCall" in vml  # the button in the same drawing is untouched
    changes = ChangeSet()
    changes.remove_row(TICKETS, 1)  # now the commented row itself
    FileEngine(tracker).apply(changes)
    assert b"<comment " not in part(tracker, "xl/comments1.xml")
    vml = part(tracker, "xl/drawings/vmlDrawing1.vml")
    assert b'ObjectType="Note"' not in vml and b"[0]!SampleCall" in vml
    assert changed_members(before, tracker) == {sheet_part(tracker, TICKETS), "xl/tables/table1.xml",
                                                "xl/workbook.xml", "xl/comments1.xml", "xl/drawings/vmlDrawing1.vml"}


def test_write_and_remove_together_use_the_coordinates_as_read(tracker):
    before = values(tracker)
    changes = ChangeSet()
    changes.remove_row(TICKETS, 1)
    changes.set(TICKETS, 5, COL["assignee"], "张工")
    changes.set(TICKETS, 1, COL["assignee"], "gone with its row")
    FileEngine(tracker).apply(changes)
    after = values(tracker)
    assert after[4][COL["ticket_no"]] == before[5][COL["ticket_no"]]
    assert after[4][COL["assignee"]] == "张工"
    assert "gone with its row" not in {v for row in after for v in row}


def with_removal(changes: ChangeSet) -> ChangeSet:
    changes.remove_row(TICKETS, 2)
    return changes


@pytest.mark.parametrize("changes", [refresh_like, lambda: with_removal(refresh_like())], ids=["written", "removed"])
def test_a_sheet_read_in_pieces_shorter_than_a_row_is_written_the_same(tracker, tmp_path, monkeypatch, changes):
    """Every row is cut across pieces, to be patched, checked (or read back) and deflated whole."""
    other = shutil.copyfile(tracker, tmp_path / "other.xlsx")
    FileEngine(tracker).apply(changes())
    monkeypatch.setattr(package, "PIECE", 50)
    FileEngine(other).apply(changes())
    assert {n: part(other, n) for n in raw_members(other)} == {n: part(tracker, n) for n in raw_members(tracker)}


# -- Excel-saved packages -----------------------------------------------------------------------------

@pytest.mark.parametrize("source", SAVED_WORKBOOKS, ids=lambda p: p.name)
def test_excel_saved_files_keep_every_other_member(source, tmp_path):
    path = tmp_path / source.name
    shutil.copyfile(source, path)
    with package.Package.open(path) as pkg:
        first = next(iter(pkg.sheet_parts()))
    before = raw_members(path)
    changes = ChangeSet()
    changes.set(first, 9, 7, "track-xls")
    changes.set(first, 10, 7, 12.5)
    FileEngine(path).apply(changes)
    assert changed_members(before, path) <= {sheet_part(path, first), "xl/workbook.xml"}
    rows = values(path, first)
    assert rows[9][7] == "track-xls" and rows[10][7] == 12.5
    assert b'fullCalcOnLoad="1"' in part(path, "xl/workbook.xml")


def test_calc_chain_is_dropped_consistently(tmp_path):
    path = tmp_path / "t.xlsx"
    shutil.copyfile(EXCEL_SAVED / "table01.xlsx", path)
    add_calc_chain(path)
    changes = ChangeSet()
    changes.set("Sheet1", 3, 2, "x")
    FileEngine(path).apply(changes)
    members = raw_members(path)
    assert "xl/calcChain.xml" not in members
    assert b"calcChain" not in part(path, "[Content_Types].xml")
    assert b"calcChain" not in part(path, "xl/_rels/workbook.xml.rels")
    assert values(path, "Sheet1")[3][2] == "x"


# -- refusals -----------------------------------------------------------------------------------------

def test_bad_change_sets_are_refused_before_writing(tracker):
    before = tracker.read_bytes()
    engine = FileEngine(tracker)
    cases = [({"Nope": {(1, 1): 1}}, "no worksheet"), ({TICKETS: {(1, 1): float("nan")}}, "nan"),
             ({TICKETS: {(1, 1): "x" * 40_000}}, "32767"), ({TICKETS: {(1, 1): object()}}, "cannot write"),
             ({TICKETS: {(1, 1): datetime(1900, 2, 28)}}, "1900-03-01"), ({TICKETS: {(2_000_000, 1): 1}}, "outside")]
    for cells, message in cases:
        with pytest.raises(InputError, match=message):
            engine.apply(ChangeSet(cells=cells))
    assert tracker.read_bytes() == before


@pytest.mark.parametrize("lock", ["~$tracker.xlsx", ".~lock.tracker.xlsx#"])
def test_file_open_in_office_is_refused(tracker, lock):
    (tracker.parent / lock).write_text("x")
    before = tracker.read_bytes()
    with pytest.raises(OpenInApp, match="is open in") as info:
        FileEngine(tracker).apply(refresh_like())
    assert info.value.app == ("excel" if lock.startswith("~$") else "libreoffice") and info.value.lock == lock
    with pytest.raises(LockedError):
        check_openable(tracker)
    assert tracker.read_bytes() == before


@pytest.mark.parametrize("name, content", [("missing.xlsx", None), ("t.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
                                           ("t.csv", b"a,b"), ("t.ods", b"PK\x03\x04"), ("t.xlsx", b"PK\x03\x04junk")])
def test_unusable_files(tmp_path, name, content):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(FileProblem):
        FileEngine(path).read()
    with pytest.raises(FileProblem):
        FileEngine(path).apply(refresh_like())


def test_file_changed_since_read_is_refused(tracker):
    engine = FileEngine(tracker)
    engine.read()
    FileEngine(tracker).apply(refresh_like(range(1, 3)))  # another command writes in between
    with pytest.raises(ChangedSinceRead, match="changed since it was read"):
        engine.apply(refresh_like())
    engine.read()
    engine.apply(refresh_like())


# -- crash safety and verification ----------------------------------------------------------------------

def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name)


def test_crash_mid_write_leaves_the_original(tracker, monkeypatch):
    before = tracker.read_bytes()
    calls = []

    def crash(self, member, raw):
        calls.append(member)
        if len(calls) == 5:
            raise OSError("power cut")
    monkeypatch.setattr(package._ZipWriter, "copy", crash)
    with pytest.raises(NotWritable, match="power cut.*unchanged"):
        FileEngine(tracker).apply(refresh_like())
    assert tracker.read_bytes() == before
    assert leftovers(tracker.parent) == [] and backups_of(tracker) == []


def test_wrong_value_written_is_caught(tracker, monkeypatch):
    before = tracker.read_bytes()
    real = sheet_rows._value_xml
    monkeypatch.setattr(sheet_rows, "_value_xml", lambda v: real("garbled" if v == "正常" else v))
    with pytest.raises(ReadBackMismatch, match="reads back as 'garbled'") as info:
        FileEngine(tracker).apply(refresh_like())
    assert info.value.got == "garbled" and info.value.want == "正常"
    assert tracker.read_bytes() == before and leftovers(tracker.parent) == []


def test_part_that_does_not_inflate_back_is_caught(tracker, monkeypatch):
    before = tracker.read_bytes()
    real = zlib.compressobj
    monkeypatch.setattr("workbook.xlsx.deflate.isal_zlib", None)
    monkeypatch.setattr(zlib, "compressobj", lambda *args: LosingCompressor(real(*args), unfinished=False))
    with pytest.raises(VerifyError, match="CRC"):
        FileEngine(tracker).apply(refresh_like())
    assert tracker.read_bytes() == before and leftovers(tracker.parent) == []


def test_unowned_member_altered_is_caught(tracker, monkeypatch):
    before = tracker.read_bytes()
    real = package._ZipWriter.copy

    def corrupt(self, member, raw):
        if member.info.filename == "xl/styles.xml":
            raw = [b"".join(raw)[:-1] + b"\0"]
        real(self, member, raw)
    monkeypatch.setattr(package._ZipWriter, "copy", corrupt)
    with pytest.raises(VerifyError, match="xl/styles.xml changed"):
        FileEngine(tracker).apply(refresh_like())
    assert tracker.read_bytes() == before and leftovers(tracker.parent) == []


def test_neighbour_cell_damaged_is_caught(tracker, monkeypatch):
    before = tracker.read_bytes()
    real = sheet_rows.Rows._splice

    def damage(self, r, content, edits):  # a splice that loses row 8's cell C
        return re.sub(rb'<c r="C8".*?</c>', b"", real(self, r, content, edits), count=1)
    monkeypatch.setattr(sheet_rows.Rows, "_splice", damage)
    with pytest.raises(VerifyError, match="row 8 changed beyond the cells written"):
        FileEngine(tracker).apply(refresh_like([7]))  # few rows: checked while written
    assert tracker.read_bytes() == before and leftovers(tracker.parent) == []


def test_untouched_row_lost_is_caught(tracker, monkeypatch):
    before = tracker.read_bytes()
    real = sheet_rows.Rows._untouched

    def lose_row_12(self, *args):  # a copied stretch of rows that drops one
        stretch = real(self, *args)
        try:
            while True:
                yield re.sub(rb'<row r="12".*?</row>', b"", bytes(next(stretch)), count=1)
        except StopIteration as stop:
            return stop.value
    monkeypatch.setattr(sheet_rows.Rows, "_untouched", lose_row_12)
    with pytest.raises(VerifyError, match="row 12 changed beyond the cells written"):
        FileEngine(tracker).apply(refresh_like([4]))
    assert tracker.read_bytes() == before and leftovers(tracker.parent) == []


def test_row_never_written_is_caught(tracker, monkeypatch):
    real = sheet_rows.Rows._row
    monkeypatch.setattr(sheet_rows.Rows, "_row", lambda self, r, attrs, content, raw, numbered:
                        raw if r == 5 else real(self, r, attrs, content, raw, numbered))
    with pytest.raises(VerifyError, match="A5: the row was never written"):
        FileEngine(tracker).apply(refresh_like([4]))


@pytest.mark.parametrize("rows", [range(1, ROWS + 1), [4]], ids=["every row", "one row"])
def test_wrong_value_written_in_few_or_many_rows_is_caught(tracker, monkeypatch, rows):
    before = tracker.read_bytes()
    real = sheet_rows._value_xml
    monkeypatch.setattr(sheet_rows, "_value_xml", lambda v: real(0.5 if isinstance(v, datetime) else v))
    with pytest.raises(VerifyError, match=r"reads back as .*not datetime.datetime\(2024, 5, 21, 10, 3[1-9]"):
        FileEngine(tracker).apply(refresh_like(rows))
    assert tracker.read_bytes() == before


def test_sheet_losing_rows_is_read_back_whole(tracker, monkeypatch):
    real = file_engine._expected
    monkeypatch.setattr(file_engine, "_expected", lambda sheet, changes, name: [
        row if r != 7 else row[:2] + ["not what the file holds"] + row[3:]
        for r, row in enumerate(real(sheet, changes, name))])
    changes = refresh_like()
    changes.remove_row(TICKETS, 15)
    with pytest.raises(VerifyError, match="C8"):
        FileEngine(tracker).apply(changes)


def test_backups_are_kept_and_rotated(tracker):
    engine = FileEngine(tracker, backups=2)
    originals = []
    for i in range(3):
        originals.append(tracker.read_bytes())
        engine.apply(refresh_like(range(1, 2 + i)))
    kept = backups_of(tracker)
    assert [p.read_bytes() for p in kept] == originals[1:]
    assert kept[0].parent == tracker.parent / ".track-xls-backups"


def test_lock_is_reentrant_across_read_and_apply(tracker):
    engine = FileEngine(tracker)
    with engine.locked():
        engine.read()
        engine.apply(refresh_like())
        assert (tracker.parent / ".tracker.xlsx.lock").exists()  # held from the read to the write
    assert values(tracker)[4][COL["sla_state"]] == "超时"
    assert not (tracker.parent / ".tracker.xlsx.lock").exists()  # and gone once the command is done


# -- a second opinion ----------------------------------------------------------------------------------

@pytest.mark.libreoffice
@needs_libreoffice
def test_libreoffice_opens_the_patched_workbook(macro_tracker, tmp_path):
    changes = refresh_like()
    changes.set(TICKETS, ROWS + 1, COL["ticket_no"], "20240601-001")
    changes.set(TICKETS, ROWS + 1, COL["description"], "=not a formula")
    changes.remove_row(TICKETS, 3)
    FileEngine(macro_tracker).apply(changes)
    out = convert(macro_tracker, "xlsx", tmp_path / f"lo-{uuid.uuid4().hex[:6]}")
    rows = values(out)
    assert rows[3][COL["sla_state"]] == "超时"  # the old row 5 moved up
    assert rows[ROWS][COL["ticket_no"]] == "20240601-001"
    assert rows[ROWS][COL["description"]] == "=not a formula"
    assert rows[2][COL["response_due"]] == DUE + timedelta(minutes=2)


@pytest.mark.filterwarnings("ignore:Sparkline Group extension")  # openpyxl's own loss: why it never writes here
def test_openpyxl_still_reads_the_patched_workbook(macro_tracker):
    """openpyxl is strict about the parts it parses: a second reader (it never writes here)."""
    import openpyxl
    changes = refresh_like()
    changes.set(TICKETS, ROWS + 1, COL["ticket_no"], "20240601-001")
    changes.remove_row(TICKETS, 2)
    FileEngine(macro_tracker).apply(changes)
    wb = openpyxl.load_workbook(macro_tracker, keep_vba=True)
    ws = wb[TICKETS]
    assert ws.tables["Tickets"].ref == f"A1:{TABLE_LAST}{ROWS + 1}"
    assert ws.cell(ROWS + 1, 1).value == "20240601-001"


def test_excel_saved_comment_moves_up_with_its_row(tmp_path):
    path = tmp_path / "comment01.xlsx"
    shutil.copyfile(EXCEL_SAVED / "comment01.xlsx", path)
    changes = ChangeSet()
    changes.remove_row("Sheet1", 0)
    FileEngine(path).apply(changes)
    assert b'<comment ref="B1"' in part(path, "xl/comments1.xml")
    vml = part(path, "xl/drawings/vmlDrawing1.vml")
    assert b"<x:Row>0</x:Row>" in vml and b"<x:Anchor>2, 15, 0, 10, 4, 15, 3, 4</x:Anchor>" in vml
