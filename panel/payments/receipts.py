"""Receipts: a photo (JPEG or PNG) or a PDF, checked by content (never by the file's name), kept in
the shared store (panel/storage.py) under a random name and served only after a permission check.

Photos are opened with Pillow and saved again, turned the way the camera held them and without
their EXIF data (which can hold where the photo was taken, the phone's make and the time); PDFs
get the same cleaned copy as applications (panel/uploads.py: no properties, scripts or
attachments). Only the cleaned file is kept: nobody needs the original of a parking ticket."""
from __future__ import annotations

import io
import logging
import secrets

from PIL import Image, ImageOps, UnidentifiedImageError
from werkzeug.datastructures import FileStorage

from panel.storage import PDF, StoreError, get_store
from panel.uploads import UploadError, clean_pdf, is_pdf, read_upload

log = logging.getLogger(__name__)

PREFIX = "receipts/"
NOT_A_RECEIPT = "The receipt must be a photo (JPEG or PNG) or a PDF"
IMAGE_TYPES = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png")}
MAX_PIXELS = 40_000_000  # a phone photo is about 12 million; more is a decompression bomb


def strip_image(data: bytes) -> tuple[bytes, str, str]:
    """(the photo saved again without EXIF, its content type, its extension); UploadError if it is
    not a JPEG or PNG photo that can be read."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            if kind not in IMAGE_TYPES or image.width * image.height > MAX_PIXELS:
                raise UploadError(NOT_A_RECEIPT)
            image.load()
            upright = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            if kind == "JPEG":
                upright.convert("RGB").save(out, "JPEG", quality=85)  # no exif= given: none written
            else:
                upright.save(out, "PNG")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise UploadError(NOT_A_RECEIPT) from exc
    content_type, extension = IMAGE_TYPES[kind]
    return out.getvalue(), content_type, extension


def clean_receipt(file: FileStorage) -> tuple[bytes, str, str]:
    """(the cleaned bytes, content type, extension) of an uploaded receipt; UploadError otherwise."""
    data = read_upload(file)
    if is_pdf(data):
        return clean_pdf(data), PDF, "pdf"
    return strip_image(data)


def save(data: bytes, content_type: str, extension: str) -> str:
    """Store a cleaned receipt under a new random name; its store key."""
    key = f"{PREFIX}{secrets.token_hex(16)}.{extension}"
    try:
        get_store().put(key, data, content_type)
    except StoreError as exc:
        log.error("could not store a receipt: %s", exc)
        raise UploadError("The receipt could not be saved. Try again, or tell the involvement team.") from exc
    return key


def delete(key: str, store=None) -> bool:
    if not key.startswith(PREFIX):
        return False
    try:
        return (store or get_store()).delete(key)
    except StoreError as exc:
        log.error("could not delete receipt %s: %s", key, exc)
        return False
