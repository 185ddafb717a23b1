"""Uploads streamed straight into a private temporary folder, with a size cap.

The request body is parsed as it arrives (``python-multipart``'s streaming parser): nothing is
held in memory or spooled to a shared place, each file is created ``0600`` inside a fresh
``0700`` folder, and the upload stops at the first byte over the cap. A folder dropped on the
page arrives as many files whose names carry their relative paths; they are rebuilt inside the
private folder, with every ``..`` and absolute part removed. The CSRF token must arrive (as a
header, or as the form field sent before the files) before a single file byte is written.

The caller imports the returned path and deletes :attr:`Upload.folder` afterwards.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

from python_multipart.multipart import MultipartParser, parse_options_header

from ..errors import InputError, UsageError
from . import words
from .security import Forbidden

DEFAULT_MAX_BYTES = 1_000_000_000  # 1 GB: a chat's text is far smaller; media-laden zips are not
DEFAULT_MAX_FILES = 20_000
FILE_FIELD = "file"
_MAX_FIELD = 4096  # small form fields (the CSRF token)
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


class UploadTooLarge(InputError):
    """The upload went over the size cap (HTTP 413)."""


class UploadRefused(Forbidden):
    """The upload lacked a valid CSRF token (HTTP 403)."""


@dataclass
class Upload:
    """Files written into a private folder; :attr:`path` is what to import."""

    folder: Path
    files: list[Path] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    size: int = 0

    @property
    def path(self) -> Path:
        """The one file uploaded, or the folder rebuilt from many."""
        if len(self.files) == 1:
            return self.files[0]
        base = self.folder / "upload"
        tops = {n.split("/", 1)[0] for n in self.names}
        if len(tops) == 1 and all("/" in n for n in self.names):
            return base / tops.pop()  # the dropped folder itself: its name can matter
        return base

    @property
    def display(self) -> str:
        """How the person would name what they dropped."""
        if len(self.names) == 1:
            return Path(self.names[0]).name
        tops = {n.split("/", 1)[0] for n in self.names}
        return tops.pop() if len(tops) == 1 else f"{len(self.names)} files"

    def delete(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def safe_relative(name: str) -> Path | None:
    """A client's file name as a safe relative path (folders kept), or None if nothing is left."""
    parts = []
    for part in re.split(r"[\\/]+", _UNSAFE.sub("", name)):
        part = part.strip()
        if part in ("", ".", ".."):
            continue
        while len(part.encode()) > 255:
            part = part[:-1]
        parts.append(part)
    if not parts:
        return None
    return Path(*parts[-16:])  # no deeper than any export goes


def private_folder(root: Path | None = None) -> Path:
    """A fresh folder only this user can read (``mkdtemp`` makes it 0700)."""
    return Path(tempfile.mkdtemp(prefix="fonder-upload-", dir=root))


async def receive(
    content_type: str,
    chunks: AsyncIterator[bytes],
    *,
    token_ok: Callable[[str | None], bool],
    header_token: str | None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_files: int = DEFAULT_MAX_FILES,
    root: Path | None = None,
) -> Upload:
    """Stream a ``multipart/form-data`` body into a new private folder.

    Raises :class:`UploadRefused` without a valid token, :class:`UploadTooLarge` over the cap,
    :class:`InputError` for a garbled body or no file; the folder is removed on any failure.
    """
    kind, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise InputError(words.UPLOAD_BROKEN)
    upload = Upload(private_folder(root))
    state = _Parts(upload, token_ok, header_token, max_bytes, max_files)
    parser = MultipartParser(
        boundary,
        callbacks={
            "on_part_begin": state.begin,
            "on_header_field": state.header_field,
            "on_header_value": state.header_value,
            "on_header_end": state.header_end,
            "on_headers_finished": state.headers_done,
            "on_part_data": state.data,
            "on_part_end": state.end,
        },
    )
    try:
        async for chunk in chunks:
            parser.write(chunk)
            if state.error is not None:
                raise state.error
        parser.finalize()
        if state.error is not None:
            raise state.error
        if not upload.files:
            if not state.authorised:
                raise UploadRefused(words.UPLOAD_EMPTY)
            raise InputError(words.UPLOAD_EMPTY)
        if len(upload.files) > 1:
            _gather(upload)
    except (InputError, UsageError):
        state.close()
        upload.delete()
        raise
    except Exception as exc:  # the parser's own errors: a garbled or cut-off body
        state.close()
        upload.delete()
        raise InputError(words.UPLOAD_BROKEN) from exc
    return upload


def _gather(upload: Upload) -> None:
    """Move many files under one ``upload/`` folder, keeping their relative paths."""
    base = upload.folder / "upload"
    moved = []
    for f in upload.files:
        target = base / f.relative_to(upload.folder / "files")
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        f.replace(target)
        moved.append(target)
    shutil.rmtree(upload.folder / "files", ignore_errors=True)
    upload.files = moved


class _Parts:
    """The parser's callbacks: one part at a time into a field value or a private file."""

    def __init__(
        self,
        upload: Upload,
        token_ok: Callable[[str | None], bool],
        header_token: str | None,
        max_bytes: int,
        max_files: int,
    ) -> None:
        self.upload = upload
        self.token_ok = token_ok
        self.authorised = token_ok(header_token)
        self.max_bytes = max_bytes
        self.max_files = max_files
        self.error: Exception | None = None
        self._field = b""
        self._value = b""
        self._headers: dict[bytes, bytes] = {}
        self._name = ""
        self._fd: int | None = None
        self._buffer: bytearray | None = None

    def begin(self) -> None:
        self._headers = {}
        self._field = self._value = b""
        self._fd = None
        self._buffer = None
        self._name = ""

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field = self._value = b""

    def headers_done(self) -> None:
        if self.error is not None:
            return
        _disp, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = params.get(b"name", b"").decode("utf-8", "replace")
        filename = params.get(b"filename")
        if filename is None:
            self._name = name
            self._buffer = bytearray()
            return
        if name != FILE_FIELD:
            return  # a file under another field name: ignored
        rel = safe_relative(filename.decode("utf-8", "replace"))
        if rel is None:
            return  # an empty file input
        if not self.authorised:
            self.error = UploadRefused(words.CSRF_FAILED.format(path="/import"))
            return
        if len(self.upload.files) >= self.max_files:
            self.error = UploadTooLarge(
                words.UPLOAD_TOO_MANY.format(limit=self.max_files, name=self.upload.display)
            )
            return
        target = self.upload.folder / "files" / rel
        if target.exists():
            return  # the same path twice: keep the first
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        self.upload.files.append(target)
        self.upload.names.append(rel.as_posix())

    def data(self, data: bytes, start: int, end: int) -> None:
        if self.error is not None:
            return
        if self._buffer is not None:
            if len(self._buffer) + (end - start) > _MAX_FIELD:
                self.error = InputError(words.UPLOAD_BROKEN)
                return
            self._buffer += data[start:end]
            return
        if self._fd is None:
            return
        self.upload.size += end - start
        if self.upload.size > self.max_bytes:
            self.error = UploadTooLarge(
                words.UPLOAD_TOO_LARGE.format(limit=words.size(self.max_bytes), name=self.upload.display)
            )
            return
        view = memoryview(data)[start:end]
        while view:
            written = os.write(self._fd, view)
            view = view[written:]

    def end(self) -> None:
        if self._buffer is not None:
            if self._name == "csrf" and not self.authorised:
                self.authorised = self.token_ok(self._buffer.decode("utf-8", "replace"))
            self._buffer = None
        self.close()

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
