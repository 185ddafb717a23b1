"""What every importer shares: the input it reads, the result it returns, the protocol.

An importer is a small object with a ``name``, a cheap ``sniff(source) -> bool`` that looks at
content (the first few KB and the name) and never raises, and ``parse(source, options)`` that
returns one :class:`ParsedChat` per conversation found. An importer of sources with many
chats may also have ``stream(source, options)``, yielding the chats one by one as they are
read (the iMessage importer does), so that a huge source is never held whole. Platform quirks
stay inside the importer; identity (``chat_id``, ``msg_id``) and "who is me" are settled
afterwards, the same way for every platform, by :func:`fonder.ingest.finalize`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import polars as pl

from ..errors import InputError

#: How many bytes ``sniff`` may look at.
SNIFF_BYTES = 16 * 1024

#: A progress callback: (done, total, what). ``total`` may be ``None`` when unknown.
Progress = Callable[[int, "int | None", str], None]


def no_progress(done: int, total: int | None, what: str) -> None:
    """The default progress callback: does nothing."""


@dataclass(frozen=True)
class Source:
    """One file to import: a file on disk, or a member of an archive.

    Archive members are never extracted to disk; their bytes are read in memory when asked
    for (within the caps of :mod:`fonder.ingest.archive`), one member at a time.
    """

    path: Path
    member: str | None = None
    data: bytes | None = field(default=None, repr=False)
    #: For archive members: reads the member's first ``n`` bytes (all with ``None``), safely.
    loader: Callable[[int | None], bytes] | None = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        """The file's own name: the member's base name inside an archive, else the file's."""
        if self.member is not None:
            return self.member.rsplit("/", 1)[-1]
        return self.path.name

    @property
    def display(self) -> str:
        """How to name this source in a message to the user."""
        if self.member is not None:
            return f"{self.path.name} › {self.member}"
        return self.path.name

    @property
    def archive_stem(self) -> str | None:
        """The archive's file name without ``.zip``, when this source came from one."""
        if self.member is None:
            return None
        return self.path.name[:-4] if self.path.name.lower().endswith(".zip") else self.path.name

    def read_bytes(self) -> bytes:
        """All of the file's bytes (an archive member is read now, within the caps)."""
        if self.data is not None:
            return self.data
        if self.loader is not None:
            return self.loader(None)
        return self.path.read_bytes()

    def head(self, size: int = SNIFF_BYTES) -> bytes:
        """The first ``size`` bytes; empty when the file cannot be read."""
        if self.data is not None:
            return self.data[:size]
        try:
            if self.loader is not None:
                return self.loader(size)
            with open(self.path, "rb") as fh:
                return fh.read(size)
        except (OSError, InputError):  # sniffing never raises; parsing reports the problem
            return b""


@dataclass(frozen=True)
class ParseOptions:
    """What the user told us that parsing may need."""

    #: IANA zone that naive local times are in (WhatsApp, LINE). ``None``: this machine's zone.
    tz: str | None = None
    #: ``"dmy"``, ``"mdy"`` or ``"ymd"`` when the user settled the date order; else ``None``.
    date_order: str | None = None
    progress: Progress = no_progress


@dataclass
class ParsedChat:
    """One conversation as an importer read it, before identity and "me" are settled.

    ``messages`` has the columns of :data:`fonder.model.MESSAGE_SCHEMA`; ``chat_id``,
    ``msg_id`` and ``is_me`` may be null (``finalize`` fills them), except where the platform
    has its own message ids, which go in ``msg_id``.
    """

    platform: str
    messages: pl.DataFrame
    #: Participants (not system), in order of first appearance.
    participants: list[str]
    #: The platform's own conversation id; empty when it has none (then the participants are).
    chat_key: str = ""
    #: A human title for the chat when the source has one ("WhatsApp Chat with Daniel").
    title: str | None = None
    #: Who "me" is, when the source says so itself (iMessage ``is_from_me``, Telegram, Meta).
    me: str | None = None
    #: The zone local times were read in.
    tz: str = "UTC"
    #: Free-form facts about the source worth keeping in the ledger (e.g. date order used).
    details: dict[str, str] = field(default_factory=dict)
    #: The source says this is a group conversation (even if few people wrote in it).
    is_group: bool = False


@runtime_checkable
class Importer(Protocol):
    """The protocol every platform importer follows."""

    #: Short, stable name used by ``--format`` and in the ledger, e.g. ``"whatsapp"``.
    name: str
    #: What users call it, e.g. ``"WhatsApp"``.
    label: str

    def sniff(self, source: Source) -> bool:
        """True when ``source`` looks like this importer's format. Cheap; never raises."""
        ...

    def parse(self, source: Source, options: ParseOptions) -> list[ParsedChat]:
        """Read ``source``; raise :class:`fonder.errors.ParseError` when it is broken."""
        ...


def machine_tz() -> str:
    """This machine's IANA zone name (``TZ``, then ``/etc/localtime``), else ``"UTC"``."""
    env = os.environ.get("TZ", "").lstrip(":")
    if env and "/" in env or env == "UTC":
        return env
    try:
        target = os.path.realpath("/etc/localtime")
    except OSError:
        return "UTC"
    marker = "zoneinfo/"
    if marker in target:
        return target.split(marker, 1)[1]
    return "UTC"


def localize(naive: pl.Expr, tz: str) -> pl.Expr:
    """Turn naive local datetimes in zone ``tz`` into UTC instants.

    Times repeated when clocks go back take the first occurrence; times skipped when clocks
    go forward (which a phone cannot produce, but a wrong ``--tz`` can) are read one hour
    later rather than lost.
    """
    first = naive.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null")
    shifted = (naive + pl.duration(hours=1)).dt.replace_time_zone(
        tz, ambiguous="earliest", non_existent="null"
    )
    return pl.coalesce(first, shifted).dt.convert_time_zone("UTC")
