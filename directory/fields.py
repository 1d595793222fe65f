from django import forms
from django.db import models

from .validators import LOGO_FORMATS, validate_logo


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
    """A logo: a still PNG, JPEG or WebP image (validate_logo). Not an ImageField, which opens files with every Pillow
    plugin."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": LogoFormField, **kwargs})
