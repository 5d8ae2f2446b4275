"""A small hand-made tracker for the report and review tests: 14 tickets, 5 of them archived.

Default Settings: business hours Mon–Fri 09:00–12:00 and 13:30–18:00 (450 min a day), China's
holidays (May 1–5 2024 off). Report month 2024-05, now Mon 2024-06-03 10:00, so the cut-off is
2024-06-01 00:00. Every figure the tests expect is worked out by hand in test_report.py.

        May 2024
    Mo Tu We Th Fr Sa Su
           1  2  3  4  5     1–5 holiday
     6  7  8  9 10 11 12     11 make-up working day
    13 14 15 16 17 18 19
    20 21 22 23 24 25 26
    27 28 29 30 31
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from workbook.core import schema
from workbook.core.archive import ArchiveRows
from workbook.author.archive_book import write_archive
from workbook.core.book import find_table
from workbook.core.changeset import ChangeSet
from workbook.xlsx.file_engine import FileEngine
from workbook.author.template import build_template

NOW = datetime(2024, 6, 3, 10, 0)
D = datetime


def _t(number, priority, status, reported, module, category, channel, department, assignee=None, responded=None,
       assigned=None, updated=None, resolved=None, closed=None, rating=None):
    row = {"ticket_no": number, "priority": priority, "status": status, "reported_at": reported, "reporter": "张伟",
           "module": module, "category": category, "channel": channel, "department": department,
           "description": "问题", "assignee": assignee, "first_response_at": responded, "assigned_at": assigned,
           "last_update_at": updated, "resolved_at": resolved, "closed_at": closed, "satisfaction": rating}
    if resolved:
        row |= {"backup_done": "是", "summary": "已处理"}
    if rating:
        row["confirmation"] = "已确认"
    return {k: v for k, v in row.items() if v is not None}


VPN, PRINTER, SALES, OA, MAIL, ERP = "VPN网关", "会议室A打印机", "销售模块V3.2", "OA系统", "邮件服务器", "ERP财务模块"
T = {
    # done in May
    "T1": _t("20240513-001", "P1", "已关闭", D(2024, 5, 13, 10), SALES, "软件", "电话", "销售部", "周工",
             D(2024, 5, 13, 10, 5), D(2024, 5, 13, 10, 8), None, D(2024, 5, 13, 12), D(2024, 5, 13, 13), 5),
    "T2": _t("20240518-001", "P1", "已关闭", D(2024, 5, 18, 22), VPN, "网络", "电话", "销售部", "周工",
             D(2024, 5, 18, 22, 30), D(2024, 5, 18, 22, 35), None, D(2024, 5, 19, 1), D(2024, 5, 19, 9), 4),
    "T3": _t("20240514-001", "P2", "已解决", D(2024, 5, 14, 9, 30), VPN, "网络", "邮件", "财务部", "吴工",
             D(2024, 5, 14, 9, 40), D(2024, 5, 14, 9, 45), D(2024, 5, 14, 11), D(2024, 5, 14, 16)),
    "T4": _t("20240515-001", "P2", "已关闭", D(2024, 5, 15, 17), MAIL, "软件", "在线工单", "行政部", "吴工",
             D(2024, 5, 15, 17, 5), D(2024, 5, 15, 17, 8), D(2024, 5, 16, 10), D(2024, 5, 16, 17, 30),
             D(2024, 5, 17, 9)),
    "T5": _t("20240520-002", "P3", "已关闭", D(2024, 5, 20, 14), PRINTER, "硬件", "电话", "行政部", "郑工",
             D(2024, 5, 20, 15), D(2024, 5, 20, 16), None, D(2024, 5, 22, 11), D(2024, 5, 22, 15), 5),
    "T6": _t("20240524-001", "P3", "已解决", D(2024, 5, 24, 17), VPN, "网络", "内部通讯群组", "研发部", "吴工",
             D(2024, 5, 25, 10), D(2024, 5, 27, 11), None, D(2024, 5, 31, 17), None, 3),
    "T7": _t("20240516-001", "P4", "已关闭", D(2024, 5, 16, 9), PRINTER, "硬件", "在线工单", "行政部", "郑工",
             D(2024, 5, 16, 9, 30), D(2024, 5, 16, 10), None, D(2024, 5, 16, 12), D(2024, 5, 17, 10), 4),
    # open at the cut-off (T8 is resolved two hours after it)
    "T8": _t("20240531-001", "P1", "已解决", D(2024, 5, 31, 20), SALES, "软件", "电话", "销售部", "周工",
             D(2024, 5, 31, 20, 5), D(2024, 5, 31, 20, 8), D(2024, 5, 31, 21), D(2024, 6, 1, 2)),
    "T9": _t("20240514-002", "P3", "处理中", D(2024, 5, 14, 10), OA, "软件", "邮件", "财务部", "孙工",
             D(2024, 5, 14, 10, 30), D(2024, 5, 14, 11)),
    "T10": _t("20240530-001", "P4", "新建", D(2024, 5, 30, 15), PRINTER, "硬件", None, "行政部"),
    "T11": _t("20240429-001", "P2", "等待报修人", D(2024, 4, 29, 10), ERP, "数据", "电话", "财务部", "吴工",
              D(2024, 4, 29, 10, 5), D(2024, 4, 29, 10, 8)),
    "T12": _t("20240520-001", "P3", "处理中", D(2024, 5, 20, 9), OA, "软件", "电话", "信息部", "孙工",
              D(2024, 5, 20, 9, 10), D(2024, 5, 20, 9, 20), None, D(2024, 5, 21, 10)),
    # done in April (archived)
    "T13": _t("20240409-001", "P3", "已关闭", D(2024, 4, 9, 10), OA, "软件", "电话", "财务部", "孙工",
              D(2024, 4, 9, 10, 10), D(2024, 4, 9, 10, 30), None, D(2024, 4, 10, 10), D(2024, 4, 11, 9), 5),
    "T14": _t("20240415-001", "P4", "已关闭", D(2024, 4, 15, 9), MAIL, "软件", "邮件", "行政部", "吴工",
              D(2024, 4, 15, 9, 30), D(2024, 4, 16, 11), None, D(2024, 4, 17, 10), D(2024, 4, 18, 9), 2),
}
ARCHIVED = {"2024-04": ["T13", "T14"], "2024-05": ["T1", "T4", "T7"]}
LIVE = [k for k in T if not any(k in names for names in ARCHIVED.values())]


def _log(key, when, text, kind="状态变更"):
    return {"ticket_no": T[key]["ticket_no"], "time": when, "author": "周工", "kind": kind, "text": text}


LOG = [
    _log("T11", D(2024, 4, 29, 10, 8), "新建 → 已分派"),
    _log("T11", D(2024, 4, 29, 10, 30), "已分派 → 等待报修人"),  # paused since: no update or resolution clock
    _log("T12", D(2024, 5, 20, 9, 20), "新建 → 已分派"),
    _log("T12", D(2024, 5, 21, 10), "已分派 → 已解决"),
    _log("T12", D(2024, 5, 22, 9), "已解决 → 处理中"),  # reopened in May
    _log("T1", D(2024, 5, 13, 12), "已分派 → 已解决"),
]
REVIEWS = [
    {"ticket_nos": "20240513-001", "date": date(2024, 5, 14), "reason": "P1 工单", "root_cause": "验证码服务缓存失效",
     "preventive": "缓存加监控", "owner": "周工", "due_date": date(2024, 5, 21), "status": "已完成",
     "faq_updated": "是", "symptom": "登录提示验证码错误", "solution": "清理缓存并重启验证码服务"},
    {"ticket_nos": "20240301-001", "date": date(2024, 3, 2), "reason": "P2 工单", "owner": "吴工",
     "due_date": date(2024, 5, 20), "status": "待复盘", "faq_updated": "否"},
]


def write_rows(engine: FileEngine, sheet_key: str, records: list[dict]) -> None:
    book = engine.read()
    table = find_table(book, sheet_key)
    changes = ChangeSet()
    for i, record in enumerate(records):
        for key, value in record.items():
            changes.set(table.name, table.end_row + i, table.columns[key], value)
    engine.apply(changes)


def make_tracker(folder: Path, faq: list[dict] = ()) -> Path:
    """The tracker file with the live tickets, the Log, Reviews (and FAQ rows), and two archive months."""
    path = folder / "工单跟踪.xlsx"
    build_template(path, "zh")
    engine = FileEngine(path)
    write_rows(engine, "tickets", [T[k] for k in LIVE])
    write_rows(engine, "log", [row for row in LOG if row["ticket_no"] in {T[k]["ticket_no"] for k in LIVE}])
    write_rows(engine, "reviews", REVIEWS)
    if faq:
        write_rows(engine, "faq", list(faq))
    for month, keys in ARCHIVED.items():
        write_month(folder / "archive" / month, month, [T[k] for k in keys],
                    [row for row in LOG if row["ticket_no"] in {T[k]["ticket_no"] for k in keys}])
    return path


def write_month(folder: Path, month: str, tickets: list[dict], log: list[dict]) -> None:
    """An archive month as the archive command leaves it: the workbook and a manifest naming it."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"工单归档_{month}.xlsx"
    write_archive(folder / name, month, "zh", _rows(schema.TICKET_COLUMNS, tickets), _rows(schema.LOG_COLUMNS, log))
    manifest = {"month": month, "file": name, "tickets": sorted(t["ticket_no"] for t in tickets)}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _rows(columns, records: list[dict]) -> ArchiveRows:
    return ArchiveRows([c.header("zh") for c in columns], [[r.get(c.key) for c in columns] for r in records])
