"""The memory of a tracker's settled tickets (:mod:`workbook.core.settled`), kept with its backups
in ``.track-xls-backups/<name>.settled.json`` (beside the file a symlink points to, as they are).

A cache, kept as :mod:`workbook.app.json_cache` keeps them: a memory that is missing, damaged, from
other code, or of rows that have changed costs one whole read, never a wrong figure, since each
remembered row is known by the digest of its bytes.
"""

from __future__ import annotations

import json
from datetime import datetime
from itertools import repeat
from pathlib import Path

from ..core.dashboard import DashboardRow
from ..core.row_digests import Prefix
from ..core.settled import Settled
from ..core.tracker import SettledTicket
from ..xlsx.safe_write import BACKUP_DIR, own_folder, real_file
from .json_cache import code_version, read_cached, write_cached

FORMAT = 1  # the layout of the body
# The DashboardRow fields kept: a settled ticket is done, with no deadline pending.
PENDING = {"due": None, "deadlines": ()}
FIELDS = tuple(f for f in DashboardRow._fields if f not in PENDING)
TIMES = frozenset({"reported_at", "closed_at", "resolved_at", "assigned_at"})


class SettledFile:
    """A :class:`workbook.core.refresh.Memory` in a file beside the workbook."""

    def __init__(self, workbook: str | Path):
        self.workbook = real_file(workbook)
        self.path = self.workbook.parent / BACKUP_DIR / f"{self.workbook.name}.settled.json"

    def recall(self) -> Settled | None:
        body = read_cached(self.path, _key())
        try:
            return _settled(body) if body is not None else None
        except (KeyError, TypeError, ValueError, IndexError):  # a body of another shape: computed again
            return None

    def keep(self, settled: Settled | None) -> None:
        if settled is None:
            self.path.unlink(missing_ok=True)
        else:
            try:
                own_folder(self.workbook)
            except OSError:  # a folder that cannot be written: the next refresh reads the workbook whole
                return
            write_cached(self.path, _key(), _body(settled))


def _key() -> str:
    return json.dumps([FORMAT, code_version()])


def _body(settled: Settled) -> dict:
    """The memory as JSON, a column for each field (a list a field: one C loop each way)."""
    log, tickets = settled.log, list(settled.tickets.values())
    columns = {f: [getattr(t.dashboard, f) for t in tickets] for f in FIELDS}
    for f in TIMES:
        columns[f] = [when and when.isoformat() for when in columns[f]]
    return {
        "book_context": settled.book_context.hex(), "context": settled.context,
        "tickets_sheet": settled.tickets_sheet, "log_sheet": settled.log_sheet,
        "log": log and [log.size, log.digest.hex(), log.end_row], "log_wanted": sorted(settled.log_wanted),
        "digest": list(settled.tickets), "row": [t.row for t in tickets], **columns,
    }


def _settled(body: dict) -> Settled:
    log, digests, rows = body["log"], body["digest"], body["row"]
    columns = []
    for f in DashboardRow._fields:
        column = body[f] if f in FIELDS else repeat(PENDING[f])
        if f in TIMES:
            column = [when and datetime.fromisoformat(when) for when in column]
        if f in FIELDS and len(column) != len(digests):
            raise ValueError(f"{f}: {len(column)} values for {len(digests)} tickets")
        columns.append(column)
    tickets = dict(zip(digests, map(SettledTicket, rows, map(DashboardRow._make, zip(*columns))), strict=True))
    return Settled(bytes.fromhex(body["book_context"]), body["context"], body["tickets_sheet"], tickets,
                   body["log_sheet"], log and Prefix(log[0], bytes.fromhex(log[1]), log[2]),
                   frozenset(body["log_wanted"]))
