"""The Settings sheet: what a team changes without code, read into plain values.

Layout (columns A-E), one section after another, each a title row, a header row, then rows until
a blank row::

    SLA目标            优先级 | 指标 | 时长 | 单位 | 时钟
    工作时间            开始 | 结束                       (several spans per day)
    工作日              星期 | 上班
    节假日与调休        日期 | 类型 | 说明               (add to / override the library calendar)
    参数                名称 | 值
    通知                名称 | 值 | 说明                  (mail server, team-chat robot: see core.channels)
    通讯录              姓名 | 邮箱 | 手机                 (where an assignee's alerts go)

A tracker made before a section existed simply lacks it: its defaults (or, for 通知, the
``TRACK_XLS_*`` environment variables) apply.

The drop-down lists sit from column H rightwards, one list per column, header in row 1, so a list
can grow downwards without running into a section. The template's validations point at them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import schema
from .book import BookData, SheetData, Value
from .cells import a1, from_serial
from .errors import InputError
from .schema import Label

SECTIONS = {
    "targets": Label("SLA目标", "SLA Targets"),
    "hours": Label("工作时间", "Working Hours"),
    "days": Label("工作日", "Working Days"),
    "holidays": Label("节假日与调休", "Holidays & Make-up Days"),
    "params": Label("参数", "Parameters"),
    "notify": Label("通知", "Notifications"),
    "contacts": Label("通讯录", "Contacts"),
}
SECTION_HEADERS = {
    "targets": (Label("优先级", "Priority"), Label("指标", "Metric"), Label("时长", "Target"),
                Label("单位", "Unit"), Label("时钟", "Clock")),
    "hours": (Label("开始", "Start"), Label("结束", "End")),
    "days": (Label("星期", "Weekday"), Label("上班", "Working")),
    "holidays": (Label("日期", "Date"), Label("类型", "Type"), Label("说明", "Note")),
    "params": (Label("名称", "Name"), Label("值", "Value")),
    "notify": (Label("名称", "Name"), Label("值", "Value"), Label("说明", "Note")),
    "contacts": (Label("姓名", "Name"), Label("邮箱", "E-mail"), Label("手机", "Mobile")),
}
UNITS = {"min": Label("分钟", "minutes"), "h": Label("小时", "hours"), "workday": Label("工作日", "working days")}
CLOCKS = {"24x7": Label("24x7", "24x7"), "business": Label("工作时间", "business")}
WEEKDAYS = (Label("周一", "Monday"), Label("周二", "Tuesday"), Label("周三", "Wednesday"),
            Label("周四", "Thursday"), Label("周五", "Friday"), Label("周六", "Saturday"),
            Label("周日", "Sunday"))
DAY_TYPES = {"holiday": Label("放假", "holiday"), "workday": Label("调休上班", "make-up workday")}
PARAMS = {
    "timezone": Label("时区", "Time zone"),
    "warn_ratio": Label("预警阈值", "Warning threshold"),
    "compliance_target": Label("达标目标", "Compliance target"),
    "statutory": Label("法定节假日", "Statutory holidays"),
    "archive_dir": Label("归档目录", "Archive folder"),
    "retention_months": Label("归档保留月数", "Archive retention (months)"),
    "backups_kept": Label("备份保留份数", "Backups kept"),
    "recurring_count": Label("重复问题次数", "Recurring problem count"),
    "recurring_days": Label("重复问题天数", "Recurring problem window (days)"),
}
# The 通知 section: channels for notify --send and alert. Passwords and robot secrets are never
# read from here (environment or OS keyring only); core.channels validates the values.
NOTIFY = {
    "smtp_host": Label("邮件服务器", "SMTP server"),
    "smtp_port": Label("邮件端口", "SMTP port"),
    "smtp_tls": Label("邮件加密", "SMTP security"),
    "smtp_user": Label("邮件账号", "SMTP user"),
    "smtp_from": Label("发件人", "Sender"),
    "webhook_kind": Label("群机器人类型", "Team chat robot"),
    "webhook_url": Label("群机器人地址", "Robot webhook URL"),
    "supervisors": Label("超时抄送主管", "Supervisors for overdue"),
}
# The template leaves the values empty (nothing is sent until a team fills them in) and says what goes there.
NOTIFY_NOTES = {
    "smtp_host": Label("如 smtp.exmail.qq.com；密码只能用环境变量 TRACK_XLS_SMTP_PASSWORD 或系统钥匙串",
                       "e.g. smtp.office365.com; the password only from TRACK_XLS_SMTP_PASSWORD or the OS keyring"),
    "smtp_port": Label("默认：SSL 465，STARTTLS 587，无 25", "default: SSL 465, STARTTLS 587, none 25"),
    "smtp_tls": Label("SSL（默认）/ STARTTLS / 无", "SSL (default) / STARTTLS / none"),
    "smtp_user": Label("登录账号，通常即邮箱地址", "login, usually the mail address"),
    "smtp_from": Label("发件邮箱，默认同邮件账号", "sender address, default: the SMTP user"),
    "webhook_kind": Label("企业微信 / 钉钉 / 飞书 / 通用；加签密钥只能用环境变量 TRACK_XLS_WEBHOOK_SECRET",
                          "wecom / dingtalk / feishu / generic; a signing secret only from TRACK_XLS_WEBHOOK_SECRET"),
    "webhook_url": Label("群机器人的 Webhook 地址", "the robot's webhook address"),
    "supervisors": Label("邮箱，多个用逗号分隔；超时提醒和汇总抄送他们", "addresses, comma-separated: get overdue alerts and the summary"),
}
# The longest SLA target, a year in each unit.
MAX_TARGET = {"min": 365 * 24 * 60, "h": 365 * 24, "workday": 250}
STATUTORY = {"CN": Label("中国", "CN"), "none": Label("无", "none")}

# The drop-down lists, one per column from column H; their validations reference these cells.
LIST_FIRST_COL = 7  # H
LIST_ROWS = 60  # rows under each list header the template formats
LIST_LIMIT = 1000  # entries a list may grow to; its drop-down follows it
LISTS = {
    "channel": (schema.column("tickets", "channel").label, schema.CHANNELS),
    "category": (schema.column("tickets", "category").label, schema.CATEGORIES),
    "verification": (schema.column("tickets", "verification").label, schema.VERIFICATIONS),
    "department": (schema.column("tickets", "department").label,
                   (Label("销售部", "Sales"), Label("财务部", "Finance"), Label("行政部", "Admin"),
                    Label("研发部", "R&D"), Label("信息部", "IT"))),
    "assignee": (schema.column("tickets", "assignee").label, ()),
}

# Defaults: the seed's numbers; P3/P4 resolution and the P3/P4 update gap are ours.
DEFAULT_TARGETS = {
    ("P1", "response"): (15, "min", "24x7"),
    ("P1", "assignment"): (10, "min", "24x7"),
    ("P1", "update"): (2, "h", "24x7"),
    ("P1", "resolution"): (4, "h", "24x7"),
    ("P2", "response"): (24, "h", "24x7"),
    ("P2", "assignment"): (10, "min", "business"),
    ("P2", "update"): (4, "h", "business"),
    ("P2", "resolution"): (8, "h", "business"),
    ("P3", "response"): (24, "h", "24x7"),
    ("P3", "assignment"): (1, "workday", "business"),
    ("P3", "update"): None,
    ("P3", "resolution"): (3, "workday", "business"),
    ("P4", "response"): (24, "h", "24x7"),
    ("P4", "assignment"): (1, "workday", "business"),
    ("P4", "update"): None,
    ("P4", "resolution"): (5, "workday", "business"),
}
DEFAULT_SPANS = ((time(9, 0), time(12, 0)), (time(13, 30), time(18, 0)))
DEFAULT_PARAMS = {
    "timezone": "Asia/Shanghai",
    "warn_ratio": 0.75,
    "compliance_target": 0.95,
    "statutory": "CN",
    "archive_dir": "archive",
    "retention_months": 12,
    "backups_kept": 5,
    "recurring_count": 3,
    "recurring_days": 30,
}


@dataclass(frozen=True)
class Target:
    amount: float
    unit: str  # "min" | "h" | "workday"
    clock: str  # "24x7" | "business"


@dataclass(frozen=True)
class Settings:
    targets: dict[tuple[str, str], Target | None] = field(default_factory=dict)
    spans: tuple[tuple[time, time], ...] = DEFAULT_SPANS
    workdays: frozenset[int] = frozenset(range(5))  # Monday = 0
    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()
    statutory: str = "CN"
    timezone: str = "Asia/Shanghai"
    warn_ratio: float = 0.75
    compliance_target: float = 0.95  # the share of tickets meeting their SLA the team aims at
    archive_dir: str = "archive"
    retention_months: int = 12
    backups_kept: int = 5
    recurring_count: int = 3
    recurring_days: int = 30
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    notify: dict[str, tuple[Value, str]] = field(default_factory=dict)  # 通知 key -> (value, its cell)
    contacts: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (e-mail, mobile)

    def target(self, priority: str, metric: str) -> Target | None:
        return self.targets.get((priority, metric))


def local_now(settings: Settings) -> datetime:
    """Now, as wall-clock time in the workbook's time zone, to the minute."""
    try:
        zone = ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError("setting_timezone", schema.SHEETS["settings"].zh, zone=settings.timezone) from None
    return datetime.now(zone).replace(tzinfo=None, second=0, microsecond=0)


def defaults() -> Settings:
    targets = {k: (Target(*v) if v else None) for k, v in DEFAULT_TARGETS.items()}
    lists = {k: tuple(v.zh for v in values) for k, (_, values) in LISTS.items()}
    return Settings(targets=targets, lists=lists, **DEFAULT_PARAMS)


# -- the template's rows ----------------------------------------------------------------------------

def template_rows(lang: str) -> list[list[Value]]:
    """The Settings sheet as rows of values, as `init` writes it."""
    rows: list[list[Value]] = []

    def section(key: str, body: list[list[Value]]) -> None:
        rows.append([SECTIONS[key](lang)])
        rows.append([h(lang) for h in SECTION_HEADERS[key]])
        rows.extend(body)
        rows.append([])

    section("targets", [[p, schema.METRICS[m](lang), *(_target_cells(t, lang) if t else [None, None, None])]
                        for (p, m), t in DEFAULT_TARGETS.items()])
    section("hours", [[s.strftime("%H:%M"), e.strftime("%H:%M")] for s, e in DEFAULT_SPANS])
    section("days", [[d(lang), (schema.YES if i < 5 else schema.NO)(lang)] for i, d in enumerate(WEEKDAYS)])
    section("holidays", [])  # empty: the library's calendar until the team adds its own days
    section("params", [[PARAMS[k](lang), _param_cell(k, v, lang)] for k, v in DEFAULT_PARAMS.items()])
    section("notify", [[label(lang), None, NOTIFY_NOTES[k](lang)] for k, label in NOTIFY.items()])
    section("contacts", [])
    for i, (key, (header, values)) in enumerate(LISTS.items()):
        col = LIST_FIRST_COL + i
        for r, text in enumerate([header(lang), *(v(lang) for v in values)]):
            while len(rows) <= r:
                rows.append([])
            row = rows[r]
            row.extend([None] * (col + 1 - len(row)))
            row[col] = text
    return rows


def list_range(key: str) -> str:
    """The absolute A1 range a drop-down list may fill (below its header, up to LIST_LIMIT entries)."""
    col = LIST_FIRST_COL + list(LISTS).index(key)
    return f"${a1(1, col)[:-1]}$2:${a1(1, col)[:-1]}${LIST_LIMIT + 1}"


def list_formula(key: str, sheet: str) -> str:
    """A drop-down's source that grows with its list: the filled entries from the top, however many
    (``sheet`` quoted as a formula needs it). A list with no entry yet offers one empty line."""
    first = list_range(key).split(":")[0]
    return f"OFFSET({sheet}!{first},0,0,MAX(1,COUNTA({sheet}!{list_range(key)})),1)"


def _target_cells(t: tuple, lang: str) -> list[Value]:
    amount, unit, clock = t
    return [amount, UNITS[unit](lang), CLOCKS[clock](lang)]


def _param_cell(key: str, value: object, lang: str) -> Value:
    if key == "statutory":
        return STATUTORY[str(value)](lang)
    if key in ("warn_ratio", "compliance_target"):
        return f"{round(float(value) * 100)}%"
    return value  # type: ignore[return-value]


# -- reading ----------------------------------------------------------------------------------------

def read_settings(book: BookData) -> Settings:
    """Settings from the workbook's Settings sheet; defaults for anything absent.

    A value that is present but wrong raises InputError naming its cell: a silently ignored SLA
    target would quietly change every deadline.
    """
    sheet = book.sheet("settings")
    base = defaults()
    if sheet is None:
        return base
    found = _sections(sheet)
    targets = dict(base.targets)
    for r, row in found.get("targets", []):
        priority = schema.priority_of(row[0])
        metric = schema.code_of(schema.METRICS, row[1])
        if priority is None or metric is None:
            raise InputError("setting_target_row", sheet.name, a1(r, 0))
        targets[(priority, metric)] = _read_target(sheet, r, row)
    spans = tuple(_read_span(sheet, r, row) for r, row in found.get("hours", [])) or base.spans
    workdays = set(base.workdays)
    for r, row in found.get("days", []):
        day = next((i for i, d in enumerate(WEEKDAYS) if d.matches(row[0])), None)
        working = schema.yes_no(row[1])
        if day is None or working is None:
            raise InputError("setting_weekday", sheet.name, a1(r, 0))
        (workdays.add if working else workdays.discard)(day)
    holidays, makeups = set(), set()
    for r, row in found.get("holidays", []):
        day = _read_date(row[0])
        kind = schema.code_of(DAY_TYPES, row[1])
        if day is None:
            raise InputError("setting_date", sheet.name, a1(r, 0), value=row[0])
        if kind is None:
            raise InputError("setting_choice", sheet.name, a1(r, 1), allowed=list(DAY_TYPES.values()), value=row[1])
        (holidays if kind == "holiday" else makeups).add(day)
    params = dict(DEFAULT_PARAMS)
    for r, row in found.get("params", []):
        key = schema.code_of(PARAMS, row[0])
        if key is not None:
            params[key] = _read_param(sheet, r, key, row[1])
    lists = {key: _read_list(sheet, i) for i, key in enumerate(LISTS)}
    notify = {key: (row[1], f"{sheet.name}!{a1(r, 1)}") for r, row in found.get("notify", [])
              if (key := schema.code_of(NOTIFY, row[0])) is not None and row[1] not in (None, "")}
    contacts = {str(row[0]).strip(): (_cell_text(row[1]), _cell_text(row[2]))
                for _, row in found.get("contacts", []) if row[0] not in (None, "")}
    return Settings(targets=targets, spans=spans, workdays=frozenset(workdays),
                    extra_holidays=frozenset(holidays), extra_workdays=frozenset(makeups), lists=lists,
                    notify=notify, contacts=contacts, **params)


def _cell_text(value: Value) -> str:
    """A typed cell as text; a mobile number typed as a number keeps its digits (no '.0')."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _sections(sheet: SheetData) -> dict[str, list[tuple[int, list[Value]]]]:
    """Section key -> [(row, cells A-E)] of its body rows."""
    out: dict[str, list[tuple[int, list[Value]]]] = {}
    current, r = None, 0
    while r < len(sheet.rows):
        first = sheet.value(r, 0)
        key = schema.code_of(SECTIONS, first)
        if key is not None:
            current = key
            out[key] = []
            r += 2  # skip the title and header rows
            continue
        cells = [sheet.value(r, c) for c in range(5)]
        if all(v is None or v == "" for v in cells):
            current = None
        elif current is not None:
            out[current].append((r, cells))
        r += 1
    return out


def _read_target(sheet: SheetData, r: int, row: list[Value]) -> Target | None:
    amount, unit_text, clock_text = row[2], row[3], row[4]
    if amount in (None, "", "—", "-"):
        return None
    if not isinstance(amount, (int, float)) or isinstance(amount, bool) or amount <= 0:
        raise InputError("setting_target", sheet.name, a1(r, 2), value=amount)
    unit = schema.code_of(UNITS, unit_text)
    if unit is None:
        raise InputError("setting_choice", sheet.name, a1(r, 3), allowed=list(UNITS.values()), value=unit_text)
    clock = schema.code_of(CLOCKS, clock_text)
    if clock is None:
        raise InputError("setting_choice", sheet.name, a1(r, 4), allowed=list(CLOCKS.values()), value=clock_text)
    if unit == "workday" and clock != "business":
        raise InputError("setting_workday_clock", sheet.name, a1(r, 4))
    if amount > MAX_TARGET[unit]:  # a deadline from it would overflow the dates Excel and Python hold
        raise InputError("target_too_long", sheet.name, a1(r, 2), amount=f"{amount:g}", unit=UNITS[unit],
                         limit=MAX_TARGET[unit])
    return Target(float(amount), unit, clock)


def _read_time(value: Value) -> time | None:
    if isinstance(value, time):
        return value
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 1:
        return from_serial(value).time()
    if isinstance(value, str):
        try:
            h, m = value.strip().replace("：", ":").split(":")
            return time(int(h), int(m))
        except ValueError:
            return None
    return None


def _read_span(sheet: SheetData, r: int, row: list[Value]) -> tuple[time, time]:
    start, end = _read_time(row[0]), _read_time(row[1])
    if start is None or end is None or start >= end:
        raise InputError("setting_span", sheet.name, a1(r, 0), start=row[0], end=row[1])
    return start, end


def _read_date(value: Value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return from_serial(value).date()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip().replace("/", "-"))
        except ValueError:
            return None
    return None


def _read_param(sheet: SheetData, r: int, key: str, value: Value) -> object:
    where = (sheet.name, a1(r, 1))
    if key == "warn_ratio":
        ratio = _read_ratio(value)
        if ratio is None or not 0 < ratio < 1:
            raise InputError("setting_ratio", *where, value=value)
        return ratio
    if key == "compliance_target":
        ratio = _read_ratio(value)
        if ratio is None or not 0 < ratio <= 1:
            raise InputError("setting_target_ratio", *where, value=value)
        return ratio
    if key == "statutory":
        code = schema.code_of(STATUTORY, value)
        if code is None:
            raise InputError("setting_choice", *where, allowed=list(STATUTORY.values()), value=value)
        return code
    if key in ("retention_months", "backups_kept", "recurring_count", "recurring_days"):
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0 or value != int(value):
            raise InputError("setting_whole", *where, value=value)
        if key == "retention_months" and value < 12:
            raise InputError("setting_retention", *where)
        return int(value)
    if not isinstance(value, str) or not value.strip():
        raise InputError("setting_text", *where, value=value)
    return value.strip()


def _read_ratio(value: Value) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value / 100 if value >= 1 else float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().rstrip("%")) / 100
        except ValueError:
            return None
    return None


def _read_list(sheet: SheetData, index: int) -> tuple[str, ...]:
    col = LIST_FIRST_COL + index
    values = (sheet.value(r, col) for r in range(1, LIST_LIMIT + 1))
    return tuple(str(v).strip() for v in values if v not in (None, ""))
