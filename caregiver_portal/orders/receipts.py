"""Receipt photos on disk under the data directory: checked by content, named by the portal, never by the user."""

from __future__ import annotations

import secrets
from pathlib import Path

from caregiver_portal.core.errors import ConfigurationError, InvalidTransition

MAX_RECEIPT_BYTES = 900_000  # the browser shrinks photos before upload; the portal's body limit is 1 MB
# Image signatures we accept, and the extension and media type we store them under.
IMAGE_TYPES = (
    (b"\xff\xd8\xff", ".jpg", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", ".png", "image/png"),
    (b"RIFF", ".webp", "image/webp"),
)
MEDIA_TYPES = {ext: media for _, ext, media in IMAGE_TYPES}


def receipts_dir(data_dir: Path | None) -> Path:
    """Where receipt photos are kept (created on first use)."""
    if data_dir is None:
        raise ConfigurationError("门户没有设置数据目录，无法保存小票照片")
    path = data_dir / "receipts"
    path.mkdir(parents=True, exist_ok=True)
    return path


def image_extension(content: bytes) -> str:
    """The file extension for a JPEG, PNG or WebP image, or :class:`InvalidTransition` for anything else."""
    for signature, extension, _media in IMAGE_TYPES:
        if content.startswith(signature) and (extension != ".webp" or content[8:12] == b"WEBP"):
            return extension
    raise InvalidTransition("小票照片只能是 JPG、PNG 或 WebP 图片")


def save_receipt(data_dir: Path | None, content: bytes) -> str:
    """Store a receipt photo; returns its file name (random, so it cannot be guessed or collide)."""
    if not content:
        raise InvalidTransition("照片是空的")
    if len(content) > MAX_RECEIPT_BYTES:
        raise InvalidTransition("照片太大（最大 900 KB），请重新拍一张")
    name = secrets.token_hex(16) + image_extension(content)
    (receipts_dir(data_dir) / name).write_bytes(content)
    return name


def receipt_path(data_dir: Path | None, name: str) -> Path:
    """The stored file of a receipt name written by :func:`save_receipt`."""
    stem, dot, extension = name.partition(".")
    if not (len(stem) == 32 and all(c in "0123456789abcdef" for c in stem) and dot and "." + extension in MEDIA_TYPES):
        raise InvalidTransition("invalid receipt name")
    return receipts_dir(data_dir) / name
