"""What the workbook's buttons run: ``import workbook.button; workbook.button.refresh()``.

That line is written into users' ``.xlsm`` macros, so this module stays here and re-exports
:mod:`workbook.live.button`.
"""
from workbook.live.button import archive, check, main, refresh  # noqa: F401
