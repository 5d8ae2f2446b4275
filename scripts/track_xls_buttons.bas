Attribute VB_Name = "TrackXls"
' Buttons for a tracker workbook that already has its own VBA (track-xls macro install leaves those
' alone). Needs the xlwings VBA module (or a reference to the xlwings add-in), which holds RunPython:
' in Excel, Developer > Visual Basic > File > Import File... this file, then right-click each button >
' Assign Macro > TrackRefresh / TrackCheck / TrackArchive.
Option Explicit

Sub TrackRefresh()
    RunPython "import workbook.button; workbook.button.refresh()"
End Sub

Sub TrackCheck()
    RunPython "import workbook.button; workbook.button.check()"
End Sub

Sub TrackArchive()
    RunPython "import workbook.button; workbook.button.archive()"
End Sub
