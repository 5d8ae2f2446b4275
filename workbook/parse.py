"""Turn what people type into cells into typed values: times, priorities, statuses, numbers.

Each parser returns None for "cannot tell", never guesses: the caller turns None into a finding
that names the cell.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from . import schema
from .cells import from_serial

# Dates people type: 2024-05-20 14:30, 2024/5/20 14:30, 2024.5.20, 2024年5月20日 14:30, and the
# seed's own run-together "2024-05-2014:30".
_DATETIME = re.compile(
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*[T ]?\s*(\d{1,2})\s*[:：时点]\s*(\d{1,2})\s*分?(?:\s*[:：]\s*(\d{1,2})\s*秒?)?)?\s*$"
)
_SEED_RUN_TOGETHER = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(\d{2}):(\d{2})\s*$")
# Serial numbers of 1990-01-01 .. 2100-01-01: a bare number outside this is not a date.
_SERIAL_RANGE = (32874, 73051)

PRIORITY_ALIASES = {
    "P1": ("p1", "1", "紧急", "urgent", "critical", "highest", "最高"),
    "P2": ("p2", "2", "高", "high", "高优先级"),
    "P3": ("p3", "3", "中", "medium", "normal", "中优先级", "一般"),
    "P4": ("p4", "4", "低", "low", "lowest", "低优先级", "可暂缓"),
}
STATUS_ALIASES = {
    "new": ("open", "待处理", "未处理", "新"),
    "assigned": ("已分配", "分派", "已指派"),
    "in_progress": ("进行中", "处理", "in progress", "working", "ongoing"),
    "waiting": ("等待", "待确认", "pending", "waiting", "on hold", "挂起"),
    "resolved": ("已处理", "solved", "done", "fixed", "已完成"),
    "closed": ("关闭", "完成", "close"),
}


def parse_datetime(value: object) -> datetime | None:
    """A cell's value as a datetime to the minute, or None when it is not one."""
    if isinstance(value, datetime):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    if isinstance(value, date):  # calamine gives a date for a time at exactly midnight
        return datetime.combine(value, time())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
            return from_serial(value).replace(second=0)
        return None
    if isinstance(value, str):
        return _parse_text(value)
    return None


def _parse_text(text: str) -> datetime | None:
    m = _SEED_RUN_TOGETHER.match(text) or _DATETIME.match(text)
    if not m:
        return None
    parts = [int(p) if p else 0 for p in m.groups()]
    year, month, day, hour, minute = parts[:5]
    try:
        return datetime(year, month, day, hour, minute)
    except ValueError:
        return None


def parse_priority(value: object) -> str | None:
    """P1..P4 from 'P1', 'p1', '紧急', 'High', 2, 'P2 高' ..."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value in (1, 2, 3, 4):
        return f"P{int(value)}"
    if not isinstance(value, str):
        return None
    text = value.strip().casefold()
    if not text:
        return None
    for code, aliases in PRIORITY_ALIASES.items():
        if text in aliases or text.split()[0] in aliases:
            return code
    for code, label in schema.PRIORITY_NAMES.items():
        if label.matches(text):
            return code
    return None


def parse_status(value: object) -> str | None:
    """A status code (schema.STATUSES key) from its zh/en label or a common alias."""
    code = schema.code_of(schema.STATUSES, value)
    if code or not isinstance(value, str):
        return code
    text = value.strip().casefold()
    return next((c for c, aliases in STATUS_ALIASES.items() if text in aliases), None)


def parse_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and value == int(value):
        return int(value)
    if isinstance(value, str):
        text = value.strip().rstrip("星★分")
        return int(text) if text.isdigit() else None
    return None


def text(value: object) -> str:
    """A cell's value as stripped text ('' for empty); numbers without a trailing .0."""
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value).strip()
