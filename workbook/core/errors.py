"""Errors a user can act on. The CLI prints them as one line each and exits 1; nothing is written.

Two families: bad input (a cell, a header, a value; it names sheet and cell) and file problems
(missing, not a workbook, locked by Excel or LibreOffice, unwritable).
"""

from __future__ import annotations


class TrackError(Exception):
    """Base class: anything track-xls reports to the user instead of a traceback."""


class InputError(TrackError):
    """The workbook's contents break a rule: names the sheet, the cell and what was expected."""

    def __init__(self, message: str, sheet: str | None = None, cell: str | None = None):
        self.sheet, self.cell = sheet, cell
        where = f"{sheet}!{cell}: " if sheet and cell else (f"{sheet}: " if sheet else "")
        super().__init__(where + message)


class FileProblem(TrackError):
    """The file cannot be used: missing, not an .xlsx/.xlsm package, locked, or not writable."""


class LockedError(FileProblem):
    """Excel, LibreOffice or another track-xls command holds the file."""


class VerifyError(FileProblem):
    """A written package did not read back as intended; the original was kept."""


class ToolMissing(TrackError):
    """A program the command runs (LibreOffice for pictures) is not installed."""
