"""What a workbook was made for, as its document properties say: track-xls marks each workbook it
authors -- tracker, report, archive -- in the category of docProps/core.xml (File > Info >
Properties in Excel), so a command never replaces a workbook it did not make for its own purpose.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lxml import etree

PREFIX = "track-xls:"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
_CORE = "docProps/core.xml"
MAX_CORE = 64 * 2**10  # Excel's core properties are a few hundred bytes
_NAMES = {"title": "{http://purl.org/dc/elements/1.1/}title", "creator": "{http://purl.org/dc/elements/1.1/}creator",
          "category": "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}category"}


def category(purpose: str) -> str:
    """The category that marks a workbook made for ``purpose`` ("tracker", "report", "archive")."""
    return PREFIX + purpose


def properties(path: str | Path) -> dict[str, str]:
    """The title, creator and category a workbook's core properties hold ('' for each one missing
    or unreadable: a damaged workbook is refused by the reader, not here)."""
    found = dict.fromkeys(_NAMES, "")
    try:
        with zipfile.ZipFile(path) as package, package.open(_CORE) as f:
            root = etree.fromstring(f.read(MAX_CORE), _PARSER)  # read no further: any file may be named
    except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError):
        return found
    for key, tag in _NAMES.items():
        el = root.find(tag)
        found[key] = (el.text or "").strip() if el is not None else ""
    return found


def made_for(path: str | Path, legacy: dict[str, re.Pattern]) -> str | None:
    """The purpose track-xls made the workbook for, or None. ``legacy``: purpose -> the title that
    told it before workbooks were marked (those made by track-xls only)."""
    props = properties(path)
    if props["category"].startswith(PREFIX):
        return props["category"][len(PREFIX):]
    if props["creator"] == "track-xls":
        return next((purpose for purpose, title in legacy.items() if title.match(props["title"])), None)
    return None
