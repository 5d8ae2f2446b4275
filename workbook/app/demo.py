"""A realistic demo tracker: a few hundred tickets over several months, then a refresh.

The tickets are generated as plain values (:func:`demo_rows`), written into a fresh template
through the file engine (so the demo exercises the same write path as every command), then
refreshed.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

from ..core import schema
from ..core.book import find_table
from ..core.changeset import ChangeSet
from ..xlsx.file_engine import FileEngine
from ..core.log import status_change_text
from ..core.messages import say
from ..core.refresh import Refresh, run_refresh
from ..core.numbering import assign_numbers
from ..core.settings import LISTS, defaults, local_now

MODULES = {
    "zh": ["销售模块V3.2", "会议室A打印机", "OA系统", "ERP财务模块", "VPN网关", "邮件服务器", "前台电脑",
           "CRM客户管理V2.1", "考勤机", "数据库服务器"],
    "en": ["Sales module v3.2", "Meeting room A printer", "Office automation", "ERP finance", "VPN gateway",
           "Mail server", "Front-desk PC", "CRM v2.1", "Time clock", "Database server"],
}
PROBLEMS = {
    "zh": [("登录时提示“验证码错误”，刷新后无效", "无法下单，销售流程停滞", "验证码服务缓存失效；清理缓存并重启服务"),
           ("打印机显示“纸张卡住”，但无异物", "仅影响单台设备，不影响整体办公", "进纸传感器脏污；清洁后恢复"),
           ("页面打开很慢，经常超时", "部门内多人受影响", "数据库索引失效；重建索引"),
           ("无法连接 VPN", "出差人员无法访问内网", "证书过期；更新证书"),
           ("收不到外部邮件", "全公司对外沟通受影响", "反垃圾规则误拦截；调整规则"),
           ("报表导出为空白", "月结报表延迟", "导出模板路径配置错误；修正配置")],
    "en": [("Login says 'wrong captcha', refreshing does not help", "Orders cannot be placed", "Captcha cache stale; cleared and restarted"),
           ("Printer reports a paper jam but nothing is stuck", "One device only", "Dirty feed sensor; cleaned"),
           ("Pages load slowly and time out", "Several people in the team", "Broken database index; rebuilt"),
           ("Cannot connect to the VPN", "Travelling staff cannot reach the intranet", "Expired certificate; renewed"),
           ("External mail does not arrive", "Company-wide external mail", "Spam rule too strict; adjusted"),
           ("Report export is blank", "Month-end reports delayed", "Wrong template path; corrected")],
}
PEOPLE = {"zh": ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强"],
          "en": ["Wei Zhang", "Fang Wang", "Na Li", "Yang Liu", "Jing Chen", "Lei Yang", "Min Zhao", "Qiang Huang"]}
ENGINEERS = {"zh": ["周工", "吴工", "郑工", "孙工"], "en": ["Zhou", "Wu", "Zheng", "Sun"]}
PRIORITY_WEIGHTS = {"P1": 5, "P2": 15, "P3": 50, "P4": 30}


def make_demo(directory: Path, lang: str, count: int, now: datetime | None = None) -> list[str]:
    """Write a tracker into ``directory``, refresh it, archive the months before this one and
    write last month's report; return lines saying what was made and where."""
    from .archive_store import run_archive
    from ..app.report_run import make_report
    from ..author.report_book import default_path, write_report

    now = now or local_now(defaults())
    path, refreshed = make_demo_tracker(directory, lang, count, now)
    lines = [say("demo_folder", lang, folder=path.parent.resolve()),
             say("demo_tracker", lang, path=path, count=count), *("  " + line for line in refreshed.summary(lang))]
    _, archived = run_archive(path, all_before=f"{now:%Y-%m}", now=now)
    for month in archived.plan.months:
        lines.append(say("demo_archived", lang, month=month.month, count=len(month.numbers),
                         file=path.parent / month.file))
    last_month = f"{(now.replace(day=1) - timedelta(days=1)):%Y-%m}"
    report = make_report(path, last_month, now)
    target = default_path(path, last_month, lang)
    write_report(report, target)
    lines.append(say("demo_report", lang, month=last_month, path=target))
    lines.append(say("demo_open_first", lang, path=path.resolve()))
    return lines


def make_demo_tracker(directory: Path, lang: str, count: int, now: datetime) -> tuple[Path, Refresh]:
    """A refreshed tracker of ``count`` tickets in ``directory``: its path and the refresh."""
    from ..author.template import build_template

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / ("工单跟踪.xlsx" if lang == "zh" else "tracker.xlsx")
    build_template(path, lang)
    engine = FileEngine(path)
    tickets, log = demo_rows(count, now, lang)
    engine.apply(_rows_change_set(engine, tickets, log))
    _, refreshed = run_refresh(engine, now)
    return path, refreshed


def demo_rows(count: int, now: datetime, lang: str, seed: int = 7) -> tuple[list[dict], list[dict]]:
    """(ticket rows, log rows) keyed by schema column keys, reported over the four months before now."""
    rng = random.Random(seed)
    start = now - timedelta(days=120)
    tickets, log = [], []
    for i in range(count):
        reported = min(_reported_time(rng, start + (now - start) * i / count),
                       now - timedelta(minutes=rng.randint(5, 90)))
        ticket, events = _ticket(rng, reported, now, lang)
        tickets.append(ticket)
        log.extend(events)
    return tickets, log


def _reported_time(rng: random.Random, around: datetime) -> datetime:
    day = around.replace(hour=0, minute=0, second=0, microsecond=0)
    if rng.random() < 0.85:  # most tickets come in during office hours
        return day + timedelta(hours=rng.randint(9, 17), minutes=rng.randint(0, 59))
    return day + timedelta(hours=rng.choice([7, 8, 19, 20, 22]), minutes=rng.randint(0, 59))


def _ticket(rng: random.Random, reported: datetime, now: datetime, lang: str) -> tuple[dict, list[dict]]:
    priority = rng.choices(list(PRIORITY_WEIGHTS), weights=list(PRIORITY_WEIGHTS.values()))[0]
    description, impact, summary = rng.choice(PROBLEMS[lang])
    age = now - reported
    scale = {"P1": 1, "P2": 3, "P3": 12, "P4": 30}[priority]
    late = rng.random() < 0.12  # some tickets miss their targets
    steps = [timedelta(minutes=rng.randint(2, 12) * scale * (4 if late else 1)) for _ in range(4)]
    responded, assigned = reported + steps[0], reported + steps[0] + steps[1]
    resolved = assigned + steps[2] * rng.randint(3, 10)
    closed = resolved + timedelta(hours=rng.randint(1, 30))
    row = {
        "reported_at": reported, "reporter": rng.choice(PEOPLE[lang]),
        "department": rng.choice([d(lang) for d in LISTS["department"][1]]),
        "contact": f"1{rng.randint(3, 9)}{rng.randint(100000000, 999999999)}",
        "channel": rng.choice(schema.CHANNELS)(lang), "module": rng.choice(MODULES[lang]),
        "category": rng.choice(schema.CATEGORIES)(lang), "description": description, "impact": impact,
        "priority": priority,
    }
    events: list[dict] = []
    status = "new"

    def move(to: str, when: datetime) -> None:
        nonlocal status
        events.append(_event(row, when, "status_change", status_change_text(status, to, lang), lang))
        status = to

    # Old tickets have run their course; recent ones may still be stuck at any step.
    stalls = age < timedelta(days=8)
    if responded < now:
        row["first_response_at"] = responded
    if assigned >= now:
        row["status"] = schema.STATUSES[status](lang)
        return row, events
    row |= {"assignee": rng.choice(ENGINEERS[lang]), "assigned_at": assigned}
    move("assigned", assigned)
    started = assigned + steps[3]
    if started >= now or (stalls and rng.random() < 0.3):
        row["status"] = schema.STATUSES[status](lang)
        return row, events
    move("in_progress", started)
    row["last_update_at"] = started
    events.append(_event(row, started, "update", "已定位原因，正在处理" if lang == "zh" else "Cause found, fixing", lang))
    if resolved >= now or (stalls and rng.random() < 0.3):
        if stalls and rng.random() < 0.4:
            move("waiting", started + timedelta(minutes=30))
        row["status"] = schema.STATUSES[status](lang)
        return row, events
    row |= {"resolved_at": resolved, "backup_done": schema.YES(lang), "summary": summary,
            "verification": rng.choice(schema.VERIFICATIONS)(lang)}
    move("resolved", resolved)
    if closed < now:
        row |= {"closed_at": closed, "confirmation": "已测试，问题解决" if lang == "zh" else "Tested, fixed",
                "satisfaction": rng.choice([3, 4, 4, 5, 5, 5])}
        move("closed", closed)
    row["status"] = schema.STATUSES[status](lang)
    return row, events


def _event(row: dict, when: datetime, kind: str, text: str, lang: str) -> dict:
    # Log rows name their ticket by reported time until refresh has numbered it: see _rows_change_set.
    return {"ticket": row, "time": when, "author": row.get("assignee", ""),
            "kind": schema.LOG_KINDS[kind](lang), "text": text}


def _rows_change_set(engine: FileEngine, tickets: list[dict], log: list[dict]) -> ChangeSet:
    """Write the generated rows. Tickets with Log rows are numbered here so the Log can name
    them; the others (brand-new ones) are left for refresh to number, as an agent's typed rows are."""
    book = engine.read()
    table, log_table = find_table(book, "tickets"), find_table(book, "log")
    logged = {id(event["ticket"]) for event in log}
    numbers = assign_numbers([(i, t["reported_at"]) for i, t in enumerate(tickets) if id(t) in logged], ())
    changes = ChangeSet()
    for i, ticket in enumerate(tickets):
        if i in numbers:
            ticket["ticket_no"] = numbers[i]
        for key, value in ticket.items():
            changes.set(table.name, table.first_row + i, table.columns[key], value)
    for i, event in enumerate(sorted(log, key=lambda e: e["time"])):
        values = {"ticket_no": event["ticket"]["ticket_no"], "time": event["time"], "author": event["author"],
                  "kind": event["kind"], "text": event["text"]}
        for key, value in values.items():
            changes.set(log_table.name, log_table.first_row + i, log_table.columns[key], value)
    return changes
