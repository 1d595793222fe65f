from django import forms
from django.db import models

from .validators import validate_logo


class LogoFormField(forms.ImageField):
    """An image upload judged by its content alone: the stored name is generated, so the uploaded name is moot."""

    default_validators = []

    def to_python(self, data):
        if data not in self.empty_values and hasattr(data, "read"):
            # Django's own check says only "not a valid image"; ours says what is wrong and also catches truncation.
            validate_logo(data)
        return super().to_python(data)


class LogoField(models.ImageField):
    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": LogoFormField, **kwargs})
