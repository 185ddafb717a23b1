"""Telegram Desktop's JSON export: one chat's ``result.json``, or a whole account's.

Telegram Desktop (Settings › Advanced › Export Telegram data, or a chat's menu › Export chat
history, format "Machine-readable JSON") writes ``result.json``. A single chat's file is the
chat itself (``name``, ``type``, ``id``, ``messages``); a whole account's file holds
``personal_information`` (who the owner is) and ``chats.list``, one such chat per entry.

What Telegram writes, and what fonder makes of it:

- ``date_unixtime`` (seconds, a string) is the instant; older exports have only ``date``, the
  exporting computer's local time without a zone, read in ``--tz`` (default: this machine's).
- ``text`` is a string or a list of strings and entities (``{"type": "bold", "text": ...}``),
  joined to plain text.
- ``from``/``from_id`` name the sender (``actor``/``actor_id`` on service messages). One name
  per ``from_id`` is kept, the first seen, so a renamed person stays one participant.
- Service messages: ``phone_call`` becomes a call (``duration_seconds``) or a missed call
  (``discard_reason`` missed or busy, or no duration); every other action is a system row.
- Stickers, photos, voice and video notes, files, locations, contacts and polls get their own
  kinds; ``reactions`` with their ``recent`` reactors become reaction rows.
- The owner is known only in a whole account's export (``personal_information.user_id``); a
  single chat's file does not say, so fonder asks.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from ..errors import ParseError
from ..model import conform
from .base import ParsedChat, ParseOptions, Source, localize, machine_tz

PLATFORM = "telegram"

#: Chat types that are conversations between two people (or one, for Saved Messages).
ONE_TO_ONE_TYPES = frozenset({"personal_chat", "bot_chat", "saved_messages"})
#: Every chat type Telegram Desktop writes (see its export_output_json.cpp).
CHAT_TYPES = ONE_TO_ONE_TYPES | {
    "replies",
    "private_group",
    "private_supergroup",
    "public_supergroup",
    "private_channel",
    "public_channel",
}

#: ``media_type`` values that are media rows, kept as the ``media`` column's value.
MEDIA_TYPES = frozenset({"voice_message", "video_message", "animation", "video_file", "audio_file"})

_TYPE_RE = re.compile(
    rb'"type"\s*:\s*"(?:' + b"|".join(t.encode() for t in sorted(CHAT_TYPES)) + rb')"'
)
_MESSAGES_RE = re.compile(rb'"messages"\s*:\s*\[')
_PERSONAL_RE = re.compile(rb'"personal_information"\s*:\s*\{')
_NAIVE_FORMAT = "%Y-%m-%dT%H:%M:%S"

#: Columns collected per row before the frame is built (``epoch`` and ``naive`` become ``ts``).
_COLUMNS = (
    "n", "msg_id", "epoch", "naive", "sender", "kind", "text", "media", "call_s", "reply_to", "edited"
)


class _Bad(Exception):
    """A field of a message holds something Telegram does not write (``args[0]`` names it)."""


def where(source: Source) -> Path:
    """How errors name the source: the file, or the archive and the member inside it."""
    if source.member is None:
        return source.path
    return Path(f"{source.path.name} › {source.member.replace('/', ' › ')}")


def load_json(source: Source, what: str) -> Any:
    """The parsed JSON document of ``source``; a :class:`ParseError` saying where it breaks."""
    data = source.read_bytes()
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        position = f"line {exc.lineno}"
        if "depth" in exc.msg or "recursion" in exc.msg.lower():
            reason = f"The file nests deeper than any {what} does"
        elif "end of data" in exc.msg or _cut_in_a_character(data):
            reason = "The file ends in the middle of its JSON, so it was cut short"
        elif "UTF-8" in exc.msg:
            reason = "The file is not UTF-8 text"
        else:
            reason = "The file is not valid JSON"
        raise ParseError(
            where(source), position, f"{reason}; export it again from {what} and import the new file"
        ) from exc


def _cut_in_a_character(data: bytes) -> bool:
    """True when the only bad UTF-8 is a character cut off at the very end."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.reason == "unexpected end of data" and exc.start >= len(data) - 3
    return False


class TelegramImporter:
    """Telegram Desktop's ``result.json``: one chat, or every chat of an account."""

    name = "telegram"
    label = "Telegram"

    def sniff(self, source: Source) -> bool:
        if not source.name.lower().endswith(".json"):
            return False
        head = source.head()
        if head.startswith(codecs.BOM_UTF8):
            head = head[len(codecs.BOM_UTF8) :]
        head = head.lstrip()
        if not head.startswith(b"{"):
            return False
        if _PERSONAL_RE.search(head) and b'"user_id"' in head:
            return True
        return bool(_TYPE_RE.search(head) and _MESSAGES_RE.search(head))

    def parse(self, source: Source, options: ParseOptions) -> list[ParsedChat]:
        doc = load_json(source, "Telegram Desktop (as JSON)")
        if not isinstance(doc, dict):
            raise _shape(source, "", "The file is JSON but not a Telegram export")
        tz = options.tz or machine_tz()
        if "messages" in doc:
            return [_chat(source, doc, "", owner_id=None, tz=tz)]
        if "chats" not in doc and "personal_information" not in doc:
            raise _shape(source, "", "The file is JSON but not a Telegram export")
        owner_id, owner_name = _owner(source, doc.get("personal_information"))
        chats = doc.get("chats", {})
        chat_list = chats.get("list") if isinstance(chats, dict) else None
        if not isinstance(chat_list, list):
            raise _shape(
                source, "chats", "The account export holds no list of chats (chats were not "
                "ticked when it was made)"
            )
        out: list[ParsedChat] = []
        for n, raw in enumerate(chat_list, 1):
            options.progress(n - 1, len(chat_list), "reading Telegram chats")
            if not isinstance(raw, dict):
                raise _shape(source, f"chat {n}", "A chat in the list is not a JSON object")
            if raw.get("type") == "saved_messages" or not raw.get("messages"):
                continue  # notes to oneself and empty chats hold no conversation
            chat = _chat(source, raw, f"chat {n}, ", owner_id=owner_id, tz=tz)
            if chat.me is None and owner_name:
                chat.me = owner_name
            out.append(chat)
        return out


def _shape(source: Source, position: str, what: str) -> ParseError:
    return ParseError(
        where(source),
        position,
        f"{what}; export it again from Telegram Desktop with the format 'Machine-readable JSON'",
    )


def _owner(source: Source, info: Any) -> tuple[str | None, str | None]:
    """The owner's ``from_id`` and name from ``personal_information`` (both ``None`` if absent)."""
    if info is None:
        return None, None
    if not isinstance(info, dict) or not isinstance(info.get("user_id"), int | str):
        raise _shape(source, "personal_information", "The account's personal information has no user id")
    first = info.get("first_name") if isinstance(info.get("first_name"), str) else ""
    last = info.get("last_name") if isinstance(info.get("last_name"), str) else ""
    name = f"{first} {last}".strip() or None
    return f"user{info['user_id']}", name


def _text(value: Any, field: str = "text") -> str | None:
    """Plain text from a string or a list of strings and entity objects; ``None`` when empty."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, list):
        parts = []
        for part in value:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and isinstance(part.get("text", ""), str):
                parts.append(part.get("text", ""))
            else:
                raise _Bad(field)
        return "".join(parts) or None
    if value is None:
        return None
    raise _Bad(field)


def _id_str(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _Bad(field)
    return str(value)


def _int(value: Any, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise _Bad(field)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise _Bad(field)


class _Rows:
    """Column lists for one chat, filled row by row as the JSON is walked."""

    def __init__(self) -> None:
        self.cols: dict[str, list[Any]] = {c: [] for c in _COLUMNS}
        self.names: dict[str, str] = {}
        self.n = 0  # the message being read, 1-based, for error positions

    def add(self, **values: Any) -> None:
        values["n"] = self.n
        for c in _COLUMNS:
            self.cols[c].append(values.get(c))

    def name_for(self, peer_id: Any, name: Any, field: str = "from") -> str | None:
        """One display name per sender id: the first seen (Telegram writes the current name)."""
        if name is not None and not isinstance(name, str):
            raise _Bad(field)
        if peer_id is not None and not isinstance(peer_id, str):
            raise _Bad(f"{field}_id")
        if peer_id is not None and peer_id in self.names:
            return self.names[peer_id]
        shown = name or ("Deleted Account" if peer_id else None)
        if peer_id is not None and shown is not None:
            self.names[peer_id] = shown
        return shown


def _when(m: dict[str, Any]) -> tuple[int | None, str | None]:
    if m.get("date_unixtime") is not None:
        return _int(m["date_unixtime"], "date_unixtime"), None
    date = m.get("date")
    if not isinstance(date, str):
        raise _Bad("date")
    return None, date


def _message(rows: _Rows, m: dict[str, Any]) -> None:
    """Append the rows of one exported message (and its reactions)."""
    msg_id = _id_str(m.get("id"), "id")
    epoch, naive = _when(m)
    mtype = m.get("type", "message")
    text = _text(m.get("text"))
    edited = "edited" in m or "edited_unixtime" in m
    reply_to = _id_str(m.get("reply_to_message_id"), "reply_to_message_id")
    base = {"msg_id": msg_id, "epoch": epoch, "naive": naive, "edited": edited}
    if mtype == "service":
        if m.get("action") == "phone_call":
            sender = rows.name_for(m.get("actor_id"), m.get("actor"), "actor")
            duration = _int(m.get("duration_seconds"), "duration_seconds")
            # Telegram shows a call with no duration as cancelled, declined or missed.
            missed = m.get("discard_reason") in ("missed", "busy") or not duration
            rows.add(
                **base,
                sender=sender,
                kind="missed_call" if missed else "call",
                call_s=None if missed else duration,
            )
        else:
            rows.add(**base, sender=None, kind="system", text=text)
        return
    if mtype != "message":  # "unsupported": media this Telegram version could not export
        rows.add(**base, sender=None, kind="system")
        return
    sender = rows.name_for(m.get("from_id"), m.get("from"))
    kind, media = "text", None
    media_type = m.get("media_type")
    if media_type == "sticker" or "sticker_emoji" in m:
        kind, media, text = "sticker", "sticker", None
    elif "photo" in m:
        kind, media = "media", "photo"
    elif media_type in MEDIA_TYPES:
        kind, media = "media", media_type
    elif "file" in m:
        kind, media = "media", "file"
    elif "location_information" in m:
        kind = "location"
        loc = m.get("location_information")
        if isinstance(loc, dict) and "latitude" in loc and "longitude" in loc:
            media = f"{loc['latitude']},{loc['longitude']}"
        elif isinstance(m.get("place_name"), str):
            media = m["place_name"]
    elif "contact_information" in m:
        kind = "contact"
    elif "poll" in m:
        kind = "poll"
        poll = m.get("poll")
        if isinstance(poll, dict) and poll.get("question") is not None:
            text = _text(poll["question"], "poll")
    rows.add(**base, sender=sender, kind=kind, text=text, media=media, reply_to=reply_to)
    if m.get("reactions"):
        _reactions(rows, m["reactions"], msg_id)


def _reactions(rows: _Rows, reactions: Any, msg_id: str | None) -> None:
    """One reaction row per reactor Telegram names (``recent``); counts alone say nobody."""
    if not isinstance(reactions, list):
        raise _Bad("reactions")
    for r in reactions:
        if not isinstance(r, dict) or not isinstance(r.get("recent") or [], list):
            raise _Bad("reactions")
        emoji = r.get("emoji") if isinstance(r.get("emoji"), str) else None
        for who in r.get("recent") or []:
            if not isinstance(who, dict):
                raise _Bad("reactions")
            epoch, naive = _when(who)
            rows.add(
                msg_id=None,
                epoch=epoch,
                naive=naive,
                sender=rows.name_for(who.get("from_id"), who.get("from")),
                kind="reaction",
                text=emoji,
                reply_to=msg_id,
                edited=False,
            )


def _chat(
    source: Source, doc: dict[str, Any], prefix: str, *, owner_id: str | None, tz: str
) -> ParsedChat:
    messages = doc.get("messages")
    if not isinstance(messages, list):
        raise _shape(source, prefix.rstrip(", "), "The chat has no list of messages")
    rows = _Rows()
    for i, m in enumerate(messages, 1):
        rows.n = i
        if not isinstance(m, dict):
            raise _shape(source, f"{prefix}message {i}", "A message is not a JSON object")
        try:
            _message(rows, m)
        except _Bad as exc:
            raise _shape(
                source,
                f"{prefix}message {i}",
                f"A message's '{exc.args[0]}' is not what Telegram writes",
            ) from exc
    frame = _frame(source, rows, prefix, tz)
    ctype = doc.get("type") if isinstance(doc.get("type"), str) else ""
    chat_id = doc.get("id")
    title = doc.get("name") if isinstance(doc.get("name"), str) else None
    if ctype == "saved_messages":
        title = title or "Saved Messages"
    senders = frame.get_column("sender").drop_nulls()
    participants = list(dict.fromkeys(senders.to_list()))
    me = rows.names.get(owner_id) if owner_id is not None else None
    return ParsedChat(
        platform=PLATFORM,
        messages=frame,
        participants=participants,
        chat_key="" if chat_id is None else str(chat_id),
        title=title,
        me=me,
        tz=tz if frame.height and frame.get_column("tz").eq(tz).all() else "UTC",
        details={"chat_type": ctype} if ctype else {},
        is_group=ctype not in ONE_TO_ONE_TYPES and ctype != "",
    )


def _frame(source: Source, rows: _Rows, prefix: str, tz: str) -> pl.DataFrame:
    cols = rows.cols
    frame = pl.DataFrame(
        {
            "n": pl.Series(cols["n"], dtype=pl.Int64),
            "msg_id": pl.Series(cols["msg_id"], dtype=pl.String),
            "epoch": pl.Series(cols["epoch"], dtype=pl.Int64),
            "naive": pl.Series(cols["naive"], dtype=pl.String),
            "sender": pl.Series(cols["sender"], dtype=pl.String),
            "kind": pl.Series(cols["kind"], dtype=pl.String),
            "text": pl.Series(cols["text"], dtype=pl.String),
            "media": pl.Series(cols["media"], dtype=pl.String),
            "call_s": pl.Series(cols["call_s"], dtype=pl.Int32),
            "reply_to": pl.Series(cols["reply_to"], dtype=pl.String),
            "edited": pl.Series(cols["edited"], dtype=pl.Boolean),
        }
    )
    naive = pl.col("naive").str.to_datetime(_NAIVE_FORMAT, strict=False, time_unit="us")
    frame = frame.with_columns(
        pl.coalesce(
            pl.from_epoch(pl.col("epoch"), time_unit="s").dt.replace_time_zone("UTC"),
            localize(naive, tz),
        )
        .dt.cast_time_unit("us")
        .alias("ts"),
        pl.when(pl.col("epoch").is_not_null()).then(pl.lit("UTC")).otherwise(pl.lit(tz)).alias("tz"),
        pl.int_range(pl.len(), dtype=pl.Int64).alias("seq"),
    )
    unread = frame.filter(pl.col("ts").is_null())
    if unread.height:
        n = unread.item(0, "n")
        raise _shape(source, f"{prefix}message {n}", "A message's 'date' is not a date")
    return conform(frame)
