#!/bin/sh
# Double-click in Finder: refresh the tracker beside this file with track-xls.
# Close the workbook in Excel first, or press its Refresh button instead.
cd "$(dirname "$0")" || exit 1
BOOK="${1:-工单跟踪.xlsm}"
[ -f "$BOOK" ] || BOOK="工单跟踪.xlsx"
track-xls refresh "$BOOK"
printf 'Press Return to close.'; read -r _
