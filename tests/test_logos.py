import io
import os
import re
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from directory.choices import Status
from directory.models import Organisation
from directory.validators import LOGO_FORMATS

from .factories import make_user

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
