"""Comments follow their rows when rows are removed: the comment parts and the VML notes that draw them.

Excel deletes a row's comments with it and moves the comments below up; without this, an archived
ticket's comment would land on whichever ticket moved into its row. Only row removal touches these
parts -- appended rows move nothing -- and only notes: buttons and other controls in the same VML
drawing keep their bytes. Pictures and charts (DrawingML anchors) are left where the user put them.
"""

from __future__ import annotations

import re

from lxml import etree

from .ranges import RowMap, map_ref
from .sheet_xml import PARSER, serialize

# Legacy comments (<comment ref>) and Excel 365 threaded comments (<threadedComment ref>).
COMMENT_TAGS = ("comment", "threadedComment")

# VML is not always well-formed XML (Excel writes bare <br>), so notes are found as text.
_SHAPE = re.compile(rb"<v:shape\b.*?</v:shape>", re.S)
_NOTE_ROW = re.compile(rb"<x:Row>(\d+)</x:Row>")
_ANCHOR = re.compile(rb"<x:Anchor>([^<]*)</x:Anchor>")


def patch_comments(xml: bytes, rows: RowMap) -> bytes | None:
    """A comments part without the removed rows' comments and with the rest moved up; None if unchanged."""
    root = etree.fromstring(xml, PARSER)
    changed = False
    for el in [e for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).localname in COMMENT_TAGS]:
        ref = map_ref(el.get("ref", ""), rows.span)
        if ref is None:
            el.getparent().remove(el)
            changed = True
        elif ref != el.get("ref"):
            el.set("ref", ref)
            changed = True
    return serialize(root, xml) if changed else None


def patch_vml_notes(vml: bytes, rows: RowMap) -> bytes | None:
    """A VML drawing whose comment notes follow their rows; other shapes untouched. None if unchanged."""
    changed = False

    def follow(m: re.Match) -> bytes:
        nonlocal changed
        shape = m.group()
        row = _NOTE_ROW.search(shape)
        if b'ObjectType="Note"' not in shape or row is None:
            return shape
        old = int(row.group(1)) + 1  # x:Row is 0-based
        new = rows.row(old)
        if new == old:
            return shape
        changed = True
        if new is None:
            return b""
        shape = _NOTE_ROW.sub(b"<x:Row>%d</x:Row>" % (new - 1), shape)
        return _ANCHOR.sub(lambda a: b"<x:Anchor>%s</x:Anchor>" % _move_anchor(a.group(1), old - new), shape)

    out = _SHAPE.sub(follow, vml)
    return out if changed else None


def _move_anchor(anchor: bytes, up: int) -> bytes:
    """Anchor is "left col, dx, top row, dy, right col, dx, bottom row, dy"; rows 0-based."""
    parts = [p.strip() for p in anchor.split(b",")]
    if len(parts) != 8:
        return anchor
    for i in (2, 6):
        parts[i] = b"%d" % max(int(parts[i]) - up, 0)
    return b", ".join(parts)
