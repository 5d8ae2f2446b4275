"""CPU work on the second core: a forked child process computes a result while this one goes on.

A forked child starts with this process's memory, so its input is never pickled (a tracker's 10,000
tickets would take longer to pickle than to judge); only its result comes back through a pipe.
Where processes are not forked (Windows, macOS) a child would start afresh and import everything
again, and on one core it would only take turns: there, and when the child fails, the work is done
here when its result is asked for.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def in_child(work: Callable[[], T]) -> Callable[[], T]:
    """Start ``work()`` in a forked child; the returned function waits for and returns its result."""
    if (os.cpu_count() or 1) < 2 or multiprocessing.get_start_method() != "fork":
        return work
    fork = multiprocessing.get_context("fork")
    receive, send = fork.Pipe(duplex=False)
    child = fork.Process(target=_run, args=(work, send), daemon=True)
    child.start()
    send.close()

    def result() -> T:
        try:
            done, value = receive.recv()
        except (EOFError, OSError):  # the child died before it answered
            done, value = False, None
        finally:
            receive.close()
            child.join()
        return value if done else work()  # a failure is met again here, as the user's own error
    return result


def _run(work: Callable[[], object], send) -> None:
    try:
        answer = (True, work())
    except BaseException:  # noqa: BLE001 - the parent does the work again and meets the error itself
        answer = (False, None)
    send.send(answer)
    send.close()
