"""Reading cells: dates, provinces, choices, column names, encodings."""

from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from connexion.imports.reading import cell_text, check_headers, decode
from connexion.imports.rows import (
    DateProblem,
    guess_field,
    initial_mapping,
    lifecycle_code,
    mapping_problems,
    normalize_header,
    parse_date,
    parse_row,
    province_name,
)
from tests.imports.helpers import thai_id


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1990-02-28", date(1990, 2, 28)),
        ("28/02/1990", date(1990, 2, 28)),
        ("8/2/1990", date(1990, 2, 8)),
        ("28-02-2533", date(1990, 2, 28)),
        ("28.02.2533", date(1990, 2, 28)),
        ("29/02/2535", date(1992, 2, 29)),  # 1992 is a leap year
        ("28 ก.พ. 2533", date(1990, 2, 28)),
        ("28 กุมภาพันธ์ 2533", date(1990, 2, 28)),
        ("28 February 1990", date(1990, 2, 28)),
        ("28 Feb 1990", date(1990, 2, 28)),
        ("1990-02-28T00:00:00", date(1990, 2, 28)),
    ],
)
def test_dates_in_thai_and_international_forms(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/1990", "not a real date"),
        ("2533-02-30", "not a real date"),
        ("29/02/1990", "not a real date"),
        ("28/02/90", "four digits"),
        ("yesterday", "is not a date"),
        ("28 Brumaire 1990", "is not a date"),
    ],
)
def test_impossible_and_unreadable_dates(text, message):
    with pytest.raises(DateProblem, match=message):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("เชียงใหม่", "เชียงใหม่"),
        ("จ.เชียงใหม่", "เชียงใหม่"),
        ("จังหวัดเชียงใหม่", "เชียงใหม่"),
        ("Chiang Mai", "เชียงใหม่"),
        ("chiangmai", "เชียงใหม่"),
        ("กทม.", "กรุงเทพมหานคร"),
        ("Bangkok", "กรุงเทพมหานคร"),
        ("Atlantis", None),
    ],
)
def test_provinces_by_thai_or_english_name(text, expected):
    assert province_name(text) == expected


def test_lifecycle_stages_by_code_or_label():
    assert lifecycle_code("customer") == "customer"
    assert lifecycle_code("Former customer") == "former_customer"
    assert lifecycle_code("former_customer") == "former_customer"
    assert lifecycle_code("ลูกค้า") == "customer"
    assert lifecycle_code("VIP") is None


def test_column_names_are_normalized_and_guessed():
    assert normalize_header("  First_Name (TH) ") == "first name th"
    assert guess_field("First_Name (TH)") == "first_name_th"
    assert guess_field("เลขประจำตัวประชาชน") == "national_id"
    assert guess_field("E-mail") == "email"
    assert guess_field("เบอร์โทรศัพท์") == "mobile"
    assert guess_field("Remarks") == ""
    # The script of the values decides between the Thai and the Latin name.
    assert guess_field("ชื่อ", ["Somchai", "Malee"]) == "first_name_en"
    assert guess_field("Surname", ["ใจดี", "รักไทย", ""]) == "last_name_th"


def test_the_initial_mapping_never_repeats_a_field():
    mapping = initial_mapping(["ชื่อ", "ชื่อจริง", "อีเมล"], [], {})
    assert mapping == ["first_name_th", "", "email"]
    remembered = {"ชื่อ": "", "อีเมล": "email"}
    assert initial_mapping(["ชื่อ", "ชื่อจริง", "อีเมล"], [], remembered) == [
        "", "first_name_th", "email",
    ]  # fmt: skip


def test_a_mapping_needs_a_name_and_each_field_once():
    assert mapping_problems(["first_name_th", "email"]) == []
    assert mapping_problems(["last_name_en"]) == []
    assert "Required column missing" in mapping_problems(["email", "mobile"])[0]
    assert mapping_problems(["first_name_th", "email", "email"]) == [
        "“Email” is chosen for more than one column."
    ]


def test_a_valid_row_gives_the_services_their_values():
    mapping = ["first_name_th", "national_id", "mobile", "email", "province", "postcode", "tags"]
    cells = ["  สมชาย ", "1-1017-00230-70-8", "081 234 5678", "A@B.co", "จ.ภูเก็ต", "83000", "a; b"]
    row = parse_row(2, cells, mapping)
    assert row.problems == []
    assert row.person == {"first_name_th": "สมชาย", "national_id": "1101700230708"}
    assert row.phones == [("mobile", "+66812345678")]
    assert row.emails == ["a@b.co"]
    assert row.address == {"country": "TH", "province": "ภูเก็ต", "postcode": "83000"}
    assert row.tags == ["a", "b"]


def test_a_row_with_more_cells_than_column_names_is_rejected():
    row = parse_row(5, ["สมชาย", "ใจดี", "extra"], ["first_name_th", "last_name_th"])
    assert "3 cells but there are 2 column names" in row.problems[0][1]
    assert parse_row(5, ["สมชาย", "ใจดี", ""], ["first_name_th", "last_name_th"]).is_valid


def test_values_longer_than_the_fields_are_rejected():
    row = parse_row(2, ["ก" * 101], ["first_name_th"])
    assert row.problems == [("first_name_th", "Too long: at most 100 characters.")]


def test_an_address_needs_its_province_and_postcode():
    row = parse_row(2, ["สมชาย", "99/1"], ["first_name_th", "house_number"])
    assert {name for name, _message in row.problems} == {"province", "postcode"}


def test_unknown_gender_and_stage_are_rejected():
    row = parse_row(2, ["สมชาย", "ชาย", "vip"], ["first_name_th", "gender", "lifecycle_stage"])
    assert row.person["gender"] == "male"
    assert [name for name, _message in row.problems] == ["lifecycle_stage"]
    row = parse_row(2, ["สมชาย", "x"], ["first_name_th", "gender"])
    assert "is not a gender" in row.problems[0][1]


def test_the_national_id_must_be_13_digits_with_its_check_digit():
    good = thai_id(42)
    assert parse_row(2, ["ก", good], ["first_name_th", "national_id"]).national_id == good
    short = parse_row(2, ["ก", good[:12]], ["first_name_th", "national_id"])
    assert short.problems == [("national_id", "Enter 13 digits.")]


def test_cells_from_a_workbook_become_text():
    assert cell_text(812345678.0) == "812345678"
    assert cell_text(1101700230708) == "1101700230708"
    assert cell_text(datetime(1990, 2, 28)) == "1990-02-28"
    assert cell_text(date(1990, 2, 28)) == "1990-02-28"
    assert cell_text(None) == ""
    assert cell_text(" x ") == "x"


def test_encodings_are_detected():
    thai = "ชื่อ,นามสกุล\nสมชาย,ใจดี\n"
    assert decode(thai.encode("utf-8")) == (thai, "utf-8")
    assert decode(b"\xef\xbb\xbf" + thai.encode("utf-8")) == (thai, "utf-8-sig")
    assert decode(thai.encode("cp874")) == (thai, "cp874")
    assert decode(thai.encode("tis-620"), "tis-620") == (thai, "tis-620")
    with pytest.raises(ValidationError, match="cannot be read as utf-8"):
        decode(thai.encode("cp874"), "utf-8")
    with pytest.raises(ValidationError, match="neither UTF-8 nor Thai TIS-620"):
        decode(b"\x81\x82\x83\xfc\xfd\xfe")


def test_repeated_column_names_are_named_once_each_ignoring_case():
    check_headers(["a", "b", "", ""])
    with pytest.raises(ValidationError, match="“Email”, “ชื่อ”"):
        check_headers(["Email", "ชื่อ", "email", "ชื่อ", "EMAIL"])
