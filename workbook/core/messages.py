"""User-facing texts in Chinese and English, one catalog. ``say(key, lang, **values)``.

Every text is shown in one language, never both on a line. Texts written into the workbook (Log
rows, cells) and command summaries are in the workbook's language or ``--lang``. An error
(:mod:`workbook.core.errors`) carries its key and values and is rendered when shown: in ``--lang``,
else in the workbook's language when the raising code knew it (``exc.lang``), else in the language
of the workbook's sheet names when the CLI can read them, else in Chinese, the seed's users'
language: a file that cannot be read at all has no language of its own.
"""

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
    # what a cell may hold (workbook.core.cells)
    "cell_outside": Label("单元格 ({row}, {column}) 超出 Excel 工作表范围", "cell ({row}, {column}) is outside an Excel sheet"),
    "cell_too_long": Label("文本有 {length} 个字符；Excel 单元格最多 {limit} 个", "text of {length} characters; Excel holds at most {limit}"),
    "cell_bad_text": Label("文本无法保存（{reason}）", "text that cannot be stored ({reason})"),
    "cell_bad_number": Label("{value} 不是 Excel 能保存的数字", "{value} is not a number Excel can store"),
    "cell_bad_date": Label("{value} 超出 Excel 在各处一致保存的日期范围（{first} 至 9999-12-31）",
                           "{value} is outside the dates Excel stores alike everywhere ({first} to 9999-12-31)"),
    "cell_bad_type": Label("无法写入 {kind} 类型的值（{value}）", "cannot write a {kind} ({value})"),
    # the workbook's sheets and header rows (workbook.core.book, workbook.core.archive)
    "missing_sheet": Label("缺少工作表「{sheet}」", "missing sheet '{sheet}'"),
    "no_header_row": Label("前 {rows} 行中找不到表头（例如「{example}」）",
                           "no header row found in the first {rows} rows (expected e.g. '{example}')"),
    "missing_columns": Label("第 {row} 行的表头缺少必需的列：{names}", "header row {row} lacks required column(s): {names}"),
    "missing_index": Label("缺少工作表「{sheet}」：请按表头 {headers} 添加；它防止已归档的工单编号被重复使用",
                           "missing sheet '{sheet}': add it with the header row {headers}; "
                           "it keeps archived ticket numbers from being reused"),
    "no_notice": Label("{year}：国务院尚未公布放假安排，调休上班日未知，请在「设置」中补充",
                       "no State Council notice for {year} yet: make-up workdays unknown, add them in Settings"),
    "calendar_empty": Label("工作日历至少需要一个工作时段和一个工作日（见「设置」表）",
                            "the calendar needs at least one working span and one working weekday (see the Settings sheet)"),
    # the Settings sheet (workbook.core.settings)
    "setting_timezone": Label("未知时区 {zone!r}（例如 Asia/Shanghai）", "unknown time zone {zone!r} (e.g. Asia/Shanghai)"),
    "setting_target_row": Label("SLA 目标行中的优先级或指标无法识别", "unknown priority or metric in SLA target row"),
    "setting_weekday": Label("应为星期几和「是/否」", "expected a weekday and Yes/No"),
    "setting_date": Label("不是日期：{value!r}", "not a date: {value!r}"),
    "setting_choice": Label("应为 {allowed} 之一，实际为 {value!r}", "must be one of {allowed}, found {value!r}"),
    "setting_target": Label("目标应为正数，实际为 {value!r}", "target must be a positive number, found {value!r}"),
    "setting_workday_clock": Label("以工作日计的目标只能用「工作时间」时钟", "working days only make sense on the business clock"),
    "setting_span": Label("工作时段应为两个 HH:MM 时间且开始早于结束，实际为 {start!r}-{end!r}",
                          "working span must be two times HH:MM, start before end, found {start!r}-{end!r}"),
    "setting_ratio": Label("预警阈值应为 1% 到 99% 之间的百分比，实际为 {value!r}",
                           "warning threshold must be a percentage between 1% and 99%, found {value!r}"),
    "setting_target_ratio": Label("达标目标应为 1% 到 100% 之间的百分比，实际为 {value!r}",
                                  "compliance target must be a percentage between 1% and 100%, found {value!r}"),
    "setting_whole": Label("应为整数，实际为 {value!r}", "must be a whole number, found {value!r}"),
    "setting_retention": Label("归档至少保留 12 个月（流程要求保留一年）",
                               "archives are kept at least 12 months (the process requires one year)"),
    "setting_text": Label("应为文本，实际为 {value!r}", "must be text, found {value!r}"),
    "date_range": Label("「{header}」{value} 早于 {earliest}，应是输入错误（由它算出的时限无法写入 Excel）",
                        "'{header}' {value} is before {earliest}: a typo? (deadlines computed from it cannot be "
                        "written to Excel)"),
    "text_too_long": Label("文本有 {length} 个字符，超过 Excel 单元格上限 {limit}；归档会截断它，所以不归档此工单：请缩短",
                           "{length} characters, over Excel's {limit}-character cell limit: an archive would cut it, so "
                           "the ticket is not archived; shorten it"),
    "target_too_long": Label("SLA 时限 {amount} {unit} 超过一年（上限 {limit} {unit}），由此算出的截止时间无法写入",
                             "an SLA target of {amount} {unit} is over a year (at most {limit} {unit}); deadlines "
                             "computed from it cannot be written"),
    # headers (workbook.core.book)
    "header_twice": Label("「{column}」列有两个表头：{first} 与 {second}（中文或英文表头都指这一列），无法判断用哪一列；"
                          "请把其中一个改名",
                          "two header cells name the '{column}' column: {first} and {second} (a header in either "
                          "language names it), so which one is meant cannot be told; rename one of them"),
    "total_row_blocked": Label("表格的汇总行需要下移，但第 {row} 行已有内容；请删除或移开该行内容后重试",
                               "the table's Total Row has to move down but row {row} below it holds cells; clear or "
                               "move them and run again"),
    "choice": Label("「{header}」不在列表中：{value!r}（可选：{allowed}；或先加到「设置」表的列表里）",
                    "'{header}' is not in its list: {value!r} (allowed: {allowed}; or add it to the Settings list)"),
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
    "read_only": Label("文件是只读的（Excel 也只会以只读方式打开）；未写入任何内容。如需修改，请先去掉只读属性或取得写权限",
                       "the file is read-only (Excel too opens it read-only); nothing was written. Clear the "
                       "read-only attribute or get write permission to change it"),
    "os_error": Label("{path}：{reason}；命令已停止，没有写了一半的文件（工作簿保持原样）",
                      "{path}: {reason}; the command stopped and nothing was half written (the workbook is as it was)"),
    "oserror_ENOSPC": Label("磁盘空间不足", "no space left on the disk"),
    "oserror_EDQUOT": Label("超出磁盘配额", "disk quota exceeded"),
    "oserror_EACCES": Label("没有权限", "permission denied"),
    "oserror_EPERM": Label("不允许此操作", "operation not permitted"),
    "oserror_EROFS": Label("文件系统是只读的", "the file system is read-only"),
    "oserror_EIO": Label("读写出错（磁盘或网络盘故障？）", "input/output error (a failing disk or network drive?)"),
    "not_written": Label("无法写入（{reason}）；原文件未改动", "could not be written ({reason}); it is unchanged"),
    "part_not_editable": Label("工作簿中有部件无法编辑（{reason}）", "a part of the workbook cannot be edited ({reason})"),
    "sheet_not_utf8": Label("工作表 XML 不是 UTF-8 编码；请先在 Excel 中保存一次",
                            "the worksheet XML is not UTF-8; save it once in Excel first"),
    "sheet_no_data": Label("工作表中没有 <sheetData>", "the worksheet has no <sheetData>"),
    "sheet_prefixed": Label("工作表 XML 使用了命名空间前缀；请先在 Excel 中保存一次",
                            "the worksheet XML uses a namespace prefix; save it once in Excel first"),
    "part_over_4gb": Label("工作簿的某个部件将超过 4 GB", "a part of the workbook would exceed 4 GB"),
    "book_over_4gb": Label("工作簿将超过 4 GB", "the workbook would exceed 4 GB"),
    "no_worksheet": Label("{book} 中没有名为 {name!r} 的工作表", "no worksheet named {name!r} in {book}"),
    # a written file checked before it replaces the original (workbook.xlsx.file_engine)
    "verify_members": Label("写出的文件丢失了部件或打乱了顺序；原文件未改动",
                            "the written package lost or reordered members; the original was kept"),
    "verify_not_owned": Label("{part} 被改动了，但它不归 track-xls 管理；原文件未改动",
                              "{part} changed although track-xls does not own it; the original was kept"),
    "verify_part_unreadable": Label("写出的 {part} 无法读取（{reason}）；原文件未改动",
                                    "{part} was written unreadable ({reason}); the original was kept"),
    "verify_sheet_unreadable": Label("写出的工作表 {sheet!r} 无法读回（{reason}）；原文件未改动",
                                     "the written sheet {sheet!r} cannot be read back ({reason}); the original was kept"),
    "verify_row_beyond": Label("第 {row} 行在写入的单元格之外也变了；原文件未改动",
                               "row {row} changed beyond the cells written; the original was kept"),
    "verify_row_unreadable": Label("第 {row} 行写出后无法读取（{reason}）；原文件未改动",
                                   "row {row} was written unreadable ({reason}); the original was kept"),
    "verify_never_written": Label("这一行没有写出；原文件未改动", "the row was never written; the original was kept"),
    "original_kept": Label("{reason}；原文件未改动", "{reason}; the original was kept"),
    "read_back_mismatch": Label("读回的值是 {got}，而不是 {want}；原文件未改动",
                                "reads back as {got}, not {want}; the original was kept"),
    # files that are not workbooks track-xls can read (workbook.xlsx.package, workbook.xlsx.reader)
    "zip_unreadable": Label("工作簿已损坏，zip 包无法读取（{reason}）", "damaged workbook, the zip package cannot be read ({reason})"),
    "part_missing": Label("工作簿已损坏，缺少部件 {part}", "damaged workbook, part {part} is missing"),
    "no_workbook_part": Label("不是 Excel 工作簿（没有主工作簿部件）", "not an Excel workbook (no main workbook part)"),
    "not_readable": Label("不是可读取的 Excel 工作簿（{reason}）", "not a readable Excel workbook ({reason})"),
    "sheet_unreadable": Label("工作表 {sheet!r} 无法读取（{reason}）", "sheet {sheet!r} cannot be read ({reason})"),
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
    "kind_strict": Label("工作簿保存为「Strict Open XML 电子表格」格式，本工具无法可靠读写；请在 Excel 中另存为「Excel 工作簿 (*.xlsx)」",
                         "the workbook is saved as Strict Open XML, which track-xls cannot read and write reliably; "
                         "save it in Excel as an Excel Workbook (*.xlsx)"),
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
    "error": Label("错误：{text}", "Error: {text}"),
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
    "usage_month": Label("{value!r} 不是月份（应为 YYYY-MM，例如 2024-05）",
                         "{value!r} is not a month (expected YYYY-MM, e.g. 2024-05)"),
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
    "written": Label("已写入 {path}（{cells} 个单元格）", "wrote {path} ({cells} cell(s))"),
    "dry_run": Label("预演：以下更改不会写入", "dry run: these changes are not written"),
    "no_changes": Label("没有需要更改的内容", "nothing to change"),
    "check_ok": Label("未发现问题（{count} 个工单）", "no problems found ({count} ticket(s))"),
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
    "notice_subject": Label("工单 {number}：{title}", "Ticket {number}: {title}"),
    "notice_title_accepted": Label("已受理", "accepted"),
    "notice_title_progress": Label("处理进展", "progress"),
    "notice_title_resolved": Label("已处理完毕", "resolved"),
    "notice_sent": Label("已发送：{to}", "sent: {to}"),
    "notice_nowhere": Label("工单 {number}：没有可用的发送渠道（「联系方式」不是邮箱地址，也没有配置群机器人；见 README「通知与预警」）",
                            "ticket {number}: nowhere to send it (the Contact is not an e-mail address and no "
                            "team-chat robot is set up; see README, Notices and alerts)"),
    "notice_log_text": Label("{notice}（已发送：{to}）", "{notice} (sent: {to})"),
    # channels (workbook.core.channels, workbook.app.delivery)
    "channel_choice": Label("{value!r} 无效（可选：{allowed}）", "{value!r} is not one of {allowed}"),
    "channel_port": Label("端口应为 1–65535 的整数，实际为 {value!r}",
                          "the port must be a whole number 1–65535, found {value!r}"),
    "channel_sender": Label("发件人应为邮箱地址，实际为 {value!r}",
                            "the sender must be an e-mail address, found {value!r}"),
    "channel_url": Label("群机器人地址应以 https:// 或 http:// 开头，实际为 {value!r}",
                         "the robot's webhook URL must start with https:// or http://, found {value!r}"),
    "channel_address": Label("{value!r} 不是邮箱地址", "{value!r} is not an e-mail address"),
    "channel_none": Label("没有配置任何发送渠道：请在「设置」表的「通知」部分或用 TRACK_XLS_SMTP_HOST / TRACK_XLS_WEBHOOK_URL 环境变量配置（见 README）",
                          "no channel is set up: fill in the Notifications section of Settings or set "
                          "TRACK_XLS_SMTP_HOST / TRACK_XLS_WEBHOOK_URL (see the README)"),
    "via_mail": Label("邮件 {to}", "e-mail to {to}"),
    "via_chat": Label("群机器人", "team chat"),
    "send_failed": Label("发送失败：{what} → {where}：{reason}", "not sent: {what} → {where}: {reason}"),
    "send_refused_login": Label("邮件服务器拒绝登录（{reason}）", "the mail server refused the login ({reason})"),
    "send_unreachable": Label("无法连接 {host}:{port}（{reason}）", "cannot reach {host}:{port} ({reason})"),
    "send_refused": Label("邮件服务器拒收（{reason}）", "the mail server refused the message ({reason})"),
    "send_http": Label("HTTP {status}：{reason}", "HTTP {status}: {reason}"),
    "send_robot": Label("群机器人拒收：{reply}", "the robot refused it: {reply}"),
    "send_no_reply": Label("无法连接群机器人（{reason}）", "cannot reach the robot ({reason})"),
    # alerts (workbook.core.alerts, workbook.app.alert_run)
    "alert_subject_at_risk": Label("【SLA预警】工单 {number}（{priority}）{metric}将于 {due} 到期",
                                   "[SLA at risk] ticket {number} ({priority}): {metric} due {due}"),
    "alert_subject_overdue": Label("【SLA超时】工单 {number}（{priority}）{metric}已超时（截止 {due}）",
                                   "[SLA overdue] ticket {number} ({priority}): {metric} missed (due {due})"),
    "digest_subject": Label("工单汇总 {now}：未完成 {open}，预警 {at_risk}，超时 {overdue}",
                            "Tickets at {now}: {open} open, {at_risk} at risk, {overdue} overdue"),
    "alert_logged": Label("已发送{level}提醒：{metric}（截止 {due}）→ {to} {marker}",
                          "{level} alert sent: {metric} (due {due}) → {to} {marker}"),
    "alert_no_log": Label("没有「进展日志」表，无法记住已发送的提醒", "no Log sheet to remember the alerts sent in"),
    "alert_sent": Label("已发送 {what} → {to}", "sent {what} → {to}"),
    "alert_would": Label("将发送 {what} → {to}", "would send {what} → {to}"),
    "alert_what": Label("{number} {metric}{level}", "{number} {metric} {level}"),
    "alert_unreachable": Label("无法送达 {what}：负责人 {assignee} 在通讯录中没有邮箱，且没有配置群机器人",
                               "cannot deliver {what}: assignee {assignee} has no e-mail in Contacts and no "
                               "team-chat robot is set up"),
    "alert_none": Label("没有新的 SLA 提醒", "no new SLA alerts"),
    "alert_summary": Label("已发送 {sent} 条，失败 {failed} 条", "{sent} sent, {failed} failed"),
    "digest_what": Label("汇总", "summary"),
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
    "macro_no_dashboard": Label("没有可放按钮的「{sheet}」表", "no '{sheet}' sheet to put the buttons on"),
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
    "archive_picture": Label("{cell}：工单 {number} 所在行上的图片不会移入归档，仍留在跟踪表的原位置（那一行现在是别的工单）；"
                             "如需保留请手工移走",
                             "{cell}: the picture on ticket {number}'s row does not go into the archive; it stays "
                             "where it is in the tracker (beside whichever ticket moves up into that row): move it by hand"),
    "archive_unstorable": Label("{cell}：{reason}", "{cell}: {reason}"),
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
    "manifest_file_missing": Label("{manifest} 记录了此文件，但它不存在", "named by {manifest} but missing"),
    "not_an_archive": Label("不是 track-xls 归档（{reason}）", "not a track-xls archive ({reason})"),
    "archive_read_back": Label("归档读回与写入不符（工单 {got}/{want} 个，日志 {got_log}/{want_log} 行）；未移动任何工单",
                               "the archive did not read back as written ({got} of {want} tickets, "
                               "{got_log} of {want_log} Log rows); nothing was moved"),
    # the archive index rebuilt from the manifests (workbook.core.archive_index, workbook.app.tracker_file)
    "index_restored": Label("「归档索引」缺少 {count} 个已归档的工单编号，已按归档清单（manifest.json）补回：{numbers}",
                            "the Archive Index lacked {count} archived ticket number(s); written back from the "
                            "archive manifests: {numbers}"),
    "index_lost": Label("「归档索引」缺少 {count} 个已归档的工单编号（归档清单 manifest.json 中有）：{numbers}；"
                        "运行 track-xls refresh 会补回",
                        "the Archive Index lacks {count} archived ticket number(s) its archive manifests record: "
                        "{numbers}; track-xls refresh writes them back"),
    "index_missing": Label("没有可用的「{sheet}」表（已删除或表头损坏）：{count} 个已归档编号只记录在归档清单中，"
                           "仍不会被重复使用；请新建该表并写入表头 {headers}，再运行 track-xls refresh 补回",
                           "no usable '{sheet}' sheet (deleted, or its header is gone): {count} archived number(s) "
                           "are known only from the archive manifests and are still never reused; add the sheet "
                           "with the header row {headers} and run track-xls refresh to fill it"),
    "manifest_unreadable": Label("无法读取（{reason}）：无法确定哪些工单编号已归档，为免重复编号未做任何更改；"
                                 "请从备份恢复该文件",
                                 "cannot be read ({reason}): which ticket numbers are archived is unknown, so "
                                 "nothing was changed rather than risk a number twice; restore it from a backup"),
    # what a workbook was made for (workbook.xlsx.made_by, workbook.author.purpose)
    "not_a_report": Label("已存在，且不是 track-xls 生成的月度报告（也许是跟踪表或归档，唯一的一份）；未覆盖。请用 --out 另选文件名",
                          "exists and is not a report track-xls wrote (a tracker or an archive, maybe the only copy); "
                          "it was not replaced. Name another file with --out"),
    "is_archive": Label("这是 track-xls 的归档工作簿，只有 track-xls archive 会写入它；请对跟踪表运行此命令",
                        "this is a track-xls archive workbook, which only track-xls archive writes; run this "
                        "command on the tracker"),
    "init_backup": Label("原文件已备份为 {backup}", "the previous file is kept as {backup}"),
    # report and review
    "report_suffix": Label("报告是 .xlsx 工作簿；文件名请以 .xlsx 结尾", "the report is an .xlsx workbook; name it *.xlsx"),
    "report_not_written": Label("无法写入报告（{reason}）", "cannot write the report ({reason})"),
    "report_written": Label("已写入 {month} 月度报告：{path}", "wrote the {month} report: {path}"),
    # snapshot (pictures without Excel)
    "snapshot_needs_libreoffice": Label("生成图片需要 LibreOffice（soffice）：请先安装（如 apt-get install libreoffice-calc），或在 Excel 中打印为 PDF",
                                        "pictures need LibreOffice (soffice): install it (e.g. apt-get install "
                                        "libreoffice-calc), or print to PDF from Excel"),
    "snapshot_failed": Label("LibreOffice 未能把 {path} 转为 PDF：{reason}", "LibreOffice could not turn {path} into a PDF: {reason}"),
    "snapshot_written": Label("已生成 {path}", "wrote {path}"),
    "snapshot_no_report": Label("{folder} 中没有月度报告（先运行 track-xls report）",
                                "no monthly report in {folder} (run track-xls report first)"),
    "snapshot_no_png": Label("未安装 pdftoppm（poppler-utils），只生成了 PDF", "pdftoppm (poppler-utils) is not installed: PDFs only"),
    "review_found": Label("需要复盘 {count} 项（已登记为待复盘，截止 {due}）：",
                          "{count} review(s) needed (recorded as pending, due {due}):"),
    "review_would": Label("需要复盘 {count} 项（截止 {due}）：", "{count} review(s) needed (due {due}):"),
    "review_line": Label("  {tickets}：{reason}（负责人：{owner}）", "  {tickets}: {reason} (owner: {owner})"),
    "review_none": Label("没有新的需要复盘的工单", "no new reviews needed"),
    "review_flagged": Label("需复盘标记：{count} 个工单", "marked Review Needed: {count} ticket(s)"),
    "faq_changes": Label("常见问题手册：新增 {added} 条，更新 {updated} 条", "FAQ: {added} added, {updated} updated"),
    "faq_skipped": Label("「{symptom}」未写入常见问题手册：复盘行中的工单都找不到，无法确定所属模块",
                         "'{symptom}' not added to the FAQ: none of the review's tickets can be found to tell its module"),
    # export (workbook.app.export, workbook.app.export_targets)
    "export_progress": Label("读取归档", "Reading archives"),
    "export_target": Label("{target!r}：不认识的导出目标（可用 x.db、sqlite:///x.db、duckdb:///x.duckdb、"
                           "parquet:///文件夹、postgresql://用户@主机/库）",
                           "{target!r}: not a target track-xls knows (use x.db, sqlite:///x.db, duckdb:///x.duckdb, "
                           "parquet:///folder or postgresql://user@host/db)"),
    "export_needs": Label("导出到 {kind} 需要 {package}：pip install 'track-xls[export]'",
                          "exporting to {kind} needs {package}: pip install 'track-xls[export]'"),
    "export_failed": Label("导出到 {target} 失败（{reason}）；上次的导出未改动",
                           "the export to {target} failed ({reason}); the previous export is unchanged"),
    "export_foreign_table": Label("{target} 中已有一张不是 track-xls 导出的表 {table}，未写入；请导出到单独的数据库或文件夹",
                                  "{target} already has a table {table} that track-xls did not make; nothing was "
                                  "written. Export to a database or folder of its own"),
    "export_table": Label("  {table}：{rows} 行（新增 {inserted}，更新 {updated}，删除 {deleted}，标记缺失 {marked_missing}）",
                          "  {table}: {rows} rows ({inserted} new, {updated} changed, {deleted} deleted, "
                          "{marked_missing} marked missing)"),
    "export_written": Label("已导出到 {target}（工单表和 {archives} 个归档）",
                            "exported to {target} (the tracker and {archives} archives)"),
    "export_unchanged": Label("{target} 已是最新，未写入（工单表和 {archives} 个归档）",
                              "{target} is up to date; nothing written (the tracker and {archives} archives)"),
    "export_would": Label("预演：以下是将写入 {target} 的变化（工单表和 {archives} 个归档），未写入",
                          "dry run: what would change in {target} (the tracker and {archives} archives); nothing written"),
    "export_no_number": Label("{cell}：工单没有编号，未导出（请先运行 track-xls refresh）",
                              "{cell}: the ticket has no number and is not exported (run track-xls refresh first)"),
    "export_duplicate": Label("{cell}：工单编号重复，只导出第一行", "{cell}: duplicate ticket number; only the first row is exported"),
}


def say(key: str, lang: str, **values: object) -> str:
    return CATALOG[key](lang).format(**values)
