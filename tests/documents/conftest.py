import io
import os
from pathlib import Path

import pytest
from PIL import ExifTags, Image

from connexion.people.services import create_organization, create_person, create_source

MASTER_KEY = os.urandom(32)


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CONNEXION_MASTER_KEYS = (MASTER_KEY,)
    return settings.MEDIA_ROOT


@pytest.fixture
def person(db):
    source = create_source(None, kind="direct", channel="phone")
    return create_person(None, source=source, first_name_th="สมศรี", last_name_th="ใจดี")


@pytest.fixture
def organization(db):
    source = create_source(None, kind="direct", channel="phone")
    return create_organization(None, source=source, name_th="บริษัท ตัวอย่าง จำกัด")


@pytest.fixture
def officer(make_user):
    return make_user("dpo", roles=("privacy_officer",), language="en")


@pytest.fixture
def sales(make_user):
    return make_user("sales1", roles=("sales",), language="en")


def image_bytes(fmt: str = "JPEG", size=(64, 48), color="red", exif: bool = False) -> bytes:
    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    if exif:
        tags = Image.Exif()
        tags[ExifTags.Base.Make] = "SpyCam"
        tags[ExifTags.Base.Orientation] = 1
        gps = tags.get_ifd(ExifTags.IFD.GPSInfo)
        gps[ExifTags.GPS.GPSLatitudeRef] = "N"
        gps[ExifTags.GPS.GPSLatitude] = (13.0, 45.0, 0.0)
        gps[ExifTags.GPS.GPSLongitudeRef] = "E"
        gps[ExifTags.GPS.GPSLongitude] = (100.0, 30.0, 0.0)
        image.save(out, fmt, exif=tags)
    else:
        image.save(out, fmt)
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
