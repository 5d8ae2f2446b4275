from datetime import datetime

from workbook.core import schema
from workbook.core.book import SheetData, Table, find_table
from workbook.core.tickets import read_tickets
from workbook.core.validation import check_tickets

from tests.support.books import make_book

NOW = datetime(2024, 5, 20, 18, 0)
REQUIRED = ("reported_at", "reporter", "module", "description", "priority", "status")
GOOD = {"ticket_no": "20240520-001", "reported_at": datetime(2024, 5, 20, 14, 30), "reporter": "张伟",
        "module": "销售模块V3.2", "description": "登录失败", "priority": "P3", "status": "处理中"}


def findings(*rows, lang="zh", archived=()):
    book = make_book(list(rows), lang=lang, archived=archived)
    table = find_table(book, "tickets")
    return check_tickets(table, read_tickets(table), NOW, lang, set(archived))


def rules(found):
    return [(f.cell, f.rule) for f in found]


def test_a_good_row_has_no_findings():
    assert findings(GOOD) == []


def test_each_bad_value_is_named_by_cell():
    bad = GOOD | {"priority": "P7", "status": "搁置", "reported_at": "昨天下午", "satisfaction": 9,
                  "confirmation": "ok"}
    assert rules(findings(bad)) == [("B2", "date"), ("K2", "priority"), ("L2", "status"), ("Y2", "satisfaction")]


def test_messages_follow_the_language():
    zh = findings(GOOD | {"priority": "P7"})[0].message
    en = findings(GOOD | {"priority": "P7"}, lang="en")[0].message
    assert "优先级" in zh and "priority must be P1–P4" in en


def test_future_dates_and_order():
    row = GOOD | {"resolved_at": datetime(2024, 5, 20, 9, 0), "first_response_at": datetime(2024, 5, 21, 9, 0)}
    assert rules(findings(row)) == [("P2", "future_date"), ("S2", "time_order")]


def test_numbers_malformed_duplicate_and_archived():
    rows = [GOOD, GOOD | {"ticket_no": "20240520-001"}, GOOD | {"ticket_no": "2024-5-20"},
            GOOD | {"ticket_no": "20240519-004"}]
    found = findings(*rows, archived=["20240519-004"])
    assert rules(found) == [("A2", "duplicate_number"), ("A3", "duplicate_number"), ("A4", "number_format"),
                            ("A5", "duplicate_number")]
    assert "A3" in found[0].message and "A2" in found[1].message  # both rows, each naming the other
    assert all(f.incomplete for f in found)


def test_process_rules():
    closed = GOOD | {"status": "已关闭", "priority": "P2", "satisfaction": 5, "vendor_contact": "某供应商"}
    assert rules(findings(closed)) == [("N2", "lead_department"), ("S2", "closed_without_resolution"),
                                       ("V2", "backup_required"), ("X2", "rating_without_confirmation"),
                                       ("Z2", "closed_without_summary")]
    assert not any(f.incomplete for f in findings(closed))


def test_missing_required_fields():
    row = {"reported_at": datetime(2024, 5, 20, 9, 0), "priority": "P3"}
    found = findings(row)
    assert [f.cell for f in found if f.rule == "required"] == ["C2", "G2", "I2", "L2"]
    assert [f.incomplete for f in found] == [False, False, False, True]  # status is needed to compute anything


def test_findings_told_in_the_other_language_are_those_checked_in_it():
    rows = [GOOD | {"priority": "P7", "status": "搁置", "reported_at": "昨天下午", "satisfaction": 9, "channel": "传真",
                    "first_response_at": datetime(1980, 1, 1), "ticket_no": "2024-5-20"},
            GOOD | {"status": "已关闭", "priority": "P2", "satisfaction": 5, "vendor_contact": "某供应商",
                    "resolved_at": datetime(2024, 5, 21, 9, 0), "assigned_at": datetime(2024, 5, 20, 9, 0)},
            GOOD | {"ticket_no": "20240519-004", "reporter": None},
            GOOD]
    channels = {"电话": "电话"}
    for lang, other in (("zh", "en"), ("en", "zh")):
        table = find_table(make_book(rows, lang=lang), "tickets")

        def check(told_in):
            return check_tickets(table, read_tickets(table), NOW, told_in, {"20240519-004"}, {"channel": channels})

        found = check(lang)
        assert {f.rule for f in found} == {"required", "date", "date_range", "future_date", "priority", "status",
                                           "satisfaction", "choice", "time_order", "closed_without_summary",
                                           "backup_required", "rating_without_confirmation", "lead_department",
                                           "number_format", "duplicate_number"}
        assert [f.told(other) for f in found] == check(other) != found
        assert [f.told(lang) for f in found] == found


def test_a_repeated_unlisted_value_is_named_on_each_of_its_rows_in_row_order():
    cells = [{"channel": "传真", "priority": "P7"}, {"channel": "电话"}, {"channel": "传真"}, {"channel": True},
             {"channel": 1}]
    rows = [GOOD | {"ticket_no": f"20240520-00{i}"} | row for i, row in enumerate(cells, 1)]
    table = find_table(make_book(rows), "tickets")
    found = check_tickets(table, read_tickets(table), NOW, "zh", (), {"channel": {"电话": "电话", "1": "1"}})
    # 1 == True, but only the number 1 reads as the entry "1"
    assert rules(found) == [("F2", "choice"), ("K2", "priority"), ("F4", "choice"), ("F5", "choice")]
    assert [f.values["value"] for f in found if f.rule == "choice"] == ["传真", "传真", "True"]


def test_a_list_cell_finding_comes_before_a_missing_column_finding_on_the_same_cell():
    keys = ("channel", "ticket_no", *REQUIRED)  # no 处理总结 (summary) column
    row = ["传真", "20240520-001", GOOD["reported_at"], "张伟", "销售模块V3.2", "登录失败", "P3", "已关闭"]
    header = [schema.column("tickets", key).label.zh for key in keys]
    table = Table("tickets", SheetData("工单", [header, row]), 0, {key: i for i, key in enumerate(keys)}, "zh")
    found = check_tickets(table, read_tickets(table), NOW, "zh", (), {"channel": {"电话": "电话"}})
    assert rules(found)[:2] == [("A2", "choice"), ("A2", "closed_without_summary")]


def test_an_unparsed_required_field_is_missing_when_empty_and_bad_when_not():
    empty = GOOD | {"reported_at": " ", "priority": "", "status": None}
    assert rules(findings(empty)) == [("B2", "required"), ("K2", "required"), ("L2", "required")]
    bad = GOOD | {"reported_at": "昨天下午", "priority": "P7", "status": "搁置"}
    assert rules(findings(bad)) == [("B2", "date"), ("K2", "priority"), ("L2", "status")]
