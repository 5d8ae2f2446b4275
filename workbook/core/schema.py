"""The workbook's vocabulary: sheets, columns and coded values, in Chinese and English.

This is the one bilingual table of the project: no other module spells a header or a coded value.
Every reader accepts both languages, so a workbook made with ``--lang en`` and one made in Chinese
are read the same way; writers use the language the workbook was made in.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cached_property

LANGS = ("zh", "en")


@dataclass(frozen=True)
class Label:
    zh: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    @cached_property
    def folded(self) -> frozenset[str]:
        """Both languages, folded once: a label is matched against every cell of its column."""
        return frozenset((fold(self.zh), fold(self.en)))

    def matches(self, text: object) -> bool:
        return isinstance(text, str) and fold(text) in self.folded


def fold(text: str) -> str:
    """Text as labels are matched: stripped, case-folded."""
    return text.strip().casefold()


class Kind(Enum):
    TEXT = "text"
    DATETIME = "datetime"
    DATE = "date"
    INT = "int"
    CODE = "code"  # one value of a drop-down list


@dataclass(frozen=True)
class Column:
    key: str
    label: Label
    kind: Kind = Kind.TEXT
    width: float = 14
    required: bool = False
    computed: bool = False  # written only by the tool

    def header(self, lang: str) -> str:
        return self.label(lang)


# -- sheets -------------------------------------------------------------------------------------

# The tracker workbook's title (document properties, print headers); an archive is "<title> YYYY-MM".
TRACKER_TITLE = Label("工单跟踪表", "Support Ticket Tracker")

SHEETS = {
    "tickets": Label("工单", "Tickets"),
    "log": Label("进展日志", "Log"),
    "reviews": Label("复盘", "Reviews"),
    "faq": Label("常见问题手册", "FAQ"),
    "dashboard": Label("看板", "Dashboard"),
    "settings": Label("设置", "Settings"),
    "archive_index": Label("归档索引", "Archive Index"),
}

# -- coded values ---------------------------------------------------------------------------------

PRIORITIES = ("P1", "P2", "P3", "P4")
PRIORITY_NAMES = {
    "P1": Label("紧急", "Urgent"),
    "P2": Label("高", "High"),
    "P3": Label("中", "Medium"),
    "P4": Label("低", "Low"),
}

STATUSES = {
    "new": Label("新建", "New"),
    "assigned": Label("已分派", "Assigned"),
    "in_progress": Label("处理中", "In Progress"),
    "waiting": Label("等待报修人", "Waiting for Reporter"),
    "resolved": Label("已解决", "Resolved"),
    "closed": Label("已关闭", "Closed"),
}
DONE_STATUSES = frozenset({"resolved", "closed"})

LOG_KINDS = {
    "investigation": Label("排查", "Investigation"),
    "update": Label("进展同步", "Progress Update"),
    "status_change": Label("状态变更", "Status Change"),
    "notification": Label("通知", "Notification"),
    "verification": Label("验证", "Verification"),
}
FREE_KINDS = ("investigation", "update", "notification", "verification")  # the kinds a person logs by hand
NOTICE_KINDS = ("accepted", "progress", "resolved")  # the reporter notices of templates/notifications.*.txt

METRICS = {
    "response": Label("响应", "response"),
    "assignment": Label("分派", "assignment"),
    "update": Label("进展", "update"),
    "resolution": Label("解决", "resolution"),
}

SLA_STATES = {
    "on_track": Label("正常", "On Track"),
    "at_risk": Label("预警", "At Risk"),
    "overdue": Label("超时", "Overdue"),
    "met": Label("达标", "Met"),
    "met_late": Label("超时完成", "Done Late"),
    "needs_fix": Label("待补全", "Needs Fix"),  # the row lacks what the state is computed from
}

YES = Label("是", "Yes")
NO = Label("否", "No")

# 复盘状态 in the Reviews sheet: `review` writes pending rows, the team marks them done.
REVIEW_STATUSES = {
    "pending": Label("待复盘", "Pending"),
    "done": Label("已完成", "Done"),
}

CHANNELS = (Label("电话", "Phone"), Label("在线工单", "Online Ticket"), Label("邮件", "E-mail"),
            Label("内部通讯群组", "IM Group"))
CATEGORIES = (Label("软件", "Software"), Label("硬件", "Hardware"), Label("网络", "Network"),
              Label("账号权限", "Account & Access"), Label("数据", "Data"), Label("其他", "Other"))
VERIFICATIONS = (Label("远程验证", "Remote"), Label("现场验证", "On-site"))

# Separator used in the 超时项 / Breached column.
LIST_SEPARATOR = Label("、", ", ")


def code_of(table: dict[str, Label], text: object) -> str | None:
    """The code whose zh or en label is ``text``; None when it is none of them."""
    if not isinstance(text, str):
        return None
    folded = fold(text)
    return next((code for code, label in table.items() if folded in label.folded), None)


def priority_of(text: object) -> str | None:
    if isinstance(text, str) and text.strip().upper() in PRIORITIES:
        return text.strip().upper()
    return None


def yes_no(text: object) -> bool | None:
    if isinstance(text, bool):
        return text
    if YES.matches(text):
        return True
    if NO.matches(text):
        return False
    return None


# -- columns --------------------------------------------------------------------------------------

def _col(key, zh, en, kind=Kind.TEXT, width=14, **kw) -> Column:
    return Column(key, Label(zh, en), kind, width, **kw)


TICKET_COLUMNS: tuple[Column, ...] = (
    _col("ticket_no", "工单编号", "Ticket No", width=14),
    _col("reported_at", "报修时间", "Reported At", Kind.DATETIME, 17, required=True),
    _col("reporter", "报修人", "Reporter", width=10, required=True),
    _col("department", "部门", "Department", width=10),
    _col("contact", "联系方式", "Contact", width=14),
    _col("channel", "受理渠道", "Channel", Kind.CODE, 11),
    _col("module", "所属模块", "Module", width=16, required=True),
    _col("category", "问题类别", "Category", Kind.CODE, 10),
    _col("description", "问题描述", "Description", width=36, required=True),
    _col("impact", "影响范围", "Impact", width=24),
    _col("priority", "优先级", "Priority", Kind.CODE, 8, required=True),
    _col("status", "状态", "Status", Kind.CODE, 12, required=True),
    _col("assignee", "负责人", "Assignee", width=10),
    _col("lead_department", "主责部门", "Lead Department", width=11),
    _col("vendor_contact", "供应商接口人", "Vendor Contact", width=12),
    _col("first_response_at", "首次响应时间", "First Response At", Kind.DATETIME, 17),
    _col("assigned_at", "分派时间", "Assigned At", Kind.DATETIME, 17),
    _col("last_update_at", "最近进展时间", "Last Update At", Kind.DATETIME, 17),
    _col("resolved_at", "解决时间", "Resolved At", Kind.DATETIME, 17),
    _col("workaround", "临时措施", "Workaround", width=24),
    _col("long_term_fix", "长期方案", "Long-term Fix", width=24),
    _col("backup_done", "已备份", "Backup Done", Kind.CODE, 8),
    _col("verification", "验证方式", "Verification", Kind.CODE, 10),
    _col("confirmation", "处理结果确认", "Reporter Confirmation", width=24),
    _col("satisfaction", "满意度", "Satisfaction", Kind.INT, 8),
    _col("summary", "处理总结", "Summary", width=30),
    _col("attachments", "附件", "Attachments", width=20),
    _col("closed_at", "关闭时间", "Closed At", Kind.DATETIME, 17),
    _col("response_due", "响应截止", "Response Due", Kind.DATETIME, 17, computed=True),
    _col("assignment_due", "分派截止", "Assignment Due", Kind.DATETIME, 17, computed=True),
    _col("next_update_due", "下次进展截止", "Next Update Due", Kind.DATETIME, 17, computed=True),
    _col("resolution_due", "解决截止", "Resolution Due", Kind.DATETIME, 17, computed=True),
    _col("sla_state", "SLA状态", "SLA State", Kind.CODE, 10, computed=True),
    _col("breached", "超时项", "Breached", width=14, computed=True),
    _col("review_needed", "需复盘", "Review Needed", Kind.CODE, 8, computed=True),
    _col("problems", "待修正问题", "Problems", width=30, computed=True),
    # Imported tickets: the source's own number, and when they came in (the SLA does not judge a
    # deadline that had passed by then when the source does not say when it was met).
    _col("legacy_no", "原编号", "Legacy No", width=12),
    _col("imported_at", "导入时间", "Imported At", Kind.DATETIME, 17),
)

LOG_COLUMNS: tuple[Column, ...] = (
    _col("ticket_no", "工单编号", "Ticket No", width=14, required=True),
    _col("time", "时间", "Time", Kind.DATETIME, 17, required=True),
    _col("author", "记录人", "Author", width=10),
    _col("kind", "类型", "Kind", Kind.CODE, 12, required=True),
    _col("text", "内容", "Text", width=60),
)

REVIEW_COLUMNS: tuple[Column, ...] = (
    _col("ticket_nos", "工单编号", "Ticket No(s)", width=22, required=True),
    _col("date", "日期", "Date", Kind.DATE, 12),
    _col("reason", "复盘原因", "Reason", width=20),
    _col("root_cause", "根本原因", "Root Cause", width=30),
    _col("preventive", "预防措施", "Preventive Measures", width=30),
    _col("owner", "负责人", "Owner", width=10),
    _col("due_date", "截止日期", "Due Date", Kind.DATE, 12),
    _col("status", "复盘状态", "Review Status", width=10),
    _col("faq_updated", "已更新FAQ", "FAQ Updated", Kind.CODE, 10),
    _col("symptom", "症状", "Symptom", width=24),
    _col("solution", "解决方法", "Solution", width=30),
)

FAQ_COLUMNS: tuple[Column, ...] = (
    _col("module", "所属模块", "Module", width=16, required=True),
    _col("symptom", "症状", "Symptom", width=30, required=True),
    _col("cause", "原因", "Cause", width=30),
    _col("solution", "解决方法", "Solution", width=40),
    _col("source_tickets", "来源工单", "Source Tickets", width=22),
)

ARCHIVE_INDEX_COLUMNS: tuple[Column, ...] = (
    _col("ticket_no", "工单编号", "Ticket No", width=14, required=True),
    _col("month", "归档月份", "Archive Month", width=10),
    _col("file", "归档文件", "Archive File", width=40),
)

SHEET_COLUMNS = {
    "tickets": TICKET_COLUMNS,
    "log": LOG_COLUMNS,
    "reviews": REVIEW_COLUMNS,
    "faq": FAQ_COLUMNS,
    "archive_index": ARCHIVE_INDEX_COLUMNS,
}

COMPUTED_KEYS = tuple(c.key for c in TICKET_COLUMNS if c.computed)


def column(sheet: str, key: str) -> Column:
    return next(c for c in SHEET_COLUMNS[sheet] if c.key == key)


def lang_of_sheets(names: list[str], default: str = "zh") -> str:
    """The language of a workbook from its sheet names: that of its Tickets sheet; ``default`` when it
    has none (the Chinese template's language, unless the caller knows the user's)."""
    return "en" if SHEETS["tickets"].en in names else "zh" if SHEETS["tickets"].zh in names else default


def lang_of_header(cells: list[object]) -> str:
    """The language a header row is written in: whichever matches more cells exactly."""
    zh = sum(1 for c in TICKET_COLUMNS if c.label.zh in cells)
    en = sum(1 for c in TICKET_COLUMNS if c.label.en in cells)
    return "en" if en > zh else "zh"
