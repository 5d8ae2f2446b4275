"""A mapping that works each value out the first time its key is looked up, and the column
spellings the engine's row loops take from it (a sheet names the same few columns on every row)."""

from __future__ import annotations

from typing import Callable

from ..core.cells import col_index, col_letter


class Memo(dict):
    """A mapping that computes each value once, the first time its key is looked up."""

    def __init__(self, convert: Callable):
        super().__init__()
        self.convert = convert

    def __missing__(self, key):
        value = self[key] = self.convert(key)
        return value


COLUMN = Memo(lambda letters: col_index(letters.decode()))  # b"AB" -> 27
LETTERS = Memo(lambda col: col_letter(col).encode())  # 27 -> b"AB"
