"""Photos sent with reports, made safe to keep: no metadata, bounded size.

A phone photo carries EXIF tags (where it was taken, when, with which phone),
an ICC profile and sometimes comments or thumbnails: any of them can name the
person who took it. Deleting tags one by one misses what we do not know about,
so :func:`strip_metadata` keeps only the pixels: it decodes the image, applies
the EXIF orientation (so the photo still stands upright), copies the pixels
into a new image that has no metadata at all, and encodes that.

Accepted: JPEG (and the iPhone's multi-picture JPEG), PNG and WebP. HEIC is
not read: Pillow cannot without a plugin, and iPhones already turn HEIC into
JPEG when a photo is attached to an MMS or a web form. Animated images keep
their first frame.
"""

from __future__ import annotations

import io
import threading
import warnings

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from amparo.incidents.errors import IncidentsError

ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP"})
MAX_BYTES = 20 * 1024 * 1024
# Refused before decoding: a small file can declare a huge canvas (a decompression bomb).
# A JPEG is decoded at a reduced scale (Pillow's draft mode: 1/2, 1/4 or 1/8 of each
# side), so it may declare more pixels than a PNG or WebP, decoded at full size.
MAX_PIXELS = 50_000_000
MAX_PIXELS_FULL_DECODE = 16_000_000
DRAFT_FORMATS = frozenset({"JPEG", "MPO"})
# Photos decoded at once per process: each holds tens of MB while it is decoded.
_decoding = threading.BoundedSemaphore(2)
# Kept photos are scaled down to this many pixels on the long side: enough to read a
# badge or a plate, and a tenth of the storage of a full-size phone photo.
MAX_SIDE = 2560
JPEG_QUALITY = 85


def strip_metadata(data: bytes) -> tuple[bytes, str]:
    """Re-encode the image in ``data`` without any metadata; return its bytes and content type.

    The result is a JPEG, or a PNG when the image has transparency. Raise
    :class:`IncidentsError` if ``data`` is not an accepted image, is damaged, or
    is larger than :data:`MAX_BYTES` or :data:`MAX_PIXELS`.
    """
    if len(data) > MAX_BYTES:
        raise IncidentsError(_("That photo is too large."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                _check_header(probe)
                probe.verify()  # structure and checksums, without decoding pixels
            with _decoding, Image.open(io.BytesIO(data)) as image:
                _check_header(image)
                image.seek(0)
                if image.format in DRAFT_FORMATS:
                    image.draft("RGB", (MAX_SIDE, MAX_SIDE))
                upright = ImageOps.exif_transpose(image)
                upright.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
                pixels = _plain_pixels(upright)
    except IncidentsError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ) as exc:
        raise IncidentsError(_("That file is not a photo we can read.")) from exc
    output = io.BytesIO()
    if pixels.mode == "RGBA":
        pixels.save(output, format="PNG", optimize=True)
        return output.getvalue(), "image/png"
    pixels.save(output, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return output.getvalue(), "image/jpeg"


def _check_header(image: Image.Image) -> None:
    if image.format not in ACCEPTED_FORMATS:
        raise IncidentsError(_("That file is not a photo we can read."))
    width, height = image.size
    limit = MAX_PIXELS if image.format in DRAFT_FORMATS else MAX_PIXELS_FULL_DECODE
    if width < 1 or height < 1 or width * height > limit:
        raise IncidentsError(_("That photo is too large."))


def _plain_pixels(image: Image.Image) -> Image.Image:
    """The pixels of ``image`` in RGB (RGBA if it has transparency), in an image with no info."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    converted = image.convert("RGBA" if has_alpha else "RGB")
    # A new image from raw bytes carries no EXIF, ICC profile, comment, XMP or text chunk.
    return Image.frombytes(converted.mode, converted.size, converted.tobytes())
