@echo off
rem Month-end archive of the tracker beside this file (or the workbook dropped on it).
rem Save and close the workbook in Excel first.
chcp 65001 >nul
set "BOOK=%~1"
if "%BOOK%"=="" set "BOOK=%~dp0工单跟踪.xlsm"
if not exist "%BOOK%" set "BOOK=%~dp0工单跟踪.xlsx"
track-xls archive "%BOOK%"
pause
