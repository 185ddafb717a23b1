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

Large databases are read over the ``message`` table in its own order (each page read in
sequence, which is what makes a multi-gigabyte database fast), :data:`CHUNK_ROWS` rows at a
time. SQLite folds the dozen columns a message is spread over into ten, each chunk becomes a
Polars frame at once, and every :data:`SPILL_ROWS` rows the chunks are compacted and dealt to
their chats. Chats are yielded as they are finished (:meth:`IMessageImporter.stream`): when
the database holds more than :data:`PASS_ROWS` messages, the chats are taken in groups of about
that many, one pass over the table per group, so memory holds one group's chats rather than the
whole database (``bench/bench_imessage.py`` measures it).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ..errors import ParseError
from ..model import conform
from .base import ParsedChat, ParseOptions, Source

#: Rows fetched from SQLite at a time.
CHUNK_ROWS = 50_000
#: Rows gathered before they are compacted and dealt to their chats.
SPILL_ROWS = 500_000
#: Messages read per pass over the table: a bigger database is read in several passes, each
#: for a group of chats, and each group is handed on before the next is read. A pass costs
#: about a second of SQLite's time on a 5,000,000-message database.
PASS_ROWS = 1_000_000
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
_HEAD = 192
_CLASS_MARKERS = (b"NSString".hex(), b"NSMutableString".hex())
#: After the class comes a one-byte type string ``+`` (UTF-8 bytes), then the length, then them.
_TYPE_MARK = b"\x01+".hex()


def attributed_body_bytes(blobs: pl.Series) -> pl.Series:
    """The UTF-8 bytes of the string in typedstream ``attributedBody`` blobs; null if none.

    The typedstream holds ``NSString`` (or ``NSMutableString``), a type marker ``\\x01+``
    and the string as length-prefixed bytes. The length is one byte below 0x80, or 0x81 and a
    little-endian 16-bit number, or 0x82 and a 32-bit one. Vectorized, one step per column
    (so no step is computed twice): the blob's head is searched as hex text, then bytes are
    picked by position.
    """
    b = pl.col("b")

    def found(marker: str) -> pl.Expr:
        at = pl.col("hex").str.find(marker, literal=True)
        return pl.when(at % 2 == 0).then(at)  # a match between two bytes is no match

    plain, mutable = pl.col("plain"), pl.col("mutable")
    at = pl.col("at")

    def byte(i: int) -> pl.Expr:
        return b.bin.get(at + i, null_on_oob=True).cast(pl.Int64).alias(f"b{i}")

    b0 = pl.col("b0")
    return (
        pl.DataFrame({"b": blobs.cast(pl.Binary)})
        .lazy()
        .with_columns(b.bin.head(_HEAD).bin.encode("hex").alias("hex"))
        .with_columns(found(_CLASS_MARKERS[0]).alias("plain"), found(_CLASS_MARKERS[1]).alias("mutable"))
        .with_columns(
            # The class named first is the string's; the text itself may name the other one.
            pl.when(plain.is_not_null() & (mutable.is_null() | (plain < mutable)))
            .then(plain // 2 + len(_CLASS_MARKERS[0]) // 2)
            .otherwise(mutable // 2 + len(_CLASS_MARKERS[1]) // 2)
            .alias("end")
        )
        .with_columns(
            pl.col("hex").str.slice(pl.col("end") * 2, 32).str.find(_TYPE_MARK, literal=True).alias("rel")
        )
        .with_columns(pl.when(pl.col("rel") % 2 == 0).then(pl.col("end") + pl.col("rel") // 2 + 2).alias("at"))
        .with_columns(byte(0), byte(1), byte(2), byte(3), byte(4))
        .with_columns(
            pl.when(b0 < 0x80)
            .then(b0)
            .when(b0 == 0x81)
            .then(pl.col("b1") + pl.col("b2") * 0x100)
            .when(b0 == 0x82)
            .then(pl.col("b1") + pl.col("b2") * 0x100 + pl.col("b3") * 0x10000 + pl.col("b4") * 0x1000000)
            .alias("length"),
            pl.when(b0 < 0x80).then(at + 1).when(b0 == 0x81).then(at + 3).when(b0 == 0x82).then(at + 5).alias("start"),
        )
        .select(
            pl.when((pl.col("start") + pl.col("length")) <= b.bin.size())
            .then(b.bin.slice(pl.col("start"), pl.col("length")))
            .alias(blobs.name)
        )
        .collect()
        .to_series()
    )


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
    return utf8(attributed_body_bytes(blobs))


# --- reading the database -----------------------------------------------------------------------

#: Columns read for each message, with their Polars types. SQLite itself folds the dozen
#: columns a message is spread over into these (fewer values cross into Python: that is most of
#: the cost of reading a big database).
_ROW_SCHEMA: dict[str, pl.DataType] = {
    "chat_rowid": pl.Int64(),
    "rowid": pl.Int64(),
    "guid": pl.String(),
    "date": pl.Int64(),
    "sender": pl.String(),  # "Me", the handle ("" when missing), or null for group events
    "text": pl.String(),  # message.text, or a tapback's emoji
    "body": pl.Binary(),  # attributedBody, only when text is empty
    "hint": pl.String(),  # the kind when the columns settle it, else null
    "reply_to": pl.String(),
    "edited": pl.Int64(),
    "media": pl.String(),  # the attachment's type or name, or the app balloon's id
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
        return list(self.stream(source, options))

    def stream(self, source: Source, options: ParseOptions) -> Iterator[ParsedChat]:
        """The chats one by one, as they are read (see the module's notes on passes)."""
        con = _connect(source)
        try:
            yield from _Reader(con, source, options).read()
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
            data = source.read_bytes()
            if len(data) > 19 and data[18] == 2:
                # A WAL-mode header cannot be opened in memory; the content is the same.
                data = data[:18] + b"\x01\x01" + data[20:]
            con = sqlite3.connect(":memory:")
            con.deserialize(data)
            del data  # SQLite holds its own copy
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

    def read(self) -> Iterator[ParsedChat]:
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
        if "text" not in cols["message"] and "attributedBody" not in cols["message"]:
            raise self.fail(
                "table message",
                "The message table has neither text nor attributedBody, so it holds no message "
                "text fonder can read — import chat.db or sms.db as Messages wrote it",
            )
        chats = self.chats(cols["chat"], "chat_handle_join" in tables)
        sizes = dict(self.con.execute("SELECT chat_id, count(*) FROM chat_message_join GROUP BY chat_id"))
        index = {rowid: i for i, chat in enumerate(chats) for rowid in chat.rowids}
        per_chat = [sum(sizes.get(r, 0) for r in chat.rowids) for chat in chats]
        passes = _passes(per_chat, PASS_ROWS)
        # One pass also reads join rows whose chat is gone (and drops them); several do not.
        total = sum(sizes.values()) if len(passes) == 1 else sum(per_chat)
        done = found = 0
        for group in passes:
            only = None if len(passes) == 1 else [r for i in group for r in chats[i].rowids]
            sql = self.message_sql(cols["message"], tables, only)
            buckets = self.read_pass(sql, chats, index, done, total)
            done += sum(per_chat[i] for i in group)
            for i in sorted(buckets):  # in the database's order of chats
                parsed = self.finish(chats[i], buckets.pop(i))
                if parsed is not None:
                    found += 1
                    yield parsed
        if not found:
            raise self.no_messages()

    def read_pass(
        self, sql: str, chats: list[_Chat], index: dict[int, int], done: int, total: int
    ) -> dict[int, list[pl.DataFrame]]:
        """One pass over the message table: the rows of the chats ``sql`` selects, by chat."""
        cur = self.con.execute(sql)
        # Normalized chunks wait in ``pending``; every SPILL_ROWS rows they are compacted into
        # one frame (freeing the raw rows' buffers) and dealt to their chats.
        buckets: dict[int, list[pl.DataFrame]] = {}
        pending: list[pl.DataFrame] = []
        waiting = 0

        def spill() -> None:
            if not pending:
                return
            batch = pl.concat(pending, how="vertical", rechunk=True)
            pending.clear()
            for (i,), part in batch.partition_by("chat", as_dict=True).items():
                buckets.setdefault(i, []).append(part)

        while rows := cur.fetchmany(CHUNK_ROWS):
            pending.append(self.chunk(rows, chats, index))
            waiting += len(rows)
            done += len(rows)
            del rows
            if waiting >= SPILL_ROWS:
                spill()
                waiting = 0
            self.options.progress(done, total, "reading messages")
        spill()
        return buckets

    def no_messages(self) -> ParseError:
        return self.fail(
            "table message",
            "The database holds no messages — copy chat.db again after Messages has synced, "
            "or check it is the right file",
        )

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

    def message_sql(self, mcols: set[str], tables: set[str], only: list[int] | None = None) -> str:
        """The query for every message with its chat id, one row per (chat, message); with
        ``only``, for the chats of those ``chat`` ROWIDs."""

        def col(name: str, default: str = "NULL") -> str:
            return f"m.{name}" if name in mcols else default

        text = f"CAST({col('text')} AS TEXT)"
        empty_text = f"({text} IS NULL OR {text} = '')"
        body = col("attributedBody")
        amt = f"coalesce({col('associated_message_type', '0')}, 0)"
        tapback = f"({amt} BETWEEN 2000 AND 2007 OR {amt} BETWEEN 3000 AND 3007)"
        emoji = " ".join(f"WHEN {k} THEN '{v}'" for k, v in TAPBACKS.items())
        emoji = f"CASE {amt} % 1000 {emoji} WHEN 6 THEN CAST({col('associated_message_emoji')} AS TEXT) END"
        item = f"coalesce({col('item_type', '0')}, 0)"
        edited = f"coalesce({_integer(col('date_edited', '0'))}, 0) > 0"

        attachments = "message_attachment_join" in tables and "attachment" in tables
        if attachments:
            acols = self.columns("attachment")

            def acol(name: str) -> str:
                return f"CAST(a.{name} AS TEXT)" if name in acols else "NULL"

            has_att = "(a.ROWID IS NOT NULL)"
            what = f"lower(coalesce({acol('mime_type')}, '') || ' ' || coalesce({acol('uti')}, ''))"
            sticker = "coalesce(a.is_sticker, 0) = 1" if "is_sticker" in acols else "0"
            att_kind = (
                f"CASE WHEN {sticker} THEN 'sticker' WHEN {what} LIKE '%vlocation%' THEN 'location' "
                f"WHEN {what} LIKE '%vcard%' THEN 'contact' ELSE 'media' END"
            )
            path = acol("filename")
            basename = f"replace({path}, rtrim({path}, replace({path}, '/', '')), '')"
            att_media = f"coalesce({acol('mime_type')}, {acol('transfer_name')}, {basename}, {acol('uti')})"
            # The first attachment of each message, looked up through the join table's index.
            a_join = (
                "LEFT JOIN attachment a ON a.ROWID = (SELECT min(maj.attachment_id) "
                "FROM message_attachment_join maj WHERE maj.message_id = m.ROWID)"
            )
        else:
            has_att, att_kind, att_media, a_join = "0", "'media'", "NULL", ""

        unsent = " OR ".join(
            [
                f"coalesce({_integer(col('date_retracted', '0'))}, 0) > 0",
                # bplist key "rp": the message's retracted parts (macOS 13/iOS 16 and later)
                f"coalesce(instr({col('message_summary_info')}, X'527270'), 0) > 0",
                f"({edited} AND {empty_text} AND {body} IS NULL AND NOT {has_att})",
            ]
        )
        hint = (
            f"CASE WHEN {item} != 0 THEN 'system' WHEN {tapback} THEN 'reaction' "
            f"WHEN {amt} = 1000 THEN 'sticker' WHEN {unsent} THEN 'deleted' "
            f"WHEN {has_att} THEN {att_kind} END"
        )
        me = ME.replace("'", "''")
        sender = (
            f"CASE WHEN {item} != 0 THEN NULL WHEN m.is_from_me THEN '{me}' "
            "ELSE coalesce(CAST(h.id AS TEXT), '') END"
        )
        return (
            "SELECT cmj.chat_id, m.ROWID, CAST(m.guid AS TEXT), "
            f"{_integer('m.date')}, {sender}, "
            f"CASE WHEN {tapback} THEN (CASE WHEN {amt} >= 3000 THEN '-' ELSE '' END) || {emoji} ELSE {text} END, "
            f"CASE WHEN NOT {tapback} AND {empty_text} THEN {body} END, "
            f"{hint}, "
            f"CASE WHEN {tapback} OR {amt} = 1000 THEN CAST({col('associated_message_guid')} AS TEXT) "
            f"ELSE CAST({col('thread_originator_guid')} AS TEXT) END, "
            f"{edited}, "
            f"CASE WHEN {has_att} THEN {att_media} ELSE CAST({col('balloon_bundle_id')} AS TEXT) END "
            # CROSS JOIN keeps SQLite on the message table's own order (it looks each row's chat
            # up by message_id); sorting happens in Polars, faster than a temporary b-tree.
            "FROM message m CROSS JOIN chat_message_join cmj ON cmj.message_id = m.ROWID "
            "LEFT JOIN handle h ON h.ROWID = m.handle_id "
            f"{a_join}"
            # The unary + keeps SQLite on the message_id index: used as an index term, the IN
            # list would be probed once per listed chat for every message (20x slower).
            + (f" WHERE +cmj.chat_id IN ({', '.join(str(int(r)) for r in only)})" if only is not None else "")
        )

    def chunk(self, rows: list[tuple], chats: list[_Chat], index: dict[int, int]) -> pl.DataFrame:
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
        raw = raw.with_columns(
            pl.col("chat_rowid").replace_strict(index, default=None, return_dtype=pl.Int32).alias("chat"),
            decode_attributed_body(raw.get_column("body")),
        ).filter(pl.col("chat").is_not_null())  # a join row whose chat is gone
        return _normalize(raw, chats)

    def finish(self, chat: _Chat, parts: list[pl.DataFrame]) -> ParsedChat | None:
        rows = pl.concat(parts, how="vertical", rechunk=False).lazy()
        if len(chat.rowids) > 1:  # a message joined to two merged chats comes once
            rows = rows.unique(subset="msg_id", keep="first", maintain_order=True)
        empty, undated = rows.select(pl.col("empty").sum(), pl.col("ts").null_count()).collect().row(0)
        # One pass: drop what is skipped, sort, and take the schema's columns.
        frame = conform(
            rows.filter(~pl.col("empty") & pl.col("ts").is_not_null())
            .sort(["ts", "seq"])
            .with_columns(pl.lit("UTC").alias("tz"))
            .collect()
        )
        if frame.height == 0:
            return None
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


def _passes(sizes: list[int], limit: int) -> list[list[int]]:
    """Consecutive chats (by index) grouped so that each group holds about ``limit`` messages
    at most; a chat bigger than that is a group of its own."""
    groups: list[list[int]] = [[]]
    held = 0
    for i, n in enumerate(sizes):
        if groups[-1] and held + n > limit:
            groups.append([])
            held = 0
        groups[-1].append(i)
        held += n
    return groups


def _guid_tail(guid: str | None) -> str | None:
    """``iMessage;-;+15551234567`` → ``+15551234567``."""
    if not guid:
        return None
    return guid.rsplit(";", 1)[-1] or None


def _bad_row(rows: list[tuple]) -> str:
    """The message ROWID of the first row whose values do not fit the expected types."""
    at = list(_ROW_SCHEMA).index("rowid")
    checks = list(_ROW_SCHEMA.values())
    for row in rows:
        for value, dtype in zip(row, checks):
            if value is None:
                continue
            if dtype == pl.Int64() and not isinstance(value, int):
                return str(row[at])
            if dtype == pl.Binary() and not isinstance(value, (bytes, str)):
                return str(row[at])
    return str(rows[0][at]) if rows else "?"


def _apple_time(col: str) -> pl.Expr:
    """Apple's seconds-or-nanoseconds since 2001 as an aware UTC datetime (null when 0/null)."""
    v = pl.col(col)
    micros = pl.when(v > NANOS_ABOVE).then(v // 1000).otherwise(v * 1_000_000)
    return (micros + APPLE_EPOCH_US).cast(pl.Datetime("us", "UTC"))


def _normalize(raw: pl.DataFrame, chats: list[_Chat]) -> pl.DataFrame:
    """Raw message rows → rows of the message schema (plus ``chat`` and an ``empty`` flag).

    Built one column at a time (each step reads the columns of the steps before), so that no
    expression is evaluated twice.
    """
    hint, kind, full, caption = pl.col("hint"), pl.col("kind"), pl.col("full"), pl.col("caption")
    media = pl.col("media")
    partners = {i: c.partner or "Unknown" for i, c in enumerate(chats) if not c.is_group}
    groups = [i for i, c in enumerate(chats) if c.is_group]
    handle = pl.col("sender")
    # In a one-to-one chat the other side is the chat's partner, whatever handle it used.
    sender = (
        pl.when(handle.is_null() | (handle == ME))
        .then(handle)
        .when(pl.col("chat").is_in(groups))
        .then(pl.when(handle == "").then(pl.lit("Unknown")).otherwise(handle))
        .otherwise(pl.col("chat").replace_strict(partners, default=None, return_dtype=pl.String))
    )
    return (
        raw.lazy()
        .with_columns(
            pl.coalesce(pl.when(pl.col("text") != "").then(pl.col("text")), pl.col("body")).alias("full"),
            _apple_time("date").alias("ts"),
        )
        .with_columns(
            full.str.replace_all(OBJECT_REPLACEMENT, "", literal=True).alias("caption"),
            full.str.contains(OBJECT_REPLACEMENT, literal=True).fill_null(False).alias("has_obj"),
        )
        .with_columns(pl.when(caption.str.strip_chars() != "").then(caption).alias("caption"))
        .with_columns(
            pl.coalesce(
                hint,
                pl.when(pl.col("has_obj")).then(pl.lit("media")),
                pl.when(caption.is_null() & media.is_not_null()).then(pl.lit("media")),
                pl.lit("text"),
            ).alias("kind")
        )
        .with_columns(
            pl.col("guid").alias("msg_id"),
            sender.alias("sender"),
            pl.when(kind == "reaction")
            .then(full)
            .when(kind.is_in(["deleted", "sticker"]))
            .then(None)
            .otherwise(caption)
            .alias("text"),
            pl.when(kind.is_in(["media", "sticker", "location", "contact", "reaction"])).then(media).alias("media"),
            pl.col("reply_to").str.replace(r"^(?:p:\d+/|bp:)", ""),
            ((pl.col("edited") == 1) & (kind != "deleted")).alias("edited"),
            pl.col("rowid").alias("seq"),
            ((kind == "text") & caption.is_null()).alias("empty"),
        )
        .select("chat", "msg_id", "ts", "sender", "kind", "text", "media", "reply_to", "edited", "seq", "empty")
        .collect()
    )
