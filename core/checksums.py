"""Checksums stand in for requirement text wherever something must be stored or compared."""

from __future__ import annotations

import hashlib


def text_checksum(text: str) -> str:
    """SHA-256 of the text as sent (UTF-8), hex encoded."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
