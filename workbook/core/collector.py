"""The cyclic garbage collector, paused while a big workbook's values are built and planned on.

A 10k-ticket tracker reads as a million row lists and plans into tens of thousands of tickets and
histories, none of them in a cycle (reference counting frees them all); the collector would walk
them again and again as they pile up: a fifth of a read, a quarter of a plan.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
