"""The embedded store: one private DuckDB file. The only module that speaks SQL.

What it keeps:

- ``chats``: one row per conversation (platform, participants, who is "me", the zone).
- ``messages``: the normalized rows of :mod:`fonder.model`, unique per ``(chat_id, msg_id)``.
- ``imports``: a ledger — which file (by SHA-256), which importer, how many rows, when.
- ``labels`` and ``label_state``: tone labels computed once per import, with the rules version
  they were computed with, so a newer version relabels on the next report.
- ``migrations``: the named schema steps applied so far.

Writes are insert-or-ignore on ``(chat_id, msg_id)`` inside one transaction: re-importing the
same export adds nothing, a newer export adds only what is new, and a failure leaves the store
as it was. Nothing is ever dropped and recreated on re-import, because a newer export can lack
messages that were deleted on the phone.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import orjson
import platformdirs
import polars as pl

from .errors import ChatNotFound, StoreError, StoreLocked
from .model import COLUMNS, MESSAGE_SCHEMA, conform

ENV_DB = "FONDER_DB"

#: DuckDB may fetch extensions from the Internet on first use; fonder never lets it.
DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}

#: Named schema steps, applied in order, each once. Append; never edit an applied step.
MIGRATIONS: tuple[tuple[str, str], ...] = (
    (
        "0001_initial",
        """
        CREATE TABLE chats (
            chat_id VARCHAR PRIMARY KEY,
            platform VARCHAR NOT NULL,
            title VARCHAR,
            participants VARCHAR NOT NULL,   -- JSON list, order of first appearance
            me VARCHAR,
            them VARCHAR,
            tz VARCHAR NOT NULL,
            created TIMESTAMPTZ NOT NULL,
            updated TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE messages (
            chat_id VARCHAR NOT NULL,
            msg_id VARCHAR NOT NULL,
            ts TIMESTAMPTZ NOT NULL,
            tz VARCHAR NOT NULL,
            sender VARCHAR,
            is_me BOOLEAN,
            kind VARCHAR NOT NULL,
            text VARCHAR,
            media VARCHAR,
            call_s INTEGER,
            reply_to VARCHAR,
            edited BOOLEAN NOT NULL,
            seq BIGINT NOT NULL
        );
        CREATE SEQUENCE import_ids START 1;
        CREATE TABLE imports (
            import_id INTEGER PRIMARY KEY,
            imported_at TIMESTAMPTZ NOT NULL,
            file_name VARCHAR NOT NULL,
            file_sha256 VARCHAR NOT NULL,
            importer VARCHAR NOT NULL,
            chat_id VARCHAR NOT NULL,
            rows_read BIGINT NOT NULL,
            added BIGINT NOT NULL,
            already_known BIGINT NOT NULL,
            details VARCHAR NOT NULL          -- JSON object
        );
        """,
    ),
    (
        "0002_labels",
        """
        CREATE TABLE labels (
            chat_id VARCHAR NOT NULL,
            msg_id VARCHAR NOT NULL,
            label VARCHAR NOT NULL,
            span_start INTEGER NOT NULL,
            span_end INTEGER NOT NULL,
            match VARCHAR NOT NULL
        );
        CREATE TABLE label_state (
            chat_id VARCHAR PRIMARY KEY,
            tone_version INTEGER NOT NULL,
            labelled_at TIMESTAMPTZ NOT NULL
        );
        """,
    ),
    (
        "0003_links",
        """
        CREATE TABLE links (
            chat_id VARCHAR PRIMARY KEY,    -- a chat belongs to at most one person's timeline
            link_id VARCHAR NOT NULL,
            linked_at TIMESTAMPTZ NOT NULL
        );
        """,
    ),
)

LABEL_SCHEMA: dict[str, pl.DataType] = {
    "msg_id": pl.String(),
    "label": pl.String(),
    "start": pl.Int32(),
    "end": pl.Int32(),
    "match": pl.String(),
}


def default_path() -> Path:
    """Where the store lives: ``FONDER_DB`` if set, else the user data directory."""
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("fonder", appauthor=False)) / "fonder.duckdb"


@dataclass(frozen=True)
class ChatInfo:
    """A stored chat and its size."""

    chat_id: str
    platform: str
    title: str | None
    participants: list[str]
    me: str | None
    them: str | None
    tz: str
    messages: int = 0
    first: datetime | None = None
    last: datetime | None = None


@dataclass
class ChatWrite:
    """One chat to write: its record and its finalized messages."""

    chat_id: str
    platform: str
    title: str | None
    participants: list[str]
    me: str | None
    them: str | None
    tz: str
    messages: pl.DataFrame
    importer: str = ""
    file_name: str = ""
    file_sha256: str = ""
    details: dict[str, str] = field(default_factory=dict)


#: Labels the text messages (``msg_id``, ``text``) of several chats at once: one frame of
#: labels (``msg_id, label, start, end, match``) per chat, in order.
Labeler = Callable[[list[pl.DataFrame]], list[pl.DataFrame]]

#: Texts gathered (over as many chats as fit) before they are labelled in one call: labelling
#: has a fixed cost per call of ~0.15 s, and a batch this size holds ~60 MB of text.
LABEL_BATCH = 200_000


@dataclass(frozen=True)
class WriteCounts:
    """What one chat's write changed."""

    chat_id: str
    rows_read: int
    added: int
    already_known: int
    added_counted: int
    known_counted: int


def fingerprint(keys: pl.Series) -> pl.Series:
    """A stable hex digest (MD5) of each string, vectorized.

    Used for ids that must not change across versions of Polars or Python, which their own
    hash functions do not promise.
    """
    frame = keys.rename("k").to_frame()
    with _HASHER_LOCK:
        global _HASHER
        if _HASHER is None:
            _HASHER = duckdb.connect(":memory:", config=DUCKDB_CONFIG)
        _HASHER.register("keys_in", frame.to_arrow())
        try:
            out = _HASHER.sql("SELECT md5(k) AS id FROM keys_in").pl()
        finally:
            _HASHER.unregister("keys_in")
    return out.to_series().rename(keys.name)


#: One in-memory DuckDB for hashing, opened on first use (opening one costs ~20 ms, paid
#: once rather than once per chat of a many-chat download).
_HASHER: duckdb.DuckDBPyConnection | None = None
_HASHER_LOCK = threading.Lock()


def _private_dir(path: Path) -> None:
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)


class Store:
    """An open store. Use :func:`open_store` (a context manager) rather than this directly."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        if read_only and not self.path.exists():
            self.con = duckdb.connect(":memory:", config=DUCKDB_CONFIG)
            self._migrate()
            return
        try:
            _private_dir(self.path)
        except OSError as exc:
            raise StoreError(
                f"The folder for the store cannot be created ({exc.strerror}) — {self.path.parent} "
                "— choose another place with --db or FONDER_DB."
            ) from exc
        old = os.umask(0o077)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only, config=DUCKDB_CONFIG)
        except duckdb.IOException as exc:
            if "not a valid duckdb" in str(exc).lower():
                raise StoreError(
                    f"The file is not a fonder store, or it is damaged — {self.path} — choose "
                    "another with --db or FONDER_DB."
                ) from exc
            if "lock" in str(exc).lower():
                raise StoreLocked(
                    f"The store is in use by another fonder process — {self.path} — close the "
                    "other fonder (a running 'fonder serve', say) and try again."
                ) from exc
            raise StoreError(
                f"The store cannot be opened — {self.path} — check the file, or choose another "
                "with --db or FONDER_DB."
            ) from exc
        except duckdb.Error as exc:
            raise StoreError(
                f"The file is not a fonder store, or it is damaged — {self.path} — choose another "
                "with --db or FONDER_DB."
            ) from exc
        finally:
            os.umask(old)
        self._private_files()
        self.con.execute("SET TimeZone = 'UTC'")
        if not read_only:
            self._migrate()

    def _private_files(self) -> None:
        for p in (self.path, self.path.with_name(self.path.name + ".wal")):
            try:
                if p.exists():
                    os.chmod(p, 0o600)
            except OSError:
                pass

    # -- schema ---------------------------------------------------------------------------
    def _migrate(self) -> None:
        con = self.con
        con.execute(
            "CREATE TABLE IF NOT EXISTS migrations (name VARCHAR PRIMARY KEY, applied TIMESTAMPTZ)"
        )
        done = {r[0] for r in con.execute("SELECT name FROM migrations").fetchall()}
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(sql)
                con.execute("INSERT INTO migrations VALUES (?, ?)", [name, _now()])
                con.execute("COMMIT")
            except duckdb.Error as exc:
                con.execute("ROLLBACK")
                raise StoreError(
                    f"The store could not be upgraded (step {name}) — {self.path} — make a copy "
                    "of the file and report this as a bug."
                ) from exc

    def _one(self, sql: str, params: list[object] | None = None) -> tuple | None:
        """The first row of a query, reading the result to its end (DuckDB 2 wants that)."""
        rows = self.con.execute(sql, params or []).fetchall()
        return rows[0] if rows else None

    def close(self) -> None:
        """Close the connection."""
        self.con.close()
        self._private_files()

    # -- chats ----------------------------------------------------------------------------
    def chats(self) -> list[ChatInfo]:
        """Every stored chat with its message count and span, newest activity first."""
        rows = self.con.execute(
            """
            SELECT c.chat_id, c.platform, c.title, c.participants, c.me, c.them, c.tz,
                   count(m.msg_id) FILTER (WHERE m.kind NOT IN ('system', 'reaction')),
                   epoch_us(min(m.ts)), epoch_us(max(m.ts))
            FROM chats c LEFT JOIN messages m USING (chat_id)
            GROUP BY ALL
            ORDER BY max(m.ts) DESC NULLS LAST, c.chat_id
            """
        ).fetchall()
        return [_chat_info(r) for r in rows]

    def chat_record(self, chat_id: str) -> ChatInfo | None:
        """The stored record of one chat, without counts; ``None`` when unknown."""
        row = self._one(
            "SELECT chat_id, platform, title, participants, me, them, tz, 0, NULL, NULL "
            "FROM chats WHERE chat_id = ?",
            [chat_id],
        )
        return _chat_info(row) if row else None

    def find_chat(self, ref: str | None) -> ChatInfo:
        """The chat named by ``ref``: an id, a unique id prefix, or the other person's name.

        With ``ref`` ``None``, the only chat, or the most recently active one.
        """
        chats = self.chats()
        if not chats:
            raise ChatNotFound(
                "There are no chats in the store yet — " + str(self.path) + " — import one first "
                "with: fonder import \"WhatsApp Chat with NAME.zip\" --me YOUR_NAME"
            )
        if ref is None:
            return chats[0]
        exact = [c for c in chats if c.chat_id == ref]
        if exact:
            return exact[0]
        low = ref.casefold()
        for pick in (
            [c for c in chats if c.chat_id.startswith(ref)],
            [c for c in chats if (c.them or "").casefold() == low or (c.title or "").casefold() == low],
            [c for c in chats if low in (c.them or "").casefold() or low in (c.title or "").casefold()],
        ):
            if len(pick) == 1:
                return pick[0]
            if len(pick) > 1:
                ids = ", ".join(f"{c.chat_id} ({c.them})" for c in pick)
                raise ChatNotFound(
                    f"'{ref}' matches several chats — {ids} — name one by its id."
                )
        raise ChatNotFound(
            f"No chat matches '{ref}' — {self.path} — see your chats with: fonder chats"
        )

    # -- writing --------------------------------------------------------------------------
    def write(
        self,
        writes: Sequence[ChatWrite],
        *,
        labeler: Labeler | None = None,
        tone_version: int | None = None,
    ) -> list[WriteCounts]:
        """Write every chat of one import in one transaction; all or nothing.

        With a ``labeler``, the text messages the store did not have yet — only those — are
        labelled (in batches of :data:`LABEL_BATCH` texts, over as many chats as fit) and their
        labels stored with ``tone_version``.
        """
        with self.writing(labeler=labeler, tone_version=tone_version) as add:
            return [add(w) for w in writes]

    @contextmanager
    def writing(
        self, *, labeler: Labeler | None = None, tone_version: int | None = None
    ) -> Iterator[Callable[[ChatWrite], WriteCounts]]:
        """One import as one transaction, fed a chat at a time: yields ``add(chat_write)``.

        A source of thousands of chats is written as it is read, so no more than one chat
        and one batch of texts waiting for labels is held in memory. Leaving the block
        commits; an exception rolls everything back, so the store is as it was.
        """
        con = self.con
        waiting: list[tuple[str, pl.DataFrame]] = []
        held = 0
        written: set[str] = set()

        def label() -> None:
            nonlocal held
            if waiting and labeler is not None and tone_version is not None:
                frames = labeler([texts for _, texts in waiting])
                for (chat_id, _), labels in zip(waiting, frames, strict=True):
                    self._write_labels(chat_id, labels, tone_version)
            waiting.clear()
            held = 0

        def add(w: ChatWrite) -> WriteCounts:
            nonlocal held
            count, texts = self._write_one(w, new=w.chat_id not in written)
            written.add(w.chat_id)
            if labeler is not None:
                waiting.append((w.chat_id, texts))
                held += texts.height
                if held >= LABEL_BATCH:
                    label()
            return count

        con.execute("BEGIN TRANSACTION")
        try:
            yield add
            label()
            con.execute("COMMIT")
        except BaseException as exc:
            con.execute("ROLLBACK")
            if isinstance(exc, duckdb.Error):
                raise StoreError(
                    f"The import could not be saved ({type(exc).__name__}) — {self.path} — "
                    "nothing was changed; check free disk space and try again."
                ) from exc
            raise

    def _write_one(self, w: ChatWrite, *, new: bool = True) -> tuple[WriteCounts, pl.DataFrame]:
        """Insert a chat's new messages; returns the counts and the new text messages.

        ``new=False`` says this import wrote the chat already (the same chat met twice).
        """
        con = self.con
        now = _now()
        participants = orjson.dumps(w.participants).decode()
        old = self.chat_record(w.chat_id)
        if old is None:
            con.execute(
                "INSERT INTO chats VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [w.chat_id, w.platform, w.title, participants, w.me, w.them, w.tz, now, now],
            )
        else:
            merged = list(dict.fromkeys([*old.participants, *w.participants]))
            con.execute(
                "UPDATE chats SET title = coalesce(?, title), participants = ?, me = ?, them = ?, "
                "tz = ?, updated = ? WHERE chat_id = ?",
                [w.title, orjson.dumps(merged).decode(), w.me, w.them, w.tz, now, w.chat_id],
            )
            if old.me != w.me:
                # "me" changed: every stored row of this chat is re-attributed.
                con.execute(
                    "UPDATE messages SET is_me = CASE WHEN sender IS NULL THEN NULL "
                    "ELSE sender = ? END WHERE chat_id = ?",
                    [w.me, w.chat_id],
                )
        frame = conform(w.messages).unique(subset=["msg_id"], keep="first", maintain_order=True)
        if old is None and new:
            fresh = frame  # a chat the store has never seen: every row is new
        else:
            known = con.sql(
                "SELECT msg_id FROM messages WHERE chat_id = ?", params=[w.chat_id]
            ).pl().cast({"msg_id": pl.String})
            fresh = frame.join(known, on="msg_id", how="anti", maintain_order="left")
            del known
        self._insert("messages", fresh.select(COLUMNS))
        added = fresh.height
        added_counted = fresh.filter(~pl.col("kind").is_in(["system", "reaction"])).height
        texts = fresh.filter(pl.col("kind") == "text").select("msg_id", "text")
        del fresh
        total = frame.height
        counted = frame.filter(~pl.col("kind").is_in(["system", "reaction"])).height
        con.execute(
            "INSERT INTO imports VALUES (nextval('import_ids'), ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                now,
                w.file_name,
                w.file_sha256,
                w.importer,
                w.chat_id,
                total,
                added,
                total - added,
                orjson.dumps(w.details).decode(),
            ],
        )
        counts = WriteCounts(
            chat_id=w.chat_id,
            rows_read=total,
            added=int(added),
            already_known=int(total - added),
            added_counted=int(added_counted),
            known_counted=int(counted - added_counted),
        )
        return counts, texts.cast({"msg_id": pl.String, "text": pl.String})

    def _insert(self, table: str, frame: pl.DataFrame) -> None:
        """Append a frame whose columns are the table's, in order.

        Read through DuckDB's scan of a local Arrow table, not ``register``: a registered
        table is kept alive until the transaction ends, so an import of a thousand chats
        would hold every one of them in memory until its commit.
        """
        if frame.height == 0:
            return
        incoming = frame.to_arrow()  # DuckDB reads the local by its name
        cols = ", ".join(f'"{c}"' for c in frame.columns)
        self.con.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM incoming')
        del incoming

    def _write_labels(self, chat_id: str, labels: pl.DataFrame, version: int) -> None:
        """Store labels for messages of a chat (inside the caller's transaction)."""
        con = self.con
        state = self._one("SELECT tone_version FROM label_state WHERE chat_id = ?", [chat_id])
        if state is not None and state[0] != version:
            # Older rules: the whole chat is relabelled at the next report instead.
            return
        frame = labels.select(
            pl.lit(chat_id).alias("chat_id"),
            "msg_id",
            "label",
            pl.col("start").cast(pl.Int32).alias("span_start"),
            pl.col("end").cast(pl.Int32).alias("span_end"),
            "match",
        )
        self._insert("labels", frame)
        con.execute(
            "INSERT OR REPLACE INTO label_state VALUES (?, ?, ?)", [chat_id, version, _now()]
        )

    def replace_labels(self, chat_id: str, labels: pl.DataFrame, version: int) -> None:
        """Replace every label of a chat (after a change of rules), in one transaction."""
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute("DELETE FROM labels WHERE chat_id = ?", [chat_id])
            con.execute("DELETE FROM label_state WHERE chat_id = ?", [chat_id])
            self._write_labels(chat_id, labels, version)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def label_version(self, chat_id: str) -> int | None:
        """The rules version a chat's stored labels were computed with; ``None`` if none."""
        row = self._one("SELECT tone_version FROM label_state WHERE chat_id = ?", [chat_id])
        return int(row[0]) if row else None

    # -- reading --------------------------------------------------------------------------
    def messages(
        self,
        chat_ids: Sequence[str],
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> pl.DataFrame:
        """The stored messages of the chats, ordered by time then source order."""
        where = ["chat_id IN (SELECT unnest(?))"]
        params: list[object] = [list(chat_ids)]
        if since is not None:
            where.append("ts >= ?")
            params.append(since)
        if until is not None:
            where.append("ts < ?")
            params.append(until)
        cols = ", ".join(f'"{c}"' for c in COLUMNS)
        frame = self.con.sql(
            f"SELECT {cols} FROM messages WHERE {' AND '.join(where)} ORDER BY ts, seq",
            params=params,
        ).pl()
        return frame.cast(MESSAGE_SCHEMA) if frame.height else conform(frame)

    def labels(self, chat_ids: Sequence[str]) -> pl.DataFrame:
        """The stored tone labels of the chats."""
        frame = self.con.sql(
            "SELECT msg_id, label, span_start AS start, span_end AS \"end\", match FROM labels "
            "WHERE chat_id IN (SELECT unnest(?))",
            params=[list(chat_ids)],
        ).pl()
        return frame.cast(LABEL_SCHEMA) if frame.height else pl.DataFrame(schema=LABEL_SCHEMA)

    def ledger(self, chat_id: str | None = None) -> list[dict[str, object]]:
        """The import ledger, oldest first."""
        sql = (
            "SELECT import_id, epoch_us(imported_at) AS imported_at, file_name, file_sha256, "
            "importer, chat_id, rows_read, added, already_known, details FROM imports"
        )
        params: list[object] = []
        if chat_id is not None:
            sql += " WHERE chat_id = ?"
            params.append(chat_id)
        cur = self.con.execute(sql + " ORDER BY import_id", params)
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        for row in rows:
            row["imported_at"] = _from_us(row["imported_at"])
        return rows

    # -- one timeline per person ----------------------------------------------------------
    def link(self, chat_ids: Sequence[str]) -> str:
        """Join chats (with the same person, on several platforms) into one timeline.

        Chats already linked bring their whole timeline along. Returns the link id.
        """
        members = sorted({m for c in chat_ids for m in self.linked(c)})
        link_id = "link:" + members[0]
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute("DELETE FROM links WHERE chat_id IN (SELECT unnest(?))", [members])
            for chat_id in members:
                con.execute("INSERT INTO links VALUES (?, ?, ?)", [chat_id, link_id, _now()])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return link_id

    def unlink(self, chat_id: str) -> list[str]:
        """Take a chat out of its person's timeline; returns the chats it was joined with."""
        before = self.linked(chat_id)
        self.con.execute("DELETE FROM links WHERE chat_id = ?", [chat_id])
        rest = [c for c in before if c != chat_id]
        if len(rest) == 1:
            self.con.execute("DELETE FROM links WHERE chat_id = ?", [rest[0]])
        return rest

    def linked(self, chat_id: str) -> list[str]:
        """The chats on the same timeline as ``chat_id`` (itself first; alone: just itself)."""
        rows = self.con.execute(
            "SELECT chat_id FROM links WHERE link_id = (SELECT link_id FROM links WHERE chat_id = ?) "
            "ORDER BY chat_id",
            [chat_id],
        ).fetchall()
        others = [r[0] for r in rows if r[0] != chat_id]
        return [chat_id, *others]

    # -- forgetting -----------------------------------------------------------------------
    def forget(self, chat_id: str) -> int:
        """Remove a chat completely (messages, labels, ledger rows); returns rows removed."""
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            (n,) = self._one("SELECT count(*) FROM messages WHERE chat_id = ?", [chat_id])
            partners = [c for c in self.linked(chat_id) if c != chat_id]
            for table in ("messages", "labels", "label_state", "imports", "links", "chats"):
                con.execute(f"DELETE FROM {table} WHERE chat_id = ?", [chat_id])
            if len(partners) == 1:  # a timeline of one is no timeline
                con.execute("DELETE FROM links WHERE chat_id = ?", [partners[0]])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        # Rewrite the file so deleted rows do not linger in free blocks.
        con.execute("CHECKPOINT")
        return int(n)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _chat_info(row: tuple) -> ChatInfo:
    return ChatInfo(
        chat_id=row[0],
        platform=row[1],
        title=row[2],
        participants=list(orjson.loads(row[3])),
        me=row[4],
        them=row[5],
        tz=row[6],
        messages=int(row[7] or 0),
        first=_from_us(row[8]),
        last=_from_us(row[9]),
    )


def _from_us(value: int | None) -> datetime | None:
    """An aware UTC datetime from microseconds since the epoch (DuckDB's ``epoch_us``)."""
    if value is None:
        return None
    return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=int(value))


@contextmanager
def open_store(path: Path | str | None = None, *, read_only: bool = False) -> Iterator[Store]:
    """Open the store at ``path`` (default: :func:`default_path`) and close it afterwards."""
    store = Store(Path(path) if path is not None else default_path(), read_only=read_only)
    try:
        yield store
    finally:
        store.close()
