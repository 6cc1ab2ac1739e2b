"""Thai conventions with no Django in them: Buddhist Era dates, the 13-digit
identification number checksum, and the list of provinces."""

from __future__ import annotations

from datetime import date, datetime

BUDDHIST_ERA_OFFSET = 543

THAI_MONTHS = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
THAI_MONTHS_SHORT = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def buddhist_year(value: date) -> int:
    return value.year + BUDDHIST_ERA_OFFSET


def format_date(value: date, language: str, *, short: bool = False) -> str:
    """`25 พฤศจิกายน 2569` in Thai (Buddhist Era), `25 November 2026` in English."""
    if language == "th":
        months = THAI_MONTHS_SHORT if short else THAI_MONTHS
        return f"{value.day} {months[value.month - 1]} {buddhist_year(value)}"
    month = ENGLISH_MONTHS[value.month - 1]
    return f"{value.day} {month[:3] if short else month} {value.year}"


def format_datetime(value: datetime, language: str, *, short: bool = False) -> str:
    return f"{format_date(value, language, short=short)} {value:%H:%M}"


def thai_id_check_digit(first_twelve: str) -> int:
    """Weights 13…2 over the first 12 digits; check = (11 - sum mod 11) mod 10."""
    total = sum(
        int(digit) * weight for digit, weight in zip(first_twelve, range(13, 1, -1), strict=True)
    )
    return (11 - total % 11) % 10


def is_valid_thai_id(number: str) -> bool:
    """Validates a national ID or a juristic-person tax ID (same rule)."""
    return (
        len(number) == 13
        and number.isascii()
        and number.isdigit()
        and thai_id_check_digit(number[:12]) == int(number[12])
    )


def format_thai_id(number: str) -> str:
    """`1-2345-67890-12-1`"""
    return f"{number[0]}-{number[1:5]}-{number[5:10]}-{number[10:12]}-{number[12]}"


# The 76 provinces and Bangkok, by their official Thai and English names.
PROVINCES: tuple[tuple[str, str], ...] = (
    ("กรุงเทพมหานคร", "Bangkok"),
    ("กระบี่", "Krabi"),
    ("กาญจนบุรี", "Kanchanaburi"),
    ("กาฬสินธุ์", "Kalasin"),
    ("กำแพงเพชร", "Kamphaeng Phet"),
    ("ขอนแก่น", "Khon Kaen"),
    ("จันทบุรี", "Chanthaburi"),
    ("ฉะเชิงเทรา", "Chachoengsao"),
    ("ชลบุรี", "Chon Buri"),
    ("ชัยนาท", "Chai Nat"),
    ("ชัยภูมิ", "Chaiyaphum"),
    ("ชุมพร", "Chumphon"),
    ("เชียงราย", "Chiang Rai"),
    ("เชียงใหม่", "Chiang Mai"),
    ("ตรัง", "Trang"),
    ("ตราด", "Trat"),
    ("ตาก", "Tak"),
    ("นครนายก", "Nakhon Nayok"),
    ("นครปฐม", "Nakhon Pathom"),
    ("นครพนม", "Nakhon Phanom"),
    ("นครราชสีมา", "Nakhon Ratchasima"),
    ("นครศรีธรรมราช", "Nakhon Si Thammarat"),
    ("นครสวรรค์", "Nakhon Sawan"),
    ("นนทบุรี", "Nonthaburi"),
    ("นราธิวาส", "Narathiwat"),
    ("น่าน", "Nan"),
    ("บึงกาฬ", "Bueng Kan"),
    ("บุรีรัมย์", "Buri Ram"),
    ("ปทุมธานี", "Pathum Thani"),
    ("ประจวบคีรีขันธ์", "Prachuap Khiri Khan"),
    ("ปราจีนบุรี", "Prachin Buri"),
    ("ปัตตานี", "Pattani"),
    ("พระนครศรีอยุธยา", "Phra Nakhon Si Ayutthaya"),
    ("พะเยา", "Phayao"),
    ("พังงา", "Phangnga"),
    ("พัทลุง", "Phatthalung"),
    ("พิจิตร", "Phichit"),
    ("พิษณุโลก", "Phitsanulok"),
    ("เพชรบุรี", "Phetchaburi"),
    ("เพชรบูรณ์", "Phetchabun"),
    ("แพร่", "Phrae"),
    ("ภูเก็ต", "Phuket"),
    ("มหาสารคาม", "Maha Sarakham"),
    ("มุกดาหาร", "Mukdahan"),
    ("แม่ฮ่องสอน", "Mae Hong Son"),
    ("ยโสธร", "Yasothon"),
    ("ยะลา", "Yala"),
    ("ร้อยเอ็ด", "Roi Et"),
    ("ระนอง", "Ranong"),
    ("ระยอง", "Rayong"),
    ("ราชบุรี", "Ratchaburi"),
    ("ลพบุรี", "Lop Buri"),
    ("ลำปาง", "Lampang"),
    ("ลำพูน", "Lamphun"),
    ("เลย", "Loei"),
    ("ศรีสะเกษ", "Si Sa Ket"),
    ("สกลนคร", "Sakon Nakhon"),
    ("สงขลา", "Songkhla"),
    ("สตูล", "Satun"),
    ("สมุทรปราการ", "Samut Prakan"),
    ("สมุทรสงคราม", "Samut Songkhram"),
    ("สมุทรสาคร", "Samut Sakhon"),
    ("สระแก้ว", "Sa Kaeo"),
    ("สระบุรี", "Saraburi"),
    ("สิงห์บุรี", "Sing Buri"),
    ("สุโขทัย", "Sukhothai"),
    ("สุพรรณบุรี", "Suphan Buri"),
    ("สุราษฎร์ธานี", "Surat Thani"),
    ("สุรินทร์", "Surin"),
    ("หนองคาย", "Nong Khai"),
    ("หนองบัวลำภู", "Nong Bua Lam Phu"),
    ("อ่างทอง", "Ang Thong"),
    ("อำนาจเจริญ", "Amnat Charoen"),
    ("อุดรธานี", "Udon Thani"),
    ("อุตรดิตถ์", "Uttaradit"),
    ("อุทัยธานี", "Uthai Thani"),
    ("อุบลราชธานี", "Ubon Ratchathani"),
)
