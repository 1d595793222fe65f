import warnings

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_SIDE = 4000
LOGO_FORMATS = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp"}


def open_logo(file):
    """Open `file` as a PNG, JPEG or WebP image, without letting any other Pillow plugin parse it."""
    file.seek(0)
    return Image.open(file, formats=tuple(LOGO_FORMATS))


def validate_logo(file):
    """Accept only a real, complete, still PNG, JPEG or WebP image of bounded size, whatever the file is called."""
    if file.size > LOGO_MAX_BYTES:
        raise ValidationError(_("The logo is larger than 2 MB. Save it smaller and upload it again."), code="too_large")
    invalid = ValidationError(
        _("The logo is not a PNG, JPEG or WebP image, or the file is damaged."), code="invalid_image"
    )
    try:
        with warnings.catch_warnings():
            # Pillow only warns for a moderately oversized image; treat the warning as the error it is here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = open_logo(file)
            # The JPEG plugin opens a multi-picture JPEG (MPO) as a format of its own.
            if image.format not in LOGO_FORMATS:
                raise invalid
            if getattr(image, "n_frames", 1) > 1:
                # Stored as a still image, its first frame alone could be blank or misleading: the editor chooses.
                raise ValidationError(_("The logo is animated: upload a still image."), code="animated")
            width, height = image.size
            if width > LOGO_MAX_SIDE or height > LOGO_MAX_SIDE:
                raise ValidationError(
                    _("The logo is %(width)s × %(height)s pixels; at most 4000 × 4000 is allowed."),
                    code="too_many_pixels",
                    params={"width": width, "height": height},
                )
            image.verify()
            # verify() does not decode pixel data, so a truncated JPEG passes it; a full load does not.
            open_logo(file).load()
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
        return LOGO_FORMATS.get(open_logo(file).format, ".img")
    finally:
        file.seek(0)
