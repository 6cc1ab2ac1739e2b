"""Phone numbers: parsed with `phonenumbers`, Thailand by default."""

import phonenumbers


class InvalidPhoneNumber(ValueError):
    pass


def to_e164(raw: str, region: str = "TH") -> str:
    """`081-234-5678`, `+66812345678` and `0812345678` all give `+66812345678`."""
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise InvalidPhoneNumber(raw) from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneNumber(raw)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def national_format(e164: str) -> str:
    """`081 234 5678` for a Thai number; international format for others."""
    parsed = phonenumbers.parse(e164, None)
    if parsed.country_code == 66:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
