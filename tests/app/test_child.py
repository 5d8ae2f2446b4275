"""Work in a forked child: its result comes back; when the child fails, the work is done here."""

from __future__ import annotations

import multiprocessing
import os
import threading

import pytest

from workbook.app.child import in_child

forks = pytest.mark.skipif(multiprocessing.get_start_method() != "fork" or (os.cpu_count() or 1) < 2,
                           reason="a child is forked only there")


@forks
def test_the_work_runs_in_a_child_that_inherits_its_input():
    big = list(range(100_000))  # inherited, never pickled
    result = in_child(lambda: (os.getpid(), sum(big)))
    pid, total = result()
    assert pid != os.getpid() and total == sum(big)


def test_a_failing_child_leaves_the_error_to_this_process():
    def work():
        raise ValueError("bad data")
    with pytest.raises(ValueError, match="bad data"):
        in_child(work)()


def test_a_result_that_cannot_come_back_is_made_here():
    result = in_child(lambda: threading.Lock())  # a lock cannot be pickled
    assert isinstance(result(), type(threading.Lock()))


def test_on_one_core_the_work_is_done_here(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert in_child(os.getpid)() == os.getpid()
