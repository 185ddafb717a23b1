"""Signal: the app's own chat-history export (``main.jsonl``) and the ``signal-export`` tool.

:class:`SignalImporter` reads what Signal Desktop writes with "Export chat history": a folder
holding ``main.jsonl``, ``metadata.json`` and ``files/``. ``main.jsonl`` is Signal's backup
format written as JSON, one record a line: first a header (``version``, ``backupTimeMs``),
then frames, each an object with one key: ``account`` (the owner's name), ``recipient``
(contacts, groups, the owner as ``self``), ``chat`` (a conversation with one recipient),
``chatItem`` (anything shown in a chat). Numbers of 64 bits are strings; ids of recipients
and chats hold only inside the file. A chat item has no id of its own: Signal knows a message
by its author and the time it was sent (``dateSent``, ms), and a quote points at that time.

- ``standardMessage`` is text, or media when it has attachments (the body is the caption);
  its ``quote`` gives ``reply_to``, its ``reactions`` become reaction rows.
- ``revisions`` (edit history, oldest first) mark the message edited; the message keeps the
  time and id of its first version, which is what quotes point at.
- ``updateMessage.individualCall``/``groupCall`` become calls or missed calls; every other
  update is a system row.
- ``outgoing`` items are the owner's, named as the account is (``givenName familyName``,
  else "Me").

:class:`SignalExportImporter` reads the ``data.json`` files of signal-export (``sigexport``),
which exports Signal Desktop's database: one folder per chat, one JSON object a line with
``date`` (the exporting computer's local time, no zone), ``sender`` ("Me" for the owner),
``body``, ``quote``, ``sticker``, ``reactions`` (``[name, emoji]`` pairs), ``attachments``
and, in newer versions, ``deleted`` and ``edits``. It keeps no message ids, no reply targets
and no reaction times; calls are text lines such as "Missed voice call", read back here.
"""

from __future__ import annotations

import base64
import codecs
import hashlib
import io
import re
import uuid
from collections.abc import Iterator
from typing import Any

import orjson
import polars as pl

from ..errors import InputError, ParseError
from ..model import conform
from .base import ParsedChat, ParseOptions, Source, localize, machine_tz
from .telegram import read_bytes, where

PLATFORM = "signal"

#: Rows collected before a chat's columns are turned into a frame, to bound memory.
CHUNK_ROWS = 100_000

_SCHEMA: dict[str, pl.DataType] = {
    "msg_id": pl.String(),
    "ms": pl.Int64(),
    "sender": pl.String(),
    "kind": pl.String(),
    "text": pl.String(),
    "media": pl.String(),
    "call_s": pl.Int32(),
    "reply_to": pl.String(),
    "edited": pl.Boolean(),
}
#: Keys the first line of Signal's export can have (the header, or a first frame).
_HEADER_KEYS = frozenset({"version", "backupTimeMs", "account", "recipient"})
_MISSED_CALL_STATES = frozenset(
    {"NOT_ACCEPTED", "MISSED", "MISSED_NOTIFICATION_PROFILE", "DECLINED"}
)


def _lines(source: Source) -> Iterator[bytes]:
    """The file's lines, read from disk as they come (a member of a zip is in memory)."""
    if source.member is None and source.data is None and source.loader is None:
        try:
            fh = open(source.path, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise InputError(
                f"The file cannot be read ({exc.strerror}) — {where(source)} — check it and "
                "try again."
            ) from exc
        with fh:
            yield from fh
    else:
        yield from io.BytesIO(read_bytes(source))


def _first_line(source: Source) -> Any:
    head = source.head()
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    line = head.lstrip().split(b"\n", 1)[0]
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return None


class _Bad(Exception):
    """A field holds something the export does not write (``args[0]`` names it)."""


def _ms(value: Any, field: str) -> int:
    """A Signal 64-bit number: a string of digits in the JSON export (an int is accepted too)."""
    if isinstance(value, bool):
        raise _Bad(field)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise _Bad(field)


class _Columns:
    """One chat's rows, gathered as tuples and turned into frames every ``CHUNK_ROWS`` rows."""

    def __init__(self) -> None:
        self.pending: list[tuple[Any, ...]] = []
        self.frames: list[pl.DataFrame] = []
        self.rows = 0

    def add(
        self,
        msg_id: str | None,
        ms: int,
        sender: str | None,
        kind: str,
        text: str | None = None,
        media: str | None = None,
        call_s: int | None = None,
        reply_to: str | None = None,
        edited: bool = False,
    ) -> None:
        self.pending.append((msg_id, ms, sender, kind, text, media, call_s, reply_to, edited))
        self.rows += 1
        if len(self.pending) >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.frames.append(pl.DataFrame(self.pending, schema=_SCHEMA, orient="row"))
            self.pending = []

    def frame(self) -> pl.DataFrame:
        self.flush()
        if not self.frames:
            return pl.DataFrame(schema=_SCHEMA)
        return pl.concat(self.frames)


def _join(*parts: Any) -> str | None:
    return " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip()) or None


def _uuid(b64: Any) -> str | None:
    """A 16-byte service id written as base64, as the canonical UUID string."""
    if not isinstance(b64, str):
        return None
    try:
        raw = base64.b64decode(b64, validate=True)
    except ValueError:
        return None
    return str(uuid.UUID(bytes=raw)) if len(raw) == 16 else None


class _Recipient:
    __slots__ = ("kind", "name", "key")

    def __init__(self, kind: str, name: str, key: str) -> None:
        self.kind = kind
        self.name = name
        self.key = key


def _recipient(frame: dict[str, Any]) -> tuple[str, _Recipient]:
    rid = frame.get("id")
    if rid is None or isinstance(rid, bool) or not isinstance(rid, int | str):
        raise _Bad("recipient id")
    if isinstance(frame.get("contact"), dict):
        c = frame["contact"]
        nick = c.get("nickname") if isinstance(c.get("nickname"), dict) else {}
        e164 = c.get("e164")
        phone = f"+{e164}" if isinstance(e164, int | str) and str(e164).isdigit() else None
        name = (
            _join(nick.get("given"), nick.get("family"))
            or _join(c.get("systemGivenName"), c.get("systemFamilyName"))
            or _join(c.get("systemNickname"))
            or _join(c.get("profileGivenName"), c.get("profileFamilyName"))
            or _join(c.get("username"))
            or phone
            or "Unknown contact"
        )
        aci, pni = _uuid(c.get("aci")), _uuid(c.get("pni"))
        key = aci or (f"e164:{phone}" if phone else None) or (f"pni:{pni}" if pni else None)
        return str(rid), _Recipient("contact", name, key or f"name:{name}")
    if isinstance(frame.get("group"), dict):
        g = frame["group"]
        snapshot = g.get("snapshot") if isinstance(g.get("snapshot"), dict) else {}
        title = snapshot.get("title") if isinstance(snapshot.get("title"), dict) else {}
        name = _join(title.get("title")) or "Unnamed group"
        master = g.get("masterKey") if isinstance(g.get("masterKey"), str) else name
        # The group's identity derives from its master key; only a digest of it is kept.
        digest = hashlib.blake2b(master.encode(), digest_size=12).hexdigest()
        return str(rid), _Recipient("group", name, f"group:{digest}")
    for kind in ("self", "releaseNotes", "distributionList", "callLink"):
        if kind in frame:
            return str(rid), _Recipient(kind, kind, kind)
    return str(rid), _Recipient("unknown", "Unknown", "unknown")


class _Chat:
    __slots__ = ("recipient", "rows", "order")

    def __init__(self, recipient: _Recipient, order: int) -> None:
        self.recipient = recipient
        self.rows = _Columns()
        self.order = order


class _Reader:
    """The state of one pass over ``main.jsonl``."""

    def __init__(self) -> None:
        self.owner = "Me"
        self.recipients: dict[str, _Recipient] = {}
        self.chats: dict[str, _Chat] = {}

    def frame(self, obj: dict[str, Any]) -> None:
        if isinstance(obj.get("chatItem"), dict):
            self.item(obj["chatItem"])
        elif isinstance(obj.get("recipient"), dict):
            rid, rec = _recipient(obj["recipient"])
            self.recipients[rid] = rec
        elif isinstance(obj.get("chat"), dict):
            chat = obj["chat"]
            cid, rid = chat.get("id"), chat.get("recipientId")
            if cid is None or rid is None or str(rid) not in self.recipients:
                raise _Bad("chat")
            self.chats[str(cid)] = _Chat(self.recipients[str(rid)], len(self.chats))
        elif isinstance(obj.get("account"), dict):
            acc = obj["account"]
            self.owner = _join(acc.get("givenName"), acc.get("familyName")) or "Me"
        # Header, sticker packs, call links, folders, profiles: nothing to read.

    def name(self, author: Any) -> str | None:
        rec = self.recipients.get(str(author)) if author is not None else None
        if rec is None:
            return None
        return self.owner if rec.kind == "self" else rec.name

    def item(self, item: dict[str, Any]) -> None:
        chat = self.chats.get(str(item.get("chatId")))
        if chat is None:
            raise _Bad("chatId")
        if chat.recipient.kind not in ("contact", "group"):
            return  # Note to Self and Signal's release notes are not conversations
        revisions = item.get("revisions") or []
        if not isinstance(revisions, list):
            raise _Bad("revisions")
        sent = _ms(item.get("dateSent"), "dateSent")
        first = sent
        original = revisions[0] if revisions else None
        if isinstance(original, dict) and original.get("dateSent") is not None:
            first = _ms(original["dateSent"], "dateSent")
        if "outgoing" in item:
            sender: str | None = self.owner
        else:
            sender = self.name(item.get("authorId"))
        base = {"ms": first, "sender": sender, "edited": bool(revisions), "msg_id": str(first)}
        rows = chat.rows
        if isinstance(msg := item.get("standardMessage"), dict):
            text = msg.get("text") if isinstance(msg.get("text"), dict) else {}
            body = text.get("body") if isinstance(text.get("body"), str) else None
            quote = msg.get("quote") if isinstance(msg.get("quote"), dict) else {}
            target = quote.get("targetSentTimestamp")
            reply_to = str(_ms(target, "quote")) if target is not None else None
            attachments = msg.get("attachments") or []
            media = None
            if isinstance(attachments, list) and attachments:
                media = _attachment_kind(attachments[0])
            rows.add(
                **base, kind="media" if media else "text", text=body or None, media=media,
                reply_to=reply_to,
            )
            self.reactions(rows, msg.get("reactions"), str(first), first)
        elif isinstance(msg := item.get("stickerMessage"), dict):
            rows.add(**base, kind="sticker", media="sticker")
            self.reactions(rows, msg.get("reactions"), str(first), first)
        elif isinstance(msg := item.get("contactMessage"), dict):
            rows.add(**base, kind="contact")
            self.reactions(rows, msg.get("reactions"), str(first), first)
        elif isinstance(msg := item.get("viewOnceMessage"), dict):
            rows.add(**base, kind="media", media="view_once")
            self.reactions(rows, msg.get("reactions"), str(first), first)
        elif isinstance(msg := item.get("poll"), dict):
            question = msg.get("question") if isinstance(msg.get("question"), str) else None
            rows.add(**base, kind="poll", text=question)
            self.reactions(rows, msg.get("reactions"), str(first), first)
        elif isinstance(msg := item.get("directStoryReplyMessage"), dict):
            reply = msg.get("textReply") if isinstance(msg.get("textReply"), dict) else {}
            text = reply.get("text") if isinstance(reply.get("text"), dict) else {}
            body = text.get("body") if isinstance(text.get("body"), str) else msg.get("emoji")
            rows.add(**base, kind="text", text=body if isinstance(body, str) and body else None)
            self.reactions(rows, msg.get("reactions"), str(first), first)
        elif "remoteDeletedMessage" in item:
            rows.add(**base, kind="deleted")
        elif isinstance(msg := item.get("updateMessage"), dict):
            self.update(rows, msg, base, chat)
        elif "paymentNotification" in item or "giftBadge" in item:
            rows.add(**base, kind="system", sender=None, msg_id=None)
        # An item with none of these is skipped, as Signal's own importer does.

    def update(
        self, rows: _Columns, msg: dict[str, Any], base: dict[str, Any], chat: _Chat
    ) -> None:
        base = {**base, "msg_id": None, "edited": False}
        if isinstance(call := msg.get("individualCall"), dict):
            outgoing = call.get("direction") == "OUTGOING"
            sender = self.owner if outgoing else chat.recipient.name
            missed = call.get("state") in _MISSED_CALL_STATES
            rows.add(**{**base, "sender": sender}, kind="missed_call" if missed else "call")
        elif isinstance(call := msg.get("groupCall"), dict):
            starter = call.get("startedCallRecipientId") or call.get("ringerRecipientId")
            sender = self.name(starter) or base["sender"]
            missed = call.get("state") in _MISSED_CALL_STATES
            seconds = None
            start, end = call.get("startedCallTimestamp"), call.get("endedCallTimestamp")
            if not missed and start is not None and end is not None:
                lasted = _ms(end, "endedCallTimestamp") - _ms(start, "startedCallTimestamp")
                seconds = max(0, lasted // 1000)
            rows.add(
                **{**base, "sender": sender},
                kind="missed_call" if missed else "call",
                call_s=seconds,
            )
        else:
            rows.add(**{**base, "sender": None}, kind="system")

    def reactions(self, rows: _Columns, reactions: Any, msg_id: str, ms: int) -> None:
        if not reactions:
            return
        if not isinstance(reactions, list):
            raise _Bad("reactions")
        for r in reactions:
            if not isinstance(r, dict):
                raise _Bad("reactions")
            when = r.get("sentTimestamp")  # a zero is left out of the JSON: the message's time
            rows.add(
                msg_id=None,
                ms=_ms(when, "sentTimestamp") if when is not None else ms,
                sender=self.name(r.get("authorId")),
                kind="reaction",
                text=r.get("emoji") if isinstance(r.get("emoji"), str) else None,
                reply_to=msg_id,
                edited=False,
            )


def _attachment_kind(attachment: Any) -> str:
    """What an attachment is: a voice message, a GIF, or the major part of its content type."""
    if not isinstance(attachment, dict):
        raise _Bad("attachments")
    flag = attachment.get("flag")
    if flag == "VOICE_MESSAGE":
        return "voice_message"
    if flag == "GIF":
        return "gif"
    pointer = attachment.get("pointer") if isinstance(attachment.get("pointer"), dict) else {}
    ctype = pointer.get("contentType")
    if isinstance(ctype, str) and ctype.split("/", 1)[0] in ("image", "video", "audio"):
        return ctype.split("/", 1)[0]
    return "file"


class SignalImporter:
    """Signal Desktop's "Export chat history": ``main.jsonl``, every chat of the account."""

    name = "signal"
    label = "Signal"

    def sniff(self, source: Source) -> bool:
        if not source.name.lower().endswith(".jsonl"):
            return False
        first = _first_line(source)
        if not isinstance(first, dict):
            return False
        if "backupTimeMs" in first or ("version" in first and "mediaRootBackupKey" in first):
            return True
        return len(first) == 1 and next(iter(first)) in ("account", "recipient", "chat", "chatItem")

    def parse(self, source: Source, options: ParseOptions) -> list[ParsedChat]:
        reader = _Reader()
        records = 0
        for n, line in enumerate(_lines(source), 1):
            stripped = line.strip()
            if not stripped:
                continue
            records += 1
            if n == 1 and stripped.startswith(codecs.BOM_UTF8):
                stripped = stripped[len(codecs.BOM_UTF8) :]
            try:
                obj = orjson.loads(stripped)
            except orjson.JSONDecodeError as exc:
                cut = not line.endswith(b"\n")
                reason = (
                    "The file ends in the middle of a record, so it was cut short"
                    if cut
                    else "A line is not valid JSON"
                )
                raise _error(source, f"line {n}", reason) from exc
            if not isinstance(obj, dict):
                raise _error(source, f"line {n}", "A line is not a JSON object")
            if records == 1 and not _HEADER_KEYS & obj.keys():
                raise _error(source, f"line {n}", "The file does not start as Signal's export does")
            try:
                reader.frame(obj)
            except _Bad as exc:
                raise _error(
                    source, f"line {n}", f"A record's '{exc.args[0]}' is not what Signal writes"
                ) from exc
            if n % 100_000 == 0:
                options.progress(n, None, "reading Signal records")
        if records == 0:
            raise _error(source, "", "The file is empty")
        out = []
        for cid, chat in sorted(reader.chats.items(), key=lambda kv: kv[1].order):
            if chat.rows.rows == 0:
                continue
            out.append(_parsed(chat, reader.owner, cid))
        return out


def _parsed(chat: _Chat, owner: str, cid: str) -> ParsedChat:
    frame = chat.rows.frame()
    frame = frame.with_columns(
        pl.from_epoch(pl.col("ms"), time_unit="ms")
        .dt.replace_time_zone("UTC")
        .dt.cast_time_unit("us")
        .alias("ts"),
        pl.lit("UTC").alias("tz"),
        pl.int_range(pl.len(), dtype=pl.Int64).alias("seq"),
        # Two items sent in the same millisecond keep the first its time as id; fonder gives the
        # other a digest.
        pl.when(pl.col("msg_id").is_first_distinct() | pl.col("msg_id").is_null())
        .then(pl.col("msg_id"))
        .alias("msg_id"),
    )
    participants = list(dict.fromkeys(frame.get_column("sender").drop_nulls().to_list()))
    rec = chat.recipient
    return ParsedChat(
        platform=PLATFORM,
        messages=conform(frame),
        participants=participants,
        chat_key=rec.key,
        title=rec.name,
        me=owner,
        tz="UTC",
        details={"chat_type": rec.kind},
        is_group=rec.kind == "group",
    )


def _error(source: Source, position: str, what: str) -> ParseError:
    return ParseError(
        where(source),
        position,
        f"{what}; export the chat history again from Signal Desktop and import the new "
        "main.jsonl",
    )


# --- signal-export ------------------------------------------------------------------------------

SIGEXPORT = "signal-export"
_SIGEXPORT_KEYS = frozenset({"date", "sender", "body"})
_SIGEXPORT_MORE = frozenset({"quote", "attachments", "reactions", "sticker"})
_SIGEXPORT_START = re.compile(
    rb'\{\s*"date"\s*:\s*"[0-9T:.-]+"\s*,\s*"sender"\s*:\s*"[^"]*"\s*,\s*"body"\s*:\s*"'
)
#: What signal-export writes for a call (``_format_call``), and for the owner's own name.
_CALL_RE = re.compile(
    r"^(?:(?P<missed>Missed) (?:voice |video )?call"
    r"|(?P<dir>Incoming|Outgoing) (?:voice |video )?call(?: \((?P<detail>[^)]*)\))?)$"
)
_DURATION_RE = re.compile(r"accepted(?:, (?:(?P<m>\d+)m )?(?P<s>\d+)s)?\)?$")
_OWNER_ALIASES = frozenset({"Me", "Note to Self", "NotetoSelf"})
_IMAGE = ("png", "jpg", "jpeg", "gif", "tif", "tiff", "webp", "heic", "apng", "svg")
_VIDEO = ("mp4", "mov", "mkv", "mpeg", "webm", "qt", "3gp")
_AUDIO = ("m4a", "aac", "mp3", "ogg", "opus", "wav", "flac")


def _seconds(match: re.Match[str]) -> int | None:
    if match.group("s") is None:
        return None
    return int(match.group("m") or 0) * 60 + int(match.group("s"))


def _file_kind(name: Any) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if isinstance(name, str) and "." in name else ""
    if ext in _IMAGE:
        return "image"
    if ext in _VIDEO:
        return "video"
    if ext in _AUDIO:
        return "audio"
    return "file"


class SignalExportImporter:
    """The ``data.json`` of one chat exported by signal-export (sigexport)."""

    name = SIGEXPORT
    label = "Signal (signal-export)"

    def sniff(self, source: Source) -> bool:
        if not source.name.lower().endswith(".json"):
            return False
        first = _first_line(source)
        if first is None:  # a first message longer than the sniffed bytes: its start will do
            head = source.head()
            return b"\n" not in head and bool(_SIGEXPORT_START.match(head))
        return (
            isinstance(first, dict)
            and _SIGEXPORT_KEYS <= first.keys()
            and bool(_SIGEXPORT_MORE & first.keys())
        )

    def parse(self, source: Source, options: ParseOptions) -> list[ParsedChat]:
        tz = options.tz or machine_tz()
        cols: dict[str, list[Any]] = {
            c: [] for c in ("n", "date", "sender", "kind", "text", "media", "call_s", "edited")
        }

        def add(n: int, date: str, sender: str | None, kind: str, text: str | None = None,
                media: str | None = None, call_s: int | None = None, edited: bool = False) -> None:
            values = (n, date, sender, kind, text, media, call_s, edited)
            for column, value in zip(cols.values(), values, strict=True):
                column.append(value)

        for n, line in enumerate(_lines(source), 1):
            stripped = line.strip()
            if not stripped:
                continue
            if n == 1 and stripped.startswith(codecs.BOM_UTF8):
                stripped = stripped[len(codecs.BOM_UTF8) :]
            try:
                m = orjson.loads(stripped)
            except orjson.JSONDecodeError as exc:
                reason = (
                    "The file ends in the middle of a message, so it was cut short"
                    if not line.endswith(b"\n")
                    else "A line is not valid JSON"
                )
                raise _sigexport_error(source, f"line {n}", reason) from exc
            if not isinstance(m, dict) or not _SIGEXPORT_KEYS <= m.keys():
                raise _sigexport_error(source, f"line {n}", "A line is not a signal-export message")
            try:
                _sigexport_message(add, n, m)
            except _Bad as exc:
                what = f"A message's '{exc.args[0]}' is not what signal-export writes"
                raise _sigexport_error(source, f"line {n}", what) from exc
        frame = pl.DataFrame(
            cols,
            schema={
                "n": pl.Int64(), "date": pl.String(), "sender": pl.String(), "kind": pl.String(),
                "text": pl.String(), "media": pl.String(), "call_s": pl.Int32(),
                "edited": pl.Boolean(),
            },
        )
        naive = pl.col("date").str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False, time_unit="us")
        frame = frame.with_columns(
            localize(naive, tz).dt.cast_time_unit("us").alias("ts"),
            pl.lit(tz).alias("tz"),
            pl.int_range(pl.len(), dtype=pl.Int64).alias("seq"),
        )
        unread = frame.filter(pl.col("ts").is_null())
        if unread.height:
            raise _sigexport_error(
                source, f"line {unread.item(0, 'n')}", "A message's 'date' is not a date"
            )
        folder = _chat_folder(source)
        participants = list(dict.fromkeys(frame.get_column("sender").drop_nulls().to_list()))
        return [
            ParsedChat(
                platform=PLATFORM,
                messages=conform(frame),
                participants=participants,
                chat_key=f"sigexport:{folder}",
                title=folder,
                me="Me",
                tz=tz,
                details={"exporter": SIGEXPORT},
            )
        ]


def _chat_folder(source: Source) -> str:
    """signal-export names each chat's folder after it; a renamed file names the chat itself."""
    parts = (source.member or str(source.path)).replace("\\", "/").split("/")
    if parts[-1].lower() == "data.json" and len(parts) > 1 and parts[-2]:
        return parts[-2]
    return parts[-1].rsplit(".", 1)[0]


def _sigexport_message(add: Any, n: int, m: dict[str, Any]) -> None:
    date, sender, body = m.get("date"), m.get("sender"), m.get("body")
    if not isinstance(date, str):
        raise _Bad("date")
    if not isinstance(sender, str):
        raise _Bad("sender")
    if body is not None and not isinstance(body, str):
        raise _Bad("body")
    # signal-export ends every body with two spaces (Markdown's line break).
    text = (body[:-2] if body and body.endswith("  ") else body) or None
    edited = bool(m.get("edits"))
    if sender in _OWNER_ALIASES:
        sender = "Me"
    if sender == "No-Sender":  # signal-export found no sender: a notice, not a person
        add(n, date, None, "system", text)
        return
    if m.get("deleted") is True:
        add(n, date, sender, "deleted")
    elif m.get("call") is True:  # newer versions say so themselves
        duration = _DURATION_RE.search(text or "")
        add(n, date, sender, "missed_call" if m.get("missed") else "call",
            call_s=_seconds(duration) if duration and not m.get("missed") else None)
    elif (call := _CALL_RE.match(text or "")) and not m.get("attachments"):
        detail = call.group("detail") or ""
        accepted = _DURATION_RE.match(detail)
        if call.group("missed") or (detail and accepted is None):
            add(n, date, sender, "missed_call")
        else:
            add(n, date, sender, "call", call_s=_seconds(accepted) if accepted else None)
    elif m.get("sticker"):
        add(n, date, sender, "sticker", media="sticker", edited=edited)
    elif isinstance(atts := m.get("attachments"), list) and atts:
        first = atts[0]
        name = first.get("name") or first.get("path") if isinstance(first, dict) else None
        add(n, date, sender, "media", text, _file_kind(name), edited=edited)
    else:
        add(n, date, sender, "text", text, edited=edited)
    reactions = m.get("reactions") or []
    if not isinstance(reactions, list):
        raise _Bad("reactions")
    for r in reactions:
        if isinstance(r, list) and len(r) == 2:
            who, emoji = r
        elif isinstance(r, dict):
            who, emoji = r.get("name"), r.get("emoji")
        else:
            raise _Bad("reactions")
        if not isinstance(who, str) or not isinstance(emoji, str):
            raise _Bad("reactions")
        # signal-export keeps no reaction time: the reaction takes its message's.
        add(n, date, "Me" if who in _OWNER_ALIASES else who, "reaction", emoji)


def _sigexport_error(source: Source, position: str, what: str) -> ParseError:
    return ParseError(
        where(source),
        position,
        f"{what}; export the chat again with signal-export (sigexport) and import its folder",
    )
