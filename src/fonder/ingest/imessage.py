"""iMessage: the Messages database of a Mac (``chat.db``) or of an iPhone backup (``sms.db``).

Both files have the same schema: ``message`` rows joined to ``chat`` rows by
``chat_message_join``, senders in ``handle``, files in ``attachment`` (joined by
``message_attachment_join``). What this importer makes of them:

- One :class:`ParsedChat` per conversation. One-to-one chats (``chat.style`` 45) with the same
  person are merged: Messages keeps separate ``iMessage;-;+1555…``, ``SMS;-;+1555…`` and (since
  macOS 14) ``any;-;+1555…`` chats for one number, but shows them as one conversation, so the
  chat's key is its ``chat_identifier`` (the other side's number or address), which also stays
  the same when Apple changes the guid's prefix. Group chats (style 43) keep ``chat.guid`` and
  come back with ``is_group``.
- "Me" is whoever ``is_from_me`` says, named ``"Me"``; the other side is named by its handle
  (``+15551234567`` or an e-mail address): the database has no contact names.
- Times: ``date`` counts seconds (before macOS 10.13) or nanoseconds since 2001-01-01 UTC,
  decided per value (more than 10^12 means nanoseconds).
- Text: ``message.text``, or when that is empty (macOS 13 and later often leave it empty) the
  string inside ``attributedBody``, an NSAttributedString archived as a typedstream, which
  :func:`decode_attributed_body` reads without Apple's frameworks.
- Tapbacks (``associated_message_type`` 2000-2007) are ``reaction`` rows whose text is the
  tapback's emoji; their removals (3000-3007) are ``reaction`` rows whose text is ``-`` and the
  emoji. Both point at the message they react to in ``reply_to``, as do inline replies
  (``thread_originator_guid``) and stickers placed on a message (type 1000).
- Attachments: ``sticker``, ``location`` (vlocation cards), ``contact`` (vCards) or ``media``,
  with the attachment's MIME type (else its file name) in ``media`` and any caption in
  ``text``.
- Edited messages (``date_edited``) are ``edited``; unsent ones (``date_retracted``, a
  ``message_summary_info`` with retracted parts, or an edit that left nothing) are ``deleted``.
- Group events (``item_type`` other than 0) are ``system`` rows without a sender. Rows with
  nothing in them (no text, no attachment) are skipped and counted in ``details``.

Large databases are read one chat at a time, each in chunks of :data:`CHUNK_ROWS` rows turned
straight into Polars frames, so memory holds the result plus one chunk.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ..errors import ParseError
from ..model import conform
from .base import ParsedChat, ParseOptions, Source

#: Rows fetched from SQLite at a time.
CHUNK_ROWS = 50_000
#: Microseconds from the Unix epoch to Apple's (2001-01-01 UTC).
APPLE_EPOCH_US = 978_307_200_000_000
#: A ``date`` above this counts nanoseconds; at or below, seconds.
NANOS_ABOVE = 1_000_000_000_000
#: Seconds to wait for a lock Messages holds while it writes, before giving up.
BUSY_TIMEOUT_S = 5.0
#: ``chat.style`` of a group chat (one-to-one chats are 45).
GROUP_STYLE = 43

SQLITE_MAGIC = b"SQLite format 3\x00"
#: Names the Messages database goes by: macOS, an iPhone backup, and the backup's hashed name.
KNOWN_NAMES = ("chat.db", "sms.db", "3d0d7e5fb2ce288813306e4d4636395e047a3d28")
REQUIRED_TABLES = ("message", "chat", "chat_message_join", "handle")

#: Tapback emoji by ``associated_message_type % 1000`` (6: the custom emoji in its own column).
TAPBACKS = {0: "❤️", 1: "👍", 2: "👎", 3: "😂", 4: "‼️", 5: "❓"}
OBJECT_REPLACEMENT = "\ufffc"  # where an attachment sits in the text

ME = "Me"


# --- attributedBody -----------------------------------------------------------------------------

#: Bytes of a blob searched for the string's class name (the archive's header is ~70 bytes).
_HEAD = 512
_CLASS_MARKERS = (b"NSString".hex(), b"NSMutableString".hex())
#: After the class comes a one-byte type string ``+`` (UTF-8 bytes), then the length, then them.
_TYPE_MARK = b"\x01+".hex()


def attributed_body_bytes(blob: pl.Expr) -> pl.Expr:
    """The UTF-8 bytes of the string in typedstream ``attributedBody`` blobs; null if none.

    The typedstream holds ``NSString`` (or ``NSMutableString``), a type marker ``\\x01+``
    and the string as length-prefixed bytes. The length is one byte below 0x80, or 0x81 and a
    little-endian 16-bit number, or 0x82 and a 32-bit one. Vectorized: the blob's head is
    searched as hex text, then bytes are picked by position.
    """
    head = blob.bin.head(_HEAD).bin.encode("hex")

    def found(marker: str) -> pl.Expr:
        at = head.str.find(marker, literal=True)
        return pl.when(at % 2 == 0).then(at)  # a match between two bytes is no match

    # The class named first is the string's; the text itself may name the other one.
    plain, mutable = found(_CLASS_MARKERS[0]), found(_CLASS_MARKERS[1])
    end = (
        pl.when(plain.is_not_null() & (mutable.is_null() | (plain < mutable)))
        .then(plain // 2 + len(_CLASS_MARKERS[0]) // 2)
        .otherwise(mutable // 2 + len(_CLASS_MARKERS[1]) // 2)
    )
    rel = head.str.slice(end * 2, 32).str.find(_TYPE_MARK, literal=True)
    at = pl.when(rel % 2 == 0).then(end + rel // 2 + 2)

    def byte(i: int) -> pl.Expr:
        return blob.bin.get(at + i, null_on_oob=True).cast(pl.Int64)

    b0 = byte(0)
    length = (
        pl.when(b0 < 0x80)
        .then(b0)
        .when(b0 == 0x81)
        .then(byte(1) + byte(2) * 0x100)
        .when(b0 == 0x82)
        .then(byte(1) + byte(2) * 0x100 + byte(3) * 0x10000 + byte(4) * 0x1000000)
    )
    start = pl.when(b0 < 0x80).then(at + 1).when(b0 == 0x81).then(at + 3).when(b0 == 0x82).then(at + 5)
    fits = (start + length) <= blob.bin.size()
    return pl.when(fits).then(blob.bin.slice(start, length))


def utf8(payload: pl.Series) -> pl.Series:
    """Binary to text; bytes that are not UTF-8 become U+FFFD instead of failing the chunk."""
    try:
        return payload.cast(pl.String)
    except pl.exceptions.ComputeError:
        return pl.Series(
            payload.name,
            [None if b is None else b.decode("utf-8", "replace") for b in payload.to_list()],
            dtype=pl.String,
        )


def decode_attributed_body(blobs: pl.Series) -> pl.Series:
    """The message text inside each ``attributedBody`` blob (null where there is none)."""
    frame = pl.DataFrame({"b": blobs.cast(pl.Binary)})
    payload = frame.select(attributed_body_bytes(pl.col("b")).alias(blobs.name)).to_series()
    return utf8(payload)


# --- reading the database -----------------------------------------------------------------------

#: Columns read for each message, with their Polars types. ``None`` SQL means: not in this
#: database's schema (older macOS/iOS), read as null.
_ROW_SCHEMA: dict[str, pl.DataType] = {
    "rowid": pl.Int64(),
    "guid": pl.String(),
    "date": pl.Int64(),
    "from_me": pl.Int64(),
    "handle": pl.String(),
    "text": pl.String(),
    "body": pl.Binary(),
    "amt": pl.Int64(),
    "amg": pl.String(),
    "emoji": pl.String(),
    "thread": pl.String(),
    "date_edited": pl.Int64(),
    "date_retracted": pl.Int64(),
    "retracted_parts": pl.Int64(),
    "item_type": pl.Int64(),
    "balloon": pl.String(),
    "a_mime": pl.String(),
    "a_name": pl.String(),
    "a_uti": pl.String(),
    "a_sticker": pl.Int64(),
    "has_attachment": pl.Int64(),
}


@dataclass
class _Chat:
    """One conversation as fonder shows it: one or more ``chat`` rows merged."""

    key: str
    rowids: list[int]
    is_group: bool
    title: str | None
    partner: str | None  # the other side of a one-to-one chat
    handles: list[str] = field(default_factory=list)
    services: set[str] = field(default_factory=set)


def _integer(col: str) -> str:
    # Some old databases store dates as REAL; anything else non-integer is left for the type
    # check to report.
    return f"CASE typeof({col}) WHEN 'real' THEN CAST({col} AS INTEGER) ELSE {col} END"


class IMessageImporter:
    """Reads ``chat.db`` (macOS Messages) and ``sms.db`` (an iPhone backup)."""

    name = "imessage"
    label = "iMessage (chat.db / sms.db)"

    def sniff(self, source: Source) -> bool:
        head = source.head()
        if not head.startswith(SQLITE_MAGIC):
            return False
        if b"chat_message_join" in head and b"chat_handle_join" in head:
            return True
        if source.member is None:
            # The schema can lie past the first pages of a big database: ask SQLite itself.
            try:
                con = sqlite3.connect(
                    f"{source.path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S
                )
                try:
                    names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
                finally:
                    con.close()
            except (sqlite3.Error, OSError, ValueError):
                return False
            return set(REQUIRED_TABLES) <= names and "chat_handle_join" in names
        return source.name.lower() in KNOWN_NAMES

    def parse(self, source: Source, options: ParseOptions) -> list[ParsedChat]:
        con = _connect(source)
        try:
            return _Reader(con, source, options).read()
        except sqlite3.OperationalError as exc:
            raise _sqlite_error(source, exc, "table message") from exc
        except sqlite3.DatabaseError as exc:
            raise _sqlite_error(source, exc, "") from exc
        finally:
            con.close()


def _connect(source: Source) -> sqlite3.Connection:
    """A read-only connection: the file itself when on disk, else a copy in memory."""
    try:
        if source.member is None:
            con = sqlite3.connect(
                f"{source.path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S
            )
        else:
            data = bytearray(source.read_bytes())
            if len(data) > 19 and data[18] == 2:
                # A WAL-mode header cannot be opened in memory; the content is the same.
                data[18] = data[19] = 1
            con = sqlite3.connect(":memory:")
            con.deserialize(bytes(data))
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise _sqlite_error(source, exc, "") from exc
    return con


def _sqlite_error(source: Source, exc: sqlite3.Error, position: str) -> ParseError:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        reason = (
            "The database is locked by another program — quit Messages, or copy chat.db together "
            "with chat.db-wal and chat.db-shm to another folder and import the copy"
        )
    elif "not a database" in text or "encrypted" in text:
        reason = (
            "The file is not a readable SQLite database (it may be damaged, or from an encrypted "
            "iPhone backup) — copy chat.db again, or make an unencrypted backup"
        )
    elif "malformed" in text or "corrupt" in text:
        reason = "The database is damaged — copy chat.db (or sms.db) again and import the new copy"
    elif "unable to open" in text or "readonly" in text or "read-only" in text:
        reason = (
            "SQLite cannot open the database read-only (its -wal or -shm file may be missing or "
            "unwritable) — copy chat.db with its chat.db-wal and chat.db-shm files to a folder "
            "of yours and import the copy"
        )
    else:
        reason = (
            "The database cannot be read as an iMessage database — check it is chat.db or sms.db "
            "and copy it again"
        )
    return ParseError(source.path if source.member is None else source.member, position, reason)


class _Reader:
    """Reads one opened database into ParsedChats."""

    def __init__(self, con: sqlite3.Connection, source: Source, options: ParseOptions) -> None:
        self.con = con
        self.source = source
        self.options = options
        self.where = source.path if source.member is None else Path(source.member)

    def fail(self, position: str, reason: str) -> ParseError:
        return ParseError(self.where, position, reason)

    def columns(self, table: str) -> set[str]:
        return {row[1] for row in self.con.execute(f"PRAGMA table_info({table})")}

    def read(self) -> list[ParsedChat]:
        tables = {r[0] for r in self.con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        for table in REQUIRED_TABLES:
            if table not in tables:
                raise self.fail(
                    f"table {table}",
                    f"The database has no {table} table, so it is not an iMessage chat.db or "
                    "sms.db — import ~/Library/Messages/chat.db (Mac) or sms.db from an iPhone backup",
                )
        need = {
            "message": {"ROWID", "guid", "date", "is_from_me", "handle_id"},
            "chat": {"ROWID", "guid"},
            "chat_message_join": {"chat_id", "message_id"},
            "handle": {"ROWID", "id"},
        }
        cols: dict[str, set[str]] = {}
        for table, wanted in need.items():
            have = self.columns(table)
            cols[table] = have
            missing = sorted(c for c in wanted - have if c != "ROWID")
            if missing:
                raise self.fail(
                    f"table {table}",
                    f"The {table} table lacks the column {missing[0]}, so it is not an iMessage "
                    "database fonder knows — import chat.db or sms.db as Messages wrote it",
                )
        cols["message"] = self.columns("message")
        if "text" not in cols["message"] and "attributedBody" not in cols["message"]:
            raise self.fail(
                "table message",
                "The message table has neither text nor attributedBody, so it holds no message "
                "text fonder can read — import chat.db or sms.db as Messages wrote it",
            )
        chats = self.chats(cols["chat"], "chat_handle_join" in tables)
        sql = self.message_sql(cols["message"], tables)
        total = self.con.execute("SELECT count(*) FROM chat_message_join").fetchone()[0]
        done = 0
        out: list[ParsedChat] = []
        for chat in chats:
            frames: list[pl.DataFrame] = []
            marks = ",".join("?" * len(chat.rowids))
            cur = self.con.execute(sql.format(chats=marks), chat.rowids)
            while True:
                rows = cur.fetchmany(CHUNK_ROWS)
                if not rows:
                    break
                frames.append(self.chunk(rows, chat))
                done += len(rows)
                self.options.progress(done, total, "reading messages")
            if frames:
                frame = pl.concat(frames, how="vertical")
                if len(chat.rowids) > 1:  # a message joined to two merged chats comes once
                    frame = frame.unique(subset="msg_id", keep="first", maintain_order=True)
                parsed = self.finish(chat, frame)
                if parsed is not None:
                    out.append(parsed)
        if not out:
            raise self.fail(
                "table message",
                "The database holds no messages — copy chat.db again after Messages has synced, "
                "or check it is the right file",
            )
        return out

    def chats(self, chat_cols: set[str], has_handle_join: bool) -> list[_Chat]:
        def col(name: str) -> str:
            return name if name in chat_cols else "NULL"

        rows = self.con.execute(
            f"SELECT ROWID, CAST(guid AS TEXT), {col('style')}, CAST({col('chat_identifier')} AS TEXT), "
            f"CAST({col('display_name')} AS TEXT), CAST({col('service_name')} AS TEXT) "
            "FROM chat ORDER BY ROWID"
        ).fetchall()
        handles: dict[int, list[str]] = {}
        if has_handle_join:
            for chat_id, hid in self.con.execute(
                "SELECT chj.chat_id, CAST(h.id AS TEXT) FROM chat_handle_join chj "
                "JOIN handle h ON h.ROWID = chj.handle_id ORDER BY chj.chat_id, h.ROWID"
            ):
                if hid:
                    handles.setdefault(chat_id, []).append(hid)
        merged: dict[str, _Chat] = {}
        for rowid, guid, style, ident, display, service in rows:
            hs = handles.get(rowid, [])
            if style is not None:
                group = style == GROUP_STYLE
            else:
                group = len(hs) > 1
            partner = None
            if not group:
                partner = ident or (hs[0] if hs else None) or _guid_tail(guid)
            key = f"{guid}" if group or not partner else partner
            chat = merged.get(key)
            if chat is None:
                chat = merged[key] = _Chat(
                    key=key,
                    rowids=[],
                    is_group=group,
                    title=display or (partner if not group else None),
                    partner=partner,
                )
            chat.rowids.append(rowid)
            if display and not chat.title:
                chat.title = display
            for h in hs:
                if h not in chat.handles:
                    chat.handles.append(h)
            if service:
                chat.services.add(service)
        return list(merged.values())

    def message_sql(self, mcols: set[str], tables: set[str]) -> str:
        def col(name: str, cast: str = "") -> str:
            if name not in mcols:
                return "NULL"
            return f"CAST(m.{name} AS {cast})" if cast else f"m.{name}"

        text = col("text", "TEXT")
        if "attributedBody" in mcols:
            body = f"CASE WHEN {text} IS NULL OR {text} = '' THEN m.attributedBody END"
        else:
            body = "NULL"
        retracted_parts = (
            "instr(m.message_summary_info, X'527270') > 0"  # bplist key "rp": retracted parts
            if "message_summary_info" in mcols
            else "NULL"
        )
        attachments = "message_attachment_join" in tables and "attachment" in tables
        if attachments:
            acols = self.columns("attachment")

            def acol(name: str, cast: str = "TEXT") -> str:
                return f"CAST(a.{name} AS {cast})" if name in acols else "NULL"

            a_name = f"coalesce({acol('transfer_name')}, {acol('filename')})"
            a_select = (
                f"{acol('mime_type')}, {a_name}, {acol('uti')}, {acol('is_sticker', 'INTEGER')}, "
                "a.ROWID IS NOT NULL"
            )
            # The first attachment of each message, looked up through the join table's index.
            a_join = (
                "LEFT JOIN attachment a ON a.ROWID = (SELECT min(maj.attachment_id) "
                "FROM message_attachment_join maj WHERE maj.message_id = m.ROWID)"
            )
        else:
            a_select = "NULL, NULL, NULL, NULL, 0"
            a_join = ""
        return (
            "SELECT m.ROWID, CAST(m.guid AS TEXT), "
            f"{_integer('m.date')}, m.is_from_me, CAST(h.id AS TEXT), {text}, {body}, "
            f"{col('associated_message_type')}, {col('associated_message_guid', 'TEXT')}, "
            f"{col('associated_message_emoji', 'TEXT')}, {col('thread_originator_guid', 'TEXT')}, "
            f"{_integer('m.date_edited') if 'date_edited' in mcols else 'NULL'}, "
            f"{_integer('m.date_retracted') if 'date_retracted' in mcols else 'NULL'}, "
            f"{retracted_parts}, {col('item_type')}, {col('balloon_bundle_id', 'TEXT')}, "
            f"{a_select} "
            "FROM chat_message_join cmj JOIN message m ON m.ROWID = cmj.message_id "
            "LEFT JOIN handle h ON h.ROWID = m.handle_id "
            f"{a_join} "
            "WHERE cmj.chat_id IN ({chats}) "
            "ORDER BY m.date, m.ROWID"
        )

    def chunk(self, rows: list[tuple], chat: _Chat) -> pl.DataFrame:
        try:
            raw = pl.DataFrame(rows, schema=_ROW_SCHEMA, orient="row")
        except (pl.exceptions.PolarsError, TypeError, ValueError, OverflowError) as exc:
            raise self.fail(
                f"table message, row {_bad_row(rows)}",
                "A message has a value of the wrong type (not what Messages writes) — copy "
                "chat.db again; if it still fails, the file was changed by another program",
            ) from exc
        if raw.get_column("guid").null_count():
            row = raw.filter(pl.col("guid").is_null()).item(0, "rowid")
            raise self.fail(
                f"table message, row {row}",
                "A message has no guid (Messages always writes one) — copy chat.db again",
            )
        body_text = utf8(raw.select(attributed_body_bytes(pl.col("body")).alias("t")).to_series())
        return _normalize(raw.with_columns(body_text.alias("body")), chat)

    def finish(self, chat: _Chat, frame: pl.DataFrame) -> ParsedChat | None:
        empty = int(frame.get_column("empty").sum())
        undated = int(frame.get_column("ts").null_count())
        frame = frame.filter(~pl.col("empty") & pl.col("ts").is_not_null())
        if frame.height == 0:
            return None
        frame = conform(frame.sort(["ts", "seq"])).with_columns(pl.lit("UTC").alias("tz"))
        senders = frame.get_column("sender").drop_nulls().unique(maintain_order=True).to_list()
        everyone = [ME, chat.partner] if not chat.is_group else [ME, *chat.handles]
        participants = senders + [p for p in everyone if p and p not in senders]
        details = {"database": self.source.name}
        if chat.services:
            details["services"] = ",".join(sorted(chat.services))
        if len(chat.rowids) > 1:
            details["merged_chats"] = str(len(chat.rowids))
        if empty:
            details["skipped_empty"] = str(empty)
        if undated:
            details["skipped_undated"] = str(undated)
        title = chat.title or ", ".join(chat.handles) or None
        return ParsedChat(
            platform="imessage",
            messages=frame,
            participants=participants,
            chat_key=chat.key,
            title=title,
            me=ME,
            tz="UTC",
            details=details,
            is_group=chat.is_group,
        )


def _guid_tail(guid: str | None) -> str | None:
    """``iMessage;-;+15551234567`` → ``+15551234567``."""
    if not guid:
        return None
    return guid.rsplit(";", 1)[-1] or None


def _bad_row(rows: list[tuple]) -> str:
    """The ROWID of the first row whose values do not fit the expected types."""
    checks = list(_ROW_SCHEMA.values())
    for row in rows:
        for value, dtype in zip(row, checks):
            if value is None:
                continue
            if dtype == pl.Int64() and not isinstance(value, int):
                return str(row[0])
            if dtype == pl.Binary() and not isinstance(value, (bytes, str)):
                return str(row[0])
    return str(rows[0][0]) if rows else "?"


def _apple_time(col: str) -> pl.Expr:
    """Apple's seconds-or-nanoseconds since 2001 as an aware UTC datetime (null when 0/null)."""
    v = pl.col(col)
    micros = pl.when(v > NANOS_ABOVE).then(v // 1000).otherwise(v * 1_000_000)
    return (micros + APPLE_EPOCH_US).cast(pl.Datetime("us", "UTC"))


def _normalize(raw: pl.DataFrame, chat: _Chat) -> pl.DataFrame:
    """Raw message rows of one chat → rows of the message schema (plus an ``empty`` flag)."""
    nonempty_text = pl.when(pl.col("text") != "").then(pl.col("text"))
    full = pl.coalesce(nonempty_text, pl.col("body"))
    caption = full.str.replace_all(OBJECT_REPLACEMENT, "", literal=True)
    caption = pl.when(caption.str.strip_chars() != "").then(caption)

    amt = pl.col("amt").fill_null(0)
    base = amt % 1000
    is_tapback = amt.is_between(2000, 2007) | amt.is_between(3000, 3007)
    is_placed_sticker = amt == 1000
    system = pl.col("item_type").fill_null(0) != 0
    has_att = pl.col("has_attachment").fill_null(0) == 1
    has_obj = full.str.contains(OBJECT_REPLACEMENT, literal=True).fill_null(False)
    balloon = pl.col("balloon")
    edited_at = pl.col("date_edited").fill_null(0) > 0
    unsent = (
        (pl.col("date_retracted").fill_null(0) > 0)
        | (pl.col("retracted_parts").fill_null(0) == 1)
        | (edited_at & full.is_null() & ~has_att)
    )
    mime = pl.col("a_mime").str.to_lowercase()
    uti = pl.col("a_uti").str.to_lowercase()
    is_location = mime.str.contains("vlocation").fill_null(False) | uti.str.contains("vlocation").fill_null(False)
    is_contact = mime.str.contains("vcard").fill_null(False) | uti.str.contains("vcard").fill_null(False)
    is_sticker = pl.col("a_sticker").fill_null(0) == 1

    kind = (
        pl.when(system)
        .then(pl.lit("system"))
        .when(is_tapback)
        .then(pl.lit("reaction"))
        .when(is_placed_sticker)
        .then(pl.lit("sticker"))
        .when(unsent)
        .then(pl.lit("deleted"))
        .when(has_att & is_sticker)
        .then(pl.lit("sticker"))
        .when(has_att & is_location)
        .then(pl.lit("location"))
        .when(has_att & is_contact)
        .then(pl.lit("contact"))
        .when(has_att | has_obj)
        .then(pl.lit("media"))
        .when(caption.is_null() & balloon.is_not_null())
        .then(pl.lit("media"))
        .otherwise(pl.lit("text"))
    )

    tapback_emoji = pl.coalesce(
        base.replace_strict(TAPBACKS, default=None, return_dtype=pl.String),
        pl.when(base == 6).then(pl.col("emoji")),
    )
    tapback_text = pl.when(amt >= 3000).then(pl.lit("-") + tapback_emoji).otherwise(tapback_emoji)
    file_name = pl.col("a_name").str.replace(r"^.*/", "")
    attachment_media = pl.coalesce(pl.col("a_mime"), file_name, pl.col("a_uti"))

    target = pl.col("amg").str.replace(r"^(?:p:\d+/|bp:)", "")
    partner = chat.partner or "Unknown"
    if chat.is_group:
        other = pl.coalesce(pl.col("handle"), pl.lit("Unknown"))
    else:
        other = pl.lit(partner)

    return (
        raw.lazy()
        .with_columns(
            kind.alias("kind"),
            _apple_time("date").alias("ts"),
        )
        .with_columns(
            pl.col("guid").alias("msg_id"),
            pl.when(system)
            .then(None)
            .when(pl.col("from_me").fill_null(0) != 0)
            .then(pl.lit(ME))
            .otherwise(other)
            .alias("sender"),
            pl.when(pl.col("kind") == "reaction")
            .then(tapback_text)
            .when(pl.col("kind").is_in(["deleted", "sticker"]))
            .then(None)
            .otherwise(caption)
            .alias("text"),
            pl.when(pl.col("kind").is_in(["media", "sticker", "location", "contact"]) & has_att)
            .then(attachment_media)
            .when((pl.col("kind") == "reaction") & has_att)
            .then(attachment_media)
            .when((pl.col("kind") == "media") & ~has_att & ~has_obj)
            .then(balloon)
            .alias("media"),
            pl.when(is_tapback | is_placed_sticker)
            .then(target)
            .otherwise(pl.col("thread"))
            .alias("reply_to"),
            (edited_at & (pl.col("kind") != "deleted")).alias("edited"),
            pl.col("rowid").alias("seq"),
            ((pl.col("kind") == "text") & caption.is_null()).alias("empty"),
        )
        .select("msg_id", "ts", "sender", "kind", "text", "media", "reply_to", "edited", "seq", "empty")
        .collect()
    )
