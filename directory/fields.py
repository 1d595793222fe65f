import io

from django import forms
from django.core.files.base import ContentFile
from django.db import models
from django.db.models.fields.files import FieldFile
from PIL import ImageCms, ImageOps

from .validators import LOGO_FORMATS, open_logo, validate_logo

SRGB = ImageCms.createProfile("sRGB")
# Lossy formats are written at a quality that keeps a logo's flat colours and sharp edges: JPEG without subsampling
# its colours. PNG stays lossless.
SAVE_OPTIONS = {"JPEG": {"quality": 90, "subsampling": 0}, "WEBP": {"quality": 90}, "PNG": {}}


def in_srgb(image):
    """Return `image` with its colours converted to sRGB from the colour profile it carries, if any."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        return ImageCms.profileToProfile(image, source, SRGB, outputMode="RGBA" if image.mode == "RGBA" else "RGB")
    except (OSError, ImageCms.PyCMSError):
        # A profile LittleCMS cannot read, or one for other colours than the image's: its colours as they are.
        return image


def reencoded(file):
    """Return the logo in `file` as a new image of the same format holding nothing but its pixels: turned as its EXIF
    orientation says, in sRGB, with no metadata (EXIF with its GPS position, XMP, colour profile, comments) and
    nothing after the image's end, where a file can hide a ZIP archive or an HTML page."""
    with open_logo(file) as uploaded:
        image_format = uploaded.format
        image = in_srgb(ImageOps.exif_transpose(uploaded))
    # The pixels' own transparency is all of the original's information the new file keeps.
    image.info = {key: image.info[key] for key in ("transparency",) if key in image.info}
    buffer = io.BytesIO()
    image.save(buffer, image_format, **SAVE_OPTIONS[image_format])
    file.seek(0)
    return ContentFile(buffer.getvalue())


class LogoFieldFile(FieldFile):
    def save(self, name, content, save=True):
        # Only a new upload is saved here: a logo stored earlier, assigned by its name, stays byte for byte as it is.
        super().save(name, reencoded(content), save)


class LogoFormField(forms.FileField):
    """An image upload judged by its content alone: the stored name is generated, so the uploaded name is moot."""

    def to_python(self, data):
        file = super().to_python(data)
        if file is not None:
            # Checked here rather than by Django's ImageField, which lets every Pillow plugin open the file and only
            # says "not a valid image"; ours says what is wrong and also catches truncation.
            validate_logo(file)
        return file

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            # The file picker offers these formats only; their content types are image/ and the format's name.
            attrs["accept"] = ",".join(f"image/{image_format.lower()}" for image_format in LOGO_FORMATS)
        return attrs


class LogoField(models.FileField):
    """A logo: a still PNG, JPEG or WebP image (validate_logo), stored re-encoded (LogoFieldFile). Not an ImageField,
    which opens files with every Pillow plugin."""

    attr_class = LogoFieldFile

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": LogoFormField, **kwargs})
