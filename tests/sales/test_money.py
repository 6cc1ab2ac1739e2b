"""Money as minor units: what people type, conversion at a rate, display."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connexion.lib.money import MoneyError, format_amount, parse_amount, parse_rate, to_base


@pytest.mark.parametrize(
    ("typed", "satang"),
    [
        ("1,234.50", 123450),
        ("฿1,234", 123400),
        ("1234.5 บาท", 123450),
        ("0", 0),
        (" 12 ", 1200),
        (Decimal("0.01"), 1),
        (7, 700),
    ],
)
def test_amounts_as_typed(typed, satang):
    assert parse_amount(typed) == satang


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("-1", "negative"),
        ("abc", "invalid"),
        ("", "invalid"),
        ("1.234", "decimals"),
        ("NaN", "invalid"),
        ("Infinity", "invalid"),
        ("1e20", "too_large"),
    ],
)
def test_bad_amounts_are_refused(typed, code):
    with pytest.raises(MoneyError) as excinfo:
        parse_amount(typed)
    assert excinfo.value.code == code


def test_yen_has_no_decimals():
    assert parse_amount("150,000", "JPY") == 150000
    with pytest.raises(MoneyError):
        parse_amount("1.5", "JPY")


def test_rates():
    assert parse_rate("35.123456") == Decimal("35.123456")
    for bad in ("0", "-2", "1.1234567", "x"):
        with pytest.raises(MoneyError):
            parse_rate(bad)


def test_display_with_thousands_separators():
    assert format_amount(123456789) == "฿1,234,567.89"
    assert format_amount(5000, "JPY") == "¥5,000"
    assert format_amount(1200, "SGD") == "SGD 12.00"
    assert format_amount(0) == "฿0.00"


def test_conversion_rounds_half_up_in_satang():
    assert to_base(100, "USD", Decimal("35.005")) == 3501  # 1 USD = 35.005 THB -> 35.01
    assert to_base(12345, "THB", None) == 12345


@given(st.integers(min_value=0, max_value=10**15))
def test_display_and_parse_round_trip(satang):
    assert parse_amount(format_amount(satang)) == satang
