"""What an uploaded identity document may be, judged by its content.

Accepted: JPEG, PNG and WebP images, re-encoded from their pixels so that no
metadata (EXIF, GPS position, camera serial, comments) is kept, and PDF files
with a PDF header and end-of-file marker. The name and the browser's content
type are never trusted."""

from __future__ import annotations

import contextlib
import io
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
# A 40-megapixel photo decodes to 160 MB; anything larger is refused before
# its pixels are decoded (a small file can claim enormous dimensions).
MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
THUMBNAIL_SIZE = (240, 240)

JPEG, PNG, WEBP, PDF = "image/jpeg", "image/png", "image/webp", "application/pdf"
EXTENSIONS = {JPEG: ".jpg", PNG: ".png", WEBP: ".webp", PDF: ".pdf"}
_PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}
IMAGE_TYPES = frozenset(_PILLOW_FORMATS)

FIELD = _("File")


def _error(message: str, code: str) -> ValidationError:
    # The field's name leads every message, so that it reads well in a list too.
    return ValidationError(
        "%(field)s: %(message)s", code=code, params={"field": FIELD, "message": message}
    )


def sniff(head: bytes) -> str | None:
    """The content type the first bytes announce, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    return None


def check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise _error(
            _("the file is larger than 10 MB (this one is %(size).1f MB).")
            % {"size": size / (1024 * 1024)},
            "too_large",
        )
    if size == 0:
        raise _error(_("the file is empty."), "empty")


@dataclass(frozen=True)
class PreparedFile:
    content: bytes
    content_type: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def prepare(data: bytes) -> PreparedFile:
    """Checks an upload and returns what may be stored, or a ValidationError."""
    check_size(len(data))
    content_type = sniff(data[:16])
    if content_type is None:
        raise _error(
            _("upload a JPEG, PNG or WebP image or a PDF file; this file is none of them."),
            "wrong_type",
        )
    if content_type == PDF:
        return PreparedFile(_checked_pdf(data), PDF)
    return PreparedFile(_reencoded_image(data, content_type), content_type)


def _checked_pdf(data: bytes) -> bytes:
    # A complete PDF ends with %%EOF (and perhaps a line end); a cut-off upload does not.
    if b"%%EOF" not in data[-1024:]:
        raise _error(_("the PDF file is incomplete (it has no end marker)."), "pdf_incomplete")
    return data


def _too_many_pixels() -> ValidationError:
    return _error(
        _("the image is too large to process (more than %(megapixels)d megapixels).")
        % {"megapixels": MAX_PIXELS // 1_000_000},
        "too_many_pixels",
    )


def _open_image(data: bytes, content_type: str) -> Image.Image:
    """Opens and decodes the image, refusing decompression bombs before decoding."""
    try:
        image = Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[content_type]])
        if image.width * image.height > MAX_PIXELS:
            raise _too_many_pixels()
        image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _error(
            _("the image cannot be read; it may be damaged or incomplete."), "bad_image"
        ) from None
    return image


def _reencoded_image(data: bytes, content_type: str) -> bytes:
    image = _open_image(data, content_type)
    # Turn the pixels the way the camera's orientation tag says, since the tag goes.
    # (A malformed orientation tag leaves the pixels as they are.)
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        image = ImageOps.exif_transpose(image) or image
    # A fresh image from the pixels alone: no EXIF, GPS, XMP, ICC or text chunks.
    if content_type == JPEG:
        mode = "L" if image.mode in {"1", "L", "LA"} else "RGB"
    else:
        transparent = image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info
        mode = "RGBA" if transparent else "RGB"
    pixels = image.convert(mode)
    clean = Image.new(mode, pixels.size)
    clean.paste(pixels)
    out = io.BytesIO()
    if content_type == JPEG:
        clean.save(out, "JPEG", quality=90, optimize=True)
    elif content_type == PNG:
        clean.save(out, "PNG", optimize=True)
    else:
        clean.save(out, "WEBP", quality=90)
    return out.getvalue()


def thumbnail(data: bytes, content_type: str) -> bytes:
    """A small JPEG of a stored image, made on request and never stored."""
    image = _open_image(data, content_type)
    image.thumbnail(THUMBNAIL_SIZE)
    if image.mode in {"RGBA", "LA", "PA", "P"}:
        # JPEG has no transparency: put it on white.
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, "white")
        image.paste(rgba, mask=rgba.getchannel("A"))
    elif image.mode != "RGB":
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


_KEPT_PUNCTUATION = frozenset(" .()-_")


def display_name(uploaded_name: str, extension: str, fallback: str) -> str:
    """A name to show and to offer on download: the uploaded name without any
    folder, control or shell character, with the extension of its real type.
    The file is stored under a random name; this one never reaches the disk."""
    base = (uploaded_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    # Letters with their marks (Thai vowels and tones are marks), digits, a little
    # punctuation; anything else (slashes, quotes, angle brackets) becomes "_".
    base = "".join(
        ch if unicodedata.category(ch)[0] in "LMN" or ch in _KEPT_PUNCTUATION else "_"
        for ch in base
        if unicodedata.category(ch)[0] != "C"
    )
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = re.sub(r"_+", "_", stem).strip(" ._")[:100]
    return f"{stem or fallback}{extension}"
