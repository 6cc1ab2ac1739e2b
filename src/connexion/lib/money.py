"""Money as whole minor units (satang for THB): parsing what people type,
converting at a recorded rate and formatting with thousands separators.
Decimal throughout: a float never holds an amount."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# ISO 4217 codes we accept, with the number of digits of their minor unit.
CURRENCY_DIGITS = {
    "THB": 2,
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "JPY": 0,
    "CNY": 2,
    "HKD": 2,
    "SGD": 2,
    "MYR": 2,
    "AUD": 2,
    "KRW": 0,
    "VND": 0,
    "LAK": 2,
    "KHR": 2,
    "MMK": 2,
    "INR": 2,
    "CHF": 2,
}
BASE_CURRENCY = "THB"
SYMBOLS = {"THB": "฿", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
# Ten trillion baht in satang: far above any deal, far below the 64-bit column's limit.
MAX_MINOR_UNITS = 10**15


class MoneyError(ValueError):
    """What is wrong with an amount as typed; `code` tells which message to show."""

    def __init__(self, code: str, digits: int = 2) -> None:
        super().__init__(code)
        self.code = code
        self.digits = digits


def digits(currency: str) -> int:
    return CURRENCY_DIGITS[currency]


def parse_decimal(text: str | int | Decimal, currency: str = BASE_CURRENCY) -> Decimal:
    """`"฿1,234.50"` -> Decimal("1234.50"): separators, the symbol and `บาท` allowed;
    refuses text that is not a number and negative amounts."""
    if isinstance(text, int | Decimal):
        value = Decimal(text)
    else:
        cleaned = text.strip().replace(",", "").replace(" ", "").replace("\u00a0", "")
        for symbol in (SYMBOLS.get(currency, ""), currency, "฿", "THB"):
            if symbol:
                cleaned = cleaned.removeprefix(symbol).removesuffix(symbol)
        cleaned = cleaned.removesuffix("บาท")
        if not cleaned:
            raise MoneyError("invalid")
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise MoneyError("invalid") from None
    if not value.is_finite():
        raise MoneyError("invalid")
    if value < 0:
        raise MoneyError("negative")
    return value


def parse_amount(text: str | int | Decimal, currency: str = BASE_CURRENCY) -> int:
    """`"1,234.50"` -> 123450 (minor units). Refuses negative amounts, text that is
    not a number, more decimals than the currency has, and absurd sizes."""
    places = digits(currency)
    value = parse_decimal(text, currency)
    minor = value.scaleb(places)
    if minor != minor.to_integral_value():
        raise MoneyError("decimals", places)
    if minor > MAX_MINOR_UNITS:
        raise MoneyError("too_large")
    return int(minor)


def parse_rate(text: str | Decimal) -> Decimal:
    """An exchange rate to THB: positive, at most six decimals."""
    if isinstance(text, Decimal):
        value = text
    else:
        try:
            value = Decimal(text.strip().replace(",", ""))
        except InvalidOperation:
            raise MoneyError("invalid") from None
    if not value.is_finite():
        raise MoneyError("invalid")
    if value <= 0:
        raise MoneyError("not_positive")
    if value != value.quantize(Decimal("0.000001")) or value >= 10**12:
        raise MoneyError("rate_precision")
    return value


def to_base(minor: int, currency: str, rate: Decimal | None) -> int:
    """Minor units of `currency` -> satang at `rate` (THB per unit), rounded half up."""
    if currency == BASE_CURRENCY:
        return minor
    if rate is None:
        raise MoneyError("no_rate")
    satang = (
        Decimal(minor) * rate * Decimal(10) ** (CURRENCY_DIGITS[BASE_CURRENCY] - digits(currency))
    )
    return int(satang.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def as_decimal(minor: int, currency: str = BASE_CURRENCY) -> Decimal:
    return Decimal(minor).scaleb(-digits(currency))


def format_amount(minor: int, currency: str = BASE_CURRENCY, *, symbol: bool = True) -> str:
    """123456789 THB -> `฿1,234,567.89`; 5000 JPY -> `¥5,000`; others `USD 12.00`."""
    places = digits(currency) if currency in CURRENCY_DIGITS else 2
    number = f"{Decimal(minor).scaleb(-places):,.{places}f}"
    if not symbol:
        return number
    sign = SYMBOLS.get(currency)
    return f"{sign}{number}" if sign else f"{currency} {number}"
