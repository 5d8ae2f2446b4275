from datetime import datetime

from hypothesis import given, strategies as st

from workbook.core.numbering import assign_numbers, is_well_formed


def test_per_day_serials_from_001_in_reported_order():
    new = [(5, datetime(2024, 5, 20, 14, 30)), (3, datetime(2024, 5, 20, 9, 0)), (4, datetime(2024, 5, 21, 8, 0))]
    assert assign_numbers(new, []) == {3: "20240520-001", 5: "20240520-002", 4: "20240521-001"}


def test_never_reuses_a_number_in_the_sheet_or_archive():
    taken = ["20240520-001", "20240520-007", "20240519-002"]  # 007 may live only in an archive
    new = [(9, datetime(2024, 5, 20, 10, 0))]
    assert assign_numbers(new, taken) == {9: "20240520-008"}


def test_gap_left_by_a_deleted_row_stays_a_gap():
    assert assign_numbers([(1, datetime(2024, 5, 20, 10, 0))], ["20240520-003"]) == {1: "20240520-004"}


def test_serial_past_999_widens():
    taken = [f"20240520-{i:03d}" for i in range(1, 1000)]
    assert assign_numbers([(1, datetime(2024, 5, 20, 10, 0))], taken) == {1: "20240520-1000"}


def test_nothing_to_number_reads_no_taken_number():
    def taken():  # a steady refresh numbers nothing: the thousands of numbers used are not parsed
        raise AssertionError("the taken numbers were read")
        yield

    assert assign_numbers([], taken()) == {}


def test_well_formed_numbers():
    assert is_well_formed("20240520-003")
    assert not is_well_formed("20240520-3")
    assert not is_well_formed("20241340-001")  # no 40th of the 13th month
    assert not is_well_formed("2024-0520-001")


@given(st.lists(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)), max_size=60),
       st.lists(st.integers(1, 50), max_size=10))
def test_assigned_numbers_are_unique_and_fresh(times, reserved_serials):
    taken = [f"{times[0]:%Y%m%d}-{s:03d}" for s in reserved_serials] if times else []
    numbers = assign_numbers(list(enumerate(times)), taken)
    assert len(set(numbers.values())) == len(times)
    assert not set(numbers.values()) & set(taken)
    for row, number in numbers.items():
        assert number.startswith(f"{times[row]:%Y%m%d}-") and is_well_formed(number)
