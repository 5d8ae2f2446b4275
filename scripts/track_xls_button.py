"""The Refresh button's Python side, for xlwings' own conventions.

xlwings' ``SampleCall`` macro and the add-in's "Run main" button import the module named like the
workbook, from the workbook's folder, and call its ``main()``. Copy this file beside the tracker
under the workbook's name -- ``工单跟踪.py`` beside ``工单跟踪.xlsm`` -- and either of them refreshes
the tracker. The buttons made by ``track-xls init --macro`` do not need it: they call
``workbook.button`` directly.
"""

from workbook.button import archive, check, main, refresh  # noqa: F401

if __name__ == "__main__":
    # Run from a terminal against the workbook open in Excel: python 工单跟踪.py 工单跟踪.xlsm
    import sys

    import xlwings as xw

    xw.Book(sys.argv[1]).set_mock_caller()
    main()
