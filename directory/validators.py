import warnings

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_SIDE = 4000
LOGO_FORMATS = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp"}


def _open(file):
    file.seek(0)
    return Image.open(file)


def validate_logo(file):
    """Accept only a real, complete PNG, JPEG or WebP image of bounded size, whatever the file is called."""
    if file.size > LOGO_MAX_BYTES:
        raise ValidationError(_("The logo is larger than 2 MB. Save it smaller and upload it again."), code="too_large")
    invalid = ValidationError(
        _("The logo is not a PNG, JPEG or WebP image, or the file is damaged."), code="invalid_image"
    )
    try:
        with warnings.catch_warnings():
            # Pillow only warns for a moderately oversized image; treat the warning as the error it is here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = _open(file)
            if image.format not in LOGO_FORMATS:
                raise invalid
            width, height = image.size
            if width > LOGO_MAX_SIDE or height > LOGO_MAX_SIDE:
                raise ValidationError(
                    _("The logo is %(width)s × %(height)s pixels; at most 4000 × 4000 is allowed."),
                    code="too_many_pixels",
                    params={"width": width, "height": height},
                )
            image.verify()
            # verify() does not decode pixel data, so a truncated JPEG passes it; a full load does not.
            _open(file).load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationError(
            _("The logo has far too many pixels; at most 4000 × 4000 is allowed."), code="too_many_pixels"
        ) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise invalid from error
    finally:
        file.seek(0)


def logo_extension(file):
    """Return the file extension of the logo's real format (validate_logo has already accepted it)."""
    try:
        return LOGO_FORMATS.get(_open(file).format, ".img")
    finally:
        file.seek(0)
