"""Discord, as exported by DiscordChatExporter in its JSON format.

DiscordChatExporter (GUI or CLI, ``--format Json``) writes one file per channel: ``guild``,
``channel`` (``id``, ``type``, ``name``), ``dateRange``, ``exportedAt`` and ``messages``. Each
message has a snowflake ``id``, a ``type`` ("Default", "Reply", "Call", "RecipientAdd",
"ChannelPinnedMessage", …), ``timestamp`` (ISO 8601 with the exporting computer's offset),
``timestampEdited``, ``callEndedTimestamp``, ``content``, ``author`` (``id``, ``name``,
``nickname``), ``attachments``, ``embeds``, ``stickers``, ``reactions`` and ``reference``.

- A direct message (``DirectTextChat``) is one-to-one; group DMs and server channels are
  groups.
- A sender is named by ``nickname`` (the display name), else ``name``; one name per author
  id, the first seen.
- "Call" messages are calls lasting until ``callEndedTimestamp``; Discord does not say whether
  the other person joined, so none is a missed call.
- Reactions list who reacted (``users``, in recent versions) but not when: each becomes a
  reaction row at its message's time. Older exports carry only counts; those are skipped.
- System messages (people added, pins, channel renames) are system rows.
- Nothing in the file says which account exported it: fonder asks who "me" is.
"""

from __future__ import annotations

import codecs
import re
from typing import Any

import polars as pl

from ..errors import ParseError
from ..model import conform
from .base import ParsedChat, ParseOptions, Source
from .telegram import load_json, where

PLATFORM = "discord"

#: The one channel type that is a conversation between two people.
DIRECT = "DirectTextChat"
#: Message types that are someone writing (the rest are system notices or calls).
WRITTEN_TYPES = frozenset(
    {"Default", "Reply", "ThreadStarterMessage", "ChatInputCommand", "ContextMenuCommand"}
)
_IMAGE = ("png", "jpg", "jpeg", "gif", "webp", "heic", "bmp", "tif", "tiff", "svg", "avif")
_VIDEO = ("mp4", "mov", "webm", "mkv", "avi", "m4v")
_AUDIO = ("mp3", "ogg", "wav", "m4a", "flac", "opus", "aac")
_HEAD_RE = re.compile(rb'^\{\s*"guild"\s*:\s*\{')
_TS_FORMAT = "%Y-%m-%dT%H:%M:%S%.f%:z"
_COLUMNS = (
    "n", "msg_id", "stamp", "ended", "sender", "kind", "text", "media", "reply_to", "edited",
)


class _Bad(Exception):
    """A field holds something DiscordChatExporter does not write (``args[0]`` names it)."""


def _error(source: Source, position: str, what: str) -> ParseError:
    return ParseError(
        where(source),
        position,
        f"{what}; export the channel again with DiscordChatExporter in the JSON format",
    )


def _file_kind(name: Any) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if isinstance(name, str) and "." in name else ""
    if ext in _IMAGE:
        return "image"
    if ext in _VIDEO:
        return "video"
    if ext in _AUDIO:
        return "audio"
    return "file"


def _str(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _Bad(field)
    return str(value)


class _Rows:
    def __init__(self) -> None:
        self.cols: dict[str, list[Any]] = {c: [] for c in _COLUMNS}
        self.names: dict[str, str] = {}

    def add(self, **values: Any) -> None:
        for c in _COLUMNS:
            self.cols[c].append(values.get(c))

    def name(self, user: Any, field: str) -> str:
        """The display name of a user object, one per user id (the first seen)."""
        if not isinstance(user, dict):
            raise _Bad(field)
        uid = _str(user.get("id"), field)
        if uid is not None and uid in self.names:
            return self.names[uid]
        nick, name = user.get("nickname"), user.get("name")
        shown = nick if isinstance(nick, str) and nick else name
        if not isinstance(shown, str) or not shown:
            shown = "Unknown user"
        if uid is not None:
            self.names[uid] = shown
        return shown


def _message(rows: _Rows, n: int, m: dict[str, Any]) -> None:
    msg_id = _str(m.get("id"), "id")
    stamp = m.get("timestamp")
    if not isinstance(stamp, str):
        raise _Bad("timestamp")
    mtype = m.get("type", "Default")
    if not isinstance(mtype, str):
        raise _Bad("type")
    content = m.get("content")
    if content is not None and not isinstance(content, str):
        raise _Bad("content")
    sender = rows.name(m.get("author"), "author")
    base = {"n": n, "msg_id": msg_id, "stamp": stamp}
    if mtype == "Call":
        ended = m.get("callEndedTimestamp")
        if ended is not None and not isinstance(ended, str):
            raise _Bad("callEndedTimestamp")
        rows.add(**base, sender=sender, kind="call", ended=ended)
        return
    if mtype not in WRITTEN_TYPES:
        rows.add(**base, sender=None, kind="system", text=content or None)
        return
    edited = m.get("timestampEdited") is not None
    reference = m.get("reference")
    reply_to = None
    if isinstance(reference, dict):
        reply_to = _str(reference.get("messageId"), "reference")
    attachments = m.get("attachments") or []
    stickers = m.get("stickers") or []
    if not isinstance(attachments, list) or not isinstance(stickers, list):
        raise _Bad("attachments")
    kind, media = "text", None
    if stickers:
        kind, media = "sticker", "sticker"
    elif attachments:
        first = attachments[0]
        kind, media = "media", _file_kind(first.get("fileName") if isinstance(first, dict) else None)
    rows.add(
        **base, sender=sender, kind=kind, text=content or None, media=media, reply_to=reply_to,
        edited=edited,
    )
    reactions = m.get("reactions") or []
    if not isinstance(reactions, list):
        raise _Bad("reactions")
    for r in reactions:
        if not isinstance(r, dict):
            raise _Bad("reactions")
        emoji = r.get("emoji")
        shown = emoji.get("name") if isinstance(emoji, dict) else None
        users = r.get("users") or []
        if not isinstance(users, list):
            raise _Bad("reactions")
        for user in users:
            rows.add(
                n=n, msg_id=None, stamp=stamp, sender=rows.name(user, "reactions"),
                kind="reaction", text=shown if isinstance(shown, str) else None, reply_to=msg_id,
                edited=False,
            )


def _instants(column: str) -> pl.Expr:
    """ISO 8601 with an offset (or ``Z``) as UTC instants; null where it does not parse."""
    text = pl.col(column).str.replace(r"Z$", "+00:00")
    return text.str.to_datetime(_TS_FORMAT, strict=False, time_zone="UTC", time_unit="us")


class DiscordImporter:
    """One channel or DM exported by DiscordChatExporter as JSON."""

    name = "discord"
    label = "Discord (DiscordChatExporter)"

    def sniff(self, source: Source) -> bool:
        if not source.name.lower().endswith(".json"):
            return False
        head = source.head()
        if head.startswith(codecs.BOM_UTF8):
            head = head[len(codecs.BOM_UTF8) :]
        head = head.lstrip()
        return bool(_HEAD_RE.match(head)) and b'"channel"' in head

    def parse(self, source: Source, options: ParseOptions) -> list[ParsedChat]:
        doc = load_json(source, "DiscordChatExporter (as JSON)")
        if not isinstance(doc, dict) or not isinstance(doc.get("channel"), dict):
            raise _error(source, "", "The file is JSON but not a DiscordChatExporter export")
        messages = doc.get("messages")
        if not isinstance(messages, list):
            raise _error(source, "messages", "The export has no list of messages")
        channel = doc["channel"]
        rows = _Rows()
        for n, m in enumerate(messages, 1):
            if not isinstance(m, dict):
                raise _error(source, f"message {n}", "A message is not a JSON object")
            try:
                _message(rows, n, m)
            except _Bad as exc:
                raise _error(
                    source, f"message {n}",
                    f"A message's '{exc.args[0]}' is not what DiscordChatExporter writes",
                ) from exc
        frame = self._frame(source, rows)
        ctype = channel.get("type")
        direct = ctype == DIRECT or ctype == 1  # very old versions wrote Discord's number
        zones = frame.get_column("tz").drop_nulls()
        participants = list(dict.fromkeys(frame.get_column("sender").drop_nulls().to_list()))
        cid = channel.get("id")
        name = channel.get("name") if isinstance(channel.get("name"), str) else None
        return [
            ParsedChat(
                platform=PLATFORM,
                messages=frame,
                participants=participants,
                chat_key="" if cid is None else str(cid),
                title=name,
                me=None,
                tz=zones.mode().sort().item(0) if zones.len() else "UTC",
                details={"channel_type": str(ctype)} if ctype is not None else {},
                is_group=not direct,
            )
        ]

    def _frame(self, source: Source, rows: _Rows) -> pl.DataFrame:
        cols = rows.cols
        frame = pl.DataFrame(
            cols,
            schema={
                "n": pl.Int64(), "msg_id": pl.String(), "stamp": pl.String(), "ended": pl.String(),
                "sender": pl.String(), "kind": pl.String(), "text": pl.String(),
                "media": pl.String(), "reply_to": pl.String(), "edited": pl.Boolean(),
            },
        )
        offset = pl.col("stamp").str.extract(r"([+-]\d\d:\d\d|Z)$")
        frame = frame.with_columns(
            _instants("stamp").alias("ts"),
            _instants("ended").alias("_ended"),
            pl.when(offset.is_in(["Z", "+00:00", "-00:00"]))
            .then(pl.lit("UTC"))
            .otherwise(offset)
            .alias("tz"),
            pl.int_range(pl.len(), dtype=pl.Int64).alias("seq"),
            pl.col("edited").fill_null(False),
        )
        unread = frame.filter(pl.col("ts").is_null())
        if unread.height:
            raise _error(
                source, f"message {unread.item(0, 'n')}", "A message's 'timestamp' is not a date"
            )
        frame = frame.with_columns(
            (pl.col("_ended") - pl.col("ts")).dt.total_seconds().clip(0).cast(pl.Int32).alias("call_s")
        )
        return conform(frame)
