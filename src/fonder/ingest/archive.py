"""Turn what the user named (a file, a folder, a zip) into :class:`Source` objects, safely.

Zips are read in memory and never extracted to disk. Only members that can hold a chat are
read (text, JSON, XML, HTML, databases), one at a time and only when an importer asks, each
within a size cap and a compression-ratio cap so that a zip bomb ends in a clear error
instead of filling memory. Member names that try to
climb out (``../``) or are absolute are ignored.
"""

from __future__ import annotations

import functools
import os
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from ..errors import ArchiveError, InputError, UsageError
from .base import Source

#: Largest member read out of an archive, uncompressed.
MAX_MEMBER_BYTES = 1024 * 1024 * 1024
#: Largest uncompressed/compressed ratio allowed for members over ``RATIO_MIN_BYTES``. Chat
#: text compresses about 3-10x; zip bombs compress thousands of times.
MAX_RATIO = 200
RATIO_MIN_BYTES = 1024 * 1024
#: Largest number of files looked at in one folder or archive.
MAX_ENTRIES = 200_000
#: Endings of files that may hold a chat; everything else (photos, voice notes) is skipped.
CHAT_SUFFIXES = (".txt", ".json", ".jsonl", ".xml", ".html", ".htm", ".csv", ".db", ".sqlite")

_CHUNK = 1024 * 1024


def is_zip(path: Path) -> bool:
    """True when the file starts like a zip archive (by content, not name)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(4) in (b"PK\x03\x04", b"PK\x05\x06")
    except OSError:
        return False


def _safe_member(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if not parts or name.startswith(("/", "\\")) or ".." in parts:
        return False
    if len(parts[0]) == 2 and parts[0][1] == ":":  # C:\...
        return False
    return not parts[-1].startswith(".") and not name.startswith("__MACOSX/")


def _wanted(name: str) -> bool:
    return name.lower().endswith(CHAT_SUFFIXES)


class _Zip:
    """One open archive shared by its members' sources; reads a member on demand, safely."""

    def __init__(self, path: Path, zf: zipfile.ZipFile) -> None:
        self.path = path
        self.zf = zf

    def read(self, info: zipfile.ZipInfo, size: int | None) -> bytes:
        """The member's first ``size`` bytes (all with ``None``), stopping at any cap crossed."""
        where = f"{self.path.name} › {info.filename}"
        try:
            return self._read(info, size, where)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, ValueError, OSError) as exc:
            raise ArchiveError(
                f"The zip archive is damaged or incomplete — {where} — download or export it "
                "again and import the new file."
            ) from exc
        except NotImplementedError as exc:
            raise ArchiveError(
                f"The archive uses a compression fonder cannot read — {where} — unzip it with "
                "your system's tools and import the chat file inside."
            ) from exc

    def _read(self, info: zipfile.ZipInfo, size: int | None, where: str) -> bytes:
        limit = MAX_MEMBER_BYTES if size is None else min(size, MAX_MEMBER_BYTES)
        compressed = max(info.compress_size, 1)
        chunks: list[bytes] = []
        total = 0
        with self.zf.open(info) as fh:
            while total < limit or size is None:
                chunk = fh.read(min(_CHUNK, limit - total) if size is not None else _CHUNK)
                if not chunk:
                    break
                total += len(chunk)
                if size is None and total > MAX_MEMBER_BYTES:
                    raise ArchiveError(
                        f"The archive unpacks to more than {MAX_MEMBER_BYTES // 2**20} MB — {where} "
                        "— export the chat again, or import the chat file itself instead of the zip."
                    )
                if total > RATIO_MIN_BYTES and total / compressed > MAX_RATIO:
                    raise ArchiveError(
                        f"The archive is compressed suspiciously well (over {MAX_RATIO}:1), as zip "
                        f"bombs are — {where} — fonder will not unpack it; export the chat again "
                        "from the app."
                    )
                chunks.append(chunk)
        return b"".join(chunks)


def zip_sources(path: Path) -> list[Source]:
    """Sources for the chat-like members of a zip archive; each is read when asked for."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise ArchiveError(
            f"The zip archive is damaged or incomplete — {path.name} — download or export it "
            "again and import the new file."
        ) from exc
    except OSError as exc:
        raise InputError(
            f"The file cannot be read ({exc.strerror}) — {path} — check it and try again."
        ) from exc
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise ArchiveError(
            f"The archive holds more than {MAX_ENTRIES} files — {path.name} — import the "
            "chat's own folder or file instead."
        )
    archive = _Zip(path, zf)
    sources: list[Source] = []
    for info in infos:
        if info.is_dir() or not _safe_member(info.filename) or not _wanted(info.filename):
            continue
        if info.flag_bits & 0x1:
            raise ArchiveError(
                f"The archive is password-protected — {path.name} — export it again without "
                "a password."
            )
        declared = info.file_size
        if declared > MAX_MEMBER_BYTES or (
            declared > RATIO_MIN_BYTES and declared / max(info.compress_size, 1) > MAX_RATIO
        ):
            # What the archive says of itself; _Zip.read checks again, as headers can lie.
            raise ArchiveError(
                f"The archive would unpack to {declared // 2**20} MB from "
                f"{max(info.compress_size, 1) // 1024} KB, as zip bombs do — "
                f"{path.name} › {info.filename} — fonder will not unpack it; export the chat "
                "again from the app."
            )
        sources.append(
            Source(path=path, member=info.filename, loader=functools.partial(archive.read, info))
        )
    return sources


def folder_sources(path: Path) -> list[Source]:
    """Sources for the chat-like files below a folder (hidden files and folders skipped)."""
    found: list[Source] = []
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            full = Path(root) / name
            if _wanted(name) or is_zip(full):
                found.append(Source(path=full))
                if len(found) > MAX_ENTRIES:
                    raise ArchiveError(
                        f"The folder holds more than {MAX_ENTRIES} files — {path} — "
                        "import the chat's own folder or file instead."
                    )
    return found


def open_sources(path: Path) -> list[Source]:
    """Everything below ``path`` that might be a chat: a file, a zip's members, a folder's files.

    Raises :class:`UsageError` when the path does not exist, :class:`InputError` when it cannot
    be read, :class:`ArchiveError` for broken or hostile archives.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise UsageError(f"There is no file or folder at {path} — check the path and try again.")
    if path.is_dir():
        sources: list[Source] = []
        for src in folder_sources(path):
            sources.extend(zip_sources(src.path) if is_zip(src.path) else [src])
        return sources
    if not os.access(path, os.R_OK):
        raise InputError(
            f"fonder is not allowed to read the file — {path} — check its permissions "
            "(for example with 'ls -l') and try again."
        )
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise InputError(f"The file cannot be read ({exc.strerror}) — {path} — check it and try again.") from exc
    if is_zip(path):
        return zip_sources(path)
    return [Source(path=path)]
