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
from collections.abc import Iterable
from itertools import repeat
from typing import Any

import polars as pl

from ..errors import ParseError
from ..model import conform
from .base import ParsedChat, ParseOptions, Source
from .telegram import Buffer, Unusual, load_json, where

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
WHAT = "DiscordChatExporter (as JSON)"
_HEAD_RE = re.compile(rb'^\{\s*"guild"\s*:\s*\{')
_TS_FORMAT = "%Y-%m-%dT%H:%M:%S%.f%:z"


class _Bad(Exception):
    """A field holds something DiscordChatExporter does not write: ``(field, message index)``."""


def _error(source: Source, position: str, what: str) -> ParseError:
    return ParseError(
        where(source),
        position,
        f"{what}; export the channel again with DiscordChatExporter in the JSON format",
    )


def _first_bad(values: list[Any], types: tuple[type, ...]) -> int | None:
    """The index of the first value that is neither ``None`` nor of ``types``."""
    allowed = {*types, type(None)}
    if set(map(type, values)) <= allowed:  # the common case, checked at C speed
        return None
    return next(i for i, v in enumerate(values) if v.__class__ not in allowed)


def _get(items: list[Any], key: str) -> list[Any]:
    return list(map(dict.get, items, repeat(key)))


def _check(values: list[Any], types: tuple[type, ...], field: str) -> list[Any]:
    if (bad := _first_bad(values, types)) is not None:
        raise _Bad(field, bad)
    return values


def _ids(values: list[Any], field: str) -> pl.Series:
    return pl.Series(_check(values, (str, int), field), dtype=pl.String, strict=False)


def _people(users: list[Any], field: str) -> pl.DataFrame:
    """Author-like objects as id, shown name (``nickname``, else ``name``)."""
    _check(users, (dict,), field)
    if None in users:
        raise _Bad(field, users.index(None))
    nick = _get(users, "nickname")
    name = _get(users, "name")
    for values in (nick, name):
        if (bad := _first_bad(values, (str,))) is not None:
            raise _Bad(field, bad)
    return pl.DataFrame(
        {"uid": _ids(_get(users, "id"), field), "nick": nick, "uname": name},
        schema_overrides={"nick": pl.String, "uname": pl.String},
    ).select(
        "uid",
        pl.when(pl.col("nick") != "").then("nick")
        .when(pl.col("uname") != "").then("uname")
        .otherwise(pl.lit("Unknown user"))
        .alias("name"),
    )


def _messages(messages: list[Any], offset: int) -> pl.DataFrame:
    """One row per message, field by field (a :class:`_Bad` names the field and the message)."""
    authors = _people(_get(messages, "author"), "author")
    attachments = _check(_get(messages, "attachments"), (list,), "attachments")
    stickers = _check(_get(messages, "stickers"), (list,), "stickers")
    files: list[Any] = [None] * len(messages)
    for i, a in enumerate(attachments):
        if a:
            first = a[0]
            files[i] = first.get("fileName") if first.__class__ is dict else None
    refs = _check(_get(messages, "reference"), (dict,), "reference")
    reply: list[Any] = [None] * len(messages)
    for i, r in enumerate(refs):
        if r is not None:
            reply[i] = r.get("messageId")
    if (bad := _first_bad(reply, (str, int))) is not None:
        raise _Bad("reference", bad)
    return pl.DataFrame(
        {
            "n": pl.int_range(offset, offset + len(messages), dtype=pl.Int64, eager=True),
            "msg_id": _ids(_get(messages, "id"), "id"),
            "type": _check(
                list(map(dict.get, messages, repeat("type"), repeat("Default"))), (str,), "type"
            ),
            "stamp": _check(_get(messages, "timestamp"), (str,), "timestamp"),
            "ended": _check(_get(messages, "callEndedTimestamp"), (str,), "callEndedTimestamp"),
            "edited": [v is not None for v in _get(messages, "timestampEdited")],
            "content": _check(_get(messages, "content"), (str,), "content"),
            "file": pl.Series(files, dtype=pl.String, strict=False),
            "sticker": [bool(v) for v in stickers],
            "attached": [bool(v) for v in attachments],
            "reply": pl.Series(reply, dtype=pl.String, strict=False),
        },
        schema_overrides={
            "type": pl.String, "stamp": pl.String, "ended": pl.String, "content": pl.String,
            "edited": pl.Boolean, "sticker": pl.Boolean, "attached": pl.Boolean,
        },
    ).with_columns(authors.get_column("uid").alias("uid"), authors.get_column("name").alias("name"))


def _reactions(messages: list[Any], offset: int) -> pl.DataFrame:
    """One row per user who reacted (recent exports list them); counts alone name nobody."""
    out: dict[str, list[Any]] = {"n": [], "sub": [], "uid": [], "name": [], "emoji": []}
    for n, m in enumerate(messages):
        reactions = m.get("reactions")
        if not reactions:
            continue
        if reactions.__class__ is not list:
            raise _Bad("reactions", n)
        sub = 0
        for r in reactions:
            users = r.get("users") if r.__class__ is dict else None
            if r.__class__ is not dict or (users is not None and users.__class__ is not list):
                raise _Bad("reactions", n)
            emoji = r.get("emoji")
            shown = emoji.get("name") if emoji.__class__ is dict else None
            if not users:
                continue
            try:
                people = _people(users, "reactions")
            except _Bad:
                raise _Bad("reactions", n) from None
            for uid, name in people.iter_rows():
                sub += 1
                out["n"].append(offset + n)
                out["sub"].append(sub)
                out["uid"].append(uid)
                out["name"].append(name)
                out["emoji"].append(shown if shown.__class__ is str else None)
    return pl.DataFrame(
        out,
        schema={
            "n": pl.Int64, "sub": pl.Int64, "uid": pl.String, "name": pl.String, "emoji": pl.String
        },
    )


def _instants(column: str) -> pl.Expr:
    """ISO 8601 with an offset (or ``Z``) as UTC instants; null where it does not parse."""
    text = pl.col(column).str.replace(r"Z$", "+00:00")
    return text.str.to_datetime(_TS_FORMAT, strict=False, time_zone="UTC", time_unit="us")


def _rows(raw: pl.DataFrame, reactions: pl.DataFrame) -> pl.DataFrame:
    """Decide every row's kind, sender and text, all columns at once."""
    c = pl.col
    written = c("type").is_in(list(WRITTEN_TYPES))
    call = c("type") == "Call"
    kind = (
        pl.when(call).then(pl.lit("call"))
        .when(~written).then(pl.lit("system"))
        .when(c("sticker")).then(pl.lit("sticker"))
        .when(c("attached")).then(pl.lit("media"))
        .otherwise(pl.lit("text"))
    )
    ext = c("file").str.extract(r"\.([A-Za-z0-9]+)$").str.to_lowercase()
    media = (
        pl.when(~written).then(None)
        .when(c("sticker")).then(pl.lit("sticker"))
        .when(~c("attached")).then(None)
        .when(ext.is_in(list(_IMAGE))).then(pl.lit("image"))
        .when(ext.is_in(list(_VIDEO))).then(pl.lit("video"))
        .when(ext.is_in(list(_AUDIO))).then(pl.lit("audio"))
        .otherwise(pl.lit("file"))
    )
    rows = raw.with_columns(pl.lit(0, pl.Int64).alias("sub")).select(
        "n", "sub", "msg_id", "stamp", "ended", "uid",
        pl.when(written | call).then(c("name")).alias("name"),
        kind.alias("kind"),
        pl.when(~call & (c("content") != "")).then(c("content")).alias("text"),
        media.alias("media"),
        pl.when(written).then(c("reply")).alias("reply_to"),
        (c("edited") & written).alias("edited"),
    )
    if reactions.height:
        rows = pl.concat(
            [
                rows,
                reactions.join(
                    rows.select("n", "stamp", c("msg_id").alias("reply_to")), on="n"
                ).select(
                    "n", "sub", pl.lit(None, pl.String).alias("msg_id"), "stamp",
                    pl.lit(None, pl.String).alias("ended"), "uid", "name",
                    pl.lit("reaction").alias("kind"), c("emoji").alias("text"),
                    pl.lit(None, pl.String).alias("media"), "reply_to",
                    pl.lit(False).alias("edited"),
                ),
            ]
        ).sort("n", "sub")
    # One name per user id, the first seen.
    return rows.with_columns(
        pl.when(c("name").is_not_null() & c("uid").is_not_null())
        .then(c("name").first().over("uid"))
        .otherwise(c("name"))
        .alias("sender")
    )


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
        try:
            with Buffer(source) as buffer:
                return [self._in_pieces(source, buffer, options)]
        except Unusual:
            pass  # laid out differently from DiscordChatExporter's own writer: read it whole
        doc = load_json(source, WHAT)
        if not isinstance(doc, dict) or not isinstance(doc.get("channel"), dict):
            raise _error(source, "", "The file is JSON but not a DiscordChatExporter export")
        messages = doc.get("messages")
        if not isinstance(messages, list):
            raise _error(source, "messages", "The export has no list of messages")
        return [self._chat(source, doc["channel"], [(0, messages)])]

    def _in_pieces(self, source: Source, b: Buffer, options: ParseOptions) -> ParsedChat:
        """Read the file a few thousand messages at a time, as DiscordChatExporter lays it out."""
        b.source_progress = lambda pos: options.progress(pos, len(b.buf), "reading messages")
        buf, end = b.buf, len(b.buf)
        start = b.skip(b.start)
        if buf[start : start + 1] != b"{":
            raise Unusual
        at = b.value_of(b.indent_after(start), "messages", b"[", start, end)
        if at is None:
            raise Unusual
        header = b.load(start, at + 1, WHAT, (b"", b"]}"))
        if not isinstance(header.get("channel"), dict):
            raise Unusual
        chat = self._chat(source, header["channel"], b.chunks(at, end, WHAT))
        b.closes(b.after, end, WHAT)
        return chat

    def _chat(
        self, source: Source, channel: dict[str, Any], chunks: Iterable[tuple[int, list[Any]]]
    ) -> ParsedChat:
        raws, reactions = [], []
        for offset, messages in chunks:
            if (bad := _first_bad(messages, (dict,))) is not None or None in messages:
                n = bad if bad is not None else messages.index(None)
                raise _error(source, f"message {offset + n + 1}", "A message is not a JSON object")
            try:
                raws.append(_messages(messages, offset))
                reactions.append(_reactions(messages, offset))
            except _Bad as exc:
                field, n = exc.args
                raise _error(
                    source, f"message {offset + n + 1}",
                    f"A message's '{field}' is not what DiscordChatExporter writes",
                ) from exc
        if not raws:
            raws, reactions = [_messages([], 0)], [_reactions([], 0)]
        frame = self._frame(source, _rows(pl.concat(raws), pl.concat(reactions)))
        ctype = channel.get("type")
        direct = ctype == DIRECT or ctype == 1  # very old versions wrote Discord's number
        zones = frame.get_column("tz").drop_nulls()
        participants = list(dict.fromkeys(frame.get_column("sender").drop_nulls().to_list()))
        cid = channel.get("id")
        name = channel.get("name") if isinstance(channel.get("name"), str) else None
        return ParsedChat(
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

    def _frame(self, source: Source, rows: pl.DataFrame) -> pl.DataFrame:
        offset = pl.col("stamp").str.extract(r"([+-]\d\d:\d\d|Z)$")
        frame = rows.with_columns(
            _instants("stamp").alias("ts"),
            _instants("ended").alias("_ended"),
            pl.when(offset.is_in(["Z", "+00:00", "-00:00"]))
            .then(pl.lit("UTC"))
            .otherwise(offset)
            .alias("tz"),
            pl.int_range(pl.len(), dtype=pl.Int64).alias("seq"),
        )
        unread = frame.filter(pl.col("ts").is_null())
        if unread.height:
            position = f"message {unread.item(0, 'n') + 1}"
            raise _error(source, position, "A message's 'timestamp' is not a date")
        frame = frame.with_columns(
            (pl.col("_ended") - pl.col("ts"))
            .dt.total_seconds()
            .clip(0)
            .cast(pl.Int32)
            .alias("call_s")
        )
        return conform(frame)
