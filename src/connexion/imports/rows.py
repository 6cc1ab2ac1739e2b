"""From a file's cells to what `connexion.people.services` takes: the fields a
column can be mapped to, guessing the mapping from Thai and English column
names, and checking each row the way the services will (so the preview and the
report name the same problems the services would)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connexion.lib.phone import InvalidPhoneNumber, to_e164
from connexion.lib.thai import (
    BUDDHIST_ERA_OFFSET,
    ENGLISH_MONTHS,
    PROVINCES,
    THAI_MONTHS,
    THAI_MONTHS_SHORT,
)
from connexion.people.models import Person, PostalAddress
from connexion.people.validators import (
    normalize_thai_id,
    validate_not_in_future,
    validate_thai_id,
)

# --- what a column can be ------------------------------------------------------

PERSON = gettext_lazy("Person")
CONTACT = gettext_lazy("Contact")
ADDRESS = gettext_lazy("Address")

# field -> (group, label); the labels are the people forms' own.
TARGETS: dict[str, tuple[Promise, Promise]] = {
    "title": (PERSON, gettext_lazy("Title")),
    "first_name_th": (PERSON, gettext_lazy("First name (Thai)")),
    "middle_name_th": (PERSON, gettext_lazy("Middle name (Thai)")),
    "last_name_th": (PERSON, gettext_lazy("Last name (Thai)")),
    "nickname_th": (PERSON, gettext_lazy("Nickname (Thai)")),
    "first_name_en": (PERSON, gettext_lazy("First name (Latin)")),
    "middle_name_en": (PERSON, gettext_lazy("Middle name (Latin)")),
    "last_name_en": (PERSON, gettext_lazy("Last name (Latin)")),
    "nickname_en": (PERSON, gettext_lazy("Nickname (Latin)")),
    "gender": (PERSON, gettext_lazy("Gender")),
    "date_of_birth": (PERSON, gettext_lazy("Date of birth")),
    "national_id": (PERSON, gettext_lazy("National ID")),
    "occupation": (PERSON, gettext_lazy("Occupation")),
    "employer_name": (PERSON, gettext_lazy("Employer (not in the CRM)")),
    "position": (PERSON, gettext_lazy("Position")),
    "lifecycle_stage": (PERSON, gettext_lazy("Lifecycle stage")),
    "tags": (PERSON, gettext_lazy("Tags")),
    "email": (CONTACT, gettext_lazy("Email")),
    "mobile": (CONTACT, gettext_lazy("Mobile phone")),
    "landline": (CONTACT, gettext_lazy("Landline phone")),
    "house_number": (ADDRESS, gettext_lazy("House number")),
    "moo": (ADDRESS, gettext_lazy("Moo")),
    "building": (ADDRESS, gettext_lazy("Village or building")),
    "soi": (ADDRESS, gettext_lazy("Soi")),
    "road": (ADDRESS, gettext_lazy("Road")),
    "subdistrict": (ADDRESS, gettext_lazy("Subdistrict")),
    "district": (ADDRESS, gettext_lazy("District")),
    "province": (ADDRESS, gettext_lazy("Province")),
    "postcode": (ADDRESS, gettext_lazy("Postcode")),
}
NAME_FIELDS = ("first_name_th", "last_name_th", "first_name_en", "last_name_en")
TEXT_FIELDS = (
    "title", "first_name_th", "middle_name_th", "last_name_th", "nickname_th",
    "first_name_en", "middle_name_en", "last_name_en", "nickname_en", "occupation",
    "employer_name", "position",
)  # fmt: skip
ADDRESS_FIELDS = (
    "house_number", "moo", "building", "soi", "road", "subdistrict", "district",
    "province", "postcode",
)  # fmt: skip


def label(name: str) -> str:
    return str(TARGETS[name][1]) if name in TARGETS else ""


def target_choices() -> list[tuple[Any, Any]]:
    groups: dict[Promise, list[tuple[str, Promise]]] = {}
    for name, (group, text) in TARGETS.items():
        groups.setdefault(group, []).append((name, text))
    return [("", gettext_lazy("— do not import —")), *groups.items()]


# --- guessing the mapping from column names ---------------------------------

_SEPARATORS = re.compile(r"[\s_\-./:()\[\]*#]+")


def normalize_header(header: str) -> str:
    """`First_Name (TH)` and `first name th` are the same column name."""
    return _SEPARATORS.sub(" ", header.casefold()).strip()


# Column names seen in Thai and English files, normalized.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "title": ("title", "prefix", "salutation", "คำนำหน้า", "คำนำหน้าชื่อ", "คํานําหน้า"),
    "first_name_th": (
        "first name th", "first name thai", "ชื่อ", "ชื่อจริง", "ชื่อ ไทย", "ชื่อภาษาไทย",
        "ชื่อ th", "ชื่อ ภาษาไทย",
    ),
    "middle_name_th": ("middle name th", "middle name thai", "ชื่อกลาง"),
    "last_name_th": (
        "last name th", "last name thai", "surname th", "นามสกุล", "นามสกุล ไทย",
        "นามสกุลภาษาไทย", "สกุล", "นามสกุล th",
    ),
    "nickname_th": ("nickname th", "nickname", "nick name", "ชื่อเล่น"),
    "first_name_en": (
        "first name en", "first name latin", "first name english", "first name",
        "firstname", "given name", "name en", "ชื่อ อังกฤษ", "ชื่อภาษาอังกฤษ", "ชื่อ en",
    ),
    "middle_name_en": ("middle name en", "middle name latin", "middle name"),
    "last_name_en": (
        "last name en", "last name latin", "last name english", "last name", "lastname",
        "surname", "family name", "นามสกุล อังกฤษ", "นามสกุลภาษาอังกฤษ", "นามสกุล en",
    ),
    "nickname_en": ("nickname en", "nickname latin"),
    "gender": ("gender", "sex", "เพศ"),
    "date_of_birth": (
        "date of birth", "dob", "birthday", "birth date", "birthdate", "born",
        "วันเกิด", "วันเดือนปีเกิด", "วัน เดือน ปี เกิด", "ว ด ป เกิด",
    ),
    "national_id": (
        "national id", "national id number", "citizen id", "thai id", "id card",
        "id card number", "เลขบัตรประชาชน", "เลขประจำตัวประชาชน", "บัตรประชาชน",
        "เลขที่บัตรประชาชน", "เลขบัตรประจำตัวประชาชน",
    ),
    "occupation": ("occupation", "job", "อาชีพ"),
    "employer_name": (
        "employer", "employer name", "company", "company name", "organization",
        "organisation", "บริษัท", "ที่ทำงาน", "หน่วยงาน", "นายจ้าง", "ชื่อบริษัท",
    ),
    "position": ("position", "job title", "ตำแหน่ง", "ตําแหน่ง"),
    "lifecycle_stage": (
        "lifecycle stage", "lifecycle", "stage", "status", "customer status", "สถานะ",
        "สถานะลูกค้า",
    ),
    "tags": ("tags", "tag", "labels", "แท็ก", "แท็ก", "ป้ายกำกับ"),
    "email": ("email", "e mail", "email address", "mail", "อีเมล", "อีเมล์", "อีเมลล์"),
    "mobile": (
        "mobile", "mobile phone", "mobile number", "cell", "cell phone", "phone",
        "phone number", "tel", "telephone", "มือถือ", "เบอร์มือถือ", "โทรศัพท์มือถือ",
        "เบอร์โทร", "เบอร์โทรศัพท์", "โทรศัพท์", "เบอร์",
    ),
    "landline": ("landline", "landline phone", "home phone", "office phone", "โทรศัพท์บ้าน"),
    "house_number": (
        "house number", "house no", "address no", "no", "บ้านเลขที่", "เลขที่",
    ),
    "moo": ("moo", "หมู่", "หมู่ที่"),
    "building": (
        "building", "village", "village or building", "หมู่บ้าน", "อาคาร", "หมู่บ้าน อาคาร",
    ),
    "soi": ("soi", "lane", "ซอย"),
    "road": ("road", "street", "ถนน"),
    "subdistrict": (
        "subdistrict", "sub district", "tambon", "khwaeng", "ตำบล", "แขวง", "ตำบล แขวง",
        "แขวง ตำบล",
    ),
    "district": ("district", "amphoe", "khet", "อำเภอ", "เขต", "อำเภอ เขต", "เขต อำเภอ"),
    "province": ("province", "changwat", "จังหวัด"),
    "postcode": (
        "postcode", "post code", "postal code", "zip", "zip code", "zipcode",
        "รหัสไปรษณีย์",
    ),
}  # fmt: skip
_GUESSES = {normalize_header(synonym): name for name, synonyms in _SYNONYMS.items()
            for synonym in synonyms}  # fmt: skip
for _name in TARGETS:
    _GUESSES.setdefault(normalize_header(_name), _name)
# The people export's own column names.
_GUESSES.setdefault("employer", "employer_name")

_THAI = re.compile(r"[\u0E00-\u0E7F]")
_SCRIPT_PAIRS = {
    "first_name_en": "first_name_th", "last_name_en": "last_name_th",
    "middle_name_en": "middle_name_th", "nickname_en": "nickname_th",
}  # fmt: skip
_SCRIPT_PAIRS.update({thai: latin for latin, thai in list(_SCRIPT_PAIRS.items())})


def guess_field(header: str, samples: list[str] | None = None) -> str:
    """The person field a column name most likely means, or ""; a name column
    goes to the Thai or the Latin field by what its values are written in."""
    name = _GUESSES.get(normalize_header(header), "")
    values = [value for value in samples or [] if value.strip()]
    if name in _SCRIPT_PAIRS and values:
        thai = sum(1 for value in values if _THAI.search(value))
        wants_thai = thai * 2 > len(values)
        if name.endswith("_th") != wants_thai:
            name = _SCRIPT_PAIRS[name]
    return name


def initial_mapping(
    headers: list[str], sample: list[list[str]], remembered: dict[str, str]
) -> list[str]:
    """One field per column: what the user chose last time for a column of this
    name, else a guess; never the same field for two columns."""
    mapping: list[str] = []
    for index, header in enumerate(headers):
        key = normalize_header(header)
        if key in remembered:
            name = remembered[key]
        else:
            values = [row[index] if index < len(row) else "" for row in sample]
            name = guess_field(header, values) if header else ""
        mapping.append(name if name in TARGETS and name not in mapping else "")
    return mapping


def mapping_problems(mapping: list[str]) -> list[str]:
    """What stops an import with this mapping: the required columns and fields
    chosen twice."""
    problems = []
    if not any(name in NAME_FIELDS for name in mapping):
        problems.append(
            _(
                "Required column missing: map at least one column to a first or last "
                "name (Thai or Latin)."
            )
        )
    chosen = [name for name in mapping if name]
    twice = sorted({name for name in chosen if chosen.count(name) > 1}, key=chosen.index)
    for name in twice:
        message = _("“%(field)s” is chosen for more than one column.")
        problems.append(message % {"field": label(name)})
    return problems


# --- values ---------------------------------------------------------------------

_GENDERS = {
    "male": "male", "m": "male", "man": "male", "ชาย": "male", "ช": "male", "เพศชาย": "male",
    "female": "female", "f": "female", "woman": "female", "หญิง": "female", "ญ": "female",
    "เพศหญิง": "female", "other": "other", "อื่น": "other", "อื่นๆ": "other",
    "อื่น ๆ": "other", "ไม่ระบุ": "",
}  # fmt: skip
_PROVINCE_NAMES: dict[str, str] = {}
for _thai, _english in PROVINCES:
    _PROVINCE_NAMES[_thai] = _thai
    _PROVINCE_NAMES[_english.casefold()] = _thai
    _PROVINCE_NAMES[_english.casefold().replace(" ", "")] = _thai
for _alias in ("กทม", "กทม.", "กรุงเทพ", "กรุงเทพฯ", "bkk"):
    _PROVINCE_NAMES[_alias] = PROVINCES[0][0]
_PROVINCE_PREFIXES = ("จังหวัด", "จ.")
_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(zip(THAI_MONTHS, THAI_MONTHS_SHORT, ENGLISH_MONTHS, strict=True)):
    for _month in (*_names, _names[2][:3]):
        _MONTHS[_month.casefold().replace(".", "")] = _number + 1


def province_name(raw: str) -> str | None:
    """The province's Thai name from `เชียงใหม่`, `จ.เชียงใหม่`, `Chiang Mai`, `กทม.`."""
    text = raw.strip()
    for prefix in _PROVINCE_PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix) :].strip()
    return _PROVINCE_NAMES.get(text) or _PROVINCE_NAMES.get(text.casefold())


_NUMERIC_DATE = re.compile(r"^(\d{1,4})[/\-.](\d{1,2})[/\-.](\d{1,4})$")
_WORDS_DATE = re.compile(r"^(\d{1,2})\s*([^\d\s]+)\s*(\d{4})$")


class DateProblem(ValueError):
    pass


def parse_date(raw: str) -> date:
    """`1990-02-28`, `28/02/1990`, `28/02/2533` (Buddhist Era), `28 ก.พ. 2533`,
    `28 February 1990`. Day before month, as written in Thailand."""
    text = raw.strip()
    if "T" in text and text[:4].isdigit():
        text = text.split("T", 1)[0]
    match = _NUMERIC_DATE.match(text)
    if match:
        first, middle, last = match.groups()
        if len(first) == 4:
            year, month, day = int(first), int(middle), int(last)
        elif len(last) == 4:
            day, month, year = int(first), int(middle), int(last)
        else:
            raise DateProblem(_("Write the year with four digits, e.g. 28/02/1990."))
    else:
        match = _WORDS_DATE.match(text)
        month_number = _MONTHS.get(match.group(2).casefold().replace(".", "")) if match else None
        if not match or month_number is None:
            raise DateProblem(
                _("“%(value)s” is not a date: write it as 28/02/1990 or 1990-02-28.")
                % {"value": raw}
            )
        day, month, year = int(match.group(1)), month_number, int(match.group(3))
    if year > 2400:
        year -= BUDDHIST_ERA_OFFSET
    try:
        return date(year, month, day)
    except ValueError:
        raise DateProblem(
            _("“%(value)s” is not a real date (no such day in that month).") % {"value": raw}
        ) from None


def _choice_lookup(choices: list[tuple[str, Any]], extra: dict[str, str]) -> dict[str, str]:
    """A value typed in a cell -> the choice: its code, or its label in English
    or Thai."""
    lookup = dict(extra)
    for code, text in choices:
        lookup[code.casefold()] = code
        for language in ("en", "th"):
            with translation.override(language):
                lookup[str(text).casefold()] = code
    return lookup


_lifecycle_lookup: dict[str, str] | None = None


def lifecycle_code(raw: str) -> str | None:
    global _lifecycle_lookup
    if _lifecycle_lookup is None:
        _lifecycle_lookup = _choice_lookup(
            Person.Lifecycle.choices,
            {"lead": "prospect", "ลูกค้า": "customer", "อดีตลูกค้า": "former_customer",
             "former": "former_customer", "ผู้สนใจ": "prospect", "ลูกค้าเป้าหมาย": "prospect",
             "ผู้เยี่ยมชม": "visitor"},
        )  # fmt: skip
    return _lifecycle_lookup.get(raw.strip().casefold().replace("_", " ")) or (
        _lifecycle_lookup.get(raw.strip().casefold())
    )


# --- one row --------------------------------------------------------------------


@dataclass
class Row:
    """One row of the file, read for the services; `problems` lists
    (field, message) pairs and the row is imported only without any."""

    number: int
    cells: list[str]
    person: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    phones: list[tuple[str, str]] = field(default_factory=list)
    address: dict[str, str] | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)
    # What duplicate detection compares: normalized national ID, email, E.164.
    national_id: str = ""
    email: str = ""
    phone_numbers: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.problems

    def add(self, name: str, message: str) -> None:
        self.problems.append((name, str(message)))


def _messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


_MAX_LENGTHS = {name: Person._meta.get_field(name).max_length for name in TEXT_FIELDS}
_ADDRESS_MAX_LENGTHS = {
    name: PostalAddress._meta.get_field(name).max_length
    for name in ADDRESS_FIELDS
    if name != "province"
}


def parse_row(number: int, cells: list[str], mapping: list[str]) -> Row:
    """Reads and checks one row. The checks are those of the people services and
    models (name, check digit, dates, email, phone, postcode, province, lengths),
    done here so that a preview can show them before anything is saved."""
    row = Row(number, cells)
    if len(cells) > len(mapping) and any(cell.strip() for cell in cells[len(mapping) :]):
        row.add(
            "",
            _(
                "This row has %(cells)d cells but there are %(columns)d column names: a value "
                "may hold the delimiter without quotes around it."
            )
            % {"cells": len(cells), "columns": len(mapping)},
        )
    values = {
        name: cells[index].strip()
        for index, name in enumerate(mapping)
        if name and index < len(cells) and cells[index].strip()
    }
    for name in TEXT_FIELDS:
        if name in values:
            value = " ".join(values[name].split())
            if len(value) > _MAX_LENGTHS[name]:
                row.add(
                    name,
                    _("Too long: at most %(length)d characters.") % {"length": _MAX_LENGTHS[name]},
                )
            row.person[name] = value
    if not any(name in row.person for name in NAME_FIELDS):
        row.add("first_name_th", _("Give a first or last name, in Thai or Latin script."))
    if "gender" in values:
        gender = _GENDERS.get(values["gender"].casefold())
        if gender is None:
            row.add(
                "gender",
                _("“%(value)s” is not a gender: write male, female or other (ชาย, หญิง, อื่นๆ).")
                % {"value": values["gender"]},
            )
        elif gender:
            row.person["gender"] = gender
    if "date_of_birth" in values:
        try:
            born = parse_date(values["date_of_birth"])
            validate_not_in_future(born)
        except DateProblem as exc:
            row.add("date_of_birth", str(exc))
        except ValidationError as exc:
            row.add("date_of_birth", " ".join(_messages(exc)))
        else:
            row.person["date_of_birth"] = born
    if "national_id" in values:
        number_text = normalize_thai_id(values["national_id"])
        try:
            validate_thai_id(number_text)
        except ValidationError as exc:
            row.add("national_id", " ".join(_messages(exc)))
        else:
            row.person["national_id"] = number_text
            row.national_id = number_text
    if "lifecycle_stage" in values:
        stage = lifecycle_code(values["lifecycle_stage"])
        if stage is None:
            row.add(
                "lifecycle_stage",
                _("“%(value)s” is not a lifecycle stage: write one of %(stages)s.")
                % {
                    "value": values["lifecycle_stage"],
                    "stages": ", ".join(str(text) for _code, text in Person.Lifecycle.choices),
                },
            )
        else:
            row.person["lifecycle_stage"] = stage
    if "tags" in values:
        row.tags = [tag.strip() for tag in re.split(r"[,;]", values["tags"]) if tag.strip()]
        for tag in row.tags:
            if len(tag) > 60:
                row.add("tags", _("A tag is too long: at most 60 characters."))
    if "email" in values:
        email = values["email"].lower()
        try:
            validate_email(email)
        except ValidationError:
            row.add(
                "email", _("“%(value)s” is not a valid email address.") % {"value": values["email"]}
            )
        else:
            row.emails.append(email)
            row.email = email
    for kind in ("mobile", "landline"):
        if kind in values:
            try:
                e164 = to_e164(values[kind])
            except InvalidPhoneNumber:
                row.add(
                    kind,
                    _("“%(value)s” is not a valid phone number.") % {"value": values[kind]},
                )
            else:
                row.phones.append((kind, e164))
                row.phone_numbers.append(e164)
    _parse_address(row, values)
    return row


def _parse_address(row: Row, values: dict[str, str]) -> None:
    given = {name: values[name] for name in ADDRESS_FIELDS if name in values}
    if not given:
        return
    address: dict[str, str] = {"country": "TH"}
    for name, value in given.items():
        if name == "province":
            continue
        if len(value) > _ADDRESS_MAX_LENGTHS[name]:
            row.add(
                name,
                _("Too long: at most %(length)d characters.")
                % {"length": _ADDRESS_MAX_LENGTHS[name]},
            )
        address[name] = value
    if "province" not in given:
        row.add("province", _("Choose the province."))
    else:
        province = province_name(given["province"])
        if province is None:
            row.add(
                "province",
                _("“%(value)s” is not a Thai province.") % {"value": given["province"]},
            )
        else:
            address["province"] = province
    postcode = given.get("postcode", "")
    if not re.fullmatch(r"\d{5}", postcode):
        row.add("postcode", _("Enter a postcode of 5 digits."))
    row.address = address
