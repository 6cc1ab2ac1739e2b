"""Cells for CSV and Excel files people open in a spreadsheet."""

from typing import Any

# A cell starting with one of these is a formula to a spreadsheet: text typed by
# anyone (a public web form, an imported file, staff) must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
