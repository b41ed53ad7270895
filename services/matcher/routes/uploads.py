"""Uploaded files read as text, bounded (shared by the import and bulk enrollment routes)."""

from __future__ import annotations

from fastapi import HTTPException, UploadFile, status

from shared.api import unprocessable

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


async def upload_text(file: UploadFile) -> str:
    """The file as UTF-8 text (a BOM dropped): 413 above ``MAX_UPLOAD_BYTES``, 422 on
    ``file`` if it is not UTF-8."""
    raw = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(raw) > MAX_UPLOAD_BYTES:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE, f"file larger than {MAX_UPLOAD_BYTES} bytes"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise unprocessable("file", f"cannot read {file.filename}: {exc}") from exc


def too_many_rows(count: int, limit: int) -> HTTPException:
    return HTTPException(
        status.HTTP_413_CONTENT_TOO_LARGE, f"{count} rows; at most {limit} per request"
    )
