"""track-xls never overwrites a workbook it did not make for that purpose: ``report --out`` only
replaces an earlier report, ``init --force`` keeps a backup and honours Excel's lock, and only
``archive`` writes an archive."""

from __future__ import annotations

import hashlib

from click.testing import CliRunner
from openpyxl import Workbook

from tests.support.archive_books import archive_files
from workbook.cli import main
from workbook.xlsx.made_by import properties
from workbook.xlsx.safe_write import backups_of

NOW = "2024-06-15 10:00"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_report_out_never_replaces_an_archive_or_a_users_workbook(tracker):
    assert run("archive", tracker, "--month", "2024-05", "--now", NOW).exit_code == 0
    (archive,) = [f for f in archive_files(tracker) if "2024-05" in str(f)]
    assert properties(archive)["category"] == "track-xls:archive"
    theirs = tracker.parent / "budget.xlsx"
    Workbook().save(theirs)
    for target in (archive, theirs, tracker.parent / "copy-of-tracker.xlsx"):
        if target.name.startswith("copy"):
            target.write_bytes(tracker.read_bytes())
        before = digest(target)
        result = run("report", tracker, "--month", "2024-05", "--out", target, "--now", NOW)
        assert result.exit_code == 1 and "不是 track-xls 生成的月度报告" in result.output, result.output
        assert digest(target) == before


def test_report_out_replaces_an_earlier_report(tracker):
    out = tracker.parent / "report.xlsx"
    assert run("report", tracker, "--month", "2024-05", "--out", out, "--now", NOW).exit_code == 0
    assert properties(out)["category"] == "track-xls:report"
    first = digest(out)
    result = run("report", tracker, "--month", "2024-04", "--out", out, "--now", NOW)
    assert result.exit_code == 0, result.output
    assert digest(out) != first


def test_only_archive_writes_an_archive(tracker):
    assert run("archive", tracker, "--month", "2024-05", "--now", NOW).exit_code == 0
    (archive,) = [f for f in archive_files(tracker) if "2024-05" in str(f)]
    before = digest(archive)
    for command in ("refresh", "new"):
        extra = ["--reporter", "a", "--module", "OA", "--description", "x", "--priority", "P4"] if command == "new" else []
        result = run(command, archive, *extra, "--now", NOW)
        assert result.exit_code == 1 and "归档工作簿" in result.output, result.output
    assert digest(archive) == before


def test_init_over_a_file_keeps_a_backup_and_honours_the_excel_lock(tmp_path):
    path = tmp_path / "工单跟踪.xlsx"
    assert run("init", path).exit_code == 0
    assert properties(path)["category"] == "track-xls:tracker"
    lock = tmp_path / f"~${path.name}"
    lock.write_bytes(b"owner")
    before = digest(path)
    result = run("init", path, "--force")
    assert result.exit_code == 1 and "Excel" in result.output and digest(path) == before
    lock.unlink()
    result = run("init", path, "--force", "--lang", "en")
    assert result.exit_code == 0, result.output
    (backup,) = backups_of(path)
    assert digest(backup) == before and str(backup) in result.output
    assert properties(path)["title"] == "Support Ticket Tracker"
