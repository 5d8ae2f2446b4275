"""The macro workbook: a tracker saved as ``.xlsm`` with 刷新 / 检查 / 归档 buttons on the Dashboard.

No VBA is written here. The VBA project is the one xlwings ships in ``quickstart_standalone.xlsm``:
its ``xlwings`` module holds ``RunPython``, which starts the Python that xlwings is configured with
(the workbook's folder on ``sys.path``) and runs a line of Python there. Each button is a legacy
form control (a VML shape, as Excel and XlsxWriter write them) whose macro is such a call::

    'RunPython "import workbook.button; workbook.button.refresh()"'

so the buttons reach :mod:`workbook.button`, installed with track-xls, whatever the file is named.

This authors a *new* file: the package is read, the few parts that make it a macro workbook are
added or edited, and the result is written beside as ``.xlsm``; the source workbook is untouched.
Parts touched (everything else is copied as it is)::

    [Content_Types].xml             macro-enabled main type; vbaProject.bin and .vml types
    xl/workbook.xml                 workbookPr codeName="ThisWorkbook", as the VBA project expects
    xl/_rels/workbook.xml.rels      + the vbaProject relationship
    xl/vbaProject.bin               + copied from xlwings
    xl/worksheets/sheetN.xml        sheetPr codeName="SheetN"; the Dashboard gains <legacyDrawing>
    xl/worksheets/_rels/...rels     the Dashboard's + vmlDrawing relationship
    xl/drawings/vmlDrawingN.vml     + the buttons (or added to the Dashboard's existing VML)
"""

from __future__ import annotations

import os
import posixpath
import re
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from lxml import etree

from ..core import schema
from ..core.errors import FileProblem, NotAWorkbook
from ..core.schema import Label
from ..xlsx.package import rels_part_of, resolve_target
from ..xlsx.sheet_xml import PARSER

ENTRY_MODULE = "workbook.button"
BUTTONS = {  # action -> caption; the action is a function of ENTRY_MODULE
    "refresh": Label("刷新", "Refresh"),
    "check": Label("检查", "Check"),
    "archive": Label("归档", "Archive"),
}
# Buttons sit in the Dashboard's title rows, one centred in each of columns D, E, F.
FIRST_COL, WIDTH, HEIGHT = 3, 84, 30  # 0-based column; pixels

XLWINGS_WORKBOOK = "quickstart_standalone.xlsm"
VBA_PART = "xl/vbaProject.bin"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
VML_REL = OFFICE_REL + "/vmlDrawing"
MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
PLAIN_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
VBA_TYPE = "application/vnd.ms-office.vbaProject"
VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"
# <worksheet> children that come after <legacyDrawing>, in schema order (ECMA-376 18.3.1.99).
AFTER_LEGACY_DRAWING = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
                        "webPublishItems", "tableParts", "extLst")


def macro_call(action: str) -> str:
    """The button's macro: xlwings' RunPython with the line of Python to run, as Excel stores it."""
    return f"'RunPython \"import {ENTRY_MODULE}; {ENTRY_MODULE}.{action}()\"'"


def vba_project(lang: str = "zh") -> bytes:
    """xlwings' own VBA project: the ``xlwings`` module (RunPython) and ``Module1`` (SampleCall)."""
    try:
        import xlwings
    except ImportError:
        raise FileProblem("needs_xlwings", lang=lang) from None
    with zipfile.ZipFile(Path(xlwings.__file__).parent / XLWINGS_WORKBOOK) as z:
        return z.read(VBA_PART)


def build_macro_workbook(path: str | Path, lang: str = "zh") -> None:
    """A new tracker at ``path`` (.xlsm): the template with xlwings' VBA project and the buttons."""
    from ..author.template import build_template

    with tempfile.TemporaryDirectory() as folder:
        plain = Path(folder) / "tracker.xlsx"
        build_template(plain, lang)
        install(plain, path, lang)


def install(source: str | Path, target: str | Path, lang: str = "zh") -> None:
    """Write ``target`` (.xlsm): the tracker ``source`` with xlwings' VBA project and the buttons.
    ``lang`` is the language of error messages."""
    source, target = Path(source), Path(target)
    if target.suffix.lower() != ".xlsm":
        raise FileProblem("macro_suffix", lang=lang, path=target)
    with zipfile.ZipFile(source) as z:
        parts = {info.filename: z.read(info) for info in z.infolist()}
    if VBA_PART in parts:
        raise FileProblem("macro_has_vba", lang=lang, path=source)
    graft(parts, vba_project(lang))
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in parts.items():
                z.writestr(name, data)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def graft(parts: dict[str, bytes], vba: bytes) -> None:
    """Turn the package ``parts`` (name -> bytes, edited in place) into a macro workbook with buttons."""
    book = _workbook_part(parts)
    sheets = _sheet_parts(parts, book)
    label = schema.SHEETS["dashboard"]
    name = next((name for name in sheets if label.matches(name)), None)
    if name is None:
        raise FileProblem("macro_no_dashboard", sheet=label)
    dashboard = sheets[name]
    lang = "en" if name.strip().casefold() == label.en.casefold() else "zh"
    parts[VBA_PART] = vba
    _add_relationship(parts, book, VBA_REL, posixpath.relpath(VBA_PART, posixpath.dirname(book)))
    parts[book] = _with_code_name(parts[book], "workbookPr", "ThisWorkbook", after=_BEFORE_WORKBOOK_PR)
    taken = set()
    for i, part in enumerate(sheets.values(), start=1):
        name = _free_code_name(parts[part], i, taken)
        parts[part] = _with_code_name(parts[part], "sheetPr", name, after=())
    _add_buttons(parts, dashboard, lang)
    _content_types(parts, book)


# -- workbook and sheets ------------------------------------------------------------------------------

# <workbook> children that may precede <workbookPr>: it goes right after them.
_BEFORE_WORKBOOK_PR = ("fileVersion", "fileSharing")


def _workbook_part(parts: dict[str, bytes]) -> str:
    for rel in _rels(parts, "_rels/.rels"):
        if rel.get("Type", "").endswith("/officeDocument"):
            return rel.get("Target").lstrip("/")
    raise NotAWorkbook("no_workbook_part")


def _sheet_parts(parts: dict[str, bytes], book: str) -> dict[str, str]:
    """Sheet name -> worksheet part, in tab order."""
    targets = {rel.get("Id"): resolve_target(book, rel.get("Target")) for rel in _rels(parts, rels_part_of(book))
               if rel.get("Type", "").endswith("/worksheet")}
    root = etree.fromstring(parts[book], PARSER)
    return {s.get("name"): targets[s.get(f"{{{R_NS}}}id")] for s in root.iter(f"{{{_ns(root)}}}sheet")
            if s.get(f"{{{R_NS}}}id") in targets}


def _with_code_name(data: bytes, tag: str, code_name: str, after: tuple[str, ...]) -> bytes:
    """Set ``codeName`` on the root's ``tag`` child unless it has one; a missing child is added
    first, or right after the ``after`` children (schema order)."""
    root = etree.fromstring(data, PARSER)
    ns = _ns(root)
    element = root.find(f"{{{ns}}}{tag}")
    if element is None:
        element = etree.Element(f"{{{ns}}}{tag}")
        position = max((i + 1 for i, child in enumerate(root) if etree.QName(child).localname in after), default=0)
        root.insert(position, element)
    if element.get("codeName") is None:
        element.set("codeName", code_name)
    return _bytes(root)


def _free_code_name(data: bytes, index: int, taken: set[str]) -> str:
    """``SheetN`` as Excel names sheets' VBA modules, unless the sheet has a code name already."""
    found = re.search(rb"<(?:\w+:)?sheetPr\b[^>]*\bcodeName=\"([^\"]+)\"", data)
    name = found.group(1).decode() if found else f"Sheet{index}"
    while name in taken:
        index += 1
        name = f"Sheet{index}"
    taken.add(name)
    return name


# -- the buttons --------------------------------------------------------------------------------------

def _add_buttons(parts: dict[str, bytes], sheet: str, lang: str) -> None:
    root = etree.fromstring(parts[sheet], PARSER)
    ns = _ns(root)
    existing = root.find(f"{{{ns}}}legacyDrawing")
    if existing is not None:
        vml = resolve_target(sheet, _target(parts, sheet, existing.get(f"{{{R_NS}}}id")))
        parts[vml] = _append_shapes(parts[vml], _column_pixels(root, ns), lang)
        return
    vml = _free_name(parts, "xl/drawings/vmlDrawing{}.vml")
    parts[vml] = _vml(_free_idmap(parts), _column_pixels(root, ns), lang)
    r_id = _add_relationship(parts, sheet, VML_REL, posixpath.relpath(vml, posixpath.dirname(sheet)))
    element = etree.Element(f"{{{ns}}}legacyDrawing", nsmap={"r": R_NS})
    element.set(f"{{{R_NS}}}id", r_id)
    followers = [i for i, child in enumerate(root) if etree.QName(child).localname in AFTER_LEGACY_DRAWING]
    root.insert(followers[0] if followers else len(root), element)
    parts[sheet] = _bytes(root)


_SHAPETYPE = ('<v:shapetype id="_x0000_t201" coordsize="21600,21600" o:spt="201" path="m,l,21600r21600,l21600,xe">'
              '<v:stroke joinstyle="miter"/><v:path shadowok="f" o:extrusionok="f" strokeok="f" fillok="f" '
              'o:connecttype="rect"/><o:lock v:ext="edit" shapetype="t"/></v:shapetype>')
_IDMAP = re.compile(rb'<(?:\w+:)?idmap\b[^>]*\bdata="([\d,\s]*)"')  # data lists the 1024-id blocks in use
_VML_OPEN = ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
             'xmlns:x="urn:schemas-microsoft-com:office:excel">')


def _vml(idmap: int, columns: list[int], lang: str) -> bytes:
    head = f'{_VML_OPEN}<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{idmap}"/></o:shapelayout>'
    return (head + _SHAPETYPE + _shapes(idmap * 1024 + 1, columns, lang) + "</xml>").encode()


def _append_shapes(vml: bytes, columns: list[int], lang: str) -> bytes:
    """Add the buttons to a sheet's VML (its comments, say), numbering shapes after the last one."""
    text = vml.decode("utf-8")
    ids = [int(n) for n in re.findall(r'id="_x0000_s(\d+)"', text)]
    idmap = _IDMAP.search(vml)
    first = max(ids, default=int(re.findall(rb"\d+", idmap.group(1))[0]) * 1024 if idmap else 1024) + 1
    shapetype = "" if 'id="_x0000_t201"' in text else _SHAPETYPE
    end = text.rindex("</xml>")
    return (text[:end] + shapetype + _shapes(first, columns, lang) + text[end:]).encode()


def _shapes(first_id: int, columns: list[int], lang: str) -> str:
    return "".join(_button(first_id + i, FIRST_COL + i, columns, action, caption(lang))
                   for i, (action, caption) in enumerate(BUTTONS.items()))


QUOTES = {'"': "&quot;"}  # Excel writes the macro's quotes as entities


def _button(shape_id: int, col: int, columns: list[int], action: str, caption: str) -> str:
    """One form button as Excel writes it: the x:Anchor (column, offset, row, offset in pixels, for
    the top-left and bottom-right corners) places it; the style repeats that in points."""
    offset = max((columns[col] - WIDTH) // 2, 0)
    top = 4
    left_pt = (sum(columns[:col]) + offset) * 0.75
    style = (f"position:absolute;margin-left:{left_pt:g}pt;margin-top:{top * 0.75:g}pt;width:{WIDTH * 0.75:g}pt;"
             f"height:{HEIGHT * 0.75:g}pt;z-index:{shape_id % 1024};mso-wrap-style:tight")
    anchor = f"{col}, {offset}, 0, {top}, {col}, {offset + WIDTH}, 1, {top + HEIGHT - 20}"
    return (f'<v:shape id="_x0000_s{shape_id}" type="#_x0000_t201" style="{style}" o:button="t" '
            f'fillcolor="buttonFace [67]" strokecolor="windowText [64]" o:insetmode="auto">'
            f'<v:fill color2="buttonFace [67]" o:detectmouseclick="t"/><o:lock v:ext="edit" rotation="t"/>'
            f'<v:textbox style="mso-direction-alt:auto" o:singleclick="f"><div style="text-align:center">'
            f'<font face="Calibri" size="220" color="#000000">{escape(caption)}</font></div></v:textbox>'
            f'<x:ClientData ObjectType="Button"><x:Anchor>{anchor}</x:Anchor><x:PrintObject>False</x:PrintObject>'
            f'<x:AutoFill>False</x:AutoFill><x:FmlaMacro>{escape(macro_call(action), QUOTES)}</x:FmlaMacro>'
            f'<x:TextHAlign>Center</x:TextHAlign><x:TextVAlign>Center</x:TextVAlign></x:ClientData></v:shape>')


def _column_pixels(root, ns: str) -> list[int]:
    """Widths in pixels of the first columns, as Excel draws them at 100 % (Calibri 11: 7 px a digit)."""
    widths = [64] * (FIRST_COL + len(BUTTONS) + 1)  # Excel's default column, 8.43 characters
    for col in root.iter(f"{{{ns}}}col"):
        for c in range(int(col.get("min")) - 1, min(int(col.get("max")), len(widths))):
            widths[c] = int(float(col.get("width", "8.43")) * 7 + 5)
    return widths


def _free_idmap(parts: dict[str, bytes]) -> int:
    """A VML id block no other drawing uses: shape ids must be unique across the workbook."""
    used = [int(n) for name, data in parts.items() if name.lower().endswith(".vml")
            for block in _IDMAP.findall(data) for n in re.findall(rb"\d+", block)]
    return max(used, default=0) + 1


# -- package plumbing ---------------------------------------------------------------------------------

def _content_types(parts: dict[str, bytes], book: str) -> None:
    root = etree.fromstring(parts["[Content_Types].xml"], PARSER)
    for override in root.iter(f"{{{CT_NS}}}Override"):
        if override.get("PartName") == "/" + book and override.get("ContentType") == PLAIN_MAIN:
            override.set("ContentType", MACRO_MAIN)
    etree.SubElement(root, f"{{{CT_NS}}}Override", PartName="/" + VBA_PART, ContentType=VBA_TYPE)
    if not any(d.get("Extension", "").lower() == "vml" for d in root.iter(f"{{{CT_NS}}}Default")):
        root.insert(0, etree.Element(f"{{{CT_NS}}}Default", Extension="vml", ContentType=VML_TYPE))
    parts["[Content_Types].xml"] = _bytes(root)


def _add_relationship(parts: dict[str, bytes], part: str, kind: str, target: str) -> str:
    rels_part = rels_part_of(part)
    if rels_part in parts:
        root = etree.fromstring(parts[rels_part], PARSER)
    else:
        root = etree.Element(f"{{{REL_NS}}}Relationships", nsmap={None: REL_NS})
    ids = {rel.get("Id") for rel in root}
    n = len(ids) + 1
    while f"rId{n}" in ids:
        n += 1
    etree.SubElement(root, f"{{{REL_NS}}}Relationship", Id=f"rId{n}", Type=kind, Target=target)
    parts[rels_part] = _bytes(root)
    return f"rId{n}"


def _target(parts: dict[str, bytes], part: str, r_id: str) -> str:
    return next(rel.get("Target") for rel in _rels(parts, rels_part_of(part)) if rel.get("Id") == r_id)


def _rels(parts: dict[str, bytes], rels_part: str) -> list:
    if rels_part not in parts:
        return []
    return list(etree.fromstring(parts[rels_part], PARSER).iter(f"{{{REL_NS}}}Relationship"))


def _free_name(parts: dict[str, bytes], pattern: str) -> str:
    n = 1
    while pattern.format(n) in parts:
        n += 1
    return pattern.format(n)


def _ns(root) -> str:
    return etree.QName(root).namespace


def _bytes(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
