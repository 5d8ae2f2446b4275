"""What track-xls made a workbook for -- tracker, report or archive -- marked when it writes one and
read before any command replaces or edits one (:mod:`workbook.xlsx.made_by`)."""

from __future__ import annotations

import re
from pathlib import Path

from ..core.report_model import TITLES
from ..core.schema import TRACKER_TITLE
from ..xlsx.made_by import category, made_for

_MONTH = r"\d{4}-\d{2}"


def _title(*texts: str) -> re.Pattern:
    return re.compile("^(?:" + "|".join(re.escape(t).replace(re.escape("{month}"), _MONTH) for t in texts) + ")$")


# Before workbooks were marked, their titles told: "<tracker title> YYYY-MM" was an archive.
LEGACY = {
    "report": _title(TITLES["report"].zh, TITLES["report"].en),
    "archive": _title(f"{TRACKER_TITLE.zh} {{month}}", f"{TRACKER_TITLE.en} {{month}}"),
    "tracker": _title(TRACKER_TITLE.zh, TRACKER_TITLE.en),
}


def purpose_of(path: str | Path) -> str | None:
    return made_for(path, LEGACY)


def mark(wb, purpose: str) -> None:
    """Mark an openpyxl workbook as made by track-xls for ``purpose``."""
    wb.properties.creator = "track-xls"
    wb.properties.category = category(purpose)
