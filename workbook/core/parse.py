"""Turn what people type into cells into typed values: times, priorities, statuses, numbers.

Each parser returns None for "cannot tell", never guesses: the caller turns None into a finding
that names the cell.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from functools import lru_cache

from . import schema
from .cells import from_serial

# Dates people type: 2024-05-20 14:30, 2024/5/20 14:30, 2024.5.20, 2024年5月20日 14:30, and the
# seed's own run-together "2024-05-2014:30".
# A 12-hour clock is marked by 上午/下午 before the time or AM/PM after it.
_DATETIME = re.compile(
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*[T ]?\s*(上午|下午|晚上)?\s*(\d{1,2})\s*[:：时点]\s*(\d{1,2})\s*分?(?:\s*[:：]\s*(\d{1,2})\s*秒?)?"
    r"\s*([AaPp][Mm])?)?\s*$"
)
_AFTERNOON = ("下午", "晚上", "pm")
_SERIAL_TEXT = re.compile(r"^\s*\d{5}(\.\d+)?\s*$")  # a serial number exported as text, e.g. by a CSV
_SEED_RUN_TOGETHER = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(\d{2}):(\d{2})\s*$")
# Serial numbers of 1990-01-01 .. 2100-01-01: a bare number outside this is not a date.
_SERIAL_RANGE = (32874, 73051)

PRIORITY_ALIASES = {
    "P1": ("p1", "1", "紧急", "urgent", "critical", "highest", "最高", "一级", "1级", "特急", "严重", "sev1"),
    "P2": ("p2", "2", "高", "high", "高优先级", "二级", "2级", "较高", "重要", "sev2"),
    "P3": ("p3", "3", "中", "medium", "normal", "中优先级", "一般", "三级", "3级", "普通", "sev3"),
    "P4": ("p4", "4", "低", "low", "lowest", "低优先级", "可暂缓", "四级", "4级", "不急", "sev4"),
}
# 'P1-紧急', 'p2(高)', 'P3 中': a P-code first decides, whatever follows it.
_PRIORITY_CODE = re.compile(r"^p\s*([1-4])(?![0-9])")
STATUS_ALIASES = {
    "new": ("open", "待处理", "未处理", "新", "待分派", "未分派", "to do", "todo"),
    "assigned": ("已分配", "分派", "已指派", "已派单"),
    "in_progress": ("进行中", "处理", "in progress", "working", "ongoing", "跟进中", "排查中", "reopened", "重新打开"),
    "waiting": ("等待", "待确认", "pending", "waiting", "on hold", "挂起", "等待用户", "待用户确认", "awaiting reply"),
    "resolved": ("已处理", "solved", "done", "fixed", "已完成", "已修复", "处理完成"),
    "closed": ("关闭", "完成", "close", "已关单", "结案", "已结案"),
}


def parse_datetime(value: object) -> datetime | None:
    """A cell's value as a datetime to the minute, or None when it is not one."""
    if value is None:  # an open ticket's times, mostly
        return None
    if isinstance(value, datetime):
        if value.second or value.microsecond or value.tzinfo is not None:  # most are to the minute already: no copy
            return value.replace(second=0, microsecond=0, tzinfo=None)
        return value
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
    text = unicodedata.normalize("NFKC", text)  # full-width digits and colons typed with a CJK IME
    if _SERIAL_TEXT.match(text):
        return parse_datetime(float(text))
    m = _SEED_RUN_TOGETHER.match(text)
    if m:
        year, month, day, hour, minute = (int(p) for p in m.groups())
    else:
        m = _DATETIME.match(text)
        if not m:
            return None
        year, month, day, half, hour, minute, _, suffix = m.groups()
        year, month, day, minute = int(year), int(month), int(day), int(minute or 0)
        hour = _hour24(int(hour or 0), half or (suffix or "").lower())
        if hour is None:
            return None
    try:
        return datetime(year, month, day, hour, minute)
    except ValueError:
        return None


def _hour24(hour: int, half: str) -> int | None:
    """The hour on a 24-hour clock; None for a 12-hour time that cannot be one (13 PM)."""
    if not half:
        return hour
    if 13 <= hour <= 23 and half in _AFTERNOON:
        return hour  # 下午14:30: the 24-hour time with a redundant 下午
    if not 1 <= hour <= 12:
        return None
    return hour % 12 + (12 if half in _AFTERNOON else 0)


@lru_cache(maxsize=1024, typed=True)  # a column repeats a handful of values on every row (typed: True is not 1)
def parse_priority(value: object) -> str | None:
    """P1..P4 from 'P1', 'p1', '紧急', 'High', 2, 'P2 高' ..."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value in (1, 2, 3, 4):
        return f"P{int(value)}"
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value).strip().casefold()
    if not text:
        return None
    m = _PRIORITY_CODE.match(text)
    if m:
        return f"P{m.group(1)}"
    for code, aliases in PRIORITY_ALIASES.items():
        if text in aliases or text.split()[0] in aliases:
            return code
    for code, label in schema.PRIORITY_NAMES.items():
        if label.matches(text):
            return code
    return None


@lru_cache(maxsize=1024, typed=True)
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
        return int(text) if text.isascii() and text.isdigit() else None  # '¹'.isdigit() is true too
    return None


def text(value: object) -> str:
    """A cell's value as stripped text ('' for empty); numbers without a trailing .0."""
    if type(value) is str:  # the common case first: called for most cells of every row
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value).strip()


@lru_cache(maxsize=1024)  # the same few texts on every row
def frozen_breaches(state: object, breached: object) -> tuple[str, ...] | None:
    """The metrics named in 超时项 of a done ticket whose SLA状态 was written; None when unreadable."""
    if schema.code_of(schema.SLA_STATES, state) not in ("met", "met_late"):
        return None
    codes = [schema.code_of(schema.METRICS, part) for part in re.split(r"[、,，;；]\s*", text(breached)) if part]
    if None in codes:
        return None
    return tuple(m for m in schema.METRICS if m in codes)
