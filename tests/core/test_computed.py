"""ticket_times: a Tickets row and its Log history as the SLA engine's TicketTimes."""

from datetime import datetime

import pytest

from workbook.core.computed import ticket_times
from workbook.core.log import History
from workbook.core.tickets import Ticket

A, B, C = datetime(2024, 5, 20, 10), datetime(2024, 5, 20, 11), datetime(2024, 5, 21, 9)


def ticket(status: str = "in_progress", **times: datetime) -> Ticket:
    return Ticket(row=3, raw={}, number="20240520-001", priority="P2", status=status,
                  times={"reported_at": datetime(2024, 5, 20, 9), **times})


@pytest.mark.parametrize("logged, last_update, updates", [
    ([], None, ()),
    ([A], None, (A,)),
    ([A], A, (A,)),  # the usual row: its 最近进展时间 is logged as well
    ([], A, (A,)),
    ([B], A, (A, B)),
    ([A, A], A, (A,)),  # logged twice
    ([C, A], A, (A, C)),  # a history built out of order
    ([C, A], B, (A, B, C)),
])
def test_updates_are_the_logged_ones_and_the_rows_in_time_order(logged, last_update, updates):
    times = {"last_update_at": last_update} if last_update else {}
    assert ticket_times(ticket(**times), History(updates=logged)).updates == updates


def test_fields_from_the_row_and_the_log():
    history = History(status_changes=[(A, "waiting"), (B, "in_progress")], updates=[A])
    t = ticket("closed", first_response_at=A, assigned_at=B, closed_at=C, imported_at=A)
    times = ticket_times(t, history)
    assert (times.priority, times.reported_at, times.first_response_at, times.assigned_at) == \
        ("P2", datetime(2024, 5, 20, 9), A, B)
    assert times.resolved_at == C  # closed without a resolution time: closing resolved it
    assert times.pauses == ((A, B),) and times.done and times.known_from == A
    assert ticket_times(ticket(resolved_at=B, closed_at=C), None).resolved_at == B
    assert ticket_times(ticket(), None).pauses == () and not ticket_times(ticket(), None).done
