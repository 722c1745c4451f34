"""Text out of uploaded files: which types are accepted, and their blocks of text.

A type is accepted by its extension AND by its content (a .pdf must start like a PDF, a
.docx must be a ZIP archive, text types must be UTF-8 without NUL bytes), so a renamed
binary is refused (415) instead of being indexed as garbage. PDFs give one block per page
(its `pageNo`), every other type one block.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

import docx
import pypdf
from pypdf.errors import PyPdfError

from core.exceptions import InvalidRequest, UnsupportedMediaType

TEXT_TYPES = frozenset({"md", "txt", "json", "csv"})
ALLOWED_TYPES = TEXT_TYPES | {"pdf", "docx"}
MAX_NAME_CHARS = 255


@dataclass(frozen=True, slots=True)
class Block:
    text: str
    page_no: int | None = None


def safe_name(raw: str | None) -> str:
    """The file's base name: directories stripped (never used as a path), control
    characters refused, since the name is stored and shown."""
    name = PureWindowsPath(PurePosixPath(raw or "").name).name.strip()
    if not name or name in {".", ".."}:
        raise InvalidRequest("every file needs a name")
    if any(unicodedata.category(char) in {"Cc", "Cf"} for char in name):
        raise InvalidRequest("file names must not contain control characters")
    if len(name) > MAX_NAME_CHARS:
        raise InvalidRequest(f"file names are limited to {MAX_NAME_CHARS} characters")
    return name


def source_type(name: str, data: bytes) -> str:
    """The accepted type of the file (its extension), checked against its content."""
    kind = PurePosixPath(name).suffix.lower().lstrip(".")
    if kind not in ALLOWED_TYPES:
        allowed = ", ".join(sorted(f".{t}" for t in ALLOWED_TYPES))
        raise UnsupportedMediaType(f"{name}: accepted types are {allowed}")
    if not data:
        raise InvalidRequest(f"{name}: the file is empty")
    if kind == "pdf" and not data.startswith(b"%PDF-"):
        raise UnsupportedMediaType(f"{name}: not a PDF file")
    if kind == "docx" and not data.startswith(b"PK\x03\x04"):
        raise UnsupportedMediaType(f"{name}: not a .docx file")
    if kind in TEXT_TYPES and (b"\x00" in data or not _is_utf8(data)):
        raise UnsupportedMediaType(f"{name}: not UTF-8 text")
    return kind


def extract(name: str, kind: str, data: bytes) -> list[Block]:
    """The non-empty blocks of text of an accepted file; 400 when it cannot be read."""
    try:
        blocks = _EXTRACTORS[kind](data)
    # RecursionError: JSON nested deeper than the parser's stack, a hostile file as well
    except (PyPdfError, zipfile.BadZipFile, KeyError, ValueError, csv.Error, RecursionError) as exc:
        raise InvalidRequest(f"{name}: the {kind} file cannot be read") from exc
    return [block for block in blocks if block.text.strip()]


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


def _text(data: bytes) -> list[Block]:
    return [Block(data.decode("utf-8-sig"))]


def _json(data: bytes) -> list[Block]:
    """Indented, so that chunk boundaries fall between fields rather than inside a line."""
    return [Block(json.dumps(json.loads(data.decode("utf-8-sig")), ensure_ascii=False, indent=1))]


def _csv(data: bytes) -> list[Block]:
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    return [Block("\n".join(" | ".join(cell.strip() for cell in row) for row in rows))]


def _pdf(data: bytes) -> list[Block]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [Block(page.extract_text() or "", number) for number, page in enumerate(reader.pages, 1)]


def _docx(data: bytes) -> list[Block]:
    document = docx.Document(io.BytesIO(data))
    return [Block("\n".join(paragraph.text for paragraph in document.paragraphs))]


_EXTRACTORS = {"md": _text, "txt": _text, "json": _json, "csv": _csv, "pdf": _pdf, "docx": _docx}
