#!/bin/sh
# Double-click in Finder: archive the tracker beside this file with track-xls.
# Close the workbook in Excel first.
cd "$(dirname "$0")" || exit 1
BOOK="${1:-工单跟踪.xlsm}"
[ -f "$BOOK" ] || BOOK="工单跟踪.xlsx"
track-xls archive "$BOOK"
printf 'Press Return to close.'; read -r _
