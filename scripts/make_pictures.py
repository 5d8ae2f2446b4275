"""Make the README's pictures: the demo's dashboard and a page of its monthly report, as PNGs in docs/.

    python scripts/make_pictures.py [--lang zh|en] [--out docs]

Builds the demo at a fixed time (so the pictures do not change from run to run), renders it with
`track-xls snapshot` (LibreOffice headless and poppler-utils), and keeps two small pictures: the
dashboard and the report's SLA page. Needs soffice, pdftoppm and pdfseparate on the PATH.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbook.app.demo import make_demo  # noqa: E402
from workbook.app.snapshot import snapshot  # noqa: E402

NOW = datetime(2026, 11, 20, 10, 0)
DPI = 80  # small files: the README shows them at page width anyway
REPORT_PAGE = 2  # the SLA page: compliance against the target, MTTA/MTTR


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "docs")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="track-xls-pictures-") as work:
        folder = Path(work) / "demo"
        make_demo(folder, args.lang, 300, NOW)
        tracker = folder / ("工单跟踪.xlsx" if args.lang == "zh" else "tracker.xlsx")
        written, notes = snapshot(tracker, Path(work) / "pictures")
        for note in notes:
            print(note)
        pdfs = [p for p in written if p.suffix == ".pdf"]
        board, report = pdfs[0], pdfs[-1]
        made = [_page(board, 1, args.out / f"dashboard-{args.lang}.png"),
                _page(report, REPORT_PAGE, args.out / f"report-{args.lang}.png")]
    for path in made:
        print(f"{path} ({path.stat().st_size // 1024} KB)")


def _page(pdf: Path, page: int, target: Path) -> Path:
    stem = target.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", "-singlefile", "-f", str(page), "-l", str(page),
                    str(pdf), str(stem)], check=True, timeout=300)
    if shutil.which("optipng"):  # smaller still, when installed
        subprocess.run(["optipng", "-quiet", str(target)], check=False, timeout=300)
    return target


if __name__ == "__main__":
    main()
