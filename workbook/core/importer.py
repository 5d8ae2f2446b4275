"""Map an existing tracker's rows onto the Tickets schema: pure, rows of plain values in and out.

A support team's old sheet has its own headers (编号, 报修日期, 紧急程度, Severity ...), its own
way of writing priorities and statuses, and dates typed every which way. :func:`find_mapping`
finds the header row and says which source column feeds which ticket column: a ``--map`` file
first, then the schema's own zh/en headers, then :data:`HEADER_ALIASES`. :func:`convert_rows` turns
each row into tracker values or a :class:`Rejected` with the reason; nothing is dropped silently.

A row is rejected when no deadline can be computed from it (unreadable or future times, priority
or status), when it is already in the tracker (its number, or its report time, reporter and
description), or when it cannot be stored (text over Excel's cell limit). Other problems (an empty
module, a closed ticket without a summary) are taken and left to ``check``, as for a row typed by
hand. A source number that is not one of ours (A-001) is kept in 原编号 / Legacy No and the ticket
gets a new number. Every row records its 导入时间 / Imported At; no other time is made up: a
done ticket whose source has no done time keeps it empty (see :mod:`workbook.core.sla` for what
is then not judged).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from . import schema
from .book import Value
from .errors import InputError
from .messages import say
from .numbering import is_well_formed
from .parse import parse_datetime, parse_int, parse_priority, parse_status, text
from .validation import FUTURE_TOLERANCE

# Header names other trackers use, best guess first: when two source columns could feed one ticket
# column, the one whose name comes earlier here wins (标题 loses to 问题描述).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "ticket_no": ("工单号", "单号", "编号", "工单编码", "事件编号", "问题编号", "ticket", "ticket id", "ticket number",
                  "ticket #", "case number", "case id", "issue key", "id"),
    "reported_at": ("报修日期", "提交时间", "报告时间", "登记时间", "创建时间", "发生时间", "反馈时间", "报障时间",
                    "created", "created at", "submitted", "reported", "date reported", "opened", "open date",
                    "日期", "时间", "date"),
    "reporter": ("联系人", "报告人", "提交人", "申请人", "报修人员", "用户", "姓名", "requester", "reported by",
                 "submitter", "caller", "customer", "user"),
    "department": ("所在部门", "使用部门", "部门名称", "dept"),
    "contact": ("联系电话", "电话", "手机", "邮箱", "phone", "email", "contact info"),
    "channel": ("报修方式", "来源", "渠道", "source", "via"),
    "module": ("系统/设备", "模块", "系统", "设备", "所属系统", "设备名称", "产品", "system", "device", "component",
               "product", "asset"),
    "category": ("问题类型", "类别", "分类", "类型", "type"),
    "description": ("故障描述", "问题详情", "描述", "故障现象", "问题", "详情", "标题", "内容", "details", "problem",
                    "issue", "subject", "title"),
    "impact": ("影响", "影响面"),
    "priority": ("紧急程度", "级别", "优先级别", "等级", "严重程度", "severity", "urgency", "level", "prio"),
    "status": ("处理状态", "当前状态", "进度", "state"),
    "assignee": ("处理人", "负责工程师", "处理工程师", "工程师", "责任人", "assigned to", "owner", "engineer",
                 "technician", "handler"),
    "first_response_at": ("响应时间", "首次响应", "first response", "responded at"),
    "assigned_at": ("派单时间", "分配时间", "指派时间"),
    "last_update_at": ("最近更新", "最后更新", "更新时间", "last updated", "updated"),
    "resolved_at": ("完成时间", "处理完成时间", "解决日期", "resolved", "solved at", "fixed at"),
    "workaround": ("临时方案", "应急措施"),
    "long_term_fix": ("永久方案", "根治方案", "permanent fix"),
    "backup_done": ("是否备份", "备份"),
    "verification": ("验证",),
    "confirmation": ("用户确认", "确认结果", "确认"),
    "satisfaction": ("满意度评分", "评分", "rating", "score", "csat"),
    "summary": ("处理结果", "解决方案", "解决办法", "处理过程", "resolution", "solution"),
    "attachments": ("附件链接", "截图", "attachment", "files", "links"),
    "closed_at": ("关闭日期", "结案时间", "closed", "close date"),
}
# Without these no deadline can be computed: the source must have a column for each.
NEEDED = ("reported_at", "priority")
IGNORE = "-"  # a --map target that drops a source column
EXCEL_CELL_LIMIT = 32767  # characters; Excel refuses to open a cell holding more
TICKET_KEYS = {c.key: c for c in schema.TICKET_COLUMNS}
CODE_LISTS = {"channel": schema.CHANNELS, "category": schema.CATEGORIES, "verification": schema.VERIFICATIONS}
_HINT = re.compile(r"[(（\[【].*?[)）\]】]")  # "报修时间(yyyy-mm-dd)": a hint for whoever fills it in
_NOISE = re.compile(r"[\s_*:：.#/、\-]+")
_NUMBER = re.compile(r"^(\d{4})[-/.]?(\d{2})[-/.]?(\d{2})-?(\d{3,})$")


@dataclass
class Mapping:
    header_row: int  # 0-based source row
    columns: dict[str, int]  # ticket column key -> 0-based source column
    unused: list[str] = field(default_factory=list)  # source headers that feed nothing


@dataclass
class Rejected:
    row: int  # 1-based source row, as the source's own program shows it
    reason: str


@dataclass
class Converted:
    tickets: list[tuple[int, dict[str, Value]]]  # (1-based source row, ticket key -> tracker value)
    rejected: list[Rejected]


def normalise(header: object) -> str:
    """A header as compared: NFKC, casefolded, without hints in brackets, spaces and punctuation."""
    if not isinstance(header, str):
        return ""
    return _NOISE.sub("", _HINT.sub("", unicodedata.normalize("NFKC", header)).casefold())


def _targets() -> dict[str, tuple[int, str]]:
    """Normalised header -> (rank, key): schema headers rank 0, aliases by their place in the list."""
    out: dict[str, tuple[int, str]] = {}
    for key, aliases in HEADER_ALIASES.items():
        for rank, alias in enumerate(aliases, start=1):
            out.setdefault(normalise(alias), (rank, key))
    for column in schema.TICKET_COLUMNS:
        for label in (column.label.zh, column.label.en):
            out[normalise(label)] = (0, column.key)
    return out


TARGETS = _targets()


def parse_map(lines: list[str], path: str) -> dict[str, str | None]:
    """``source header = ticket column`` lines of the map file ``path`` -> normalised header -> key or None.

    The right side is a column key (reported_at), a header in either language (报修时间) or ``-``
    to drop the column. A line starting with # is a comment; a # elsewhere is part of a header
    ("Ticket #").
    """
    out: dict[str, str | None] = {}
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        source, sep, target = line.rpartition("=")
        if not sep or not normalise(source):
            raise InputError("import_map_syntax", f"{path}:{number}")
        out[normalise(source)] = _map_target(path, number, target.strip())
    return out


def _map_target(path: str, number: int, target: str) -> str | None:
    if target in (IGNORE, ""):
        return None
    if target in TICKET_KEYS:
        key = target
    else:
        rank_key = TARGETS.get(normalise(target))
        key = rank_key[1] if rank_key and rank_key[0] == 0 else None
    if key is None or TICKET_KEYS[key].computed:
        raise InputError("import_map_target", f"{path}:{number}", target=target)
    return key


def find_mapping(rows: list[list[Value]], overrides: dict[str, str | None] | None = None,
                 search_rows: int = 10) -> Mapping | None:
    """The header row among the first ``search_rows`` that feeds the most ticket columns; None if none feeds two."""
    best: Mapping | None = None
    for r, cells in enumerate(rows[:search_rows]):
        mapping = _map_row(r, cells, overrides or {})
        if len(mapping.columns) >= 2 and (best is None or len(mapping.columns) > len(best.columns)):
            best = mapping
    return best


def _map_row(r: int, cells: list[Value], overrides: dict[str, str | None]) -> Mapping:
    chosen: dict[str, tuple[int, int]] = {}  # key -> (rank, column)
    unused = []
    for c, cell in enumerate(cells):
        name = normalise(cell)
        if not name:
            continue
        if name in overrides:
            rank, key = -1, overrides[name]
        else:
            rank, key = TARGETS.get(name, (0, None))
        if key is None or TICKET_KEYS[key].computed:
            unused.append(text(cell))  # computed columns are refresh's to write, never imported
        elif key not in chosen or rank < chosen[key][0]:
            if key in chosen:
                unused.append(text(cells[chosen[key][1]]))
            chosen[key] = (rank, c)
        else:
            unused.append(text(cell))
    return Mapping(r, {key: c for key, (_, c) in chosen.items()}, unused)


def require_columns(mapping: Mapping | None, source: str) -> Mapping:
    """The mapping, or InputError saying which ticket columns the source lacks."""
    if mapping is None:
        raise InputError("import_no_header", source)
    missing = [TICKET_KEYS[k].label for k in NEEDED if k not in mapping.columns]
    if missing:
        raise InputError("import_missing", source, names=missing)
    return mapping


# -- rows ---------------------------------------------------------------------------------------------

def convert_rows(rows: list[list[Value]], mapping: Mapping, lang: str, now: datetime,
                 taken: dict[str, str], existing: dict[tuple, str]) -> Converted:
    """Every row under the header as tracker values, or rejected with the reason.

    ``taken``: ticket number -> where it is already used (a tracker cell, the archive index).
    ``existing``: (reported_at, reporter, description) of each tracker ticket -> its cell, so the
    same source imported twice does not double rows that carry no number.
    """
    taken, existing = dict(taken), dict(existing)
    out = Converted([], [])
    for r in range(mapping.header_row + 1, len(rows)):
        record = {key: _cell(rows[r], c) for key, c in mapping.columns.items()}
        if not any(text(v) for v in record.values()):
            continue  # a blank row separates, it is not a ticket
        where = say("import_source_row", lang, row=r + 1)
        try:
            values = _values(record, lang, now)
            _claim(values, lang, where, taken, existing)
        except _Reject as exc:
            out.rejected.append(Rejected(r + 1, str(exc)))
            continue
        out.tickets.append((r + 1, values))
    return out


class _Reject(Exception):
    """A row that cannot be taken; the message is the reason."""


def _cell(row: list[Value], c: int) -> Value:
    return row[c] if c < len(row) else None


def _values(record: dict[str, Value], lang: str, now: datetime) -> dict[str, Value]:
    values: dict[str, Value] = {}
    for key, raw in record.items():
        column = TICKET_KEYS[key]
        if isinstance(raw, str) and len(raw) > EXCEL_CELL_LIMIT:
            raise _Reject(say("import_too_long", lang, header=column.label(lang), length=len(raw),
                              limit=EXCEL_CELL_LIMIT))
        if column.kind is schema.Kind.DATETIME:
            values[key] = _time(column, raw, lang, now)
        else:
            values[key] = _value(key, raw, lang)
    if values.get("reported_at") is None:
        raise _Reject(say("required", lang, header=TICKET_KEYS["reported_at"].label(lang)))
    values["priority"] = _priority(record.get("priority"), lang)
    values["status"] = _status(record.get("status"), values, lang)
    values["imported_at"] = now
    number = values.get("ticket_no")
    if number and not is_well_formed(number):
        values["ticket_no"], values["legacy_no"] = None, number
    return values


def _time(column: schema.Column, raw: Value, lang: str, now: datetime) -> datetime | None:
    if not text(raw):
        return None
    value = parse_datetime(raw)
    if value is None:
        raise _Reject(say("date", lang, header=column.label(lang), value=raw))
    if value > now + FUTURE_TOLERANCE:
        raise _Reject(say("future_date", lang, header=column.label(lang), value=f"{value:%Y-%m-%d %H:%M}",
                          now=f"{now:%Y-%m-%d %H:%M}"))
    return value


def _priority(raw: Value, lang: str) -> str:
    if not text(raw):
        raise _Reject(say("required", lang, header=TICKET_KEYS["priority"].label(lang)))
    code = parse_priority(raw)
    if code is None:
        raise _Reject(say("priority", lang, value=raw))
    return code


def _status(raw: Value, values: dict[str, Value], lang: str) -> str:
    """The status label in ``lang``; a source without one says it by the times it has."""
    if text(raw):
        code = parse_status(raw)
        if code is None:
            allowed = "/".join(label(lang) for label in schema.STATUSES.values())
            raise _Reject(say("status", lang, value=raw, allowed=allowed))
    elif values.get("closed_at"):
        code = "closed"
    elif values.get("resolved_at"):
        code = "resolved"
    elif values.get("assigned_at"):
        code = "assigned"
    else:
        code = "new"
    return schema.STATUSES[code](lang)


def _value(key: str, raw: Value, lang: str) -> Value:
    if isinstance(raw, (datetime, date)):
        return f"{raw:%Y-%m-%d %H:%M}" if isinstance(raw, datetime) else f"{raw:%Y-%m-%d}"
    if not text(raw):
        return None
    if key == "ticket_no":
        return _number(raw)
    if key in CODE_LISTS:
        label = next((label for label in CODE_LISTS[key] if label.matches(raw)), None)
        return label(lang) if label else text(raw)
    if key == "backup_done":
        answer = schema.yes_no(raw)
        return text(raw) if answer is None else (schema.YES if answer else schema.NO)(lang)
    if key == "satisfaction":
        rating = parse_int(raw)
        return rating if rating is not None and 1 <= rating <= 5 else text(raw)
    return raw if isinstance(raw, str) else text(raw)


def _number(raw: Value) -> str:
    """A ticket number as the tracker writes it: 20240520003 and 2024-05-20-003 become 20240520-003."""
    number = unicodedata.normalize("NFKC", text(raw)).strip()
    m = _NUMBER.match(number)
    if m:
        number = f"{m.group(1)}{m.group(2)}{m.group(3)}-{m.group(4)}"
    return number


def _claim(values: dict[str, Value], lang: str, where: str, taken: dict[str, str],
           existing: dict[tuple, str]) -> None:
    """Reject a number or a ticket already there; otherwise record this row as their place."""
    number = values.get("ticket_no") or values.get("legacy_no")
    if number in taken:
        raise _Reject(say("duplicate_number", lang, value=number, other=taken[number]))
    key = fingerprint(values)
    if key is not None and key in existing:
        raise _Reject(say("import_already", lang, other=existing[key]))
    if number:
        taken[number] = where
    if key is not None:
        existing[key] = where


def fingerprint(values: dict[str, Value]) -> tuple | None:
    """What makes two rows the same ticket when neither has a number; None without a description."""
    if not text(values.get("description")):
        return None  # a time and a name alone do not tell two tickets apart
    return (parse_datetime(values.get("reported_at")), text(values.get("reporter")),
            text(values.get("description")))
