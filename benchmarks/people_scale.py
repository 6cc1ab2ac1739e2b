"""Scale benchmark for people search and lists.

Generates a realistic data set (by default 1,000,000 people and 100,000
organizations, with emails, phones and addresses) in a dedicated PostgreSQL
database with COPY, then times real requests through Django's test Client, in
process: middleware, view, selector, template rendering and the audit-log insert
are all inside the measured time. Prints a Markdown table of p50/p95 per scenario.

    .venv/bin/python benchmarks/people_scale.py                  # generate, then measure
    .venv/bin/python benchmarks/people_scale.py --skip-generate  # measure again

See benchmarks/README.md and docs/performance.md.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import random
import re
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/connexion_bench"
TARGET_P95_MS = 100.0
CHUNK = 50_000
PAGE_SIZE = 50  # connexion.people.selectors.PAGE_SIZE; checked after django.setup()
DEEP_PAGE = 501  # "500 pages deep": the page after the 25,000th row
WARM_UP = 5  # requests per scenario run first and not counted
BENCH_USER = "bench-admin"
A_PERSON = r'href="/people/\d+/"'  # what a search's response must contain
AN_ORGANIZATION = r'href="/organizations/\d+/"'
IMPORT_PLACEHOLDER = "import 100,000-row CSV: measured by benchmarks/import_scale.py (pending)"

# Tables this script fills, in load order. Everything else in the database is left alone.
LOADED_TABLES = [
    "people_source",
    "people_organization",
    "people_person",
    "people_person_tags",
    "people_emailaddress",
    "people_phonenumber",
    "people_postaladdress",
]

# --- vocabulary ---------------------------------------------------------------

# More first names than the demo's, in both scripts (the demo lists are added too).
EXTRA_FEMALE_NAMES = [
    ("สุดารัตน์", "Sudarat"),
    ("ปวีณา", "Paweena"),
    ("กมลชนก", "Kamonchanok"),
    ("ชุติมา", "Chutima"),
    ("นภัสสร", "Napatsorn"),
    ("ณัฐณิชา", "Natnicha"),
    ("พรทิพย์", "Porntip"),
    ("วราภรณ์", "Waraporn"),
    ("สุนิสา", "Sunisa"),
    ("อรวรรณ", "Orawan"),
    ("จิราพร", "Jiraporn"),
    ("ดวงใจ", "Duangjai"),
    ("ทิพวรรณ", "Tippawan"),
    ("นิตยา", "Nittaya"),
    ("เพ็ญศรี", "Pensri"),
    ("ลัดดา", "Ladda"),
    ("สายสุนีย์", "Saisunee"),
    ("อำไพ", "Ampai"),
    ("บุษบา", "Butsaba"),
    ("ปรียานุช", "Preeyanuch"),
]
EXTRA_MALE_NAMES = [
    ("อนุชิต", "Anuchit"),
    ("ภานุวัฒน์", "Panuwat"),
    ("วรวุฒิ", "Worawut"),
    ("ศุภชัย", "Suppachai"),
    ("ธนพล", "Thanapon"),
    ("ปิยะพงษ์", "Piyapong"),
    ("สมศักดิ์", "Somsak"),
    ("ประเสริฐ", "Prasert"),
    ("กฤษณะ", "Kritsana"),
    ("จักรพันธ์", "Jakkapan"),
    ("ชาตรี", "Chatree"),
    ("ทวีศักดิ์", "Taweesak"),
    ("นพดล", "Noppadon"),
    ("บุญชัย", "Boonchai"),
    ("พีระพงษ์", "Peerapong"),
    ("มานพ", "Manop"),
    ("ยุทธนา", "Yuttana"),
    ("วิทยา", "Wittaya"),
    ("สุทธิพงษ์", "Suttipong"),
    ("อดิศักดิ์", "Adisak"),
]
# Thai surnames are compounds of these (each family's is unique by law), so a
# million people carry tens of thousands of different surnames.
SURNAME_PARTS = [
    ("ศรี", "sri"),
    ("สุข", "suk"),
    ("วงศ์", "wong"),
    ("สวัสดิ์", "sawat"),
    ("ทอง", "thong"),
    ("แสง", "saeng"),
    ("บุญ", "boon"),
    ("ชัย", "chai"),
    ("มงคล", "mongkol"),
    ("กิตติ", "kitti"),
    ("รัตน์", "rat"),
    ("พงษ์", "phong"),
    ("ธนา", "thana"),
    ("เพชร", "phet"),
    ("อินทร์", "in"),
    ("แก้ว", "kaew"),
    ("จันทร์", "chan"),
    ("ใจ", "jai"),
    ("ดี", "dee"),
    ("รัก", "rak"),
    ("ไทย", "thai"),
    ("มั่น", "man"),
    ("คง", "kong"),
    ("พรหม", "phrom"),
    ("สาย", "sai"),
    ("วิไล", "wilai"),
    ("สมบูรณ์", "somboon"),
    ("เจริญ", "charoen"),
    ("ประเสริฐ", "prasert"),
    ("นาค", "nak"),
    ("สิทธิ์", "sit"),
    ("ศักดิ์", "sak"),
    ("เลิศ", "lert"),
    ("วัฒนา", "wattana"),
    ("กุล", "kul"),
    ("ภักดี", "phakdee"),
    ("เรือง", "ruang"),
    ("โชค", "chok"),
    ("อุดม", "udom"),
    ("ปัญญา", "panya"),
    ("นิยม", "niyom"),
    ("พันธ์", "phan"),
    ("ฤทธิ์", "rit"),
]
NICKNAMES = [
    ("แนน", "Nan"),
    ("บีม", "Beam"),
    ("ต้น", "Ton"),
    ("ปุ๊", "Pu"),
    ("ฝน", "Fon"),
    ("เอ", "A"),
    ("บอย", "Boy"),
    ("มิ้นท์", "Mint"),
    ("นก", "Nok"),
    ("เก่ง", "Keng"),
    ("ปลา", "Pla"),
    ("โอ๊ต", "Oat"),
    ("เบียร์", "Beer"),
    ("แพร", "Prae"),
    ("กอล์ฟ", "Golf"),
    ("ตูน", "Toon"),
]
# Company names are Thai words and transliterated English ones, written without
# spaces as they are registered: บริษัทโอเพนคลาวด์จำกัด.
COMPANY_WORDS = [
    ("สยาม", "Siam"),
    ("ไทย", "Thai"),
    ("โอเพน", "Open"),
    ("คลาวด์", "Cloud"),
    ("เทค", "Tech"),
    ("ดิจิทัล", "Digital"),
    ("โลจิสติกส์", "Logistics"),
    ("ฟู้ดส์", "Foods"),
    ("กรุ๊ป", "Group"),
    ("อินเตอร์", "Inter"),
    ("เทรดดิ้ง", "Trading"),
    ("ซัพพลาย", "Supply"),
    ("เอ็นจิเนียริ่ง", "Engineering"),
    ("คอนสตรัคชั่น", "Construction"),
    ("มีเดีย", "Media"),
    ("เอเชีย", "Asia"),
    ("แปซิฟิก", "Pacific"),
    ("โกลบอล", "Global"),
    ("สมาร์ท", "Smart"),
    ("กรีน", "Green"),
    ("โซลูชั่นส์", "Solutions"),
    ("ซิสเต็มส์", "Systems"),
    ("พาวเวอร์", "Power"),
    ("เมดิคอล", "Medical"),
    ("บางกอก", "Bangkok"),
    ("เชียงใหม่", "Chiang Mai"),
    ("อันดามัน", "Andaman"),
    ("รุ่งเรือง", "Rungruang"),
    ("มหานคร", "Mahanakorn"),
    ("ทองไทย", "Thong Thai"),
    ("ศรีสยาม", "Sri Siam"),
    ("อีสาน", "Isan"),
    ("เวิลด์", "World"),
    ("ยูไนเต็ด", "United"),
    ("แอดวานซ์", "Advance"),
    ("พรีเมียร์", "Premier"),
    ("โฮลดิ้งส์", "Holdings"),
    ("ฟาร์มา", "Pharma"),
    ("ออโต้", "Auto"),
    ("พร็อพเพอร์ตี้", "Property"),
]
INDUSTRIES = [
    "ซอฟต์แวร์",
    "ค้าส่ง",
    "ค้าปลีก",
    "อาหาร",
    "โรงแรม",
    "ขนส่ง",
    "การแพทย์",
    "พลังงาน",
    "ก่อสร้าง",
    "ประกันภัย",
    "อสังหาริมทรัพย์",
    "การผลิต",
]
EMAIL_DOMAINS = ["gmail.com"] * 8 + ["hotmail.com"] * 3 + ["yahoo.com", "outlook.co.th"]
TAGS = ["VIP", "ลูกค้าประจำ", "งานแสดงสินค้า 2568", "ต้องติดตาม", "สัมมนา", "B2B", "ออนไลน์"]
MOBILE_PREFIXES = ["06" + d for d in "01234568"] + ["08" + d for d in "0123456789"]
MOBILE_PREFIXES += ["09" + d for d in "0123456789"]
THAI_MARKS = re.compile(r"[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")  # combining vowels and tones

# --- arguments and the database -------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--organizations", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per scenario")
    parser.add_argument("--seed", type=int, default=2569)
    parser.add_argument(
        "--skip-generate", action="store_true", help="keep the data already there; measure only"
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print EXPLAIN ANALYZE of the slowest query of one request per scenario",
    )
    parser.add_argument("--only", default="", help="run only scenarios whose name contains this")
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="gc.freeze() once warmed up, as a server process could after start-up "
        "(shows how much of p95 is the garbage collector's full collections)",
    )
    return parser.parse_args(argv)


def ensure_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise SystemExit("--database-url must name a database")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            print(f"creating database {name}", flush=True)
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(url: str, data_dir: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["CONNEXION_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connexion.settings")
    import django

    django.setup()
    from connexion.people import selectors

    assert selectors.PAGE_SIZE == PAGE_SIZE, "update PAGE_SIZE here"


# --- data generation -----------------------------------------------------------


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S+00")


def _thai_id(rng: random.Random, first: str) -> str:
    from connexion.lib.thai import thai_id_check_digit

    rest = 12 - len(first)
    twelve = first + str(rng.randrange(10**rest)).zfill(rest)
    return twelve + str(thai_id_check_digit(twelve))


def _mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + str(rng.randrange(10**7)).zfill(7)


def _landline(rng: random.Random) -> str:
    return "02" + str(rng.randrange(10**7)).zfill(7)


def _e164(national: str) -> str:
    return "+66" + national[1:]


def _phone_forms(national: str) -> list[str]:
    """What services._phone_search_forms gives for a Thai number (checked at start)."""
    e164 = _e164(national)
    return [e164, e164[1:], national]


def _row(values: list[Any]) -> str:
    return "\t".join(r"\N" if v is None else str(v) for v in values) + "\n"


@dataclass
class Vocabulary:
    female: list[tuple[str, str]]
    male: list[tuple[str, str]]
    foreign_female: list[str]
    foreign_male: list[str]
    foreign_last: list[str]
    places: list[tuple[str, str, str, str]]
    roads: list[str]
    villages: list[str]
    positions: list[str]


def build_vocabulary(seed: int) -> Vocabulary:
    from faker import Faker

    from connexion.ops import demo

    foreign = Faker("en_US")
    foreign.seed_instance(seed)
    vocabulary = Vocabulary(
        female=demo.FEMALE_NAMES + EXTRA_FEMALE_NAMES,
        male=demo.MALE_NAMES + EXTRA_MALE_NAMES,
        foreign_female=sorted({foreign.first_name_female() for _ in range(3000)}),
        foreign_male=sorted({foreign.first_name_male() for _ in range(3000)}),
        foreign_last=sorted({foreign.last_name() for _ in range(5000)}),
        places=demo.PLACES,
        roads=demo.ROADS,
        villages=demo.VILLAGES,
        positions=demo.POSITIONS,
    )
    # COPY's text format: none of these may hold a tab, a newline or a backslash.
    words = [w for pair in SURNAME_PARTS + COMPANY_WORDS + NICKNAMES for w in pair]
    for value in vars(vocabulary).values():
        words += [w for item in value for w in (item if isinstance(item, tuple) else (item,))]
    assert not any(ch in w for w in words for ch in "\t\n\\"), "vocabulary unsafe for COPY"
    return vocabulary


def check_phone_forms(rng: random.Random) -> None:
    """The generated phone search forms equal services._phone_search_forms."""
    from connexion.lib.phone import to_e164
    from connexion.people.services import _phone_search_forms

    for _ in range(2000):
        national = _mobile(rng) if rng.random() < 0.9 else _landline(rng)
        e164 = to_e164(national)
        assert e164 == _e164(national), national
        assert _phone_search_forms(e164) == _phone_forms(national), national


@contextmanager
def _bulk_load(connection: psycopg.Connection) -> Iterator[None]:
    """Drops the secondary indexes and foreign keys of the loaded tables, and puts
    them back (rebuilt, validated) after the load. All in the caller's transaction:
    if anything fails, the schema is as it was."""
    tables = LOADED_TABLES
    indexes = connection.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
           FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
           WHERE t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
        [tables],
    ).fetchall()
    foreign_keys = connection.execute(
        """SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
           FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
           WHERE c.contype = 'f' AND t.relname = ANY(%s)
             AND t.relnamespace = 'public'::regnamespace""",
        [tables],
    ).fetchall()
    for table, name, _definition in foreign_keys:
        connection.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.Identifier(table), sql.Identifier(name)
            )
        )
    for name, _definition in indexes:
        connection.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    yield
    started = time.perf_counter()
    for name, definition in indexes:
        print(f"  index {name}", end="", flush=True)
        t0 = time.perf_counter()
        connection.execute(sql.SQL(definition))  # pg_get_indexdef output, as it was
        print(f" {time.perf_counter() - t0:.1f} s", flush=True)
    for table, name, definition in foreign_keys:
        connection.execute(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                sql.Identifier(table), sql.Identifier(name), sql.SQL(definition)
            )
        )
    print(
        f"  {len(indexes)} indexes rebuilt, {len(foreign_keys)} foreign keys validated "
        f"in {time.perf_counter() - started:.0f} s",
        flush=True,
    )


def _copy(connection: psycopg.Connection, table: str, columns: list[str], rows: str) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        copy.write(rows)


PERSON_COLUMNS = [
    "id", "title", "first_name_th", "middle_name_th", "last_name_th", "nickname_th",
    "first_name_en", "middle_name_en", "last_name_en", "nickname_en", "gender",
    "date_of_birth", "national_id", "passport_number", "passport_country", "occupation",
    "employer_name", "position", "lifecycle_stage", "search_text", "created_at", "updated_at",
    "employer_id", "merged_into_id", "owner_id", "source_id",
]  # fmt: skip
ORGANIZATION_COLUMNS = [
    "id", "kind", "name_th", "name_en", "tax_id", "branch", "industry", "website",
    "search_text", "created_at", "updated_at", "source_id",
]  # fmt: skip
CONTACT_COLUMNS = ["label", "is_primary", "created_at", "organization_id", "person_id", "source_id"]
EMAIL_COLUMNS = [*CONTACT_COLUMNS, "email"]
PHONE_COLUMNS = [*CONTACT_COLUMNS, "kind", "number"]
ADDRESS_COLUMNS = [
    *CONTACT_COLUMNS, "house_number", "moo", "building", "soi", "road", "subdistrict",
    "district", "province", "postcode", "country", "foreign_address",
]  # fmt: skip


@dataclass
class Buffers:
    main: io.StringIO = field(default_factory=io.StringIO)
    emails: io.StringIO = field(default_factory=io.StringIO)
    phones: io.StringIO = field(default_factory=io.StringIO)
    addresses: io.StringIO = field(default_factory=io.StringIO)
    tags: io.StringIO = field(default_factory=io.StringIO)

    def flush(self, connection: psycopg.Connection, main_table: str, main_columns: list[str]):
        _copy(connection, main_table, main_columns, self.main.getvalue())
        _copy(connection, "people_emailaddress", EMAIL_COLUMNS, self.emails.getvalue())
        _copy(connection, "people_phonenumber", PHONE_COLUMNS, self.phones.getvalue())
        _copy(connection, "people_postaladdress", ADDRESS_COLUMNS, self.addresses.getvalue())
        if self.tags.tell():
            _copy(connection, "people_person_tags", ["person_id", "tag_id"], self.tags.getvalue())
        for name in ("main", "emails", "phones", "addresses", "tags"):
            setattr(self, name, io.StringIO())


def _address_row(rng: random.Random, v: Vocabulary, owner: list[Any]) -> str:
    subdistrict, district, province, postcode = rng.choice(v.places)
    return _row(
        [
            *owner,
            f"{rng.randrange(1, 400)}/{rng.randrange(1, 90)}",
            str(rng.randrange(1, 12)) if province != "กรุงเทพมหานคร" else "",
            rng.choice(v.villages),
            str(rng.randrange(1, 60)) if rng.random() < 0.5 else "",
            rng.choice(v.roads),
            subdistrict,
            district,
            province,
            postcode,
            "TH",
            "",
        ]
    )


def generate_organizations(
    connection: psycopg.Connection, rng: random.Random, v: Vocabulary, count: int, sources: int,
    start: datetime,
) -> list[str]:  # fmt: skip
    """Returns each organization's email domain (index = id - 1)."""
    domains: list[str] = []
    buffers = Buffers()
    span = (datetime.now(UTC) - start).total_seconds()
    for org_id in range(1, count + 1):
        words = rng.sample(COMPANY_WORDS, 3 if rng.random() < 0.3 else 2)
        stem_th = "".join(w[0] for w in words)
        stem_en = " ".join(w[1] for w in words)
        form = rng.random()
        if form < 0.6:
            name_th, name_en = f"บริษัท{stem_th}จำกัด", f"{stem_en} Co., Ltd."
        elif form < 0.8:
            name_th, name_en = f"บริษัท {stem_th} จำกัด", f"{stem_en} Co., Ltd."
        elif form < 0.9:
            name_th, name_en = f"ห้างหุ้นส่วนจำกัด{stem_th}", f"{stem_en} Limited Partnership"
        else:
            name_th = f"บริษัท{stem_th}จำกัด (มหาชน)"
            name_en = f"{stem_en} Public Company Limited"
        slug = stem_en.lower().replace(" ", "")
        domain = f"{slug}{org_id}.co.th"
        domains.append(domain)
        industry = rng.choice(INDUSTRIES)
        email = f"contact@{domain}"
        search_text = " ".join([name_th, name_en, industry, email]).lower()
        created = start + timedelta(seconds=span * (org_id - 1) / count)
        updated = min(created + timedelta(days=rng.randrange(0, 400)), datetime.now(UTC))
        source_id = rng.randrange(1, sources + 1)
        kind = "partner" if rng.random() < 0.1 else ("customer" if rng.random() < 0.9 else "other")
        branch = "" if rng.random() < 0.9 else f"{rng.randrange(1, 30):05d}"
        row = [
            org_id, kind, name_th, name_en, _thai_id(rng, "0105"), branch, industry,
            f"https://www.{domain}", search_text, _ts(created), _ts(updated), source_id,
        ]  # fmt: skip
        buffers.main.write(_row(row))
        owner = ["", "t", _ts(created), org_id, None, source_id]
        buffers.emails.write(_row([*owner, email]))
        buffers.phones.write(_row([*owner, "landline", _e164(_landline(rng))]))
        buffers.addresses.write(_address_row(rng, v, owner))
        if org_id % CHUNK == 0 or org_id == count:
            buffers.flush(connection, "people_organization", ORGANIZATION_COLUMNS)
            print(f"  organizations {org_id:,}/{count:,}", flush=True)
    return domains


def generate_people(
    connection: psycopg.Connection, rng: random.Random, v: Vocabulary, count: int,
    domains: list[str], owners: list[int], tag_ids: list[int], sources: int, start: datetime,
) -> None:  # fmt: skip
    buffers = Buffers()
    now = datetime.now(UTC)
    span = (now - start).total_seconds()
    stages = ["visitor", "prospect", "customer", "former_customer"]
    started = time.perf_counter()
    for pid in range(1, count + 1):
        female = rng.random() < 0.5
        foreign = rng.random() < 0.1
        if foreign:
            first_th = last_th = nick_th = nick_en = ""
            first_en = rng.choice(v.foreign_female if female else v.foreign_male)
            last_en = rng.choice(v.foreign_last)
            title = "Ms" if female else "Mr"
            national_id = ""
            passport = (
                f"{rng.choice('ABCEFGHJKLMN')}{rng.choice('ABCDEFGH')}{rng.randrange(10**7):07d}"
                if rng.random() < 0.5
                else ""
            )
            passport_country = rng.choice(["US", "GB", "AU", "DE", "JP"]) if passport else ""
        else:
            first_th, first_en = rng.choice(v.female if female else v.male)
            parts = rng.sample(SURNAME_PARTS, 3 if rng.random() < 0.4 else 2)
            last_th = "".join(p[0] for p in parts)
            last_en = "".join(p[1] for p in parts).capitalize()
            title = rng.choice(["นาง", "นางสาว"]) if female else "นาย"
            nick_th, nick_en = rng.choice(NICKNAMES) if rng.random() < 0.6 else ("", "")
            national_id = _thai_id(rng, str(rng.randrange(1, 9))) if rng.random() < 0.55 else ""
            passport = passport_country = ""
        employer_id = rng.randrange(1, len(domains) + 1) if domains and rng.random() < 0.4 else None
        employer_name = ""
        if employer_id is None and rng.random() < 0.1:
            employer_name = f"ร้าน{rng.choice(COMPANY_WORDS)[0]}{rng.choice(COMPANY_WORDS)[0]}"
        position = rng.choice(v.positions) if employer_id or employer_name else ""
        created = start + timedelta(seconds=span * (pid - 1) / count)
        updated = min(created + timedelta(days=rng.randrange(0, 400), seconds=pid), now)
        source_id = rng.randrange(1, sources + 1)
        owner = ["", "t", _ts(created), None, pid, source_id]
        not_primary = ["", "f", _ts(created), None, pid, source_id]

        local = f"{first_en}.{last_en[:4]}{pid}".lower().replace(" ", "").replace("'", "")
        domain = domains[employer_id - 1] if employer_id and rng.random() < 0.5 else None
        emails = [f"{local}@{domain or rng.choice(EMAIL_DOMAINS)}"]
        if rng.random() < 0.1:
            emails.append(f"{first_en[:1]}{last_en}{pid % 997}@{rng.choice(EMAIL_DOMAINS)}".lower())
        buffers.emails.write(_row([*owner, emails[0]]))
        for extra in emails[1:]:
            buffers.emails.write(_row([*not_primary, extra]))

        phones = [("mobile", _mobile(rng))]
        if rng.random() < 0.15:
            landline = rng.random() < 0.5
            phones.append(("landline", _landline(rng)) if landline else ("mobile", _mobile(rng)))
        seen_kinds: set[str] = set()
        for kind, national in phones:
            head = not_primary if kind in seen_kinds else owner
            seen_kinds.add(kind)
            buffers.phones.write(_row([*head, kind, _e164(national)]))

        if rng.random() < 0.7:
            buffers.addresses.write(_address_row(rng, v, owner))
        if tag_ids and rng.random() < 0.15:
            for tag_id in rng.sample(tag_ids, 1 if rng.random() < 0.8 else 2):
                buffers.tags.write(f"{pid}\t{tag_id}\n")

        # Exactly as services.refresh_person_search_text composes it.
        parts = [first_th, "", last_th, nick_th, first_en, "", last_en, nick_en, employer_name]
        parts += emails
        for _kind, national in phones:
            parts += _phone_forms(national)
        search_text = " ".join(part for part in parts if part).lower()
        merged_into = rng.randrange(1, pid) if pid > 1000 and rng.random() < 0.002 else None
        born = date(1955, 1, 1) + timedelta(days=rng.randrange(365 * 50))
        row = [
            pid, title, first_th, "", last_th, nick_th, first_en, "", last_en, nick_en,
            "female" if female else "male", born if rng.random() < 0.8 else None,
            national_id, passport, passport_country, "", employer_name, position,
            rng.choice(stages), search_text, _ts(created), _ts(updated), employer_id,
            merged_into, rng.choice(owners) if rng.random() < 0.7 else None, source_id,
        ]  # fmt: skip
        buffers.main.write(_row(row))
        if pid % CHUNK == 0 or pid == count:
            buffers.flush(connection, "people_person", PERSON_COLUMNS)
            rate = pid / (time.perf_counter() - started)
            print(f"  people {pid:,}/{count:,} ({rate:,.0f}/s)", flush=True)


def generate(args: argparse.Namespace) -> None:
    from connexion.people.models import Tag

    rng = random.Random(args.seed)  # noqa: S311 -- reproducible test data, not secrets
    check_phone_forms(random.Random(args.seed + 1))  # noqa: S311
    vocabulary = build_vocabulary(args.seed)
    owners = list(staff_users().values())
    tag_ids = [Tag.objects.get_or_create(name=name)[0].pk for name in TAGS]
    start = datetime(2021, 1, 1, tzinfo=UTC)
    sources = 1000
    began = time.perf_counter()
    print(f"generating {args.people:,} people and {args.organizations:,} organizations")
    with psycopg.connect(args.database_url) as connection:
        held = connection.execute("SELECT count(*) FROM people_person").fetchone()[0]
        if held and "bench" not in connection.info.dbname:
            raise SystemExit(
                f"{connection.info.dbname} holds {held:,} people: generating would replace "
                "them. Use a database whose name contains 'bench', or --skip-generate."
            )
        connection.execute("SET maintenance_work_mem = '2GB'")
        connection.execute("SET synchronous_commit = off")
        with connection.transaction(), _bulk_load(connection):
            connection.execute(
                sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                    sql.SQL(", ").join(map(sql.Identifier, LOADED_TABLES))
                )
            )
            _copy(
                connection, "people_source",
                ["id", "kind", "channel", "agreement_reference", "note", "collected_at"],
                "".join(
                    _row([i, "direct", rng.choice(["web_form", "phone", "in_person", "import"]),
                          "", "scale benchmark", _ts(start + timedelta(days=i))])
                    for i in range(1, sources + 1)
                ),
            )  # fmt: skip
            domains = generate_organizations(
                connection, rng, vocabulary, args.organizations, sources, start
            )
            generate_people(
                connection, rng, vocabulary, args.people, domains, owners, tag_ids, sources,
                start,
            )  # fmt: skip
            print(f"  rows loaded in {time.perf_counter() - began:.0f} s; rebuilding indexes")
        for table in LOADED_TABLES:
            connection.execute(
                sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'id'), "
                        "(SELECT coalesce(max(id), 0) + 1 FROM {}), false)").format(
                    sql.Literal(table), sql.Identifier(table)
                )
            )  # fmt: skip
        connection.commit()
        connection.autocommit = True
        print("  VACUUM ANALYZE", flush=True)
        for table in LOADED_TABLES:
            connection.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(table)))
    print(f"generated in {time.perf_counter() - began:.0f} s", flush=True)
    check_search_text()


def check_search_text() -> None:
    """refresh_person_search_text must find nothing to change on a sample."""
    from connexion.people.models import Person
    from connexion.people.services import refresh_person_search_text

    sample = list(Person.objects.order_by("?")[:200])
    stored = {person.pk: person.search_text for person in sample}
    for person in sample:
        refresh_person_search_text(person)
    wrong = [p.pk for p in sample if p.search_text != stored[p.pk]]
    assert not wrong, f"search_text differs from the service's for people {wrong[:5]}"
    print(f"search_text checked against refresh_person_search_text on {len(sample)} people")


# --- measurement -----------------------------------------------------------------


def staff_users() -> dict[str, int]:
    """The benchmark's admin and twenty sales staff (people's owners)."""
    from connexion.accounts.models import User
    from connexion.accounts.services import create_staff_user

    users = {}
    for username, roles in [(BENCH_USER, ["admin"])] + [
        (f"bench-sales{i}", ["sales"]) for i in range(1, 21)
    ]:
        user = User.objects.filter(username=username).first()
        if user is None:
            user, _password = create_staff_user(username, roles=roles)
        users[username] = user.pk
    return users


@dataclass
class Scenario:
    name: str
    # (path, GET parameters, a regular expression the response must match)
    requests: list[tuple[str, dict[str, str], str | None]]
    timings: list[float] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)
    slowest: list[tuple[float, str]] = field(default_factory=list)
    queries: int = 0


def _fragment(
    rng: random.Random, text: str, shortest: int, longest: int, words: tuple[str, ...]
) -> str:
    """What someone types to find `text`: from the start of one of its words (a
    surname is a compound of them) on, 3 to 8 letters, not ending between a
    consonant and its vowel or tone marks."""
    starts = [i for i in range(len(text) - shortest + 1) if i == 0 or text.startswith(words, i)]
    for _ in range(50):
        begin = rng.choice(starts)
        end = begin + rng.randint(shortest, longest)
        if end <= len(text) and (end == len(text) or not THAI_MARKS.match(text[end])):
            return text[begin:end]
    return text


def _cursors(sort_sql: str, sort_field: str, offsets: list[int]) -> list[str]:
    from django.db import connection

    from connexion.lib.cursors import encode_cursor

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT n, value, id FROM (SELECT {sort_field} AS value, id, "  # noqa: S608 -- constants
            f"row_number() OVER (ORDER BY {sort_sql}) AS n FROM people_person "
            "WHERE merged_into_id IS NULL) ranked WHERE n = ANY(%s) ORDER BY n",
            [offsets],
        )
        found = {n: encode_cursor(value, pk) for n, value, pk in cursor.fetchall()}
    return [found[offset] for offset in offsets]


def build_scenarios(args: argparse.Namespace) -> list[Scenario]:
    from django.urls import reverse

    from connexion.people.models import Organization, Person, PhoneNumber

    rng = random.Random(args.seed + 7)  # noqa: S311
    n = args.requests + WARM_UP
    people_url = reverse("people:person_list")
    organizations_url = reverse("people:organization_list")
    last_id = Person.objects.order_by("-id").values_list("id", flat=True).first() or 0
    if not last_id:
        raise SystemExit("No people in this database: run without --skip-generate first.")

    def sample_people(condition: dict[str, Any], count: int) -> list[Person]:
        found: list[Person] = []
        while len(found) < count:
            ids = [rng.randrange(1, last_id + 1) for _ in range(count * 3)]
            found += Person.objects.filter(id__in=ids, merged_into__isnull=True, **condition)
        rng.shuffle(found)
        return found[:count]

    def detail(pk: int) -> str:
        return re.escape(f'href="{reverse("people:person_detail", args=[pk])}"')

    # Cursors after rows 25,000, 25,050, …: pages 501, 502, … (fewer rows: near the end).
    rows = Person.objects.filter(merged_into__isnull=True).count()
    deep = [min((DEEP_PAGE - 1 + i) * PAGE_SIZE, max(1, rows - 2 * PAGE_SIZE)) for i in range(n)]
    newest = _cursors("id DESC", "id", deep)
    by_name = _cursors("first_name_th, id", "first_name_th", deep)
    any_row = 'class="pager"'  # a full page, with a next one
    scenarios = [
        Scenario("people list, first page", [(people_url, {}, any_row)] * n),
        Scenario(
            f"people list, page {DEEP_PAGE}+ (keyset cursor)",
            [(people_url, {"cursor": c}, any_row) for c in newest],
        ),
        Scenario(
            "people list by Thai name, first page", [(people_url, {"sort": "name_th"}, any_row)] * n
        ),
        Scenario(
            f"people list by Thai name, page {DEEP_PAGE}+",
            [(people_url, {"sort": "name_th", "cursor": c}, any_row) for c in by_name],
        ),
        Scenario(
            "people list by Latin name, first page",
            [(people_url, {"sort": "name_en"}, any_row)] * n,
        ),
        Scenario(
            "people list by last change, first page",
            [(people_url, {"sort": "updated"}, any_row)] * n,
        ),
        Scenario("organizations list, first page", [(organizations_url, {}, any_row)] * n),
        Scenario(
            "organizations list by Thai name, first page",
            [(organizations_url, {"sort": "name_th"}, any_row)] * n,
        ),
    ]
    thai_parts = tuple(part[0] for part in SURNAME_PARTS)
    latin_parts = tuple(part[1] for part in SURNAME_PARTS)
    company_words = tuple(word[0] for word in COMPANY_WORDS)
    thai = sample_people({"last_name_th__gt": ""}, n)
    scenarios.append(
        Scenario(
            "search: Thai last-name fragment",
            [
                (people_url, {"q": _fragment(rng, p.last_name_th, 3, 8, thai_parts)}, A_PERSON)
                for p in thai
            ],
        )
    )
    latin = sample_people({}, n)
    scenarios.append(
        Scenario(
            "search: Latin name fragment",
            [
                (
                    people_url,
                    {"q": _fragment(rng, p.last_name_en.lower(), 4, 6, latin_parts)},
                    A_PERSON,
                )
                for p in latin
            ],
        )
    )
    organizations: list[Organization] = []
    while len(organizations) < n:
        ids = [rng.randrange(1, args.organizations + 1) for _ in range(n)]
        organizations += Organization.objects.filter(id__in=ids)
    stems = [
        re.sub(r"^(บริษัท|ห้างหุ้นส่วนจำกัด) ?| ?จำกัด( \(มหาชน\))?$", "", o.name_th) for o in organizations
    ]
    # The example first (it may match nothing in a small data set).
    requests = [(organizations_url, {"q": "โอเพนคลาวด์"}, None)]
    for stem in stems:
        fragment = _fragment(rng, stem, 4, 12, company_words)
        requests.append((organizations_url, {"q": fragment}, AN_ORGANIZATION))
    scenarios.append(Scenario("organizations search: Thai fragment of company name", requests[:n]))
    callers = sample_people({}, n)
    phones = dict(
        PhoneNumber.objects.filter(person__in=callers, is_primary=True, kind="mobile")
        .values_list("person_id", "number")
    )  # fmt: skip
    formats: dict[str, Callable[[str], str]] = {
        "081-234-5678": lambda e: f"0{e[3:5]}-{e[5:8]}-{e[8:]}",
        "+66812345678": lambda e: e,
        "0812345678": lambda e: "0" + e[3:],
    }
    for label, shape in formats.items():
        scenarios.append(
            Scenario(
                f"search: phone as {label}",
                [(people_url, {"q": shape(phones[p.pk])}, detail(p.pk)) for p in callers],
            )
        )
    writers = sample_people({}, n)
    emails = {p.pk: p.emailaddresss.filter(is_primary=True).first().email for p in writers}
    scenarios.append(
        Scenario(
            "search: email",
            [(people_url, {"q": emails[p.pk]}, detail(p.pk)) for p in writers],
        )
    )
    holders = sample_people({"national_id__gt": ""}, n)
    scenarios.append(
        Scenario(
            "search: national ID (admin)",
            [(people_url, {"q": p.national_id}, detail(p.pk)) for p in holders],
        )
    )
    return [s for s in scenarios if args.only.lower() in s.name.lower()]


def measure(scenarios: list[Scenario], explain: bool, freeze: bool) -> tuple[float, float]:
    """Times every request; returns the 1-minute load average before and after."""
    from django.db import connection
    from django.test import Client

    from connexion.accounts.models import User

    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username=BENCH_USER))
    sql_time = [0.0]

    def timed(execute, query, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            sql_time[0] += time.perf_counter() - t0

    executed: list[tuple[float, str, Any]] = []

    def record(execute, query, query_params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(query, query_params, many, context)
        finally:
            executed.append((time.perf_counter() - t0, query, query_params))

    if freeze:
        client.get(scenarios[0].requests[0][0])
        gc.collect()
        gc.freeze()
    load_before = os.getloadavg()[0]
    for scenario in scenarios:
        print(f"measuring: {scenario.name}", flush=True)
        for index, (path, params, needle) in enumerate(scenario.requests):
            sql_time[0] = 0.0
            with connection.execute_wrapper(timed):
                t0 = time.perf_counter()
                response = client.get(path, params)
                elapsed = time.perf_counter() - t0
            if response.status_code != 200:
                raise SystemExit(f"{scenario.name}: {path}?{urlencode(params)} -> {response}")
            if needle and not re.search(needle, response.content.decode()):
                raise SystemExit(f"{scenario.name}: {urlencode(params)} lacks {needle}")
            if index >= WARM_UP:
                scenario.timings.append(elapsed * 1000)
                scenario.sql_ms.append(sql_time[0] * 1000)
                scenario.slowest.append((elapsed * 1000, params.get("q", "")))
        scenario.slowest = sorted(scenario.slowest, reverse=True)[:3]
        # One more request to count its queries and find the slowest. Kept with its
        # parameters: with server-side binding the SQL text holds placeholders.
        path, params, _needle = scenario.requests[-1]
        executed.clear()
        with connection.execute_wrapper(record):
            client.get(path, params)
        scenario.queries = len(executed)
        if explain:
            _elapsed, query, query_params = max(executed, key=lambda e: e[0])
            print(f"\n-- {scenario.name}: {urlencode(params)}\n{query}\n{query_params}\n")
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query, query_params)
                print("\n".join(row[0] for row in cursor.fetchall()), "\n", flush=True)
    return load_before, os.getloadavg()[0]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def report(
    args: argparse.Namespace, scenarios: list[Scenario], command: str, load: tuple[float, float]
) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM people_person), (SELECT count(*) FROM "
            "people_organization), pg_size_pretty(pg_database_size(current_database())), "
            "current_setting('server_version'), current_setting('shared_buffers')"
        )
        people, organizations, size, version, buffers = cursor.fetchone()
    lines = [
        f"Data: {people:,} people, {organizations:,} organizations ({size} database); "
        f"PostgreSQL {version.split()[0]}, shared_buffers {buffers}; {os.cpu_count()} CPUs, "
        f"load average {load[0]:.1f} before and {load[1]:.1f} after measuring. "
        f"{args.requests} timed requests per scenario after {WARM_UP} warm-up requests; "
        "server time = Django test Client in process, signed in as an admin. "
        "SQL = time inside database calls in that request."
        + (" Objects frozen with gc.freeze() after warm-up." if args.gc_freeze else ""),
        "",
        "| scenario | p50 ms | p95 ms | max ms | SQL p50 | SQL p95 | queries | target met |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for s in scenarios:
        p95 = percentile(s.timings, 0.95)
        met = "yes" if p95 < TARGET_P95_MS else f"no (+{p95 - TARGET_P95_MS:.0f} ms)"
        lines.append(
            f"| {s.name} | {statistics.median(s.timings):.1f} | {p95:.1f} | "
            f"{max(s.timings):.1f} | {statistics.median(s.sql_ms):.1f} | "
            f"{percentile(s.sql_ms, 0.95):.1f} | {s.queries} | {met} |"
        )
    lines.append(f"| {IMPORT_PLACEHOLDER} | – | – | – | – | – | – | pending |")
    lines += ["", f"Target: p95 < {TARGET_P95_MS:.0f} ms. Command:", "", f"    {command}", ""]
    lines.append("Slowest requests of each search:")
    for s in scenarios:
        if any(q for _ms, q in s.slowest):
            shown = ", ".join(f"{q!r} {ms:.0f} ms" for ms, q in s.slowest)
            lines.append(f"- {s.name}: {shown}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    command = " ".join(
        shlex.quote(part)
        for part in [
            ".venv/bin/python", "benchmarks/people_scale.py",
            "--database-url", args.database_url, "--people", str(args.people),
            "--organizations", str(args.organizations), "--requests", str(args.requests),
            *(["--skip-generate"] if args.skip_generate else []),
            *(["--gc-freeze"] if args.gc_freeze else []),
            *(["--only", args.only] if args.only else []),
        ]
    )  # fmt: skip
    ensure_database(args.database_url)
    data_dir = tempfile.mkdtemp(prefix="connexion-bench-")
    try:
        setup_django(args.database_url, data_dir)
        from django.core.management import call_command

        t0 = time.perf_counter()
        call_command("migrate", verbosity=1)
        print(f"migrated in {time.perf_counter() - t0:.1f} s", flush=True)
        staff_users()
        if not args.skip_generate:
            generate(args)
        scenarios = build_scenarios(args)
        load = measure(scenarios, args.explain, args.gc_freeze)
        print()
        print(report(args, scenarios, command, load))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
