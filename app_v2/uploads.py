"""Multipart uploads read as a stream, never more than MAX_UPLOAD_BYTES of it.

FastAPI's `UploadFile` parameters would have Starlette read the whole body before the
route runs; here the declared Content-Length is checked first, and the parser consumes the
body through a counter that stops at the limit, so a too-large upload is refused (413)
after at most MAX_UPLOAD_BYTES of it were read.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from core.contract.bodies import check_body_size, media_type
from core.exceptions import InvalidRequest, UnsupportedMediaType
from core.vectors import Upload

FILE_FIELDS = ("files", "files[]")  # clients of the original system send either
MAX_FILES = 100
MAX_FIELDS = 100


@dataclass(frozen=True, slots=True)
class UploadForm:
    """The files of a multipart body, in the order sent, and its other (text) fields."""

    files: list[Upload]
    fields: dict[str, str]


async def read_uploads(request: Request, *, max_bytes: int) -> list[Upload]:
    """The files of the multipart body, in the order sent; 413 past `max_bytes`."""
    return (await read_form(request, max_bytes=max_bytes)).files


async def read_form(request: Request, *, max_bytes: int) -> UploadForm:
    """The files and text fields of the multipart body; 413 past `max_bytes`."""
    if media_type(request.headers.get("content-type")) != "multipart/form-data":
        raise UnsupportedMediaType("send multipart/form-data with the files in field 'files'")
    declared = request.headers.get("content-length", "")
    if declared.isdigit():
        check_body_size(int(declared), max_bytes)
    parser = MultiPartParser(
        request.headers,
        _counted(request.stream(), max_bytes),
        max_files=MAX_FILES,
        max_fields=MAX_FIELDS,
    )
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise InvalidRequest(f"malformed multipart body: {exc.message}") from exc
    try:
        parts = [part for field in FILE_FIELDS for part in form.getlist(field)]
        files = [part for part in parts if isinstance(part, UploadFile)]
        if len(files) != len(parts):
            raise InvalidRequest("the field 'files' must hold files")
        fields = {
            name: value
            for name, value in form.multi_items()
            if isinstance(value, str) and name not in FILE_FIELDS
        }
        return UploadForm([Upload(file.filename, await file.read()) for file in files], fields)
    finally:
        await form.close()


async def _counted(stream: AsyncIterator[bytes], max_bytes: int) -> AsyncGenerator[bytes]:
    read = 0
    async for chunk in stream:
        read += len(chunk)
        check_body_size(read, max_bytes)
        yield chunk
