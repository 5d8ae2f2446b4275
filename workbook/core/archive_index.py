"""The 归档索引 sheet kept whole from the archive manifests.

The index is what keeps an archived number from being handed out again, so a row deleted from it,
a header typed over or the sheet deleted must not bring numbers back. The manifests each archive
run writes beside its workbook record the same numbers: refresh writes the lost ones back into the
index (when it has a header to write under) and says so; check reports them.
"""

from __future__ import annotations

from . import schema
from .changeset import ChangeSet
from .messages import say
from .tracker import Tracker

SHOWN = 10  # numbers named in a message; the rest are counted


def restore_index(tracker: Tracker, changes: ChangeSet, lang: str) -> list[str]:
    """Append the archived numbers the index lost to ``changes``; the lines that tell the user."""
    lost = tracker.unindexed
    if not lost:
        return []
    index = tracker.index_table
    if index is None:
        return [_missing(tracker, lang)]
    row = index.end_row
    for number, (month, file) in lost.items():
        for key, value in (("ticket_no", number), ("month", month), ("file", file)):
            if key in index.columns:
                changes.set(index.name, row, index.columns[key], value)
        row += 1
    return [say("index_restored", lang, count=len(lost), numbers=_list(lost))]


def index_notes(tracker: Tracker, lang: str) -> list[str]:
    """What check tells about the index: numbers it lost, or that it is gone."""
    lost = tracker.unindexed
    if not lost:
        return []
    if tracker.index_table is None:
        return [_missing(tracker, lang)]
    return [say("index_lost", lang, count=len(lost), numbers=_list(lost))]


def _missing(tracker: Tracker, lang: str) -> str:
    headers = " | ".join(c.header(tracker.lang) for c in schema.ARCHIVE_INDEX_COLUMNS)
    return say("index_missing", lang, count=len(tracker.unindexed), headers=headers,
               sheet=schema.SHEETS["archive_index"](tracker.lang))


def _list(numbers: dict[str, tuple[str, str]]) -> str:
    shown = list(numbers)[:SHOWN]
    return ", ".join(shown) + (" …" if len(numbers) > SHOWN else "")
