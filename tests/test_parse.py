from datetime import date, datetime

import pytest

from workbook.parse import parse_datetime, parse_priority, parse_status


@pytest.mark.parametrize("text", ["2024-05-20 14:30", "2024/5/20 14:30", "2024年5月20日 14:30", "2024-05-2014:30",
                                  "2024.05.20 14:30", "2024-05-20T14:30", " 2024-5-20  14:30 ", "2024年5月20日14时30分"])
def test_typed_datetimes(text):
    assert parse_datetime(text) == datetime(2024, 5, 20, 14, 30)


def test_cell_types():
    assert parse_datetime(date(2024, 5, 20)) == datetime(2024, 5, 20)  # calamine's midnight
    assert parse_datetime(45432.604166666664) == datetime(2024, 5, 20, 14, 30)
    assert parse_datetime(datetime(2024, 5, 20, 14, 30, 59)) == datetime(2024, 5, 20, 14, 30)


@pytest.mark.parametrize("text", ["yesterday", "2024-02-30 10:00", "20240520", "12", "", None, True, "2024-05-20 25:00"])
def test_garbage_is_not_a_date(text):
    assert parse_datetime(text) is None


@pytest.mark.parametrize("text,code", [("P1", "P1"), ("p2", "P2"), ("紧急", "P1"), ("High", "P2"), ("低", "P4"),
                                       (3, "P3"), ("P3 中", "P3")])
def test_priorities(text, code):
    assert parse_priority(text) == code


@pytest.mark.parametrize("text", ["P5", "urgentish", "", None, 0])
def test_bad_priorities(text):
    assert parse_priority(text) is None


def test_statuses_in_both_languages():
    assert parse_status("等待报修人") == "waiting"
    assert parse_status("Waiting for Reporter") == "waiting"
    assert parse_status("closed") == "closed"
    assert parse_status("已搁置") is None
