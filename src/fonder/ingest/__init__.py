"""Ingest: from what the user names to finalized chats ready for the store.

``read`` opens the path (file, folder or zip), picks one importer per file by content and
parses it; ``finalize`` settles what is the same for every platform: the chat's id, each
message's stable id, and who "me" is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ..errors import ArchiveError, GroupChatError, MeUnknown, UnknownFormat
from ..model import conform
from ..store import fingerprint
from .archive import open_sources
from .base import SNIFF_BYTES, Importer, ParseOptions, ParsedChat, Source
from .detect import by_name, choose, claimants
from .discord import DiscordImporter
from .googlechat import GoogleChatImporter
from .imessage import IMessageImporter
from .line import LineImporter
from .meta import InstagramImporter, MessengerImporter
from .signal import SignalExportImporter, SignalImporter
from .sms import SmsBackupImporter
from .snapchat import SnapchatImporter
from .telegram import TelegramImporter
from .whatsapp import WhatsAppImporter

#: Every importer fonder has. Detection asks all of them; exactly one may claim a file.
IMPORTERS: tuple[Importer, ...] = (
    WhatsAppImporter(),
    IMessageImporter(),
    InstagramImporter(),
    MessengerImporter(),
    TelegramImporter(),
    SignalImporter(),
    SignalExportImporter(),
    SmsBackupImporter(),
    DiscordImporter(),
    SnapchatImporter(),
    LineImporter(),
    GoogleChatImporter(),
)

__all__ = [
    "IMPORTERS",
    "FinalChat",
    "ParsedChat",
    "ReadChat",
    "ParseOptions",
    "Source",
    "finalize",
    "format_names",
    "iter_read",
    "match_name",
    "read",
]


def format_names() -> list[str]:
    """The names ``--format`` accepts."""
    return [imp.name for imp in IMPORTERS]


@dataclass(frozen=True)
class ReadChat:
    """One conversation read from the path, which importer read it, and from what."""

    parsed: ParsedChat
    importer: str
    #: The file(s) it came from, as the user would name them.
    display: str
    #: SHA-256 of the bytes it came from (of the files' digests, when several).
    sha256: str


def read(path: Path, options: ParseOptions, fmt: str | None = None) -> list[ReadChat]:
    """Parse every chat found at ``path``.

    A single file must be recognised (or ``fmt`` names its importer). In a folder or an
    archive, files no importer recognises are skipped; none recognised is an error. Parts of
    one conversation spread over several files (Meta's ``message_1.json`` …) are merged.
    """
    return list(iter_read(path, options, fmt))


def iter_read(path: Path, options: ParseOptions, fmt: str | None = None) -> Iterator[ReadChat]:
    """Like :func:`read`, but chats come one by one as they are parsed when the path is one
    file whose importer can stream (a 5,000,000-message ``chat.db`` is never held whole).

    Recognition errors are raised at the first ``next``; parse errors may come later, so a
    caller writing as it goes must be able to undo (the store's import is one transaction).
    """
    path = Path(path)
    sources = open_sources(path)
    for s in sources:
        if s.loader is not None:
            s.loader(SNIFF_BYTES)  # a damaged or hostile member says so now, not "unknown format"
    single = len(sources) == 1 and sources[0].member is None and sources[0].path == path
    picked: list[tuple[Source, Importer]] = []
    if fmt:
        imp = by_name(fmt, IMPORTERS)
        picked = [(s, imp) for s in sources if single or imp.sniff(s)]
    elif single:
        picked = [(sources[0], choose(sources[0], IMPORTERS))]
    else:
        for s in sources:
            found = claimants(s, IMPORTERS)
            if len(found) > 1:
                picked.append((s, choose(s, IMPORTERS)))  # raises AmbiguousFormat
            elif found:
                picked.append((s, found[0]))
    if not picked:
        where = path.name
        if not sources:
            raise ArchiveError(
                f"There is no chat file in it — {where} — export the chat again "
                "(on WhatsApp: the chat's menu › More › Export chat) and import that file."
            )
        raise UnknownFormat(
            f"None of its {len(sources)} files is a chat export fonder recognises — {where} — "
            "export the chat again from the app, or name the format with --format."
        )
    if len(picked) == 1 and hasattr(picked[0][1], "stream"):
        source, imp = picked[0]
        digest = _digest(source)
        for parsed in imp.stream(source, options):  # type: ignore[attr-defined]
            yield ReadChat(parsed, imp.name, source.display, digest)
        return
    parts: list[ReadChat] = []
    for i, (source, imp) in enumerate(picked):
        options.progress(i, len(picked), f"reading {source.name}")
        digest = _digest(source)
        for parsed in imp.parse(source, options):
            parts.append(ReadChat(parsed, imp.name, source.display, digest))
    options.progress(len(picked), len(picked), "read")
    yield from _merge(parts, path.name)


def _digest(source: Source) -> str:
    """SHA-256 of a source's bytes."""
    if source.member is None and source.data is None:
        with open(source.path, "rb") as fh:  # streamed: a 1 GB chat.db is not read twice
            return hashlib.file_digest(fh, "sha256").hexdigest()
    return hashlib.sha256(source.read_bytes()).hexdigest()


def _merge(parts: list[ReadChat], display: str) -> list[ReadChat]:
    """Join the parts of a conversation that came from several files, in time order."""
    groups: dict[tuple[str, str], list[ReadChat]] = {}
    order: list[tuple[str, str] | int] = []
    for i, part in enumerate(parts):
        key = part.parsed.chat_key
        if not key:
            order.append(i)
            continue
        gk = (part.parsed.platform, key)
        if gk not in groups:
            groups[gk] = []
            order.append(gk)
        groups[gk].append(part)
    merged: list[ReadChat] = []
    for item in order:
        if isinstance(item, int):
            merged.append(parts[item])
            continue
        group = groups[item]
        if len(group) == 1:
            merged.append(group[0])
            continue
        first = group[0].parsed
        frames = [
            g.parsed.messages.with_columns(pl.lit(n).alias("_part")) for n, g in enumerate(group)
        ]
        messages = (
            pl.concat(frames)
            .sort(["ts", "_part", "seq"])
            .drop("_part")
            .with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("seq"))
        )
        participants = list(dict.fromkeys(p for g in group for p in g.parsed.participants))
        details: dict[str, str] = {}
        for g in group:
            details.update(g.parsed.details)
        details["files"] = str(len(group))
        parsed = ParsedChat(
            platform=first.platform,
            messages=messages,
            participants=participants,
            chat_key=first.chat_key,
            title=next((g.parsed.title for g in group if g.parsed.title), None),
            me=next((g.parsed.me for g in group if g.parsed.me), None),
            tz=first.tz,
            details=details,
            is_group=any(g.parsed.is_group for g in group),
        )
        digest = hashlib.sha256("".join(g.sha256 for g in group).encode()).hexdigest()
        merged.append(ReadChat(parsed, group[0].importer, display, digest))
    return merged


@dataclass(frozen=True)
class FinalChat:
    """A chat with its id, stable message ids and "me" settled."""

    chat_id: str
    platform: str
    title: str | None
    participants: list[str]
    me: str
    them: str | None
    tz: str
    messages: pl.DataFrame
    details: dict[str, str]


def chat_id_for(parsed: ParsedChat, pair: tuple[str, str] | None = None) -> str:
    """The stable id of a chat: its platform's own id, else a digest of its participants."""
    basis = parsed.chat_key or "\x1f".join(sorted(parsed.participants))
    if pair is not None:
        basis += "\x1fpair\x1f" + "\x1f".join(sorted(pair))
    digest = hashlib.blake2b(f"{parsed.platform}\x1f{basis}".encode(), digest_size=8).hexdigest()
    return f"{parsed.platform}:{digest}"


def match_name(name: str, participants: Sequence[str]) -> str | None:
    """The participant ``name`` refers to: exact, then ignoring case, then a unique prefix."""
    if name in participants:
        return name
    low = name.strip().casefold()
    same = [p for p in participants if p.casefold() == low]
    if len(same) == 1:
        return same[0]
    prefix = [p for p in participants if p.casefold().lstrip("~ ").startswith(low)]
    if len(prefix) == 1:
        return prefix[0]
    return None


def _names(participants: Sequence[str]) -> str:
    return ", ".join(participants)


def finalize(
    parsed: ParsedChat,
    *,
    source_name: str,
    me: str | None = None,
    with_: str | None = None,
    remembered_me: Callable[[str], str | None] = lambda chat_id: None,
    ask_me: Callable[[list[str]], str] | None = None,
) -> FinalChat:
    """Give a parsed chat its ids and settle who "me" is.

    "Me" comes from the source when it says, else ``me``, else what the store remembers for
    this chat, else ``ask_me`` (an interactive question), else :class:`MeUnknown`. A group
    chat (more than two participants) needs ``me`` and ``with_`` to pick one pair.
    """
    participants = list(parsed.participants)
    pair: tuple[str, str] | None = None
    if len(participants) > 2 or parsed.is_group:
        if not (me or parsed.me) or not with_:
            raise GroupChatError(
                f"This is a group chat with {len(participants)} people — {source_name} — fonder "
                "coaches one-to-one chats; pick a pair with --me YOUR_NAME --with THEIR_NAME."
            )
        me_name = parsed.me or match_name(me or "", participants)
        other = match_name(with_, participants)
        if me_name is None or other is None or me_name == other:
            raise MeUnknown(
                f"--me and --with must name two different people of the chat — {source_name} — "
                f"its participants are: {_names(participants)}.",
                participants,
            )
        pair = (me_name, other)
    elif with_ is not None and match_name(with_, participants) is None:
        raise MeUnknown(
            f"'{with_}' is not in this chat — {source_name} — its participants are: "
            f"{_names(participants)}.",
            participants,
        )

    chat_id = chat_id_for(parsed, pair)
    if pair is not None:
        me_name = pair[0]
        participants = list(pair)
    else:
        me_name = _settle_me(parsed, participants, chat_id, source_name, me, remembered_me, ask_me)
    others = [p for p in participants if p != me_name]
    them = others[0] if others else None

    frame = parsed.messages
    if pair is not None:
        frame = frame.filter(pl.col("sender").is_in(list(pair)) | pl.col("sender").is_null())
    frame = frame.with_columns(
        pl.lit(chat_id).alias("chat_id"),
        pl.when(pl.col("sender").is_null())
        .then(None)
        .otherwise(pl.col("sender") == me_name)
        .alias("is_me"),
    )
    frame = _assign_ids(conform(frame), parsed.platform, chat_id)
    return FinalChat(
        chat_id=chat_id,
        platform=parsed.platform,
        title=parsed.title,
        participants=participants,
        me=me_name,
        them=them,
        tz=parsed.tz,
        messages=frame,
        details=dict(parsed.details),
    )


def _settle_me(
    parsed: ParsedChat,
    participants: list[str],
    chat_id: str,
    source_name: str,
    me: str | None,
    remembered_me: Callable[[str], str | None],
    ask_me: Callable[[list[str]], str] | None,
) -> str:
    if parsed.me:
        return parsed.me
    if me:
        found = match_name(me, participants)
        if found is None:
            raise MeUnknown(
                f"'{me}' is not in this chat — {source_name} — its participants are: "
                f"{_names(participants)}; pass one of them with --me.",
                participants,
            )
        return found
    stored = remembered_me(chat_id)
    if stored:
        return stored
    if ask_me is not None and participants:
        return ask_me(participants)
    raise MeUnknown(
        f"fonder needs to know which participant is you — {source_name} — run again with "
        f"--me NAME, where NAME is one of: {_names(participants)}.",
        participants,
    )


def _assign_ids(frame: pl.DataFrame, platform: str, chat_id: str) -> pl.DataFrame:
    """Stable ids for rows without the platform's own: a digest of what the row is.

    Identical rows (two "ok"s in the same minute) are told apart by their occurrence number,
    counted in source order, so both live and both keep their ids in a newer export.
    """
    missing = frame.get_column("msg_id").is_null()
    if not missing.any():
        return frame
    frame = frame.sort("seq", maintain_order=True)
    key_cols = ["ts", "sender", "kind", "text", "media"]
    occurrence = pl.int_range(pl.len()).over(key_cols)
    key = pl.concat_str(
        [
            pl.lit(platform),
            pl.lit(chat_id),
            pl.col("ts").dt.epoch("us").cast(pl.String),
            pl.col("sender").fill_null(""),
            pl.col("kind"),
            pl.col("text").fill_null(""),
            pl.col("media").fill_null(""),
            occurrence.cast(pl.String),
        ],
        separator="\x1f",
    )
    keys = frame.select(key.alias("k")).to_series()
    digests = fingerprint(keys)
    return frame.with_columns(
        pl.when(pl.col("msg_id").is_null())
        .then(pl.Series("d", digests).str.slice(0, 20))
        .otherwise(pl.col("msg_id"))
        .alias("msg_id")
    )
