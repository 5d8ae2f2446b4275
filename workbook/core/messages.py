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
    "choice": Label("「{header}」不在列表中：{value!r}（可选：{allowed}；或先加到「设置」表的列表里）",
                    "'{header}' is not in its list: {value!r} (allowed: {allowed}; or add it to the Settings list)"),
    "calendar": Label("{text}", "{text}"),
    # files
    "exists": Label("{path} 已存在；如需覆盖请加 --force", "{path} exists; pass --force to overwrite it"),
    "suffix": Label("{path}：文件名须以 .xlsx 或 .xlsm 结尾", "{path}: the file name must end in .xlsx or .xlsm"),
    # files held by someone else, or that cannot be written (workbook.xlsx.safe_write, workbook.xlsx.file_engine)
    "open_in_app": Label("{name} 正在 {app} 中打开（存在 {lock}）：请在 {app} 中关闭后重试（若 {app} 并未运行，可删除 {lock}）",
                         "{name} is open in {app} ({lock} exists): close it there and run the command again "
                         "(delete {lock} if {app} is not running)"),
    "cannot_lock": Label("无法加锁写入（{reason}）；文件夹可写吗？", "cannot lock it for writing ({reason}); is the folder writable?"),
    "changed_since_read": Label("{name} 在读取后被其他程序修改（另存过？）；请重新运行命令",
                                "{name} changed since it was read (saved by another program?); run the command again"),
    "changed_while_writing": Label("{name} 在写入期间被其他程序修改；未写入任何内容，请重新运行命令",
                                   "{name} was changed by another program while track-xls was writing it; "
                                   "nothing was written, run the command again"),
    "busy": Label("{name} 正被另一个 track-xls 命令使用（已等待 {seconds} 秒）；请待其结束后重试",
                  "{name} is busy: another track-xls command has been using it for {seconds} s; "
                  "run this one again when it is done"),
    "not_written": Label("无法写入（{reason}）；原文件未改动", "could not be written ({reason}); it is unchanged"),
    # files that are not safe, ordinary workbooks (workbook.xlsx.safety)
    "unreadable": Label("无法读取（{reason}）", "cannot be read ({reason})"),
    "no_file": Label("文件不存在", "no such file"),
    "is_directory": Label("这是一个文件夹，不是工作簿", "is a folder, not a workbook"),
    "kind_empty": Label("文件为空（0 字节）", "the file is empty (0 bytes)"),
    "kind_encrypted": Label("工作簿有打开密码（已加密）；请在 Excel 中取消密码后另存",
                            "the workbook is password-protected (encrypted); remove the password in Excel and save it again"),
    "kind_xls": Label("这是旧版 .xls 工作簿；请在 Excel 中另存为 .xlsx（或用 track-xls import 导入）",
                      "this is an old .xls workbook; save it as .xlsx in Excel (or bring it in with track-xls import)"),
    "kind_ods": Label("这是 OpenDocument (.ods) 表格；请另存为 .xlsx", "this is an OpenDocument (.ods) spreadsheet; save it as .xlsx"),
    "kind_zip": Label("这是 zip 压缩包，但不是 Excel 工作簿", "this is a zip package but not an Excel workbook"),
    "kind_text": Label("这是文本文件（如 CSV），不是 .xlsx 工作簿；可用 track-xls import 导入",
                       "this is a text file (e.g. CSV), not an .xlsx workbook; bring it in with track-xls import"),
    "kind_unknown": Label("不是 Excel 工作簿", "not an Excel workbook"),
    "corrupt": Label("文件已损坏或不完整（{reason}）", "the file is damaged or incomplete ({reason})"),
    "too_big": Label("解压后 {size}，超过上限 {limit}", "inflates to {size}, over the {limit} limit"),
    "zip_bomb": Label("{packed} 解压为 {size}，疑似压缩炸弹，拒绝读取",
                      "{packed} inflates to {size}: looks like a zip bomb, refused"),
    "doctype": Label("XML 含有 DOCTYPE/实体声明（Excel 从不写入），拒绝读取",
                     "XML holds a DOCTYPE/entity declaration (Excel never writes one), refused"),
    "too_many_rows": Label("工作表用到第 {row} 行，超过上限 {limit} 行；请删除表格下方的空行或零散单元格（Ctrl+End 可定位）",
                           "the sheet reaches row {row}, over the {limit}-row limit; delete the stray cells or rows "
                           "below the table (Ctrl+End finds them)"),
    "huge_negative": Label("单元格 {cell} 的值 {value} 远小于任何日期，读取程序会因此崩溃；请清除或改正",
                           "cell {cell} holds {value}, far below any date, which crashes the reader; clear or fix it"),
    "too_wide": Label("工作表用到 {column} 列、第 {row} 行，读取时要展开的单元格过多；请删除右侧或下方零散的单元格（Ctrl+End 可定位）",
                      "the sheet reaches column {column} on {row} rows, too many cells to lay out; delete the stray "
                      "cells to the right or below (Ctrl+End finds them)"),
    "encoding": Label("文本编码无法识别（应为 UTF-8 或 GBK/GB18030）", "unknown text encoding (expected UTF-8 or GBK/GB18030)"),
    # import (workbook.core.importer, workbook.app.import_run)
    "import_map_syntax": Label("应为「源表列名 = 工单列」", "expected 'source header = ticket column'"),
    "import_map_target": Label("{target!r} 不是工单表的可填列（可写列键如 reported_at、中英文列名，或 - 表示忽略）",
                               "{target!r} is not a ticket column one can fill (use a key such as reported_at, "
                               "a zh/en header, or - to drop the column)"),
    "import_no_header": Label("前 10 行中找不到表头（例如 报修时间、优先级）；请用 --map 指定列对应",
                              "no header row in the first 10 rows (e.g. Reported At, Priority); name the columns with --map"),
    "import_missing": Label("源表缺少必需的列 {names}；请用 --map 指定对应的列",
                            "the source has no column for {names}; name it with --map"),
    "import_no_sheet": Label("源表中没有工作表 {sheet!r}（有：{sheets}）", "the source has no sheet {sheet!r} (it has: {sheets})"),
    "import_source_row": Label("源表第 {row} 行", "source row {row}"),
    "import_too_long": Label("「{header}」有 {length} 个字符，超过 Excel 单元格上限 {limit}",
                             "'{header}' holds {length} characters, over Excel's {limit}-character cell limit"),
    "import_already": Label("该工单已在跟踪表中（{other}，报修时间、报修人、描述均相同）",
                            "already in the tracker at {other} (same reported time, reporter and description)"),
    "import_created": Label("已新建跟踪表 {path}", "created tracker {path}"),
    "import_columns": Label("列对应：{pairs}", "columns: {pairs}"),
    "import_unused": Label("未导入的列：{names}", "columns not imported: {names}"),
    "import_taken": Label("可导入 {count} 行", "rows taken: {count}"),
    "import_rejected": Label("无法导入 {count} 行：", "rows rejected: {count}"),
    "import_row": Label("第 {row} 行：{reason}", "row {row}: {reason}"),
    "import_not_written": Label("有无法导入的行，未写入任何内容；修正源表后重新导入，或加 --skip-rejected 只导入其余行",
                                "some rows were rejected, so nothing was written; fix them in the source and import "
                                "again, or pass --skip-rejected to take the rest"),
    # demo
    "demo_folder": Label("演示文件已写入 {folder}：", "demo files written to {folder}:"),
    "demo_open_first": Label("先打开 {path}：「看板」表看全局，「工单」表逐行处理；再试 track-xls new / assign / refresh。",
                             "open {path} first: the Dashboard sheet for the overview, the Tickets sheet row by row; "
                             "then try track-xls new / assign / refresh."),
    "demo_tracker": Label("工单跟踪表：{path}（{count} 个工单，已刷新）", "tracker: {path} ({count} tickets, refreshed)"),
    "demo_archived": Label("归档 {month}：{count} 个已关闭工单 → {file}", "archived {month}: {count} closed tickets -> {file}"),
    "demo_report": Label("{month} 月度报告：{path}", "report for {month}: {path}"),
    # usage errors (workbook.cli.console): click's, told in the user's language
    "usage_usage": Label("用法：", "Usage:"),
    "usage_help": Label("运行 '{command} -h' 查看用法。", "Try '{command} -h' for help."),
    "usage_error": Label("用法错误：{detail}", "Error: {detail}"),
    "usage_missing": Label("缺少 {name}", "missing {name}"),
    "usage_no_option": Label("没有选项 {name}", "no such option: {name}"),
    "usage_did_you_mean": Label("（是否想用 {names}？）", " (did you mean {names}?)"),
    "usage_no_command": Label("没有命令 {name!r}", "no such command {name!r}"),
    "usage_choice": Label("{name} 应为以下之一：{allowed}", "{name} must be one of: {allowed}"),
    "usage_bad_value": Label("{name} 的值无效", "invalid value for {name}"),
    "usage_extra": Label("多余的参数：{args}", "unexpected extra argument(s): {args}"),
    "usage_word": Label("无法识别 {value!r}；可用：{allowed}", "{value!r} is not known; use one of: {allowed}"),
    "usage_time": Label("{value!r} 不是时间（例如 2024-05-20 14:30 或 2024/5/20 9:30）",
                        "{value!r} is not a time (e.g. 2024-05-20 14:30 or 2024/5/20 9:30)"),
    "usage_aborted": Label("已取消", "Aborted"),
    # backups (workbook.app.backups)
    "backups_none": Label("{path} 还没有备份（每次写入前的版本会保存在 .track-xls-backups/）",
                          "{path} has no backups yet (each write keeps the previous version in .track-xls-backups/)"),
    "backups_header": Label("{count} 个备份，最新的在前（{folder}）：", "{count} backup(s), newest first ({folder}):"),
    "backups_hint": Label("恢复：track-xls restore {path} <编号>", "to restore: track-xls restore {path} <number>"),
    "backup_unknown": Label("没有备份 {which!r}（见 track-xls backups；备份在 {folder}）",
                            "no backup {which!r} (see track-xls backups; backups are in {folder})"),
    "restored": Label("已用备份 {backup} 恢复 {path}", "restored {path} from {backup}"),
    "restored_kept": Label("恢复前的文件已保存为备份 {backup}（可用它再恢复回来）",
                           "the file as it was is kept as backup {backup} (restore it to undo)"),
    # summaries
    "numbered": Label("新编号 {count} 个：{numbers}", "numbered {count}: {numbers}"),
    "overdue": Label("超时 {count} 个", "overdue: {count}"),
    "at_risk": Label("预警 {count} 个", "at risk: {count}"),
    "logged": Label("记录状态变更 {count} 条", "status changes logged: {count}"),
    "needs_fix": Label("待补全 {count} 个（SLA状态列标出，原因见「待修正问题」列）",
                       "needs fix: {count} (marked in SLA State, reasons in the Problems column)"),
    "fixed": Label("规范写法 {count} 处（如“高”→P2、文本日期→日期）", "values made right: {count} (e.g. 'high' -> P2, text dates -> dates)"),
    "fixed_one": Label("规范写法", "made right"),
    "row_problems": Label("{count} 个单元格有问题（其余各行照常计算）：",
                          "{count} cell problem(s) (every other row was computed):"),
    "written": Label("已写入 {path}（{cells} 个单元格）", "wrote {path} ({cells} cells)"),
    "dry_run": Label("预演：以下更改不会写入", "dry run: these changes are not written"),
    "no_changes": Label("没有需要更改的内容", "nothing to change"),
    "check_ok": Label("未发现问题（{count} 个工单）", "no problems found ({count} tickets)"),
    "check_found": Label("{errors} 个错误，{warnings} 个提醒", "{errors} error(s), {warnings} warning(s)"),
    # lifecycle steps (workbook.core.lifecycle): refusals name the ticket and the rule
    "step_missing": Label("找不到工单 {number}", "no ticket numbered {number}"),
    "step_blocked": Label("工单 {number} 有必须先修正的问题：{problems}",
                          "ticket {number} has problems to fix first: {problems}"),
    "step_rejected": Label("工单 {number}：此步骤会违反规则，未写入：{problems}",
                           "ticket {number}: this step would break a rule, nothing written: {problems}"),
    "step_no_column": Label("工单表缺少「{header}」列，无法记录此步骤", "the Tickets sheet has no '{header}' column for this step"),
    "step_done": Label("工单 {number} 已是「{status}」，不能{step}；如问题复现，请先 track-xls reopen",
                       "ticket {number} is {status}: cannot {step} it; if the problem is back, run track-xls reopen first"),
    "step_not_done": Label("工单 {number} 是「{status}」，尚未解决，不能{step}；请先 track-xls resolve",
                           "ticket {number} is {status}, not resolved: cannot {step} it; run track-xls resolve first"),
    "step_unassigned": Label("工单 {number} 尚未分派负责人，不能{step}；请先 track-xls assign",
                             "ticket {number} has no assignee: cannot {step} it; run track-xls assign first"),
    "step_backup": Label("工单 {number} 为 {priority}，{step}前必须完成备份：请先备份，再加 --backup-done",
                         "ticket {number} is {priority}: back up before you {step} it, then pass --backup-done"),
    "step_summary": Label("工单 {number} 没有处理总结（原因 / 处理方法），不能{step}；请加 --summary",
                          "ticket {number} has no summary (cause / fix): cannot {step} it; pass --summary"),
    "step_vendor_lead": Label("工单 {number} 有供应商接口人 {vendor}，属跨部门处理，须用 --lead-dept 指明主责部门",
                              "ticket {number} has a vendor contact ({vendor}), so it is cross-department: "
                              "name the lead department with --lead-dept"),
    "step_same": Label("工单 {number} 已是「{status}」", "ticket {number} is already {status}"),
    "step_log_kind": Label("日志类型 {kind!r} 无效（可选：{allowed}）；状态变更请用 track-xls status",
                           "log kind {kind!r} is not one of {allowed}; change a status with track-xls status"),
    "step_empty_log": Label("工单 {number}：日志内容为空", "ticket {number}: the log text is empty"),
    "step_choice": Label("「{header}」的值 {value!r} 不在下拉列表中（可选：{allowed}）",
                         "'{header}' value {value!r} is not in its drop-down list ({allowed})"),
    "step_ok": Label("工单 {number}：{status}", "ticket {number}: {status}"),
    "reason": Label("原因", "reason"),
    "verb_assign": Label("分派", "assign"),
    "verb_waiting": Label("改为等待报修人", "set waiting for reporter on"),
    "verb_in_progress": Label("改为处理中", "set in progress"),
    "verb_reopen": Label("重新打开", "reopen"),
    "verb_resolve": Label("解决", "resolve"),
    "verb_confirm": Label("确认处理结果", "confirm"),
    "verb_close": Label("关闭", "close"),
    "verb_notify": Label("发送此通知", "send this notice for"),
    # lifecycle texts written into the workbook (its language)
    "note_assignee": Label("负责人 {assignee}", "assignee {assignee}"),
    "note_lead": Label("；主责部门 {lead}", "; lead department {lead}"),
    "note_reopen": Label("重新打开：{reason}", "reopened: {reason}"),
    "log_reassigned": Label("改派：{note}（原负责人 {old}）", "reassigned: {note} (was {old})"),
    "log_vendor": Label("已通知供应商接口人 {vendor}：工单 {number}（{priority}，{module}）{description}",
                        "vendor contact {vendor} notified: ticket {number} ({priority}, {module}) {description}"),
    "confirmation_cell": Label("{by}：{text}", "{by}: {text}"),
    "log_confirmed": Label("报修人 {by} 确认：{text}", "reporter {by} confirmed: {text}"),
    "log_rating": Label("（满意度 {rating}/5）", " (satisfaction {rating}/5)"),
    # notifications (workbook.core.notify)
    "notice_missing": Label("找不到通知模板 {name}（已查找：{places}）", "no notification template {name} (looked in: {places})"),
    "notice_kind": Label("通知模板 {path} 中没有 [{kind}] 段", "notification template {path} has no [{kind}] section"),
    "notice_field": Label("通知模板 {path} 的 [{kind}] 段有未知占位符 {{{field}}}（可用：{allowed}）",
                          "notification template {path}, section [{kind}]: unknown placeholder {{{field}}} "
                          "(known: {allowed})"),
    "notice_logged": Label("已记入进展日志（通知）", "logged as a notification"),
    # the macro workbook and its buttons (workbook.live.macro, workbook.button)
    "use_button": Label("工作簿在 Excel 中打开时：宏工作簿（.xlsm）请直接点「看板」表上的「刷新」按钮；"
                        "否则请保存并关闭后再运行此命令（track-xls macro install 可生成带按钮的 .xlsm）。",
                        "While the workbook is open in Excel, press Refresh on its Dashboard sheet if it is the "
                        ".xlsm macro workbook; otherwise save and close it and run this command again "
                        "(track-xls macro install makes an .xlsm with the buttons)."),
    "needs_xlwings": Label("需要 xlwings：pip install \"track-xls[live]\"",
                           "xlwings is needed: pip install \"track-xls[live]\""),
    "macro_suffix": Label("{path}：宏工作簿的文件名须以 .xlsm 结尾", "{path}: a macro workbook's name must end in .xlsm"),
    "macro_has_vba": Label("{path} 已含 VBA 项目，不覆盖：请在 Excel 中手工导入 scripts/track_xls_buttons.bas（见 README）",
                           "{path} already holds a VBA project, which is left alone: import "
                           "scripts/track_xls_buttons.bas in Excel instead (see the README)"),
    "macro_made": Label("已生成 {path}：按钮 刷新 / 检查 / 归档 在「看板」表（启用方法见 README）",
                        "made {path}: Refresh / Check / Archive buttons on the Dashboard sheet (see the README "
                        "to enable them)"),
    "button_title": Label("工单跟踪", "Ticket tracker"),
    "button_running": Label("track-xls：正在{action}…", "track-xls: {action}…"),
    "button_unsaved": Label("本工作簿的更改尚未保存：请按 Ctrl+S 保存。", "The workbook is changed but not saved: press Ctrl+S."),
    "button_more": Label("……另有 {count} 条，运行 track-xls check 查看全部", "… {count} more: run track-xls check"),
    "archive_preview": Label("{month}：{count} 个已关闭工单可归档（track-xls archive --month {month}）",
                             "{month}: {count} closed ticket(s) to archive (track-xls archive --month {month})"),
    "archive_none": Label("没有可归档的已关闭工单", "no closed tickets to archive"),
    "archive_how": Label("归档会写入归档文件并从本表移除这些工单，所以在保存的文件上进行：保存并关闭本工作簿，"
                         "然后运行 track-xls archive（或双击 scripts 中的归档启动器）。",
                         "Archiving writes the archive files and removes these rows, so it runs on the saved "
                         "file: save and close this workbook, then run track-xls archive (or double-click the "
                         "archive launcher in scripts/)."),
    # archive (workbook.core.archive, workbook.app.archive_store)
    "archive_moved": Label("{month}：{count} 个工单已移入 {file}", "{month}: {count} ticket(s) moved to {file}"),
    "archive_would_move": Label("{month}：将把 {count} 个工单移入 {file}：{numbers}",
                                "{month}: would move {count} ticket(s) to {file}: {numbers}"),
    "archive_nothing": Label("没有需要归档的已关闭工单", "no closed tickets to archive"),
    "archive_completed": Label("已完成上次中断的归档", "finished the archive run that was interrupted"),
    "archive_rolled_back": Label("已撤销上次中断的归档（工单表未改动）",
                                 "rolled back the archive run that was interrupted (the tracker was not changed)"),
    "archive_pending": Label("上次归档在「{phase}」阶段中断，下次运行时会先完成或撤销它",
                             "an archive run was interrupted at phase '{phase}'; the next run finishes or rolls it back first"),
    "archive_no_closed_at": Label("{cell}：已关闭但没有「关闭时间」，未归档（请先运行 track-xls refresh）",
                                  "{cell}: closed but has no Closed At time; not archived (run track-xls refresh first)"),
    "archive_no_number": Label("{cell}：已关闭但没有工单编号，未归档（请先运行 track-xls refresh）",
                               "{cell}: closed but has no ticket number; not archived (run track-xls refresh first)"),
    "archive_duplicate": Label("{cell}：工单编号 {number} 出现多次，未归档（运行 track-xls check 查看）",
                               "{cell}: ticket number {number} appears more than once; not archived (see track-xls check)"),
    "archive_already": Label("{cell}：工单 {number} 已在「归档索引」中，不再重复归档；请删除这一重复行",
                             "{cell}: ticket {number} is already in the Archive Index; not archived again "
                             "(delete this duplicate row)"),
    "archive_unknown": Label("{path} 已存在但没有 manifest.json（不是 track-xls 写的归档？）；未移动任何工单。"
                             "请把它移走后重试",
                             "{path} exists without a manifest.json (not an archive track-xls wrote?); nothing was "
                             "moved. Move it aside and run again"),
    "archive_missing": Label("manifest.json 记录的 {path} 不存在；未移动任何工单。请从备份恢复该文件",
                             "{path}, recorded in manifest.json, is missing; nothing was moved. Restore it from a backup"),
    "archive_edited": Label("{path} 在归档后被手工修改过（sha256 与 manifest.json 不符）；未移动任何工单。"
                            "请从备份恢复原文件，或把该月文件夹整个移走后重试",
                            "{path} was edited after it was archived (its sha256 differs from manifest.json); "
                            "nothing was moved. Restore the file from a backup, or move the month's folder aside "
                            "and run again"),
    "archive_lost": Label("{path}：中断的归档写好的文件不见了（临时文件和正式文件都与记录不符）；工单表未改动。"
                          "请从备份恢复该文件夹，或删除 .journal.json 放弃那次归档",
                          "{path}: the file an interrupted archive run wrote is gone (neither the temp file nor the "
                          "file matches the journal); the tracker was not changed. Restore the folder from a "
                          "backup, or delete .journal.json to abandon that run"),
    "archive_not_writable": Label("归档文件夹 {path} 无法写入（{reason}）；未移动任何工单",
                                  "archive folder {path} is not writable ({reason}); nothing was moved"),
    "archive_journal_other": Label("{path} 记录着工作簿 {source} 一次中断的归档；请先对那个工作簿运行 track-xls archive",
                                   "{path} holds an interrupted archive run of {source}; run track-xls archive on "
                                   "that workbook first"),
    "archive_progress": Label("归档", "Archiving"),
    "archive_unfinished": Label("{reason}。归档文件已写好，工单尚未从本表移除：处理上述问题后再次运行 track-xls archive 即可完成",
                                "{reason}. The archive files are written but the tickets are still in the tracker: "
                                "fix that and run track-xls archive again to finish"),
    "archive_bad_json": Label("{path} 无法读取（{reason}）；未移动任何工单。请从备份恢复该文件",
                              "{path} cannot be read ({reason}); nothing was moved. Restore it from a backup"),
    "prune_none": Label("没有超过保留期（{months} 个月）的归档", "no archive is older than the retention ({months} months)"),
    "prune_would": Label("以下归档已超过保留期（{months} 个月）；加 --yes 才会删除：",
                         "these archives are older than the retention ({months} months); pass --yes to remove them:"),
    "prune_removed": Label("已删除 {path}", "removed {path}"),
    "prune_kept": Label("{path}：归档已删除，文件夹里还有其他文件，予以保留",
                        "{path}: archive removed; the folder holds other files and stays"),
    # report and review
    "report_written": Label("已写入 {month} 月度报告：{path}", "wrote the {month} report: {path}"),
    "review_found": Label("需要复盘 {count} 项（已登记为待复盘，截止 {due}）：",
                          "{count} review(s) needed (recorded as pending, due {due}):"),
    "review_would": Label("需要复盘 {count} 项（截止 {due}）：", "{count} review(s) needed (due {due}):"),
    "review_line": Label("  {tickets}：{reason}（负责人：{owner}）", "  {tickets}: {reason} (owner: {owner})"),
    "review_none": Label("没有新的需要复盘的工单", "no new reviews needed"),
    "review_flagged": Label("需复盘标记：{count} 个工单", "marked Review Needed: {count} ticket(s)"),
    "faq_changes": Label("常见问题手册：新增 {added} 条，更新 {updated} 条", "FAQ: {added} added, {updated} updated"),
    "faq_skipped": Label("「{symptom}」未写入常见问题手册：复盘行中的工单都找不到，无法确定所属模块",
                         "'{symptom}' not added to the FAQ: none of the review's tickets can be found to tell its module"),
}


def say(key: str, lang: str, **values: object) -> str:
    return CATALOG[key](lang).format(**values)


def both(key: str, **values: object) -> str:
    """A message in both languages, for file problems met before the workbook's language is known."""
    return f"{say(key, 'zh', **values)} / {say(key, 'en', **values)}"
