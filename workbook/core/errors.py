"""Errors a user can act on. The CLI prints them as one line each and exits 1; nothing is written.

Two families: bad input (a cell, a header, a value; it names sheet and cell) and file problems
(missing, not a workbook, locked by Excel or LibreOffice, unwritable). A class says the cause and
carries what a caller needs to act on it (``exc.app``, ``exc.cell``...), so no code reads message
text. The text itself is a catalog key and its values (:mod:`workbook.core.messages`), rendered
in one language when shown: ``exc.render(lang)``.
"""

from __future__ import annotations

from .messages import say
from .schema import Label


class TrackError(Exception):
    """Base class: anything track-xls reports to the user instead of a traceback.

    ``key`` and ``values`` are the catalog message; ``where`` (a file, ``sheet!cell``) goes before
    it; ``lang`` is the workbook's language when the raising code knows it, else None.
    """

    def __init__(self, key: str, *, lang: str | None = None, where: object = None, **values: object):
        super().__init__(key)
        self.key, self.lang, self.where, self.values = key, lang, where, values

    def render(self, lang: str) -> str:
        """The message in ``lang``; values that are errors or labels are rendered in it too."""
        values = {name: _in(value, lang) for name, value in self.values.items()}
        text = say(self.key, lang, **values)
        return f"{self.where}: {text}" if self.where else text

    def __str__(self) -> str:  # tracebacks and logs: the workbook's language, else English
        return self.render(self.lang or "en")


def _in(value: object, lang: str) -> object:
    if isinstance(value, TrackError):
        return value.render(lang)
    if isinstance(value, Label):
        return value(lang)
    if isinstance(value, list):  # labels, as a list in that language
        return ("、" if lang == "zh" else ", ").join(str(_in(item, lang)) for item in value)
    return value


class InputError(TrackError):
    """The workbook's contents break a rule: names the sheet, the cell and what was expected."""

    def __init__(self, key: str, sheet: str | None = None, cell: str | None = None, /, *,
                 lang: str | None = None, **values: object):
        self.sheet, self.cell = sheet, cell
        where = f"{sheet}!{cell}" if sheet and cell else sheet
        super().__init__(key, lang=lang, where=where, **values)


class FileProblem(TrackError):
    """The file cannot be used: missing, not an .xlsx/.xlsm package, locked, or not writable."""


class NotAWorkbook(FileProblem):
    """The file is not an Excel workbook track-xls can read: another kind of file, or damaged."""


class NotEditable(FileProblem):
    """A worksheet part written in a way track-xls does not patch; saving it once in Excel fixes it."""


class NotWritable(FileProblem):
    """The file or its folder cannot be written (permissions, disk full); nothing was changed."""


class ChangedSinceRead(FileProblem):
    """Another program saved the file after track-xls read it, or while it was writing; run the command again."""


class LockedError(FileProblem):
    """Excel, LibreOffice or another track-xls command holds the file."""


APP_NAMES = {"excel": "Excel", "libreoffice": "LibreOffice"}


class OpenInApp(LockedError):
    """Excel or LibreOffice has the file open: ``app`` is "excel" or "libreoffice", ``lock`` its lock file."""

    def __init__(self, name: str, app: str, lock: str):
        self.app, self.lock = app, lock
        super().__init__("open_in_app", name=name, app=APP_NAMES[app], lock=lock)


class Busy(LockedError):
    """Another track-xls command holds the file's lock and did not let go within ``seconds``."""

    def __init__(self, name: str, seconds: float):
        self.seconds = seconds
        super().__init__("busy", name=name, seconds=f"{seconds:.0f}")


class VerifyError(FileProblem):
    """A written package did not read back as intended; the original was kept."""


class ReadBackMismatch(VerifyError):
    """A cell of the written file reads back as ``got`` instead of ``want``; the original was kept."""

    def __init__(self, sheet: str, cell: str, want: object, got: object):
        self.sheet, self.cell, self.want, self.got = sheet, cell, want, got
        super().__init__("read_back_mismatch", where=f"{sheet}!{cell}", want=repr(want), got=repr(got))


class DeliveryError(TrackError):
    """A mail server or team-chat robot did not accept a message: unreachable, refused, or an error reply."""


class ChannelDown(DeliveryError):
    """The mail server or robot could not be reached at all: the rest of the run's messages on it fail too."""
class ToolMissing(TrackError):
    """A program the command runs (LibreOffice for pictures) is not installed."""
