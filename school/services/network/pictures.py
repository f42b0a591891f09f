"""An initiative's picture, kept safely: read by Pillow (the bytes must be a JPEG, PNG or
WebP image, not what their name or type claims), at most ``MAX_BYTES`` sent and
``MAX_PIXELS`` decoded, then drawn again as a plain JPEG or PNG at most ``MAX_SIDE``
pixels wide: no metadata (a phone's GPS position), no script, nothing but pixels."""

from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

# A phone's photo as it comes (2 to 5 MB), re-encoded much smaller below. The routes
# that take one raise Flask's 1 MB limit to REQUEST_MAX for themselves
# (``web.security.takes_picture``): a picture in base64 in the API's JSON is a third
# larger. nginx's body limit is as large (deploy/nginx-site.conf).
MAX_BYTES = 8_000_000
REQUEST_MAX = 12 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 48-megapixel phone photo is refused, not decoded
MAX_SIDE = 1600
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}


class BadPicture(ValueError):
    """The reason is one of: ``too_large``, ``not_an_image``."""


def clean_picture(data: bytes) -> tuple[bytes, str]:
    """The picture re-encoded, and its media type; ``BadPicture`` when it is not one."""
    if len(data) > MAX_BYTES:
        raise BadPicture("too_large")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise BadPicture("not_an_image")
            if probe.width * probe.height > MAX_PIXELS:
                raise BadPicture("too_large")
            source_format = probe.format
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            # A PNG stays a PNG (a logo, a screenshot); a WebP with transparency too.
            lossless = source_format == "PNG" or (
                source_format == "WEBP" and image.mode in ("RGBA", "LA", "P")
            )
            out = io.BytesIO()
            if lossless:
                image.convert("RGBA").save(out, "PNG", optimize=True)
                return out.getvalue(), "image/png"
            image.convert("RGB").save(out, "JPEG", quality=85)
            return out.getvalue(), "image/jpeg"
    except BadPicture:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise BadPicture("not_an_image") from None
