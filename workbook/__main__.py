"""``python -m workbook``: the ``track-xls`` command line."""

from .cli import main

main(prog_name="track-xls")
