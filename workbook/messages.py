"""User-facing texts in Chinese and English, one catalog. ``say(key, lang, **values)``."""

from __future__ import annotations

from .schema import Label

CATALOG: dict[str, Label] = {
    # check findings, keyed by rule
    "required": Label("必填项「{header}」为空", "required field '{header}' is empty"),
    "date": Label("「{header}」不是有效时间：{value!r}（应为 2024-05-20 14:30）",
                  "'{header}' is not a date-time: {value!r} (expected e.g. 2024-05-20 14:30)"),
    "future_date": Label("「{header}」在未来：{value}（现在 {now}）", "'{header}' is in the future: {value} (now {now})"),
    "priority": Label("优先级应为 P1–P4，实际为 {value!r}", "priority must be P1–P4, found {value!r}"),
    "status": Label("状态无效：{value!r}（可选：{allowed}）", "unknown status {value!r} (allowed: {allowed})"),
    "number_format": Label("工单编号格式应为 YYYYMMDD-NNN，实际为 {value!r}",
                           "ticket number must look like YYYYMMDD-NNN, found {value!r}"),
    "duplicate_number": Label("工单编号 {value} 重复（另见 {other}）", "duplicate ticket number {value} (also at {other})"),
    "time_order": Label("「{header}」({value}) 早于「{before}」({other})", "'{header}' ({value}) is before '{before}' ({other})"),
    "closed_without_summary": Label("已关闭的工单缺少「处理总结」", "closed ticket has no Summary"),
    "closed_without_resolution": Label("已关闭的工单缺少「解决时间」", "closed ticket has no Resolved At time"),
    "backup_required": Label("{priority} 工单解决前必须完成备份（「已备份」为“是”）",
                             "{priority} tickets need Backup Done = Yes before they are resolved"),
    "satisfaction": Label("满意度应为 1–5 的整数，实际为 {value!r}", "satisfaction must be a whole number 1–5, found {value!r}"),
    "rating_without_confirmation": Label("有满意度评分但没有「处理结果确认」",
                                         "satisfaction given without a Reporter Confirmation"),
    "lead_department": Label("指定了供应商接口人的跨部门工单必须填写「主责部门」",
                             "a ticket with a vendor contact must name the Lead Department"),
    "calendar": Label("{text}", "{text}"),
    # files
    "exists": Label("{path} 已存在；如需覆盖请加 --force", "{path} exists; pass --force to overwrite it"),
    "suffix": Label("{path}：文件名须以 .xlsx 或 .xlsm 结尾", "{path}: the file name must end in .xlsx or .xlsm"),
    # summaries
    "numbered": Label("新编号 {count} 个：{numbers}", "numbered {count}: {numbers}"),
    "overdue": Label("超时 {count} 个", "overdue: {count}"),
    "at_risk": Label("预警 {count} 个", "at risk: {count}"),
    "logged": Label("记录状态变更 {count} 条", "status changes logged: {count}"),
    "warnings": Label("另有 {count} 个问题，运行 track-xls check 查看", "{count} other problem(s): run track-xls check"),
    "written": Label("已写入 {path}（{cells} 个单元格）", "wrote {path} ({cells} cells)"),
    "dry_run": Label("预演：以下更改不会写入", "dry run: these changes are not written"),
    "no_changes": Label("没有需要更改的内容", "nothing to change"),
    "refresh_blocked": Label("发现 {count} 个必须先修正的问题，未写入任何内容：",
                             "{count} problem(s) must be fixed first; nothing was written:"),
    "check_ok": Label("未发现问题（{count} 个工单）", "no problems found ({count} tickets)"),
    "check_found": Label("{errors} 个错误，{warnings} 个提醒", "{errors} error(s), {warnings} warning(s)"),
}


def say(key: str, lang: str, **values: object) -> str:
    return CATALOG[key](lang).format(**values)
