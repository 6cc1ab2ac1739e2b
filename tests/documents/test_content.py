"""What an identity document may be, judged by its content; what is kept of it."""

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils import translation
from PIL import ExifTags, Image

from connexion.documents import content
from connexion.documents.models import IdentityDocument
from connexion.documents.services import upload_document
from tests.documents.conftest import PDF, image_bytes


def _refused(data: bytes, code: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        content.prepare(data)
    assert caught.value.code == code
    return caught.value


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (image_bytes("JPEG"), "image/jpeg"),
        (image_bytes("PNG"), "image/png"),
        (image_bytes("WEBP"), "image/webp"),
        (PDF, "application/pdf"),
    ],
)
def test_jpeg_png_webp_and_pdf_are_accepted_by_their_content(data, expected):
    prepared = content.prepare(data)
    assert prepared.content_type == expected
    assert content.sniff(prepared.content) == expected


@translation.override("en")
def test_html_or_a_script_is_refused_whatever_its_name():
    error = _refused(b"<html><script>alert(1)</script></html>", "wrong_type")
    assert "File:" in error.messages[0] and "JPEG, PNG or WebP" in error.messages[0]
    _refused(b"GIF89a" + b"\x00" * 100, "wrong_type")
    _refused(b"MZ\x90\x00 an executable", "wrong_type")


def test_a_pdf_without_its_end_marker_is_refused():
    _refused(b"%PDF-1.7\n1 0 obj << >> endobj\n" * 10, "pdf_incomplete")


def test_an_image_that_is_only_a_header_is_refused():
    _refused(image_bytes("PNG")[:40], "bad_image")
    _refused(b"\xff\xd8\xff\xe0" + b"\x00" * 200, "bad_image")


@translation.override("en")
def test_the_size_limit_is_10_mb_and_the_message_names_the_field():
    content.check_size(content.MAX_BYTES)
    with pytest.raises(ValidationError) as caught:
        content.check_size(content.MAX_BYTES + 1)
    assert caught.value.messages == ["File: the file is larger than 10 MB (this one is 10.0 MB)."]
    _refused(PDF + b" " * content.MAX_BYTES, "too_large")
    _refused(b"", "empty")


def test_re_encoding_drops_exif_and_gps():
    original = image_bytes("JPEG", exif=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert b"SpyCam" in original
    kept = content.prepare(original).content
    image = Image.open(io.BytesIO(kept))
    assert image.size == (64, 48)
    assert not image.getexif()
    assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert b"SpyCam" not in kept and b"Exif" not in kept


def test_re_encoding_follows_the_orientation_tag_before_dropping_it():
    image = Image.new("RGB", (60, 20), "blue")
    tags = Image.Exif()
    tags[ExifTags.Base.Orientation] = 6  # rotated 90° clockwise
    out = io.BytesIO()
    image.save(out, "JPEG", exif=tags)
    kept = Image.open(io.BytesIO(content.prepare(out.getvalue()).content))
    assert kept.size == (20, 60)


def test_png_text_chunks_are_dropped():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "GPS 13.75,100.5 owner Somchai")
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(out, "PNG", pnginfo=info)
    kept = content.prepare(out.getvalue()).content
    assert b"Somchai" not in kept
    assert Image.open(io.BytesIO(kept)).mode == "RGBA"


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("size", [(20000, 20000), (7000, 7000)])
def test_a_decompression_bomb_is_refused_before_it_is_decoded(size):
    # A small file that claims hundreds of millions of pixels (20000² is past
    # Pillow's own error threshold; 7000² only past ours).
    out = io.BytesIO()
    Image.new("1", size).save(out, "PNG")
    assert len(out.getvalue()) < 200_000
    error = _refused(out.getvalue(), "too_many_pixels")
    assert "40" in error.messages[0]


@pytest.mark.parametrize(
    ("uploaded", "expected"),
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("..\\..\\Windows\\win.ini.jpg", "win.ini.jpg"),
        ("/var/www/บัตรประชาชน สมศรี.jpeg", "บัตรประชาชน สมศรี.jpg"),
        ('<img src=x onerror="alert(1)">.jpg', "img src_x onerror_alert(1).jpg"),
        ("name\x00.php.jpg", "name.php.jpg"),
        ("...", "id_card.jpg"),
        ("", "id_card.jpg"),
    ],
)
def test_display_names_keep_no_path_or_markup(uploaded, expected):
    assert content.display_name(uploaded, ".jpg", "id_card") == expected


def test_a_jpg_that_is_really_a_pdf_is_stored_as_the_pdf_it_is(person, officer, media):
    document = upload_document(officer, person, kind="passport", data=PDF, uploaded_name="a.jpg")
    assert document.content_type == "application/pdf"
    assert document.file_name == "a.pdf"


def test_stored_names_are_random_and_inside_the_media_folder(person, officer, media):
    document = upload_document(
        officer, person, kind="id_card", data=image_bytes(), uploaded_name="../../../x.jpg"
    )
    name = document.file.name
    assert name.startswith("identity-documents/") and name.endswith(".jpg")
    assert "x" not in name.rsplit("/", 1)[1].removesuffix(".jpg").strip("0123456789abcdef")
    path = media / name
    assert path.resolve().is_relative_to(media.resolve()) and path.exists()
    raw = path.read_bytes()
    assert not raw.startswith(b"\xff\xd8\xff") and b"JFIF" not in raw
    with default_storage.open(name) as stream:
        assert stream.read()[:3] == b"\xff\xd8\xff"


def test_a_power_of_attorney_needs_signer_and_authority(person, officer):
    with pytest.raises(ValidationError) as caught:
        upload_document(officer, person, kind="power_of_attorney", data=PDF)
    assert set(caught.value.message_dict) == {"signer_name", "authority_granted"}
    with pytest.raises(ValidationError) as caught:
        upload_document(
            officer,
            person,
            kind="power_of_attorney",
            data=b"<html>",
            signer_name="นายสมชาย ใจดี",
            authority_granted="ลงนามสัญญาแทน",
            valid_from=date(2025, 1, 10),
            valid_until=date(2025, 1, 1),
        )
    assert set(caught.value.message_dict) == {"file", "valid_until"}
    assert not IdentityDocument.objects.exists()
