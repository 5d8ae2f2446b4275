"""What the workbook's buttons run. Each button's macro is xlwings' RunPython with one line of Python,
``import workbook.button; workbook.button.refresh()`` (see :mod:`workbook.live.macro`): xlwings starts its
configured Python, :func:`refresh` finds the workbook that pressed the button with
``xw.Book.caller()``, runs the same core as ``track-xls refresh`` through the live engine, and shows
the summary in a message box. Nothing is saved: the user saves as with any edit.

:func:`main` is :func:`refresh`, for xlwings' own conventions (its ``SampleCall`` macro and the
add-in's "Run main" import a module named like the workbook and call its ``main()``; see
scripts/track_xls_button.py).
"""

from __future__ import annotations

from datetime import datetime

from ..core import schema
from ..core.archive import plan_archive
from ..core.check import run_check
from ..core.errors import TrackError
from .live_engine import LiveEngine
from .macro import BUTTONS
from ..core.messages import say
from ..core.refresh import run_refresh
from ..core.settings import local_now
from ..core.tracker import load_tracker

MAX_LINES = 25  # a message box taller than the screen hides its OK button


def refresh() -> None:
    _press("refresh")


def check() -> None:
    _press("check")


def archive() -> None:
    _press("archive")


main = refresh


def _press(action: str) -> None:
    """Run ``action`` on the calling workbook and tell the user how it went."""
    import xlwings as xw

    book = xw.Book.caller()
    lang = _lang(book)
    book.app.status_bar = say("button_running", lang, action=BUTTONS[action](lang))
    try:
        lines = press(book, action)
        mode = "info"
    except TrackError as exc:  # bad cells, a missing sheet: the user can act on the message
        lines, mode = [exc.render(lang)], "critical"
    finally:
        book.app.status_bar = False  # give the status bar back to Excel
    book.app.alert("\n".join(_short(lines, lang)), title=say("button_title", lang), mode=mode)


def press(book, action: str, now: datetime | None = None) -> list[str]:
    """Run ``action`` ("refresh", "check" or "archive") on the open ``book``; the lines to show."""
    engine = LiveEngine(book)
    if action == "refresh":
        return _refresh(engine, now)
    if action == "check":
        return _check(engine, now)
    return _archive_preview(engine, now)


def _refresh(engine: LiveEngine, now: datetime | None) -> list[str]:
    tracker, result = run_refresh(engine, now)
    lines = result.summary(tracker.lang)
    lines.append(say("button_unsaved" if result.changes else "no_changes", tracker.lang))
    return lines


def _check(engine: LiveEngine, now: datetime | None) -> list[str]:
    tracker, findings, notes = run_check(engine, now)
    lang = tracker.lang
    total = (say("check_found", lang, errors=len(findings), warnings=len(notes)) if findings
             else say("check_ok", lang, count=len(tracker.tickets)))
    return [total, *(f.line() for f in findings), *notes]


def _archive_preview(engine: LiveEngine, now: datetime | None) -> list[str]:
    """What ``track-xls archive`` can move: the closed tickets of each month."""
    tracker = load_tracker(engine.read())
    lang = tracker.lang
    plan = plan_archive(tracker, lambda month: True, now or local_now(tracker.settings), lambda month: month)
    lines = [say("archive_preview", lang, month=m.month, count=len(m.numbers)) for m in plan.months]
    return (lines or [say("archive_none", lang)]) + [say("archive_how", lang)]


def _short(lines: list[str], lang: str) -> list[str]:
    if len(lines) <= MAX_LINES:
        return lines
    return lines[:MAX_LINES - 1] + [say("button_more", lang, count=len(lines) - MAX_LINES + 1)]


def _lang(book) -> str:
    """The workbook's language, from its sheet names, for messages before anything is read."""
    return schema.lang_of_sheets([sheet.name for sheet in book.sheets])
