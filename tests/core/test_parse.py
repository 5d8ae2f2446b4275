from datetime import date, datetime

import pytest

from workbook.core.parse import parse_datetime, parse_int, parse_priority, parse_status


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


# -- what people type in trackers brought in by import --------------------------------------------

@pytest.mark.parametrize("text", ["2024/5/20 2:30 PM", "2024-05-20 02:30pm", "2024年5月20日 下午2:30",
                                  "2024年5月20日下午2点30分", "2024年5月20日 下午14:30", "２０２４－０５－２０　１４：３０",
                                  "45432.604166666664", " 45432.6041667 "])
def test_twelve_hour_full_width_and_serial_text(text):
    assert parse_datetime(text) == datetime(2024, 5, 20, 14, 30)


@pytest.mark.parametrize("text,expected", [("2024/5/20 12:05 AM", datetime(2024, 5, 20, 0, 5)),
                                           ("2024年5月20日 上午12:05", datetime(2024, 5, 20, 0, 5)),
                                           ("2024-05-20 12:05 PM", datetime(2024, 5, 20, 12, 5)),
                                           ("2024年5月20日 晚上11:00", datetime(2024, 5, 20, 23, 0)),
                                           ("2024-05-20", datetime(2024, 5, 20))])
def test_twelve_hour_edges(text, expected):
    assert parse_datetime(text) == expected


@pytest.mark.parametrize("text", ["2024-05-20 13:30 AM", "2024-05-20 0:30 PM", "12345", "99999.5", "4.5e4"])
def test_impossible_twelve_hour_times_and_out_of_range_serials(text):
    assert parse_datetime(text) is None


@pytest.mark.parametrize("text,code", [("P1-紧急", "P1"), ("p2(高)", "P2"), ("P3（中）", "P3"), ("Ｐ４", "P4"),
                                       ("一级", "P1"), ("2级", "P2"), ("普通", "P3"), ("sev4", "P4")])
def test_priority_variants(text, code):
    assert parse_priority(text) == code


@pytest.mark.parametrize("text", ["P12", "P0", "五级"])
def test_priority_lookalikes(text):
    assert parse_priority(text) is None


@pytest.mark.parametrize("text,code", [("待分派", "new"), ("跟进中", "in_progress"), ("已结案", "closed"),
                                       ("已修复", "resolved"), ("等待用户", "waiting"), ("已派单", "assigned")])
def test_status_variants(text, code):
    assert parse_status(text) == code


def test_superscripts_are_not_whole_numbers():
    assert parse_int("¹") is None and parse_int("4") == 4
