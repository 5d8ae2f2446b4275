"""FileEngine: read a workbook file with calamine; apply a change set to it by surgery on the package.

Only the parts package.py names as owned are rewritten; every other zip member keeps its bytes, so
the user's charts, buttons, shapes, sparklines, comments and VBA survive (openpyxl load + save would
drop some and is 10x slower). A change set's coordinates are those of the sheets as read: its cells
are written first, then its removed rows are deleted and the rows below move up.

    engine = FileEngine("tracker.xlsx")
    with engine.locked():          # optional: no other track-xls command writes between the two
        book = engine.read()
        engine.apply(plan(book))
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import date
from itertools import zip_longest
from pathlib import Path
from typing import Callable, Iterator

from lxml import etree
from python_calamine import CalamineWorkbook

from ..core.book import BookData, SheetData, Value
from ..core.cells import a1, check_cell
from ..core.changeset import ChangeSet
from ..core.errors import (ChangedSinceRead, FileProblem, InputError, NotEditable, NotWritable, ReadBackMismatch,
                           VerifyError)
from ..core.row_digests import Known, Skim
from .deflate import Deflated, deflate
from .package import (COMMENTS, STYLES, TABLE, THREADED_COMMENTS, VML, DateStyles, Package, drop_calc_chain,
                      patch_workbook, same_bytes, xml)
from .partial_read import read_partial, skim_sheets
from .ranges import RowMap, appended, area_of, grower
from .reader import in_parallel, read_book
from .row_anchors import patch_comments, patch_vml_notes
from .row_check import RowCheck, same
from .safety import check_package
from .safe_write import advisory_lock, check_not_open, check_openable, remove_stale_temps, replace_file
from ..core.settings import DEFAULT_PARAMS, read_settings
from .sheet_rows import SheetPlan
from .sheet_xml import SheetXml, patch_table
from .total_row import moved_down, rows_to_add, total_rows

__all__ = ["FileEngine", "check_openable"]

# Mac Excel's 1904 date system: serial 0 is 1904-01-01, 1462 days after the 1900 system's.
DATE_1904_DAYS = 1462
DEFAULT_BACKUPS = DEFAULT_PARAMS["backups_kept"]


class FileEngine:
    def __init__(self, path: str | Path, backups: int | None = None):
        """``backups``: how many previous versions to keep; None takes 备份保留份数 from Settings."""
        self.path = Path(path)
        self.backups = backups if backups is not None else DEFAULT_BACKUPS
        self._backups_from_settings = backups is None
        self._read: tuple[tuple | None, BookData] | None = None  # the last read, and the file's stamp then
        self._lock_depth = 0

    def read(self) -> BookData:
        """Every sheet's values (cached formula results), as calamine reads them."""
        return self._reading(lambda: read_book(self.path))

    def read_known(self, known: dict[str, Known], context: bytes) -> BookData:
        """As :meth:`read`, less the rows ``known`` names, while the workbook's context is still
        ``context`` (see core/row_digests.py); the streamed sheets' digests come in ``book.skims``."""
        return self._reading(lambda: read_partial(self.path, known, context))

    def skim(self, end_rows: dict[str, int | None]) -> tuple[dict[str, Skim], bytes]:
        """The digests of the named sheets' rows as the file now stands (the prefix of each ending
        before its row ``end_rows[name]``, None: all), and the workbook's context."""
        return skim_sheets(self.path, end_rows)

    def _reading(self, read: Callable[[], BookData]) -> BookData:
        stamp = _stamp(self.path) if self.path.exists() else None
        book = read()
        # Kept to verify the next apply against (plans never change a book: ChangeSet.applied_to copies).
        # A file replaced while it was being read leaves no stamp: apply() then refuses to write a
        # change set planned on a state of the file that may not be the one on disk.
        self._read = (stamp if _stamp(self.path) == stamp else None, book)
        if self._backups_from_settings:
            self.backups = _backups_setting(book)
        return book

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the file's advisory lock (re-entrant): two commands on one file run one at a time."""
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        if not self.path.is_file():
            check_openable(self.path)  # says what is wrong, before a lock file appears beside nothing
        with advisory_lock(self.path):
            self._lock_depth = 1
            try:
                yield
            finally:
                self._lock_depth = 0

    def apply(self, changes: ChangeSet) -> None:
        """Write ``changes`` into the file: all of them, verified, or nothing at all."""
        if not changes:
            return
        check_openable(self.path)
        with self.locked():
            check_not_open(self.path)
            remove_stale_temps(self.path)
            opened = _stamp(self.path)
            if self._read is not None and self._read[0] != opened:
                raise ChangedSinceRead("changed_since_read", name=self.path.name)
            if self._read is None:
                check_package(self.path)  # the safety scan (bombs, DTDs) before any part is inflated here
            with Package.open(self.path) as pkg:
                try:
                    sheets = _owned_sheets(pkg, changes)
                    replaced, dropped, moved, checked = _patch(pkg, sheets, changes)
                except (NotEditable, ValueError, SyntaxError) as exc:  # lxml's parse errors are SyntaxErrors
                    raise NotEditable("part_not_editable", where=self.path, reason=exc) from exc
                unchecked = [name for name in sheets if name not in checked]  # read back whole after writing
                whole = self._read is not None and not self._read[1].skims  # a partial read holds too few rows
                before = self._read[1] if whole else read_book(self.path, unchecked) if unchecked else None
                expected = {name: _expected(_with_rows_moved(before.sheets[name], moved.get(name)), changes, name)
                            for name in unchecked}

                def check(tmp: Path) -> None:
                    _verify(tmp, pkg, replaced, dropped, expected)
                    if _stamp(self.path) != opened:
                        raise ChangedSinceRead("changed_while_writing", name=self.path.name)
                    pkg.close()  # before the new file replaces it: Windows cannot replace a file held open
                try:
                    replace_file(self.path, lambda out: pkg.write(out, replaced, dropped), check, self.backups)
                except OSError as exc:  # disk full, read-only folder, file held open on Windows...
                    raise NotWritable("not_written", where=self.path, reason=exc) from exc
            self._read = None


def _backups_setting(book: BookData) -> int:
    try:
        return read_settings(book).backups_kept
    except InputError:  # the command reading the tracker reports the bad cell itself
        return DEFAULT_BACKUPS


def _stamp(path: Path) -> tuple:
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns, st.st_ino


# -- planning -------------------------------------------------------------------------------------

def _owned_sheets(pkg: Package, changes: ChangeSet) -> dict[str, str]:
    """Sheet name -> worksheet part for each sheet the change set touches; its values checked."""
    parts = pkg.sheet_parts()
    owned = {}
    for name in set(changes.cells) | set(changes.removed_rows):
        edits, removed = changes.cells.get(name, {}), changes.removed_rows.get(name, set())
        if not edits and not removed:
            continue
        if name not in parts:
            raise InputError("no_worksheet", name=name, book=pkg.source)
        for (r, c), value in edits.items():
            check_cell(name, r, c, value)
        owned[name] = parts[name]
    return owned


def _patch(pkg: Package, sheets: dict[str, str], changes: ChangeSet) -> tuple[dict, set, dict, set]:
    """(replaced parts, dropped parts, moved total rows, sheets checked while written) for the owned
    sheets, their tables, workbook and calcChain; moved: sheet -> (first total row, 0-based, rows it
    moved down)."""
    replaced, names, moved, checked = {}, {}, {}, set()
    styles = _date_styles(pkg, changes, sheets)
    epoch_days = DATE_1904_DAYS if pkg.dates_from_1904() else 0
    for name, part in sheets.items():
        removed = changes.removed_rows.get(name, set())
        cells = changes.cells.get(name, {})
        if removed or "" in cells.values():  # a copy only when needed: 700k cells at 100k tickets
            # "" clears like None; a row written and removed is removed (edits apply first)
            cells = {k: (None if v == "" else v) for k, v in cells.items() if k[0] not in removed}
        rows = RowMap(r + 1 for r in removed)
        tables = {t: pkg.read(t) for t in pkg.related(part, TABLE) if pkg.name(t)}
        sheet = SheetXml(_reader(pkg, part, name, _total_rows_moved(name, tables.values(), cells, moved)))
        infos = [_table_info(data) for data in tables.values()] + [(sheet.filter_area, {})]
        extensions, calculated = [], {}
        for area, formulas in infos:
            for e in appended(cells, [area] if area else []):
                extensions.append(e)
                calculated.update({col: (e, formula) for col, formula in formulas.items()})
        plan = SheetPlan(name, cells, set(removed), extensions, {a[0] for a, _ in infos if a}, calculated,
                         epoch_days=epoch_days)
        if styles is not None:
            plan.date_style = styles
        # Rows checked as written must keep their numbers and the 1900 serials the check decodes.
        check = None if epoch_days or removed or name in moved else RowCheck(name, sheet.root.nsmap)
        replaced[part] = deflate(sheet.patch(plan, check), 1)
        if check and check.complete:
            checked.add(name)
        for table, data in tables.items():
            new = patch_table(data, extensions, rows)
            if new is not None:
                replaced[table] = new
        if rows:
            for kind, follow in ((COMMENTS, patch_comments), (THREADED_COMMENTS, patch_comments), (VML, patch_vml_notes)):
                for target in pkg.related(part, kind):
                    new = follow(pkg.read(target), rows) if pkg.name(target) else None
                    if new is not None:
                        replaced[target] = new
        names[name] = [grower(extensions, cells=False)] + ([rows.span] if rows else [])
    book = patch_workbook(pkg.read(pkg.workbook_part), names)
    if book is not None:
        replaced[pkg.workbook_part] = book
    if styles is not None and styles.to_bytes() is not None:
        replaced[_styles_part(pkg)] = styles.to_bytes()
    chain_parts, dropped = drop_calc_chain(pkg)
    replaced.update(chain_parts)
    return replaced, dropped, moved, checked


def _total_rows_moved(name: str, tables, cells: dict, moved: dict) -> list[tuple[int, int, int]]:
    """(first, last, by): each table's Total Row, to move ``by`` rows down below the rows the change
    set appends there."""
    moves = []
    for data in tables:
        found = total_rows(data)
        by = rows_to_add(cells, found[1]) if found else 0
        if by:
            moves.append((found[1], found[2], by))
            moved[name] = (found[1] - 1, by)
    return moves


def _reader(pkg: Package, part: str, name: str, moves: list[tuple[int, int, int]]) -> Callable[[], Iterator[bytes]]:
    """What reads a sheet's part afresh, in pieces, with its tables' Total Rows moved down."""
    def read() -> Iterator[bytes]:
        pieces = pkg.inflated(part)
        for first, last, by in moves:
            pieces = moved_down(pieces, name, first, last, by)
        return pieces
    return read


def _with_rows_moved(sheet: SheetData, moved: tuple[int, int] | None) -> SheetData:
    """The sheet's values as they read once a Total Row at ``moved[0]`` went ``moved[1]`` rows down."""
    if moved is None:
        return sheet
    at, by = moved
    return SheetData(sheet.name, sheet.rows[:at] + [[] for _ in range(by)] + sheet.rows[at:])


def _table_info(data: bytes) -> tuple[tuple[int, int, int, int] | None, dict[int, str]]:
    """A table's area (header row, last data row, first col, last col) and calculated columns.

    No area for a table without a header. A Total Row is not a data row: it moves below the rows
    appended (:mod:`.total_row`).
    """
    root = xml(data)
    area = area_of(root.get("ref", ""))
    if area is None or root.get("headerRowCount", "1") == "0":
        return None, {}
    totals = int(root.get("totalsRowCount", "0") or 0)
    area = (area[0], area[1] - totals, area[2], area[3])
    formulas = {}
    for i, column in enumerate(root.iter(f"{{{etree.QName(root).namespace}}}tableColumn")):
        calculated = column.find(f"{{{etree.QName(root).namespace}}}calculatedColumnFormula")
        if calculated is not None and calculated.text and calculated.get("array") != "1":
            formulas[area[2] + i] = calculated.text
    return area, formulas


def _styles_part(pkg: Package) -> str | None:
    found = pkg.related(pkg.workbook_part, STYLES)
    return found[0] if found and pkg.name(found[0]) else None


def _date_styles(pkg: Package, changes: ChangeSet, sheets: dict[str, str]) -> DateStyles | None:
    """A date-style source when the change set writes dates and the workbook has a styles part."""
    part = _styles_part(pkg)
    has_dates = any(isinstance(v, date) for name in sheets for v in changes.cells.get(name, {}).values())
    return DateStyles(pkg.read(part)) if part and has_dates else None


# -- verification ---------------------------------------------------------------------------------

def _expected(sheet: SheetData, changes: ChangeSet, name: str) -> Iterator[list[Value]]:
    """The sheet's values once the change set is applied (edits first, then removed rows), row by
    row: a big sheet is never copied whole."""
    edits: dict[int, dict[int, Value]] = {}
    for (r, c), value in changes.cells.get(name, {}).items():
        edits.setdefault(r, {})[c] = value
    removed = changes.removed_rows.get(name, set())
    for r in range(max(len(sheet.rows), max(edits, default=-1) + 1)):
        row = sheet.rows[r] if r < len(sheet.rows) else []
        if r in edits:
            row = row + [None] * (max(edits[r]) + 1 - len(row))
            for c, value in edits[r].items():
                row[c] = None if value == "" else value
        if r not in removed:
            yield row


def _verify(tmp: Path, old: Package, replaced: dict, dropped: set[str], expected: dict) -> None:
    """VerifyError unless the new package reads back as intended.

    Every member not replaced must be byte-identical and in the same place; the replaced ones must
    inflate (CRC checked) and parse, a rewritten sheet to the bytes made; the sheets in ``expected``
    (not checked while written) must read back, through calamine, as the old values with the change
    set applied.
    """
    with Package.open(tmp) as new:
        _verify_members(old, new, replaced, dropped)

    def check(workbook: CalamineWorkbook, name: str) -> None:
        try:
            _compare(name, expected[name], _read_back(workbook, name))
        except (VerifyError, KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # calamine's own error types, and a Rust panic (a BaseException)
            raise VerifyError("verify_sheet_unreadable", sheet=name, reason=exc) from exc
    if not expected:
        return
    try:
        in_parallel(tmp, list(expected), check)
    except VerifyError:
        raise
    except FileProblem as exc:  # calamine cannot open the written file at all
        raise VerifyError("original_kept", reason=exc) from exc


def _verify_members(old: Package, new: Package, replaced: dict, dropped: set[str]) -> None:
    owned = {old.name(p) for p in replaced}
    kept = [m for m in old.members if m.info.filename not in {old.name(p) for p in dropped}]
    if [m.info.filename for m in kept] != [m.info.filename for m in new.members]:
        raise VerifyError("verify_members", where=Path(new.source).name)
    sheets = {old.name(p): v for p, v in replaced.items() if isinstance(v, Deflated)}
    for was, now in zip(kept, new.members):
        name = was.info.filename
        if name not in owned and (was.header != now.header or not same_bytes(old.raw(was), new.raw(now))):
            raise VerifyError("verify_not_owned", part=name)
        if name in sheets:
            _check_deflated(name, sheets[name], new.raw(now))
        elif name in owned:
            try:
                data = new.read(name)  # inflating checks the CRC
                if not name.endswith(".vml"):  # VML need not be well-formed XML
                    xml(data)
            except Exception as exc:  # zipfile's CRC error or lxml's parse error: either way unreadable
                raise VerifyError("verify_part_unreadable", part=name, reason=exc) from exc


def _check_deflated(name: str, part: Deflated, written: Iterator[bytes]) -> None:
    """The member as written holds the compressed bytes made, which inflated whole to the checked ones
    (as they were made: deflate.deflate)."""
    if not (same_bytes(written, part.pieces) and part.inflated_crc == part.crc):
        raise VerifyError("verify_part_unreadable", part=name, reason="CRC")


def _read_back(workbook: CalamineWorkbook, sheet: str) -> Iterator[list[Value]]:
    """A sheet's rows as read_book gives them, one at a time (never a second copy of a big sheet),
    and without its safety scan: the file is our own.

    python-calamine's iter_rows starts at row 1 but at the first used column: pad to column A.
    """
    found = workbook.get_sheet_by_name(sheet)
    pad = [None] * (found.start or (0, 0))[1]
    for row in found.iter_rows():
        yield pad + [v if v != "" else None for v in row]


def _compare(sheet: str, want: Iterator[list[Value]], got: Iterator[list[Value]]) -> None:
    for r, (w, g) in enumerate(zip_longest(want, got, fillvalue=[])):
        if w == g:
            continue
        for c in range(max(len(w), len(g))):
            a = w[c] if c < len(w) else None
            b = g[c] if c < len(g) else None
            if not same(a, b):
                raise ReadBackMismatch(sheet, a1(r, c), want=a, got=b)
