"""The package layer: raw zip copies, package parts, file checks, locks, atomic replace, backups."""

from __future__ import annotations

import io
import multiprocessing
import os
import shutil
import stat
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from lxml import etree

from tests.support.engine_fixtures import EXCEL_SAVED, SAVED_WORKBOOKS, add_calc_chain, raw_members
from tests.support.hostile import write_raw_zip
from workbook.core.errors import Busy, FileProblem, OpenInApp
from workbook.xlsx import package
from workbook.xlsx.deflate import deflate, inflated
from workbook.xlsx.package import DateStyles, Package, drop_calc_chain, is_date_format, patch_workbook
from workbook.xlsx.ranges import RowMap
from workbook.xlsx.safe_write import (BACKUP_DIR, advisory_lock, backups_of, check_openable,
                                 remove_stale_temps, replace_file, temp_name)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SAVED = SAVED_WORKBOOKS


def copy_of(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copyfile(EXCEL_SAVED / name, target)
    return target


# -- zip members --------------------------------------------------------------------------------------

@pytest.mark.parametrize("source", SAVED, ids=lambda p: p.name)
def test_copy_keeps_every_member_byte_for_byte(source, tmp_path):
    out = tmp_path / source.name
    with open(out, "wb") as f:
        Package.open(source).write(f, {}, set())
    assert raw_members(out) == raw_members(source)
    assert list(raw_members(out)) == list(raw_members(source))
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None


def test_replaced_member_is_rewritten_in_place(tmp_path):
    source = EXCEL_SAVED / "image01.xlsx"  # has a stored (uncompressed) PNG among deflated parts
    out = tmp_path / "out.xlsx"
    pkg = Package.open(source)
    with open(out, "wb") as f:
        pkg.write(f, {"xl/worksheets/sheet1.xml": b"<x/>", "docProps/app.xml": deflate([b"<a/>", b"<b/>"], 1)}, set())
    before, after = raw_members(source), raw_members(out)
    assert list(before) == list(after)
    changed = {n for n in before if before[n] != after[n]}
    assert changed == {"xl/worksheets/sheet1.xml", "docProps/app.xml"}
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None
        assert z.read("docProps/app.xml") == b"<a/><b/>"


def test_damaged_zip_is_a_file_problem():
    with pytest.raises(FileProblem, match="damaged"):
        Package(io.BytesIO(b"PK\x03\x04 not really a zip"))


PART = b"<x>" + b"".join(b"<r>%d</r>" % i for i in range(3000)) + b"</x>"


def packed(folder: Path, crc: int = zlib.crc32(PART), size: int = len(PART)) -> Path:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return write_raw_zip(folder / "part.zip", [("part.xml", packer.compress(PART) + packer.flush(), crc, size)])


@pytest.mark.parametrize("piece", [1, 1000, None])
def test_a_part_is_inflated_in_pieces_of_the_size_asked(tmp_path, monkeypatch, piece):
    monkeypatch.setattr(package, "PIECE", 7)  # raw bytes read 7 at a time too
    with Package.open(packed(tmp_path)) as pkg:
        pieces = list(pkg.inflated("part.xml", piece))
    assert b"".join(pieces) == PART
    assert all(0 < len(p) <= (piece or 7) for p in pieces) and len(pieces) > 1


@pytest.mark.parametrize("lie", [{"crc": 1}, {"size": len(PART) + 1}], ids=["crc", "size"])
def test_a_part_inflating_to_other_bytes_than_stored_fails_after_its_last_piece(tmp_path, lie):
    with Package.open(packed(tmp_path, **lie)) as pkg:
        pieces = pkg.inflated("part.xml", 100)
        assert next(pieces) == PART[:100]
        with pytest.raises(zipfile.BadZipFile, match="Bad CRC-32"):
            list(pieces)


def test_a_stored_part_is_read_in_pieces_too():
    with Package.open(EXCEL_SAVED / "image01.xlsx") as pkg:
        png = next(m.info.filename for m in pkg.members if m.info.compress_type == zipfile.ZIP_STORED)
        pieces = list(pkg.inflated(png, 50))
        assert b"".join(pieces) == zipfile.ZipFile(EXCEL_SAVED / "image01.xlsx").read(png)
        assert len(pieces) > 1 and len(pieces[0]) == 50


@pytest.mark.parametrize("size", [1, 1000, 1 << 20])
def test_inflated_gives_every_byte_in_pieces_of_at_most_size(size):
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    raw = packer.compress(PART) + packer.flush()
    pieces = list(inflated([raw], size))  # (given whole, isal keeps what does not fit a piece inside)
    assert b"".join(pieces) == PART and all(0 < len(p) <= size for p in pieces)
    with pytest.raises(EOFError):
        list(inflated([raw[:-10]], size))


def test_same_bytes_whatever_the_cuts():
    assert package.same_bytes([b"ab", b"", b"cd"], [b"a", b"bcd"])
    assert package.same_bytes([], [b""])
    assert not package.same_bytes([b"ab", b"cd"], [b"abce"])
    assert not package.same_bytes([b"abcd"], [b"ab", b"c"])
    assert not package.same_bytes([b"ab"], [b"ab", b"c"])


def test_sheet_parts_follow_relationships():
    assert Package.open(EXCEL_SAVED / "defined_name01.xlsx").sheet_parts() == {
        "Sheet1": "xl/worksheets/sheet1.xml", "Sheet2": "xl/worksheets/sheet2.xml",
        "Sheet 3": "xl/worksheets/sheet3.xml"}
    pkg = Package.open(EXCEL_SAVED / "table01.xlsx")
    assert pkg.related("xl/worksheets/sheet1.xml", "/table") == ["xl/tables/table1.xml"]


# -- package parts ----------------------------------------------------------------------------------

def test_workbook_gets_full_calc_and_names_follow_rows():
    data = Package.open(EXCEL_SAVED / "defined_name01.xlsx").read("xl/workbook.xml")
    out = patch_workbook(data, {"Sheet1": [RowMap([1]).span]})
    root = etree.fromstring(out)
    assert root.find(f"{{{MAIN}}}calcPr").get("fullCalcOnLoad") == "1"
    names = {(n.get("name"), n.get("localSheetId")): n.text for n in root.iter(f"{{{MAIN}}}definedName")}
    assert names[("_xlnm.Print_Area", "0")] == "Sheet1!$A$1:$E$5"
    assert names[("Bar", "2")] == "'Sheet 3'!$A$1"
    assert out.startswith(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<workbook')
    assert patch_workbook(out, {}) is None


def test_calc_pr_is_inserted_in_schema_order():
    data = (f'<workbook xmlns="{MAIN}"><workbookPr/><sheets><sheet name="a" sheetId="1"/></sheets>'
            f"<definedNames/><oleSize ref=\"A1\"/></workbook>").encode()
    root = etree.fromstring(patch_workbook(data, {}))
    assert [etree.QName(e).localname for e in root] == ["workbookPr", "sheets", "definedNames", "calcPr", "oleSize"]


def test_calc_chain_is_dropped_with_its_rel_and_type(tmp_path):
    path = copy_of("table01.xlsx", tmp_path)
    add_calc_chain(path)
    replaced, dropped = drop_calc_chain(Package.open(path))
    assert dropped == {"xl/calcChain.xml"}
    assert b"calcChain" not in replaced["[Content_Types].xml"]
    assert b"calcChain" not in replaced["xl/_rels/workbook.xml.rels"]
    assert drop_calc_chain(Package.open(EXCEL_SAVED / "table01.xlsx")) == ({}, set())


def test_date_styles_add_one_style_per_base():
    data = Package.open(EXCEL_SAVED / "cond_format01.xlsx").read("xl/styles.xml")
    styles = DateStyles(data)
    assert not styles.shows_date(0)
    first = styles(0, True)
    assert first == styles(0, True) and styles.shows_date(first)
    assert styles(0, False) == first + 1
    root = etree.fromstring(styles.to_bytes())
    xfs = root.find(f"{{{MAIN}}}cellXfs")
    assert xfs.get("count") == str(len(xfs)) and xfs[first].get("numFmtId") == "22"
    assert DateStyles(data).to_bytes() is None


@pytest.mark.parametrize("code, is_date", [("yyyy-mm-dd hh:mm", True), ("General", False), ("[Red]0.00", False),
                                           ("[h]:mm", True), ('"d"0', False), ('yyyy"年"m"月"', True)])
def test_date_format_detection(code, is_date):
    assert is_date_format(code) is is_date


# -- is it a workbook, and is it free ---------------------------------------------------------------

@pytest.mark.parametrize("name, content, message", [
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old .xls workbook"),
    ("list.csv", b"a,b\n1,2\n", "CSV"),
    ("sheet.ods", b"PK\x03\x04", "damaged"),
    ("renamed.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old .xls workbook"),
    ("text.xlsx", b"hello", "text file"),
    ("empty.xlsx", b"", "empty"),
    ("cut.xlsx", b"PK\x03\x04" + b"\0" * 50, "damaged"),
])
def test_not_a_workbook(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileProblem, match=message):
        check_openable(path)


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "x.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hi")
    with pytest.raises(FileProblem, match="not an Excel workbook"):
        check_openable(path)


def test_missing_and_directory(tmp_path):
    with pytest.raises(FileProblem, match="no such file"):
        check_openable(tmp_path / "nope.xlsx")
    (tmp_path / "dir.xlsx").mkdir()
    with pytest.raises(FileProblem, match="is a folder"):
        check_openable(tmp_path / "dir.xlsx")


@pytest.mark.parametrize("lock, app", [("~$t.xlsx", "Excel"), (".~lock.t.xlsx#", "LibreOffice")])
def test_open_in_office_is_refused(tmp_path, lock, app):
    path = copy_of("table01.xlsx", tmp_path)
    path = path.rename(tmp_path / "t.xlsx")
    check_openable(path)
    (tmp_path / lock).write_text("someone")
    with pytest.raises(OpenInApp, match=app) as info:
        check_openable(path)
    assert "\n" not in str(info.value) and info.value.app == app.lower() and info.value.lock == lock


def _hold_lock(path: str, ready, release) -> None:
    with advisory_lock(path):
        ready.set()
        release.wait(10)


def test_advisory_lock_serializes_commands(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"")
    ready, release = multiprocessing.Event(), multiprocessing.Event()
    other = multiprocessing.Process(target=_hold_lock, args=(str(path), ready, release))
    other.start()
    try:
        assert ready.wait(10)
        started = time.monotonic()
        with pytest.raises(Busy, match="busy"):
            with advisory_lock(path, wait=0.3):
                pass
        assert time.monotonic() - started >= 0.3
        release.set()
        other.join(10)
        with advisory_lock(path, wait=5):
            pass
    finally:
        release.set()
        other.join(10)
    assert not (tmp_path / ".t.xlsx.lock").exists()  # nothing left once both are done


# -- replacing the file -------------------------------------------------------------------------------

def test_replace_is_atomic_and_keeps_a_backup(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"old")
    os.chmod(path, 0o640)
    replace_file(path, lambda f: f.write(b"new"), lambda tmp: None, backups=5)
    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    (backup,) = backups_of(path)
    assert backup.parent.name == BACKUP_DIR and backup.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [BACKUP_DIR, "t.xlsx"]


@pytest.mark.parametrize("stage", ["write", "check"])
def test_failure_leaves_the_original_and_no_temp(tmp_path, stage):
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"old")

    def write(f):
        f.write(b"half")
        if stage == "write":
            raise OSError("disk full")

    def check(tmp):
        assert tmp.read_bytes() == b"half"
        raise RuntimeError("bad")
    with pytest.raises((OSError, RuntimeError)):
        replace_file(path, write, check)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]


def test_backups_rotate(tmp_path):
    path = tmp_path / "t.xlsx"
    for i in range(5):
        path.write_bytes(b"v%d" % i)
        replace_file(path, lambda f, i=i: f.write(b"v%d" % (i + 1)), lambda tmp: None, backups=3)
    kept = backups_of(path)
    assert [p.read_bytes() for p in kept] == [b"v2", b"v3", b"v4"]
    replace_file(path, lambda f: f.write(b"x"), lambda tmp: None, backups=0)
    assert len(backups_of(path)) == 3


def test_stale_temps_are_removed(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"x")
    stale = temp_name(path)
    stale.write_bytes(b"left by a killed command")
    other = tmp_path / ".other.12345678.tmp.xlsx"
    other.write_bytes(b"not ours")
    remove_stale_temps(path)
    assert not stale.exists() and other.exists()


def test_deflate_round_trips():
    part = deflate([b"a" * 3_000_000, b"b"], 1)
    assert part.packed == len(b"".join(part.pieces)) and part.size == 3_000_001
    assert zlib.decompress(b"".join(part.pieces), -15) == b"a" * 3_000_000 + b"b"
    assert part.inflated_crc == part.crc == zlib.crc32(b"a" * 3_000_000 + b"b")


class LosingCompressor:
    """A compressor whose stream inflates to less than it was given: the last byte of each batch, or
    (``unfinished``) the end of the stream."""

    def __init__(self, real, unfinished: bool):
        self.real, self.unfinished = real, unfinished

    def compress(self, data) -> bytes:
        return self.real.compress(data if self.unfinished else bytes(data)[:-1])

    def flush(self) -> bytes:
        return self.real.flush(zlib.Z_SYNC_FLUSH if self.unfinished else zlib.Z_FINISH)


@pytest.mark.parametrize("unfinished", [False, True], ids=["bytes lost", "stream unfinished"])
def test_deflate_tells_a_part_that_does_not_inflate_back(monkeypatch, unfinished):
    real = zlib.compressobj
    monkeypatch.setattr("workbook.xlsx.deflate.isal_zlib", None)
    monkeypatch.setattr(zlib, "compressobj", lambda *args: LosingCompressor(real(*args), unfinished))
    part = deflate([b"a" * 3_000_000, memoryview(b"b" * 2_000_000)], 1)
    assert part.crc == zlib.crc32(b"a" * 3_000_000 + b"b" * 2_000_000) and part.inflated_crc != part.crc
