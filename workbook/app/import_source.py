"""Read a tracker to import, whatever it is: .xlsx/.xlsm, an old .xls, .ods, or a CSV export.

The kind comes from the file's content, not its name (an .xls saved as "tickets.xlsx" is common),
and :mod:`workbook.xlsx.safety` looks at it first. Workbooks are read with calamine, which reads all
four formats; text with the csv module, as UTF-8 (with or without BOM) or else GB18030, the
superset of GBK that Chinese Excel writes its CSV in, or UTF-16 when it starts with a byte-order
mark (Excel's "Unicode Text", tab-separated).
"""

from __future__ import annotations

import csv
import io
from datetime import time
from pathlib import Path

from python_calamine import CalamineWorkbook

from ..core.book import Value
from ..core.errors import FileProblem
from ..core.importer import parse_map
from ..xlsx.safety import UTF16_BOMS, check_package

SOURCE_KINDS = ("xlsx", "xls", "ods", "text")
MAX_TEXT_BYTES = 100 * 2**20  # a CSV this big is no tracker export; reading it would only fill memory
ENCODINGS = ("utf-8-sig", "gb18030")
DELIMITERS = ",\t;|"


def read_source(path: str | Path) -> dict[str, list[list[Value]]]:
    """Sheet name -> rows of values (a CSV is one sheet named after the file); empty cells are None."""
    path = Path(path)
    kind = check_package(path, SOURCE_KINDS)
    if kind == "text":
        return {path.stem: _read_text(path)}
    return _read_workbook(path)


def _read_workbook(path: Path) -> dict[str, list[list[Value]]]:
    try:
        with open(path, "rb") as f:
            # from_filelike looks at the content; from_path would trust the suffix
            workbook = CalamineWorkbook.from_filelike(f)
            out = {}
            for name in workbook.sheet_names:
                rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
                out[name] = [[_value(v) for v in row] for row in rows]
            return out
    except Exception as exc:  # calamine has its own error type for every kind of unreadable file
        raise FileProblem("corrupt", where=path, reason=exc) from exc


def _value(v: object) -> Value:
    if v == "":
        return None
    if isinstance(v, time):  # a time-only cell: keep it readable rather than a bare clock value
        return v.strftime("%H:%M")
    return v


def _read_text(path: Path) -> list[list[Value]]:
    if path.stat().st_size > MAX_TEXT_BYTES:
        raise FileProblem("too_big", where=path, size=f'{path.stat().st_size >> 20} MB', limit='100 MB')
    data = path.read_bytes()
    encodings = ("utf-16",) if data.startswith(UTF16_BOMS) else ENCODINGS
    for encoding in encodings:
        try:
            content = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileProblem("encoding", where=path)
    try:
        dialect = csv.Sniffer().sniff(content[:64 * 1024], delimiters=DELIMITERS)
    except csv.Error:
        dialect = csv.excel  # one column, or too little to tell: the comma Excel writes
    try:
        rows = list(csv.reader(io.StringIO(content, newline=""), dialect))
    except csv.Error as exc:
        raise FileProblem("corrupt", where=path, reason=exc) from exc
    return [[cell if cell.strip() else None for cell in row] for row in rows]


def read_map_file(path: str | Path) -> dict[str, str | None]:
    """The ``--map`` file (UTF-8): ``source header = ticket column`` lines, see :func:`parse_map`."""
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise FileProblem("unreadable", where=path, reason=exc) from exc
    return parse_map(lines, str(path))
