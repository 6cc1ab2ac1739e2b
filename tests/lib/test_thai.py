from datetime import date, datetime

import pytest

from connexion.lib.thai import (
    PROVINCES,
    format_date,
    format_datetime,
    format_thai_id,
    is_valid_thai_id,
    thai_id_check_digit,
)


def test_thai_dates_use_the_buddhist_era():
    assert format_date(date(2026, 11, 25), "th") == "25 พฤศจิกายน 2569"
    assert format_date(date(2026, 1, 2), "th", short=True) == "2 ม.ค. 2569"
    assert format_datetime(datetime(2026, 4, 13, 9, 5), "th") == "13 เมษายน 2569 09:05"


def test_english_dates_stay_gregorian():
    assert format_date(date(2026, 11, 25), "en") == "25 November 2026"
    assert format_date(date(2026, 2, 28), "en", short=True) == "28 Feb 2026"


@pytest.mark.parametrize("number", ["1101700230708", "3100600445473", "0105536000313"])
def test_valid_identification_numbers(number):
    assert is_valid_thai_id(number)


@pytest.mark.parametrize(
    "number", ["1101700230705", "110170023070", "11017002307081", "11017002307O8", "๑101700230708"]
)
def test_invalid_identification_numbers(number):
    assert not is_valid_thai_id(number)


def test_check_digit_rule_and_display():
    # Weights 13..2: 1*13 + 1*12 + 0 + 1*10 + 7*9 + 0 + 0 + 2*6 + 3*5 + 0 + 7*3 + 0 = 146
    assert thai_id_check_digit("110170023070") == (11 - 146 % 11) % 10 == 8
    assert format_thai_id("1101700230708") == "1-1017-00230-70-8"


def test_seventy_seven_provinces():
    assert len(PROVINCES) == 77
    assert len({thai for thai, _ in PROVINCES}) == 77
