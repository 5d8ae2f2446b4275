"""`track-xls snapshot`: pictures of the dashboard and the latest monthly report, without Excel.

LibreOffice headless prints the workbooks to PDF with the page setup track-xls authored (the
dashboard fits one landscape page, the report follows its page grid); pdfseparate keeps the
dashboard's page, pdftoppm (poppler-utils) turns pages into PNGs. Each conversion gets a user
profile of its own: two soffice processes sharing one block each other.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from python_calamine import CalamineWorkbook

from ..author.report_book import FILE_STEM
from ..core import schema
from ..core.dashboard import TITLE as DASHBOARD_TITLE
from ..core.errors import FileProblem, ToolMissing
from ..core.messages import say
from ..xlsx.safety import check_package

TIMEOUT = 300  # seconds for one conversion; a first start builds the profile
DPI = 110  # a landscape A4 page becomes about 1290 x 910 pixels


def snapshot(tracker: Path, out: Path) -> tuple[list[Path], list[str]]:
    """Render the tracker's dashboard and its latest report into ``out``; (files written, notes)."""
    tracker = Path(tracker)
    check_package(tracker, ("xlsx",))
    lang = _language(tracker)
    if shutil.which("soffice") is None:
        raise ToolMissing("snapshot_needs_libreoffice", lang=lang)
    out.mkdir(parents=True, exist_ok=True)
    pictures = shutil.which("pdftoppm") is not None and shutil.which("pdfseparate") is not None
    written, notes = [], [] if pictures else [say("snapshot_no_png", lang)]
    with tempfile.TemporaryDirectory(prefix="track-xls-snapshot-") as work:
        whole = _to_pdf(tracker, Path(work), lang)
        page = _page_with(whole, DASHBOARD_TITLE(lang)) if pictures else None
        dashboard = out / f"{tracker.stem}_{DASHBOARD_TITLE(lang)}.pdf"
        if page is not None:
            subprocess.run(["pdfseparate", "-f", str(page), "-l", str(page), str(whole), str(dashboard)],
                           check=True, timeout=TIMEOUT)
            written += [dashboard, *_pngs(dashboard)]
        else:
            shutil.copyfile(whole, out / f"{tracker.stem}.pdf")
            written.append(out / f"{tracker.stem}.pdf")
    report = latest_report(tracker.parent)
    if report is None:
        notes.append(say("snapshot_no_report", lang, folder=tracker.parent))
    else:
        pdf = _to_pdf(report, out, lang)
        written += [pdf, *(_pngs(pdf) if pictures else [])]
    return written, notes


def latest_report(folder: Path) -> Path | None:
    """The report of the latest month among 月度报告_YYYY-MM.xlsx / monthly-report_YYYY-MM.xlsx."""
    reports = [p for stem in (FILE_STEM.zh, FILE_STEM.en) for p in folder.glob(f"{stem}_????-??.xlsx")]
    return max(reports, key=lambda p: p.stem[-7:], default=None)


def _language(path: Path) -> str:
    """The workbook's language from its sheet names (fast: no cell is read)."""
    names = CalamineWorkbook.from_path(str(path)).sheet_names
    return "en" if schema.SHEETS["dashboard"].en in names else "zh"


def _to_pdf(path: Path, outdir: Path, lang: str) -> Path:
    profile = Path(tempfile.mkdtemp(prefix="track-xls-lo-"))
    try:
        result = subprocess.run(
            ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
             "--convert-to", "pdf", "--outdir", str(outdir), str(path)],
            capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise FileProblem("snapshot_failed", lang=lang, path=path, reason=f"> {TIMEOUT} s") from None
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdf = outdir / f"{path.stem}.pdf"
    if result.returncode != 0 or not pdf.exists():
        reason = (result.stderr or result.stdout).strip().splitlines()[-1:] or [f"exit {result.returncode}"]
        raise FileProblem("snapshot_failed", lang=lang, path=path, reason=reason[0])
    return pdf


def _page_with(pdf: Path, text: str) -> int | None:
    """The first page whose text holds ``text``."""
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           timeout=TIMEOUT, check=True).stdout.split("\f")
    return next((i for i, page in enumerate(pages, start=1) if text in page), None)


def _pngs(pdf: Path) -> list[Path]:
    """One PNG per page beside the PDF: NAME.png for one page, NAME-1.png ... for several."""
    before = set(pdf.parent.glob(f"{pdf.stem}*.png"))
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(pdf), str(pdf.with_suffix(""))], check=True,
                   timeout=TIMEOUT)
    made = sorted(set(pdf.parent.glob(f"{pdf.stem}-*.png")) - before)
    if len(made) == 1:
        single = pdf.with_suffix(".png")
        made[0].replace(single)
        return [single]
    return made
