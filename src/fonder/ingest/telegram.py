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
import mmap
import operator
import os
import re
from collections.abc import Iterable, Iterator
from itertools import repeat
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from ..errors import InputError, ParseError
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


class _Bad(Exception):
    """A field of a message holds something Telegram does not write (``args[0]`` names it)."""


def where(source: Source) -> Path:
    """How errors name the source: the file, or the archive and the member inside it."""
    if source.member is None:
        return source.path
    return Path(f"{source.path.name} › {source.member.replace('/', ' › ')}")


def read_bytes(source: Source) -> bytes:
    """All of the source's bytes; an :class:`InputError` when the file cannot be read."""
    try:
        return source.read_bytes()
    except OSError as exc:
        raise InputError(
            f"The file cannot be read ({exc.strerror}) — {where(source)} — check it and try again."
        ) from exc


def load_json(source: Source, what: str) -> Any:
    """The parsed JSON document of ``source``; a :class:`ParseError` saying where it breaks."""
    data = read_bytes(source)
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
            where(source),
            position,
            f"{reason}; export it again from {what} and import the new file",
        ) from exc


def _cut_in_a_character(data: bytes) -> bool:
    """True when the only bad UTF-8 is a character cut off at the very end."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.reason == "unexpected end of data" and exc.start >= len(data) - 3
    return False


#: How many array items (messages, chats) are parsed at a time when a file is read in pieces.
CHUNK_ITEMS = 20_000
#: Largest unfinished end of a file parsed on its own to say where the file was cut.
TAIL_BYTES = 16 * 1024 * 1024
_WS = b" \t\r\n"


class Unusual(Exception):
    """The file is not laid out as the app writes it: it is read whole instead."""


class Buffer:
    """A source's bytes: mapped from disk for a file, held in memory for an archive member.

    Telegram Desktop and DiscordChatExporter indent their JSON, one key or array item a line;
    JSON strings cannot hold a raw line break, so a line break followed by exactly an item's
    indentation and ``}`` can only close that item. That lets a big file be parsed a few
    thousand items at a time instead of as one document.
    """

    def __init__(self, source: Source) -> None:
        self.source = source
        self._file = None
        self.buf: bytes | mmap.mmap = b""
        if source.member is None and source.data is None and source.loader is None:
            try:
                self._file = open(source.path, "rb")  # noqa: SIM115 - closed in __exit__
                if os.fstat(self._file.fileno()).st_size:
                    self.buf = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)
            except (OSError, ValueError) as exc:
                self.__exit__()
                raise Unusual from exc  # reading it whole says what is wrong
        else:
            self.buf = read_bytes(source)
        self.start = len(codecs.BOM_UTF8) if self.buf[:3] == codecs.BOM_UTF8 else 0
        #: Where the array last read by :meth:`items` ended (just after its ``]``).
        self.after = 0

    def __enter__(self) -> Buffer:
        return self

    def __exit__(self, *exc: object) -> None:
        if isinstance(self.buf, mmap.mmap):
            self.buf.close()
        if self._file is not None:
            self._file.close()

    def skip(self, i: int) -> int:
        """The first position at or after ``i`` that is not white space."""
        buf, n = self.buf, len(self.buf)
        while i < n and buf[i] in _WS:
            i += 1
        return i

    def indent_after(self, opener: int) -> bytes:
        """The indentation of the first key or item after the ``{`` or ``[`` at ``opener``."""
        first = self.skip(opener + 1)
        line = self.buf.rfind(b"\n", opener, first)
        indent = self.buf[line + 1 : first] if line >= 0 else b""
        if not indent or indent.strip(b" "):
            raise Unusual
        return bytes(indent)

    def value_of(self, indent: bytes, key: str, opener: bytes, start: int, end: int) -> int | None:
        """Where the ``{``/``[`` of ``key`` is, the key written at exactly ``indent``."""
        needle = b"\n" + indent + b'"' + key.encode() + b'": ' + opener
        at = self.buf.find(needle, start, end)
        return None if at < 0 else at + len(needle) - 1

    def line_of(self, pos: int) -> int:
        return bytes(self.buf[:pos]).count(b"\n") + 1

    def fail(self, pos: int, exc: orjson.JSONDecodeError, what: str) -> ParseError:
        """A JSON error in the piece starting at ``pos``, named by its line in the whole file."""
        line = self.line_of(pos) + exc.lineno - 1
        reason = (
            "The file ends in the middle of its JSON, so it was cut short"
            if "end of data" in exc.msg
            else "The file is not valid JSON"
        )
        return ParseError(
            where(self.source), f"line {line}",
            f"{reason}; export it again from {what} and import the new file",
        )

    def load(self, start: int, end: int, what: str, wrap: tuple[bytes, bytes] = (b"", b"")) -> Any:
        try:
            return orjson.loads(wrap[0] + self.buf[start:end] + wrap[1])
        except orjson.JSONDecodeError as exc:
            if "UTF-8" in exc.msg or "depth" in exc.msg:
                raise Unusual from exc  # the whole-file path names these
            raise self.fail(start, exc, what) from exc

    def items(self, opener: int, end: int, what: str) -> Iterator[tuple[int, int]]:
        """Spans of the objects of the array whose ``[`` is at ``opener``; then ``self.after``."""
        buf = self.buf
        first = self.skip(opener + 1)
        if buf[first : first + 1] == b"]":
            self.after = first + 1
            return
        close = b"\n" + self.indent_after(opener) + b"}"
        at = first
        while True:
            if buf[at : at + 1] != b"{":
                raise Unusual
            stop = buf.find(close, at, end)
            if stop < 0:
                self.cut_short(at, end, what)
                raise Unusual
            stop += len(close)
            yield at, stop
            nxt = self.skip(stop)
            mark = buf[nxt : nxt + 1]
            if mark == b",":
                at = self.skip(nxt + 1)
            elif mark == b"]":
                self.after = nxt + 1
                return
            else:
                raise Unusual

    def cut_short(self, at: int, end: int, what: str) -> None:
        """Raise the error of a file cut inside the item at ``at``, if that is what it is."""
        if end - at > TAIL_BYTES:
            return
        try:
            orjson.loads(b"[" + self.buf[at:end])
        except orjson.JSONDecodeError as exc:
            if "end of data" in exc.msg:
                raise self.fail(at, exc, what) from exc

    def chunks(self, opener: int, end: int, what: str) -> Iterator[tuple[int, list[Any]]]:
        """The array's objects, ``CHUNK_ITEMS`` at a time, with the index of each chunk's first."""
        done = 0
        spans = self.items(opener, end, what)
        while True:
            batch = [span for _, span in zip(range(CHUNK_ITEMS), spans, strict=False)]
            if not batch:
                return
            items = self.load(batch[0][0], batch[-1][1], what, (b"[", b"]"))
            yield done, items
            done += len(items)
            self.source_progress(batch[-1][1])

    def source_progress(self, pos: int) -> None:
        """Overridden per read to report progress; nothing by default."""

    def closes(self, start: int, end: int, what: str) -> None:
        """Check that what follows an array is the rest of its object (a cut file is not)."""
        self.load(start, end, what, (b'{"_": 0', b""))


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
        tz = options.tz or machine_tz()
        try:
            with Buffer(source) as buffer:
                return _in_pieces(source, buffer, options, tz)
        except Unusual:
            pass  # laid out differently from Telegram's own writer: read it as one document
        return _whole(source, load_json(source, WHAT), options, tz)


WHAT = "Telegram Desktop (as JSON)"


def _in_pieces(source: Source, b: Buffer, options: ParseOptions, tz: str) -> list[ParsedChat]:
    """Read the file a few thousand messages at a time, as Telegram Desktop lays it out."""
    b.source_progress = lambda pos: options.progress(pos, len(b.buf), "reading Telegram messages")
    buf, end = b.buf, len(b.buf)
    start = b.skip(b.start)
    if buf[start : start + 1] != b"{":
        raise Unusual
    indent = b.indent_after(start)
    at = b.value_of(indent, "messages", b"[", start, end)
    if at is not None:
        header = b.load(start, at + 1, WHAT, (b"", b"]}"))
        chat = _chat(source, header, b.chunks(at, end, WHAT), "", owner_id=None, tz=tz)
        b.closes(b.after, end, WHAT)
        return [chat]
    chats = b.value_of(indent, "chats", b"{", start, end)
    if chats is None:
        raise Unusual
    info = None
    info_at = b.value_of(indent, "personal_information", b"{", start, end)
    if info_at is not None:
        close = buf.find(b"\n" + indent + b"}", info_at, end)
        if close < 0:
            raise Unusual
        info = b.load(info_at, close + len(indent) + 2, WHAT)
    owner_id, owner_name = _owner(source, info)
    listed = b.value_of(b.indent_after(chats), "list", b"[", chats, end)
    if listed is None:
        raise Unusual
    out = []
    for n, (first, last) in enumerate(list(b.items(listed, end, WHAT)), 1):
        at = b.value_of(b.indent_after(first), "messages", b"[", first, last)
        if at is None:
            raise Unusual
        header = b.load(first, at + 1, WHAT, (b"", b"]}"))
        if header.get("type") == "saved_messages":
            continue  # notes to oneself hold no conversation
        chunks = b.chunks(at, last, WHAT)
        chat = _chat(source, header, chunks, f"chat {n}, ", owner_id=owner_id, tz=tz)
        b.closes(b.after, last, WHAT)
        if chat.messages.height:
            out.append(_owned(chat, owner_name))
    return out


def _whole(source: Source, doc: Any, options: ParseOptions, tz: str) -> list[ParsedChat]:
    """The same, from the file parsed as one document."""
    if not isinstance(doc, dict):
        raise _shape(source, "", "The file is JSON but not a Telegram export")
    if "messages" in doc:
        return [_chat(source, doc, _all(source, doc, ""), "", owner_id=None, tz=tz)]
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
        prefix = f"chat {n}, "
        chat = _chat(source, raw, _all(source, raw, prefix), prefix, owner_id=owner_id, tz=tz)
        out.append(_owned(chat, owner_name))
    return out


def _all(source: Source, doc: dict[str, Any], prefix: str) -> list[tuple[int, list[Any]]]:
    messages = doc.get("messages")
    if not isinstance(messages, list):
        raise _shape(source, prefix.rstrip(", "), "The chat has no list of messages")
    return [(0, messages)]


def _owned(chat: ParsedChat, owner_name: str | None) -> ParsedChat:
    """In an account's export the owner is "me" even in a chat where they never wrote."""
    if chat.me is None and owner_name:
        chat.me = owner_name
    return chat


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
        raise _shape(
            source, "personal_information", "The account's personal information has no user id"
        )
    first = info.get("first_name") if isinstance(info.get("first_name"), str) else ""
    last = info.get("last_name") if isinstance(info.get("last_name"), str) else ""
    name = f"{first} {last}".strip() or None
    return f"user{info['user_id']}", name


def _join(value: Any) -> str | None:
    """Plain text from a list of strings and entity objects; ``None`` when empty."""
    parts = []
    for part in value:
        if part.__class__ is str:
            parts.append(part)
        elif part.__class__ is dict and part.get("text", "").__class__ is str:
            parts.append(part.get("text", ""))
        else:
            raise _Bad("text")
    return "".join(parts) or None


def _first_bad(values: list[Any], types: tuple[type, ...]) -> int | None:
    """The index of the first value that is neither ``None`` nor of ``types``."""
    allowed = {*types, type(None)}
    if set(map(type, values)) <= allowed:  # the common case, checked at C speed
        return None
    return next(i for i, v in enumerate(values) if v.__class__ not in allowed)


class _Columns:
    """A chat's messages read field by field: one list per field, checked as a whole."""

    def __init__(self, source: Source, prefix: str, messages: list[Any], offset: int) -> None:
        self.source = source
        self.prefix = prefix
        self.messages = messages
        self.offset = offset  # how many messages of the chat came before these

    def fail(self, index: int, field: str) -> ParseError:
        return _shape(
            self.source,
            f"{self.prefix}message {self.offset + index + 1}",
            f"A message's '{field}' is not what Telegram writes",
        )

    def get(
        self, key: str, types: tuple[type, ...] | None = None, default: Any = None
    ) -> list[Any]:
        values = list(map(dict.get, self.messages, repeat(key), repeat(default)))
        if types is not None and (bad := _first_bad(values, types)) is not None:
            raise self.fail(bad, key)
        return values

    def has(self, key: str) -> list[bool]:
        return list(map(operator.contains, self.messages, repeat(key)))

    def word(self, key: str) -> list[str | None]:
        """A field only ever compared with known words: anything else reads as absent."""
        values = list(map(dict.get, self.messages, repeat(key)))
        if _first_bad(values, (str,)) is None:
            return values
        return [v if v.__class__ is str else None for v in values]


_STR = (str,)
_ID = (int, str)


def _message_frame(cols: _Columns) -> pl.DataFrame:
    """One row per message, every field as its own column, nothing decided yet."""
    texts = cols.get("text", (str, list))
    for i, t in enumerate(texts):
        if t.__class__ is list:
            try:
                texts[i] = _join(t)
            except _Bad:
                raise cols.fail(i, "text") from None
    unix = cols.get("date_unixtime", _ID)
    return pl.DataFrame(
        {
            "n": pl.int_range(
                cols.offset, cols.offset + len(cols.messages), dtype=pl.Int64, eager=True
            ),
            "id": pl.Series(cols.get("id", _ID), dtype=pl.String, strict=False),
            "type": cols.get("type", _STR, "message"),
            "unix": pl.Series(unix, dtype=pl.String, strict=False),
            "naive": cols.get("date", _STR),
            "from": cols.get("from", _STR),
            "from_id": cols.get("from_id", _STR),
            "actor": cols.get("actor", _STR),
            "actor_id": cols.get("actor_id", _STR),
            "text": pl.Series(texts, dtype=pl.String),
            "edited": list(map(operator.or_, cols.has("edited"), cols.has("edited_unixtime"))),
            "reply": pl.Series(cols.get("reply_to_message_id", _ID), dtype=pl.String, strict=False),
            "action": cols.word("action"),
            "reason": cols.word("discard_reason"),
            "duration": pl.Series(cols.get("duration_seconds", (int,)), dtype=pl.Int64),
            "media_type": cols.word("media_type"),
            "sticker": cols.has("sticker_emoji"),
            "photo": cols.has("photo"),
            "file": cols.has("file"),
            "location": cols.has("location_information"),
            "contact": cols.has("contact_information"),
            "poll": cols.has("poll"),
        },
        schema_overrides={
            **dict.fromkeys(
                ("type", "naive", "from", "from_id", "actor", "actor_id", "action", "reason",
                 "media_type"),
                pl.String,
            ),
            **dict.fromkeys(
                ("edited", "sticker", "photo", "file", "location", "contact", "poll"), pl.Boolean
            ),
        },
    )


def _extras(cols: _Columns, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """What only a few messages have, read one by one: places, poll questions, reactions."""
    places: dict[str, list[Any]] = {"n": [], "place": [], "question": []}
    reactions: dict[str, list[Any]] = {
        "n": [], "sub": [], "unix": [], "naive": [], "name": [], "peer": [], "emoji": []
    }
    wanted = frame.select(
        pl.int_range(pl.len()).alias("i"), "location", "poll"
    ).filter(pl.col("location") | pl.col("poll"))
    for i, has_location, has_poll in wanted.iter_rows():
        m, n = cols.messages[i], cols.offset + i
        place = question = None
        if has_location:
            loc = m.get("location_information")
            if loc.__class__ is dict and "latitude" in loc and "longitude" in loc:
                place = f"{loc['latitude']},{loc['longitude']}"
            elif m.get("place_name").__class__ is str:
                place = m["place_name"]
        if has_poll:
            poll = m.get("poll")
            q = poll.get("question") if poll.__class__ is dict else None
            if q is not None:
                try:
                    question = (
                        q if q.__class__ is str else _join(q) if q.__class__ is list else None
                    )
                except _Bad:
                    raise cols.fail(i, "poll") from None
                if question is None:
                    raise cols.fail(i, "poll")
        places["n"].append(n)
        places["place"].append(place)
        places["question"].append(question)
    for i, m in enumerate(cols.messages):
        r = m.get("reactions")
        if not r:
            continue
        try:
            _reactions(reactions, cols.offset + i, r)
        except _Bad as exc:
            raise cols.fail(i, exc.args[0]) from None
    return (
        pl.DataFrame(places, schema={"n": pl.Int64, "place": pl.String, "question": pl.String}),
        pl.DataFrame(
            reactions,
            schema={"n": pl.Int64, "sub": pl.Int64, "unix": pl.String, "naive": pl.String,
                    "name": pl.String, "peer": pl.String, "emoji": pl.String},
        ),
    )


def _reactions(out: dict[str, list[Any]], n: int, reactions: Any) -> None:
    """One reaction row per reactor Telegram names (``recent``); counts alone say nobody."""
    if reactions.__class__ is not list:
        raise _Bad("reactions")
    sub = 0
    for r in reactions:
        if r.__class__ is not dict or (r.get("recent") or []).__class__ is not list:
            raise _Bad("reactions")
        emoji = r.get("emoji") if r.get("emoji").__class__ is str else None
        for who in r.get("recent") or []:
            if who.__class__ is not dict:
                raise _Bad("reactions")
            unix, naive = who.get("date_unixtime"), who.get("date")
            name, peer = who.get("from"), who.get("from_id")
            if unix is not None and unix.__class__ not in _ID:
                raise _Bad("reactions")
            if (naive is not None and naive.__class__ is not str) or unix is naive is None:
                raise _Bad("reactions")
            if (name is not None and name.__class__ is not str) or (
                peer is not None and peer.__class__ is not str
            ):
                raise _Bad("reactions")
            sub += 1
            out["n"].append(n)
            out["sub"].append(sub)
            out["unix"].append(None if unix is None else str(unix))
            out["naive"].append(naive)
            out["name"].append(name)
            out["peer"].append(peer)
            out["emoji"].append(emoji)


def _chat(
    source: Source,
    doc: dict[str, Any],
    chunks: Iterable[tuple[int, list[Any]]],
    prefix: str,
    *,
    owner_id: str | None,
    tz: str,
) -> ParsedChat:
    """One chat from its header (``name``, ``type``, ``id``) and its messages, a chunk at a time."""
    raws, places, reactions = [], [], []
    for offset, messages in chunks:
        if (bad := _first_bad(messages, (dict,))) is not None or None in messages:
            i = bad if bad is not None else messages.index(None)
            raise _shape(
                source, f"{prefix}message {offset + i + 1}", "A message is not a JSON object"
            )
        cols = _Columns(source, prefix, messages, offset)
        raw = _message_frame(cols)
        extra_places, extra_reactions = _extras(cols, raw)
        raws.append(raw)
        places.append(extra_places)
        reactions.append(extra_reactions)
    if not raws:
        cols = _Columns(source, prefix, [], 0)
        raws, (p, r) = [_message_frame(cols)], _extras(cols, _message_frame(cols))
        places, reactions = [p], [r]
    frame = _frame(
        source, prefix, pl.concat(raws), pl.concat(places), pl.concat(reactions), tz
    )
    ctype = doc.get("type") if isinstance(doc.get("type"), str) else ""
    chat_id = doc.get("id")
    title = doc.get("name") if isinstance(doc.get("name"), str) else None
    if ctype == "saved_messages":
        title = title or "Saved Messages"
    participants = list(dict.fromkeys(frame.get_column("sender").drop_nulls().to_list()))
    me = None
    if owner_id is not None:
        mine = frame.filter(pl.col("_peer") == owner_id)
        me = mine.item(0, "sender") if mine.height else None
    return ParsedChat(
        platform=PLATFORM,
        messages=conform(frame),
        participants=participants,
        chat_key="" if chat_id is None else str(chat_id),
        title=title,
        me=me,
        tz=tz if frame.height and frame.get_column("tz").eq(tz).all() else "UTC",
        details={"chat_type": ctype} if ctype else {},
        is_group=ctype not in ONE_TO_ONE_TYPES and ctype != "",
    )


def _frame(
    source: Source,
    prefix: str,
    raw: pl.DataFrame,
    places: pl.DataFrame,
    reactions: pl.DataFrame,
    tz: str,
) -> pl.DataFrame:
    """Decide every row's kind, sender and time, all columns at once."""
    c = pl.col
    service, message = c("type") == "service", c("type") == "message"
    call = service & (c("action") == "phone_call")
    # Telegram shows a call with no duration as cancelled, declined or missed.
    missed = c("reason").is_in(["missed", "busy"]).fill_null(False) | (
        c("duration").fill_null(0) <= 0
    )
    sticker = (c("media_type") == "sticker").fill_null(False) | c("sticker")
    av = c("media_type").is_in(list(MEDIA_TYPES)).fill_null(False)
    kind = (
        pl.when(call).then(pl.when(missed).then(pl.lit("missed_call")).otherwise(pl.lit("call")))
        .when(~message).then(pl.lit("system"))
        .when(sticker).then(pl.lit("sticker"))
        .when(c("photo") | av | c("file")).then(pl.lit("media"))
        .when(c("location")).then(pl.lit("location"))
        .when(c("contact")).then(pl.lit("contact"))
        .when(c("poll")).then(pl.lit("poll"))
        .otherwise(pl.lit("text"))
    )
    media = (
        pl.when(~message).then(None)
        .when(sticker).then(pl.lit("sticker"))
        .when(c("photo")).then(pl.lit("photo"))
        .when(av).then(c("media_type"))
        .when(c("file")).then(pl.lit("file"))
        .when(c("location")).then(c("place"))
    )
    text = (
        pl.when(call | sticker & message | (~service & ~message)).then(None)
        .when(message & c("poll") & c("question").is_not_null()).then(c("question"))
        .when(c("text") != "").then(c("text"))
    )
    rows = (
        raw.with_columns(pl.lit(0, pl.Int64).alias("sub"))
        .join(places, on="n", how="left", maintain_order="left")
        .select(
            "n", "sub", "unix", "naive",
            c("id").alias("msg_id"),
            pl.when(call).then(c("actor")).when(message).then(c("from")).alias("name"),
            pl.when(call).then(c("actor_id")).when(message).then(c("from_id")).alias("peer"),
            kind.alias("kind"),
            text.alias("text"),
            media.alias("media"),
            pl.when(call & ~missed).then(c("duration")).cast(pl.Int32).alias("call_s"),
            pl.when(message).then(c("reply")).alias("reply_to"),
            c("edited"),
        )
    )
    if reactions.height:
        replied = raw.select("n", c("id").alias("reply_to"))
        rows = pl.concat(
            [
                rows,
                reactions.join(replied, on="n", how="left").select(
                    "n", "sub", "unix", "naive", pl.lit(None, pl.String).alias("msg_id"), "name",
                    "peer", pl.lit("reaction").alias("kind"), c("emoji").alias("text"),
                    pl.lit(None, pl.String).alias("media"), pl.lit(None, pl.Int32).alias("call_s"),
                    "reply_to", pl.lit(False).alias("edited"),
                ),
            ]
        ).sort("n", "sub")
    named = pl.when(c("name").is_not_null() & (c("name") != "")).then(c("name")).when(
        c("peer").is_not_null()
    ).then(pl.lit("Deleted Account"))
    naive = c("naive").str.to_datetime(_NAIVE_FORMAT, strict=False, time_unit="us")
    epoch = c("unix").cast(pl.Int64, strict=False)
    frame = rows.with_columns(
        named.alias("shown"),
        pl.coalesce(
            pl.from_epoch(epoch, time_unit="s").dt.replace_time_zone("UTC"), localize(naive, tz)
        ).dt.cast_time_unit("us").alias("ts"),
        pl.when(c("unix").is_not_null()).then(pl.lit("UTC")).otherwise(pl.lit(tz)).alias("tz"),
        pl.int_range(pl.len(), dtype=pl.Int64).alias("seq"),
        (c("unix").is_not_null() & epoch.is_null()).alias("_bad_unix"),
    )
    bad = frame.filter(c("_bad_unix") | c("ts").is_null())
    if bad.height:
        field = "date_unixtime" if bad.item(0, "_bad_unix") else "date"
        undated = bad.item(0, "naive") is None  # neither kind of date: not Telegram's
        what = (
            "is not what Telegram writes"
            if bad.item(0, "_bad_unix") or undated
            else "is not a date"
        )
        if bad.item(0, "sub") > 0:
            field, what = "reactions", "is not what Telegram writes"
        position = f"{prefix}message {bad.item(0, 'n') + 1}"
        raise _shape(source, position, f"A message's '{field}' {what}")
    # One name per sender id, the first seen: Telegram writes each message with the name the
    # sender had at export time, or none once the account is deleted.
    return frame.with_columns(
        pl.when(c("peer").is_not_null())
        .then(c("shown").first().over("peer"))
        .otherwise(c("shown"))
        .alias("sender"),
        c("peer").alias("_peer"),
    )
