"""Read a workbook's cell values with python-calamine into plain :class:`BookData`.

calamine reads values only (cached results for formulas), an order of magnitude faster than
openpyxl. Empty cells come back as '' and are turned into None here, once.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO, Callable, TypeVar

from python_calamine import CalamineWorkbook

from ..core.book import BookData, SheetData
from ..core.collector import collector_paused
from ..core.errors import NotAWorkbook
from .package import Package
from .safety import check_package
from .total_row import book_total_rows

T = TypeVar("T")


def read_book(path: str | Path, sheets: list[str] | None = None) -> BookData:
    """All sheets' values (or just ``sheets``), rows[0] being Excel row 1."""
    check_package(path)  # refuse bombs, DTDs and sheets reaching row 1,048,576 before calamine sees them
    names = [n for n in open_workbook(path).sheet_names if sheets is None or n in sheets]
    with Package.open(path) as pkg:
        total_rows = book_total_rows(pkg)
    return BookData(read_sheets(path, names), str(path), total_rows=total_rows)


def read_sheets(path: str | Path, names: list[str]) -> dict[str, SheetData]:
    """The sheets ``names`` of a package :func:`check_package` passed, each read whole."""
    with collector_paused():
        found = in_parallel(path, names, lambda workbook, name: read_sheet(path, workbook, name))
    return dict(zip(names, found))


def in_parallel(path: str | Path, names: list[str], read: Callable[[CalamineWorkbook, str], T]) -> list[T]:
    """``read(workbook, name)`` for each sheet name, in that order, two sheets at a time.

    calamine parses a sheet without holding the GIL, so the Tickets and Log sheets are parsed at
    once on two cores. A calamine workbook is used by one thread only: each worker opens its own.
    """
    local = threading.local()

    def task(name: str) -> T:
        if not hasattr(local, "workbook"):
            local.workbook = open_workbook(path)
        return read(local.workbook, name)
    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(task, names))


def open_workbook(path: str | Path, package: BinaryIO | None = None) -> CalamineWorkbook:
    """calamine's workbook at ``path`` or, when given, in ``package`` (made of path's parts)."""
    try:
        return CalamineWorkbook.from_path(str(path)) if package is None else CalamineWorkbook.from_filelike(package)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # calamine's own error types, and a Rust panic (a BaseException)
        raise NotAWorkbook("not_readable", where=path, reason=exc) from exc


def read_sheet(path: str | Path, workbook: CalamineWorkbook, name: str) -> SheetData:
    """The sheet's rows from A1, converted one at a time as calamine hands them over: never a second
    copy of a big sheet (to_python's lists, with a new str for every text cell, then these). Its
    distinct texts, all seen here, tell the length of the longest for free."""
    try:
        sheet = workbook.get_sheet_by_name(name)
        pad = [None] * (sheet.start or (0, 0))[1]  # iter_rows starts at row 1 but at the first used column
        texts: dict[str, str] = {}  # one object per distinct text: a tracker repeats names and states on every row
        rows = [pad + [(texts.setdefault(v, v) if v else None) if type(v) is str else v for v in row]
                for row in sheet.iter_rows()]
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # a Rust panic in calamine is a BaseException, not an Exception
        raise NotAWorkbook("sheet_unreadable", where=path, sheet=name, reason=exc) from exc
    return SheetData(name, rows, longest_text=max(map(len, texts), default=0))
