import io
import os
import re
import struct
import zlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.urls import reverse
from PIL import ExifTags, Image, ImageChops, ImageCms, PngImagePlugin

from directory.choices import Status
from directory.models import Organisation
from directory.validators import LOGO_FORMATS, LOGO_MAX_BYTES

from .factories import make_organisation, make_user

pytestmark = pytest.mark.django_db


def image_bytes(fmt="PNG", size=(64, 64), mode="RGB", noise=False):
    image = Image.frombytes(mode, size, os.urandom(size[0] * size[1] * 3)) if noise else Image.new(mode, size, "teal")
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width, height):
    """A tiny PNG whose header claims enormous dimensions: a decompression bomb as an attacker would send it."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\0" * 1024)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", body) + png_chunk(b"IEND", b"")


@pytest.fixture
def publisher_client(client):
    client.force_login(make_user(groups=["Publishers"]))
    return client


def upload(client, name, content, content_type="image/png"):
    return client.post(
        reverse("admin:directory_organisation_add"),
        {
            "name": "Logo Test Lab",
            "kind": "startup",
            "status": Status.DRAFT,
            "logo": SimpleUploadedFile(name, content, content_type=content_type),
        },
    )


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.png", b"This is a text file pretending to be a PNG.\n" * 20, "not a PNG, JPEG or WebP"),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "not a PNG, JPEG or WebP",
        ),
        ("logo.png", image_bytes("PNG", (200, 200))[:300], "damaged"),
        ("logo.jpg", image_bytes("JPEG", (400, 400))[:2000], "damaged"),
        ("bomb.png", png_claiming(60000, 60000), "at most 4000 × 4000"),
        ("wide.png", png_claiming(5000, 100), "at most 4000 × 4000"),
        ("logo.gif", image_bytes("GIF"), "not a PNG, JPEG or WebP"),
        ("huge.png", image_bytes("PNG", (1000, 1000), noise=True), "larger than 2 MB"),
    ],
    ids=["renamed-text", "svg", "truncated-png", "truncated-jpeg", "bomb", "too-wide", "gif", "over-2mb"],
)
def test_bad_logo_gets_a_clear_form_error_and_nothing_is_stored(publisher_client, settings, name, content, message):
    response = upload(publisher_client, name, content)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors.get("logo", []))
    assert message in errors
    assert not Organisation.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.parametrize(("fmt", "extension"), [("PNG", ".png"), ("JPEG", ".jpg"), ("WEBP", ".webp")])
def test_real_logo_is_stored_under_a_generated_name_with_its_real_extension(publisher_client, settings, fmt, extension):
    response = upload(publisher_client, "../../etc/passwd.php", image_bytes(fmt))
    assert response.status_code == 302
    logo = Organisation.objects.get().logo
    assert re.fullmatch(rf"logos/[0-9a-f]{{32}}\{extension}", logo.name)
    assert [p.name for p in stored_files(settings)] == [logo.name.removeprefix("logos/")]


def test_logo_named_as_jpeg_but_really_png_is_stored_as_png(publisher_client):
    upload(publisher_client, "logo.jpg", image_bytes("PNG"), content_type="image/jpeg")
    assert Organisation.objects.get().logo.name.endswith(".png")


def test_organisation_list_shows_the_logo_thumbnail(publisher_client):
    upload(publisher_client, "logo.png", image_bytes("PNG"))
    response = publisher_client.get(reverse("admin:directory_organisation_changelist"))
    assert Organisation.objects.get().logo.url in response.content.decode()


def test_logo_is_validated_outside_the_admin_too():
    organisation = Organisation(name="Shell Lab", kind="startup")
    organisation.logo = SimpleUploadedFile("logo.png", b"<?php system($_GET['c']); ?>")
    with pytest.raises(Exception) as caught:
        organisation.full_clean()
    assert "not a PNG, JPEG or WebP" in str(caught.value)


@pytest.fixture
def other_plugins(monkeypatch):
    """Record every Pillow plugin other than PNG, JPEG and WebP that is asked whether it can read a file."""
    Image.init()
    asked = []
    for name, (factory, accept) in list(Image.OPEN.items()):
        if name not in LOGO_FORMATS:

            def spy_accept(prefix, accept=accept, name=name):
                asked.append(name)
                return accept(prefix) if accept else True

            def spy_factory(*args, factory=factory, name=name):
                asked.append(name)
                return factory(*args)

            monkeypatch.setitem(Image.OPEN, name, (spy_factory, spy_accept))
    return asked


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF", "ICO", "PPM"])
def test_other_image_formats_are_refused_without_any_other_plugin_parsing_them(
    publisher_client, settings, other_plugins, fmt
):
    response = upload(publisher_client, "logo.png", image_bytes(fmt))
    errors = response.context["adminform"].form.errors["logo"]
    assert errors == ["The logo is not a PNG, JPEG or WebP image, or the file is damaged."]
    assert other_plugins == []
    assert stored_files(settings) == []


def test_every_logo_is_opened_as_png_jpeg_or_webp_only(publisher_client, monkeypatch):
    calls = []
    original = Image.open

    def spy(fp, mode="r", formats=None):
        calls.append(formats)
        return original(fp, mode, formats)

    monkeypatch.setattr(Image, "open", spy)
    assert upload(publisher_client, "logo.png", image_bytes("PNG")).status_code == 302
    assert calls and all(formats is not None and set(formats) == set(LOGO_FORMATS) for formats in calls)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_animated_logo_is_refused(publisher_client, settings, fmt):
    frames = [Image.new("RGB", (32, 32), colour) for colour in ("teal", "orange")]
    buffer = io.BytesIO()
    frames[0].save(buffer, fmt, save_all=True, append_images=frames[1:], duration=100)
    response = upload(publisher_client, "logo.img", buffer.getvalue())
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["logo"] == ["The logo is animated: upload a still image."]
    assert stored_files(settings) == []


def stored(organisation):
    """Return the bytes of the organisation's stored logo, and the logo opened by Pillow."""
    organisation.refresh_from_db()
    with organisation.logo.open("rb") as file:
        data = file.read()
    return data, Image.open(io.BytesIO(data))


def exif_with_gps():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Secret Camera"
    exif[ExifTags.Base.ImageDescription] = "Taken at home"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (22.0, 16.0, 42.0),
            ExifTags.GPS.GPSAreaInformation: "Flat 12A",
        }
    )
    return exif


XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description exif:GPSLatitude="22,16.7N"/></x:xmpmeta>'
SECRETS = (b"Secret Camera", b"Taken at home", b"Flat 12A", b"GPSLatitude")
# How each format marks its EXIF, colour profile and XMP.
METADATA_MARKERS = {
    "PNG": (b"eXIf", b"iCCP", b"XML:com.adobe.xmp", b"a comment"),
    "JPEG": (b"Exif\0\0", b"ICC_PROFILE", b"http://ns.adobe.com/xap/", b"a comment"),
    "WEBP": (b"EXIF", b"ICCP", b"XMP "),
}


def with_metadata(fmt):
    image = Image.new("RGB", (48, 32), "teal")
    buffer = io.BytesIO()
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    options = {"exif": exif_with_gps(), "icc_profile": icc, "xmp": XMP}
    if fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", "a comment")
        info.add_itxt("XML:com.adobe.xmp", XMP.decode())
        options = {"exif": exif_with_gps(), "icc_profile": icc, "pnginfo": info}
    elif fmt == "JPEG":
        options["comment"] = b"a comment"
    image.save(buffer, fmt, **options)
    data = buffer.getvalue()
    assert all(marker in data for marker in SECRETS + METADATA_MARKERS[fmt])
    return data


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_stored_logo_keeps_no_exif_gps_xmp_colour_profile_or_comments(publisher_client, fmt):
    upload(publisher_client, "logo.img", with_metadata(fmt))
    data, image = stored(Organisation.objects.get())
    assert image.format == fmt
    assert image.size == (48, 32)
    assert not set(image.info) & {"exif", "xmp", "icc_profile", "comment", "Comment", "XML:com.adobe.xmp"}
    assert not image.getexif()
    assert not [marker for marker in SECRETS + METADATA_MARKERS[fmt] if marker in data]


def test_jpeg_is_stored_turned_as_its_exif_orientation_says_without_the_tag(publisher_client):
    # Stored sideways, as cameras do: red on the left, blue on the right; Orientation 6 means "turn 90° clockwise".
    image = Image.new("RGB", (40, 20), "red")
    image.paste("blue", (20, 0, 40, 20))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=95)
    upload(publisher_client, "photo.jpg", buffer.getvalue())
    _, logo = stored(Organisation.objects.get())
    assert logo.size == (20, 40)
    assert ExifTags.Base.Orientation not in logo.getexif()
    top, bottom = logo.convert("RGB").getpixel((10, 5)), logo.convert("RGB").getpixel((10, 35))
    assert top[0] > 200 > top[2] and bottom[2] > 200 > bottom[0]


POLYGLOT_TAIL = b"PK\x03\x04" + b"\0" * 26 + b"<html><script>alert(document.cookie)</script></html>"


@pytest.mark.parametrize(("fmt", "end"), [("PNG", b"IEND\xaeB`\x82"), ("JPEG", b"\xff\xd9")])
def test_bytes_after_the_end_of_the_image_are_not_stored(publisher_client, fmt, end):
    response = upload(publisher_client, "logo.img", image_bytes(fmt) + POLYGLOT_TAIL)
    assert response.status_code == 302
    data, image = stored(Organisation.objects.get())
    assert data.endswith(end)
    assert b"<script" not in data and b"PK\x03\x04" not in data
    assert image.format == fmt


@pytest.mark.parametrize(("fmt", "mode"), [("PNG", "RGBA"), ("PNG", "LA"), ("WEBP", "RGBA")])
def test_transparency_is_kept(publisher_client, fmt, mode):
    image = Image.new(mode, (32, 32), {"RGBA": (0, 128, 128, 255), "LA": (128, 255)}[mode])
    image.paste((0,) * len(mode), (0, 0, 16, 32))
    buffer = io.BytesIO()
    image.save(buffer, fmt, lossless=True) if fmt == "WEBP" else image.save(buffer, fmt)
    upload(publisher_client, "logo.img", buffer.getvalue())
    _, logo = stored(Organisation.objects.get())
    assert logo.mode == mode
    assert logo.getchannel("A").getextrema() == (0, 255)
    assert logo.getpixel((4, 4))[-1] == 0 and logo.getpixel((28, 4))[-1] == 255


def test_transparency_of_a_palette_png_is_kept(publisher_client):
    image = Image.new("P", (32, 32), 1)
    image.putpalette([255, 255, 255, 0, 128, 128])
    image.paste(0, (0, 0, 16, 32))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", transparency=0)
    upload(publisher_client, "logo.png", buffer.getvalue())
    _, logo = stored(Organisation.objects.get())
    rgba = logo.convert("RGBA")
    assert rgba.getpixel((4, 4))[3] == 0 and rgba.getpixel((28, 4)) == (0, 128, 128, 255)


def profile_swapping_red_and_green():
    """An RGB colour profile under which the file's red is green in sRGB, and its green red."""
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    (count,) = struct.unpack(">I", data[128:132])
    entries = {bytes(data[132 + 12 * n : 136 + 12 * n]): 132 + 12 * n for n in range(count)}
    for red, green in ((b"rXYZ", b"gXYZ"), (b"rTRC", b"gTRC")):
        a, b = entries[red] + 4, entries[green] + 4
        data[a : a + 8], data[b : b + 8] = data[b : b + 8], data[a : a + 8]
    return bytes(data)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_colours_are_converted_to_srgb_from_the_logos_profile(publisher_client, fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (255, 0, 0)).save(buffer, fmt, icc_profile=profile_swapping_red_and_green(), quality=95)
    upload(publisher_client, "logo.img", buffer.getvalue())
    _, logo = stored(Organisation.objects.get())
    assert "icc_profile" not in logo.info
    red, green, blue = logo.convert("RGB").getpixel((16, 16))
    assert green > 200 and red < 60 and blue < 60


@pytest.mark.parametrize(
    "profile", [b"not a colour profile" * 8, ImageCms.createProfile("LAB")], ids=["damaged", "lab"]
)
def test_logo_whose_colour_profile_cannot_be_applied_is_stored_as_it_looks_without_it(publisher_client, profile):
    if not isinstance(profile, bytes):
        profile = ImageCms.ImageCmsProfile(profile).tobytes()
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (255, 0, 0)).save(buffer, "PNG", icc_profile=profile)
    assert upload(publisher_client, "logo.png", buffer.getvalue()).status_code == 302
    _, logo = stored(Organisation.objects.get())
    assert "icc_profile" not in logo.info
    assert logo.getpixel((16, 16)) == (255, 0, 0)


def test_logo_saved_outside_the_admin_is_re_encoded_too():
    organisation = make_organisation(logo=SimpleUploadedFile("logo.jpg", with_metadata("JPEG")))
    data, image = stored(organisation)
    assert image.format == "JPEG"
    assert not image.getexif()
    assert not [marker for marker in SECRETS + METADATA_MARKERS["JPEG"] if marker in data]


def test_a_logo_stored_earlier_is_left_byte_for_byte_as_it_was(publisher_client, settings):
    original = with_metadata("JPEG")
    name = default_storage.save(f"logos/{'a' * 32}.jpg", ContentFile(original))
    organisation = make_organisation("Old Lab", kind="startup", status=Status.DRAFT, logo=name)
    response = publisher_client.post(
        reverse("admin:directory_organisation_change", args=[organisation.pk]),
        {"name": "Old Lab, renamed", "kind": "startup", "status": Status.DRAFT},
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.name, organisation.logo.name) == ("Old Lab, renamed", name)
    assert stored(organisation)[0] == original


@pytest.mark.parametrize(("fmt", "tolerance"), [("PNG", 0), ("JPEG", 8), ("WEBP", 8)])
def test_stored_logo_is_the_same_picture_in_the_uploaded_format(publisher_client, fmt, tolerance):
    picture = Image.linear_gradient("L").resize((64, 48)).convert("RGB")
    buffer = io.BytesIO()
    picture.save(buffer, fmt, quality=95)
    upload(publisher_client, "logo.img", buffer.getvalue())
    _, image = stored(Organisation.objects.get())
    assert (image.format, image.size) == (fmt, (64, 48))
    difference = ImageChops.difference(image.convert("RGB"), picture)
    assert max(high for _, high in difference.getextrema()) <= tolerance


def logo_form(logo, **fields):
    """The admin's add form with the logo first, so fields the parser reads after it show whether they survive."""
    return {"logo": logo, "name": "Logo Test Lab", "kind": "startup", "status": Status.DRAFT, **fields}


@pytest.fixture
def received(monkeypatch):
    """Count the bytes of uploaded files that reach each of Django's own upload handlers."""
    counts = {}
    for handler in (MemoryFileUploadHandler, TemporaryFileUploadHandler):
        counts[handler.__name__] = 0

        def spy(self, raw_data, start, original=handler.receive_data_chunk, name=handler.__name__):
            counts[name] += len(raw_data)
            return original(self, raw_data, start)

        monkeypatch.setattr(handler, "receive_data_chunk", spy)
    return counts


def test_logo_over_the_limit_is_refused_as_it_streams_and_never_reaches_disk(publisher_client, settings, received):
    huge = SimpleUploadedFile("photo.jpg", image_bytes("JPEG") + os.urandom(5 * 1024 * 1024), "image/jpeg")
    response = publisher_client.post(reverse("admin:directory_organisation_add"), logo_form(huge))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["logo"] == ["The logo is larger than 2 MB. Save it smaller and upload it again."]
    # The fields sent after the file arrived: the editor gets the form back as filled in, apart from the file.
    assert (form["name"].value(), form["kind"].value()) == ("Logo Test Lab", "startup")
    assert received["TemporaryFileUploadHandler"] == 0
    assert received["MemoryFileUploadHandler"] <= LOGO_MAX_BYTES
    assert not Organisation.objects.exists()
    assert stored_files(settings) == []


def test_request_larger_than_the_upload_bound_is_refused_before_it_is_read(publisher_client, settings, received):
    body = settings.FILE_UPLOAD_MAX_MEMORY_SIZE + 1
    huge = SimpleUploadedFile("photo.jpg", os.urandom(body), "image/jpeg")
    response = publisher_client.post(reverse("admin:directory_organisation_add"), logo_form(huge))
    assert response.status_code == 400
    assert received == {"MemoryFileUploadHandler": 0, "TemporaryFileUploadHandler": 0}
    assert not Organisation.objects.exists()


def test_logo_within_the_limit_is_kept_in_memory_not_in_a_temporary_file(publisher_client, received):
    logo = image_bytes("PNG", (700, 700), noise=True)
    assert 1024 * 1024 < len(logo) <= LOGO_MAX_BYTES
    response = publisher_client.post(
        reverse("admin:directory_organisation_add"), logo_form(SimpleUploadedFile("logo.png", logo))
    )
    assert response.status_code == 302
    assert received == {"MemoryFileUploadHandler": len(logo), "TemporaryFileUploadHandler": 0}
