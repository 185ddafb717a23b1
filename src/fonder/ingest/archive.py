"""Turn what the user named (a file, a folder, a zip) into :class:`Source` objects, safely.

Zips are read in memory and never extracted to disk. Only members that can hold a chat are
read (text, JSON, XML, HTML, databases), each within a size cap and a compression-ratio cap so
that a zip bomb ends in a clear error instead of filling memory. Member names that try to
climb out (``../``) or are absolute are ignored.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path, PurePosixPath

from ..errors import ArchiveError, InputError, UsageError
from .base import Source

#: Largest member read out of an archive, uncompressed.
MAX_MEMBER_BYTES = 1024 * 1024 * 1024
#: Largest total read out of one archive, uncompressed.
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
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


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, archive: Path, budget: int) -> bytes:
    """Read one member, stopping as soon as a cap is crossed (declared sizes can lie)."""
    limit = min(MAX_MEMBER_BYTES, budget)
    compressed = max(info.compress_size, 1)
    chunks: list[bytes] = []
    total = 0
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                raise ArchiveError(
                    f"The archive unpacks to more than {limit // (1024 * 1024)} MB — in "
                    f"{archive.name} › {info.filename} — export the chat again, or import the "
                    "chat file itself instead of the zip."
                )
            if total > RATIO_MIN_BYTES and total / compressed > MAX_RATIO:
                raise ArchiveError(
                    f"The archive is compressed suspiciously well (over {MAX_RATIO}:1), as zip "
                    f"bombs are — in {archive.name} › {info.filename} — fonder will not unpack it; "
                    "export the chat again from the app."
                )
            chunks.append(chunk)
    return b"".join(chunks)


def zip_sources(path: Path) -> list[Source]:
    """Sources for the chat-like members of a zip archive, read safely into memory."""
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise ArchiveError(
            f"The zip archive is damaged or incomplete — {path.name} — download or export it "
            "again and import the new file."
        ) from exc
    except OSError as exc:
        raise InputError(f"The file cannot be read ({exc.strerror}) — {path} — check its permissions.") from exc
    sources: list[Source] = []
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ENTRIES:
            raise ArchiveError(
                f"The archive holds more than {MAX_ENTRIES} files — {path.name} — import the "
                "chat's own folder or file instead."
            )
        budget = MAX_TOTAL_BYTES
        for info in infos:
            if info.is_dir() or not _safe_member(info.filename) or not _wanted(info.filename):
                continue
            if info.flag_bits & 0x1:
                raise ArchiveError(
                    f"The archive is password-protected — {path.name} — export it again "
                    "without a password."
                )
            try:
                data = _read_member(zf, info, path, budget)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
                raise ArchiveError(
                    f"The zip archive is damaged or incomplete — {path.name} › {info.filename} — "
                    "download or export it again and import the new file."
                ) from exc
            except NotImplementedError as exc:
                raise ArchiveError(
                    f"The archive uses a compression fonder cannot read — {path.name} — "
                    "unzip it with your system's tools and import the chat file inside."
                ) from exc
            budget -= len(data)
            sources.append(Source(path=path, member=info.filename, data=data))
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
