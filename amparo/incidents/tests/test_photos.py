from __future__ import annotations

import io

import pytest
from django.utils import translation
from PIL import ExifTags, Image, PngImagePlugin

from amparo.incidents.errors import IncidentsError
from amparo.incidents.photos import MAX_SIDE, strip_metadata

GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (41.0, 45.0, 30.0),
    ExifTags.GPS.GPSLongitudeRef: "W",
    ExifTags.GPS.GPSLongitude: (72.0, 41.0, 7.0),
}


def exif_with_gps(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "InventedPhoneCo"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.GPSInfo] = GPS
    return exif


def photo(format: str = "JPEG", size: tuple[int, int] = (60, 30), **save: object) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format=format, **save)
    return buffer.getvalue()


def test_a_jpeg_with_gps_tags_comes_out_without_any_metadata() -> None:
    original = photo(exif=exif_with_gps(), icc_profile=b"invented-icc-profile", comment=b"Zebra")
    before = Image.open(io.BytesIO(original))
    assert before.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test photo does carry GPS

    data, content_type = strip_metadata(original)

    assert content_type == "image/jpeg"
    after = Image.open(io.BytesIO(data))
    assert after.format == "JPEG"
    assert not after.getexif()
    assert not after.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert (
        "icc_profile" not in after.info and "comment" not in after.info and "exif" not in after.info
    )
    for trace in (b"Exif", b"InventedPhoneCo", b"invented-icc-profile", b"Zebra"):
        assert trace not in data


def test_the_exif_orientation_is_applied_before_the_tags_go() -> None:
    sideways = photo(size=(60, 30), exif=exif_with_gps(orientation=6))
    data, _ = strip_metadata(sideways)
    assert Image.open(io.BytesIO(data)).size == (30, 60)


def test_png_text_chunks_and_webp_exif_are_dropped_too() -> None:
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Invented Person")
    png, png_type = strip_metadata(photo("PNG", pnginfo=text, exif=exif_with_gps()))
    assert png_type == "image/jpeg"  # no transparency: a JPEG is smaller
    assert b"Invented Person" not in png and b"InventedPhoneCo" not in png
    webp, _ = strip_metadata(photo("WEBP", exif=exif_with_gps()))
    assert b"InventedPhoneCo" not in webp and not Image.open(io.BytesIO(webp)).getexif()


def test_a_transparent_png_stays_a_png() -> None:
    buffer = io.BytesIO()
    Image.new("RGBA", (20, 20), (0, 0, 0, 0)).save(buffer, format="PNG")
    data, content_type = strip_metadata(buffer.getvalue())
    assert content_type == "image/png"
    assert Image.open(io.BytesIO(data)).mode == "RGBA"


def test_a_large_photo_is_scaled_down() -> None:
    data, _ = strip_metadata(photo(size=(MAX_SIDE * 2, 100)))
    assert Image.open(io.BytesIO(data)).size == (MAX_SIDE, 50)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"%PDF-1.7 invented document",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        photo()[:200],  # cut short
    ],
)
def test_what_is_not_a_readable_photo_is_refused(data: bytes) -> None:
    with pytest.raises(IncidentsError):
        strip_metadata(data)


def test_formats_outside_the_list_are_refused() -> None:
    with pytest.raises(IncidentsError):
        strip_metadata(photo("GIF"))


def test_a_small_file_declaring_a_huge_canvas_is_refused_before_decoding() -> None:
    buffer = io.BytesIO()
    Image.new("1", (9000, 7000)).save(buffer, format="PNG")  # 63 megapixels in a few kB
    assert len(buffer.getvalue()) < 100_000
    with translation.override("en"), pytest.raises(IncidentsError, match="too large"):
        strip_metadata(buffer.getvalue())


def test_a_png_canvas_too_big_to_decode_in_full_is_refused_though_small_on_disk() -> None:
    big_blank_png = photo("PNG", size=(5000, 4000))  # 20 MP, a few KB compressed

    with pytest.raises(IncidentsError):
        strip_metadata(big_blank_png)


def test_a_big_jpeg_is_decoded_at_a_reduced_scale_and_comes_out_small() -> None:
    data, content_type = strip_metadata(photo("JPEG", size=(6000, 4500)))  # 27 MP

    with Image.open(io.BytesIO(data)) as kept:
        assert content_type == "image/jpeg" and max(kept.size) <= MAX_SIDE
