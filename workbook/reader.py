"""Read a workbook's cell values with python-calamine into plain :class:`BookData`.

calamine reads values only (cached results for formulas), an order of magnitude faster than
openpyxl. Empty cells come back as '' and are turned into None here, once.
"""

from __future__ import annotations

from pathlib import Path

from python_calamine import CalamineWorkbook

from .book import BookData, SheetData
from .errors import FileProblem
from .safety import check_package


def read_book(path: str | Path, sheets: list[str] | None = None) -> BookData:
    """All sheets' values (or just ``sheets``), rows[0] being Excel row 1."""
    check_package(path)  # refuse bombs, DTDs and sheets reaching row 1,048,576 before calamine sees them
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # calamine's own error types, and a Rust panic (a BaseException)
        raise FileProblem(f"{path}: not a readable Excel workbook ({exc})") from exc
    out = {}
    for name in workbook.sheet_names:
        if sheets is not None and name not in sheets:
            continue
        try:
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # a Rust panic in calamine is a BaseException, not an Exception
            raise FileProblem(f"{path}: sheet {name!r} cannot be read ({exc})") from exc
        out[name] = SheetData(name, [[None if v == "" else v for v in row] for row in rows])
    return BookData(out, str(path))
