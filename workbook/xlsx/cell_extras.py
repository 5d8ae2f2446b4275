"""What cells carry beyond their values, read from the package: hyperlink targets, notes (legacy
comments, which Excel also writes for each threaded comment) and rich text runs. calamine reads
values only; the archive takes these along with the rows it moves (:mod:`workbook.app.archive_store`).
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from ..core.archive import Extra
from ..core.cells import parse_a1
from .package import COMMENTS, REL_NS, SHARED_STRINGS, Package, rels_part_of, xml

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_HYPERLINKS = re.compile(rb"<(?:\w+:)?hyperlinks\b.*?</(?:\w+:)?hyperlinks>", re.S)
_CELL = re.compile(rb'<c\b[^>]*?\sr="([A-Z]{1,3}\d+)"([^>]*?)>(.*?)</c>', re.S)
_SHARED = re.compile(rb'\st="s"')
_VALUE = re.compile(rb"<v>(\d+)</v>")
_INLINE_RUN = re.compile(rb"<(?:\w+:)?is>\s*<(?:\w+:)?r>")
_FONT = ("b", "i", "strike", "u", "sz", "color", "rFont", "vertAlign")
Extras = dict[tuple[int, int], Extra]


def read_extras(path: str | Path, sheets: list[str]) -> dict[str, Extras]:
    """Sheet name -> {(row, col) 0-based: Extra} for each cell of ``sheets`` with a link, a note
    or rich text."""
    with Package.open(path) as pkg:
        parts = pkg.sheet_parts()
        shared = _rich_shared_strings(pkg)
        out = {}
        for name in sheets:
            part = parts.get(name)
            if part is None:
                continue
            data = pkg.read(part)
            found: dict[tuple[int, int], dict] = {}
            for ref, target in _links(pkg, part, data):
                found.setdefault(ref, {})["link"] = target
            for ref, text, author in _notes(pkg, part):
                found.setdefault(ref, {}).update(note=text, note_author=author)
            if shared or _INLINE_RUN.search(data):
                for m in _CELL.finditer(data):
                    runs = _runs_of(m.group(2), m.group(3), shared)
                    if runs:
                        found.setdefault(parse_a1(m.group(1).decode()), {})["runs"] = runs
            out[name] = {ref: Extra(**fields) for ref, fields in found.items()}
    return out


def _runs_of(attrs: bytes, content: bytes, shared: dict[int, tuple]) -> tuple:
    """The rich text runs of a cell: a shared string's, or its own (an inline string, as openpyxl
    and some other programs write)."""
    if _SHARED.search(attrs):
        value = _VALUE.search(content)
        return shared.get(int(value.group(1)), ()) if value else ()
    if not _INLINE_RUN.search(content):
        return ()
    root = etree.fromstring(b'<w xmlns="%s">%s</w>' % (MAIN.encode(), re.sub(rb"<(/?)\w+:", rb"<\1", content)))
    return tuple((_text(run), _font(run)) for run in root.iter(f"{{{MAIN}}}r"))


def _links(pkg: Package, part: str, data: bytes):
    block = _HYPERLINKS.search(data)
    if block is None:
        return
    rels_part = rels_part_of(part)
    targets = {}
    if pkg.name(rels_part):
        targets = {rel.get("Id"): rel.get("Target", "") for rel in xml(pkg.read(rels_part)).iter(f"{{{REL_NS}}}Relationship")}
    root = etree.fromstring(b'<w xmlns="%s" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                            b'relationships">%s</w>' % (MAIN.encode(), _strip_prefix(block.group())))
    for link in root.iter(f"{{{MAIN}}}hyperlink"):
        rid = next((v for k, v in link.attrib.items() if k.endswith("}id")), None)
        target = targets.get(rid, "") if rid else ""
        location = link.get("location")
        if location:
            target = f"{target}#{location}"
        if target:
            for r, c in _cells(link.get("ref", "")):
                yield (r, c), target


def _strip_prefix(block: bytes) -> bytes:
    """A <hyperlinks> block written with a namespace prefix (x:hyperlinks), without it."""
    return re.sub(rb"<(/?)\w+:(hyperlinks?)\b", rb"<\1\2", block)


def _cells(ref: str):
    first, _, last = ref.partition(":")
    (r1, c1), (r2, c2) = parse_a1(first), parse_a1(last or first)
    return [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def _notes(pkg: Package, part: str):
    for target in pkg.related(part, COMMENTS):
        if not pkg.name(target):
            continue
        root = xml(pkg.read(target))
        authors = [a.text or "" for a in root.iter(f"{{{MAIN}}}author")]
        for comment in root.iter(f"{{{MAIN}}}comment"):
            text = "".join(t.text or "" for t in comment.iter(f"{{{MAIN}}}t"))
            author_id = int(comment.get("authorId", "0") or 0)
            yield parse_a1(comment.get("ref", "A1")), text, authors[author_id] if author_id < len(authors) else ""


def _rich_shared_strings(pkg: Package) -> dict[int, tuple]:
    """Index -> runs of each shared string written as rich text (runs with their own fonts)."""
    found = [t for t in pkg.related(pkg.workbook_part, SHARED_STRINGS) if pkg.name(t)]
    if not found:
        return {}
    out = {}
    for i, si in enumerate(xml(pkg.read(found[0])).iter(f"{{{MAIN}}}si")):
        runs = si.findall(f"{{{MAIN}}}r")
        if runs:
            out[i] = tuple((_text(run), _font(run)) for run in runs)
    return out


def _text(run) -> str:
    t = run.find(f"{{{MAIN}}}t")
    return t.text or "" if t is not None else ""


def _font(run) -> tuple[tuple[str, str], ...]:
    props = run.find(f"{{{MAIN}}}rPr")
    if props is None:
        return ()
    out = []
    for child in props:
        name = etree.QName(child).localname
        if name in _FONT:
            out.append((name, child.get("rgb") or child.get("val") or "1"))
    return tuple(out)


DRAWING_NS = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"


def picture_cells(path: str | Path, sheet: str) -> list[tuple[int, int]]:
    """(row, col), 0-based, of the top-left cell of each picture or shape drawn on ``sheet``."""
    with Package.open(path) as pkg:
        part = pkg.sheet_parts().get(sheet)
        out = []
        for drawing in pkg.related(part, "/drawing") if part else ():
            if not pkg.name(drawing):
                continue
            for anchor in xml(pkg.read(drawing)):
                start = anchor.find(f"{{{DRAWING_NS}}}from")
                if start is not None:
                    out.append((int(start.findtext(f"{{{DRAWING_NS}}}row", "0")),
                                int(start.findtext(f"{{{DRAWING_NS}}}col", "0"))))
    return out
