"""The report's cache beside each archive (.report-cache.json): the figures of a cached report are those
of a fresh one, and a cache is used only while it matches the archive's bytes, Settings and code."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import replace

import pytest

from tests.support.report_data import LOG, NOW, T, make_tracker, write_month
from workbook.app import json_cache, report_cache, report_frame
from workbook.app.report_cache import CACHE, cache_key, read_cached, write_cached
from workbook.app.report_run import make_report
from workbook.core.calendar import BusinessCalendar
from workbook.core.log import History
from workbook.core.settings import defaults

MONTHS = ["2024-04", "2024-05"]


@pytest.fixture
def tracker(tmp_path):
    folder = tmp_path / "t"
    folder.mkdir()
    return make_tracker(folder)


@pytest.fixture
def reads(monkeypatch):
    """The archive months read from their workbooks (in this process: one core, no workers)."""
    monkeypatch.setattr(report_frame.os, "cpu_count", lambda: 1)
    months, real = [], report_frame.archived_entries
    monkeypatch.setattr(report_frame, "archived_entries", lambda file: months.append(file.parent.name) or real(file))
    return months


def figures(path):
    return make_report(path, "2024-05", NOW).as_dict()


def fresh_figures(path, tmp_path):
    """The figures of a copy of the tracker's folder without any cache."""
    copy = tmp_path / "fresh"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(path.parent, copy, ignore=shutil.ignore_patterns(CACHE))
    return figures(copy / path.name)


def cache_of(tracker, month):
    return tracker.parent / "archive" / month / CACHE


def test_a_cached_report_has_the_figures_of_a_fresh_one(tracker, reads):
    cold = figures(tracker)
    assert reads == MONTHS and all(cache_of(tracker, m).is_file() for m in MONTHS)
    assert figures(tracker) == cold
    assert reads == MONTHS  # the second report read the caches, not the workbooks


def test_a_changed_archive_is_read_again(tracker, reads, tmp_path):
    before = figures(tracker)
    keep = [T["T1"], T["T4"]]  # T7 taken out of May's archive
    write_month(tracker.parent / "archive" / "2024-05", "2024-05", keep,
                [row for row in LOG if row["ticket_no"] in {t["ticket_no"] for t in keep}])
    after = figures(tracker)
    assert reads == [*MONTHS, "2024-05"]
    assert after != before and after == fresh_figures(tracker, tmp_path)


@pytest.mark.parametrize("damage", [
    lambda data: b"not json at all",
    lambda data: data[: len(data) // 2],  # cut short
    lambda data: data.replace(b"\"P4\"", b"\"P1\"", 1),  # a figure edited: the body no longer hashes to its digest
    lambda data: _rehashed(data, lambda body: {"rows": body["rows"]}),  # hashes right, but not a part
    lambda data: _rehashed(data, lambda body: body | {"rows": body["rows"] | {"number": body["rows"]["number"][:1]}}),
])
def test_a_damaged_cache_is_ignored_and_written_again(tracker, reads, damage):
    cold = figures(tracker)
    cache = cache_of(tracker, "2024-05")
    cache.write_bytes(damage(cache.read_bytes()))
    assert figures(tracker) == cold and reads == [*MONTHS, "2024-05"]
    assert figures(tracker) == cold and reads == [*MONTHS, "2024-05"]  # rewritten whole: used again


def _rehashed(data: bytes, change) -> bytes:
    """The cache with its body changed and its header's digest made to match again."""
    head, _, body = data.partition(b"\n")
    new = json.dumps(change(json.loads(body))).encode()
    header = {"key": json.loads(head)["key"], "sha256": hashlib.sha256(new).hexdigest()}
    return json.dumps(header).encode() + b"\n" + new


def test_another_archives_cache_is_not_used(tracker, reads):
    cold = figures(tracker)
    shutil.copy(cache_of(tracker, "2024-04"), cache_of(tracker, "2024-05"))
    assert figures(tracker) == cold and reads == [*MONTHS, "2024-05"]


def test_the_key_covers_the_archives_bytes_the_settings_and_the_code(tmp_path, monkeypatch):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    a.write_bytes(b"one")
    b.write_bytes(b"two")
    os.utime(b, ns=(a.stat().st_atime_ns, a.stat().st_mtime_ns))  # same size and time: only the bytes differ
    settings = defaults()
    key = cache_key(a, settings)
    assert cache_key(a, defaults()) == key and cache_key(b, settings) != key
    assert cache_key(a, replace(settings, targets={**settings.targets, ("P1", "response"): None})) != key
    assert cache_key(a, replace(settings, extra_holidays=frozenset({NOW.date()}))) != key
    monkeypatch.setattr(report_cache, "code_version", lambda: ["other source", "other holidays"])
    assert cache_key(a, settings) != key


def test_a_cache_that_cannot_be_written_is_not_kept(tracker, reads, monkeypatch):
    def refuse(*_):
        raise PermissionError("read-only")
    monkeypatch.setattr(json_cache.os, "replace", refuse)
    cold = figures(tracker)
    assert not list((tracker.parent / "archive").rglob(f"{CACHE}*"))  # neither a cache nor a leftover
    assert figures(tracker) == cold and reads == MONTHS * 2


def test_rows_come_back_from_the_cache_as_they_went_in(tracker):
    # The live tickets hold what the small archives do not: open tickets with their SLA inputs, pauses
    # still running, progress updates and reopenings.
    loaded = report_frame.load_tracker(report_frame.read_book(tracker))
    entries = [(t, loaded.histories.get(t.number) or History()) for t in loaded.tickets]
    records = report_frame.ticket_records(entries, loaded.settings, BusinessCalendar.from_settings(loaded.settings))
    basics = [(t.number, t.priority, t.status, t.reported_at, *(t.text(k) for k in report_frame.REVIEW_KEYS))
              for t, _ in entries]
    assert any(r[-2] is not None and r[-2].pauses for r in records) and any(r[-1] for r in records)
    archive = tracker.parent / "x.xlsx"
    archive.write_bytes(b"")
    write_cached(archive, "k", report_frame._part_json(records, basics))
    rows, fields = report_frame._decoded(read_cached(archive, "k"))
    assert list(zip(*rows.values())) == [tuple(r) for r in records]
    assert list(zip(*fields.values())) == basics


def test_a_body_json_cannot_hold_is_not_cached(tmp_path):
    archive = tmp_path / "x.xlsx"
    archive.write_bytes(b"")
    write_cached(archive, "k", {"when": NOW.date()})  # not JSON: no cache, no error
    write_cached(archive, "k", {"text": "\ud800"})  # a lone surrogate cannot be UTF-8
    assert not list(tmp_path.glob(f"{CACHE}*"))
