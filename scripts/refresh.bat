@echo off
rem Refresh the tracker beside this file (or the workbook dropped on it) with track-xls.
rem Close the workbook in Excel first, or press its Refresh button instead.
chcp 65001 >nul
set "BOOK=%~1"
if "%BOOK%"=="" set "BOOK=%~dp0工单跟踪.xlsm"
if not exist "%BOOK%" set "BOOK=%~dp0工单跟踪.xlsx"
track-xls refresh "%BOOK%"
pause
