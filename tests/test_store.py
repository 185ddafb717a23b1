"""The store: private, idempotent, all-or-nothing, forgets completely."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import polars as pl
import pytest

from fonder.errors import StoreError, StoreLocked
from fonder.ingest import finalize
from fonder.ingest.base import ParsedChat
from fonder.model import conform
from fonder.store import ChatWrite, open_store

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


def parsed(rows: list[tuple[int, str | None, str, str]]) -> ParsedChat:
    """A parsed chat from (minutes after T0, sender, kind, text) rows."""
    frame = conform(
        pl.DataFrame(
            {
                "ts": [T0 + timedelta(minutes=m) for m, *_ in rows],
                "tz": ["Europe/London"] * len(rows),
                "sender": [s for _, s, _, _ in rows],
                "kind": [k for _, _, k, _ in rows],
                "text": [t for *_, t in rows],
                "seq": list(range(len(rows))),
            },
            schema_overrides={"sender": pl.String},
        )
    )
    senders = [s for _, s, _, _ in rows if s]
    return ParsedChat(
        platform="whatsapp",
        messages=frame,
        participants=list(dict.fromkeys(senders)),
        tz="Europe/London",
    )


def write(db: Path, chat: ParsedChat, me: str = "Maya", **extra: object):
    final = finalize(chat, source_name="test.txt", me=me)
    with open_store(db) as store:
        return store.write(
            [
                ChatWrite(
                    chat_id=final.chat_id,
                    platform=final.platform,
                    title=final.title,
                    participants=final.participants,
                    me=final.me,
                    them=final.them,
                    tz=final.tz,
                    messages=final.messages,
                    importer="whatsapp",
                    file_name="test.txt",
                    file_sha256="0" * 64,
                    **extra,
                )
            ]
        )[0]


BASE = [
    (0, None, "system", "encryption notice"),
    (1, "Maya", "text", "morning!"),
    (5, "Daniel", "text", "hey you"),
    (6, "Daniel", "text", "ok"),
    (6, "Daniel", "text", "ok"),  # the same text twice in the same minute: both are real
]


def test_store_file_is_private(db_path: Path) -> None:
    write(db_path, parsed(BASE))
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o700


def test_reimport_adds_nothing_and_keeps_identical_messages_apart(db_path: Path) -> None:
    first = write(db_path, parsed(BASE))
    assert (first.added, first.already_known) == (5, 0)
    again = write(db_path, parsed(BASE))
    assert (again.added, again.already_known) == (0, 5)
    with open_store(db_path) as store:
        rows = store.messages([first.chat_id])
    assert rows.filter(pl.col("text") == "ok").height == 2


def test_newer_export_adds_only_what_is_new(db_path: Path) -> None:
    write(db_path, parsed(BASE))
    newer = write(db_path, parsed([*BASE, (30, "Maya", "text", "lunch?"), (31, "Daniel", "text", "yes")]))
    assert (newer.added, newer.already_known) == (2, 5)


def test_older_export_missing_deleted_messages_removes_nothing(db_path: Path) -> None:
    first = write(db_path, parsed(BASE))
    write(db_path, parsed(BASE[:2]))
    with open_store(db_path) as store:
        assert store.messages([first.chat_id]).height == 5


def test_failed_import_leaves_store_exactly_as_it_was(db_path: Path) -> None:
    write(db_path, parsed(BASE))
    with open_store(db_path) as store:
        before = store.messages([c.chat_id for c in store.chats()])
        ledger_before = store.ledger()
    good = finalize(parsed([(90, "Maya", "text", "new one"), (91, "Daniel", "text", "hi")]), source_name="x", me="Maya")
    bad = finalize(parsed([(1, "Ann", "text", "x"), (2, "Maya", "text", "y")]), source_name="y", me="Maya")
    broken = bad.messages.with_columns(pl.lit(None, pl.Datetime("us", "UTC")).alias("ts"))
    writes = [
        ChatWrite(good.chat_id, "whatsapp", None, good.participants, "Maya", "Daniel", "UTC", good.messages),
        ChatWrite(bad.chat_id, "whatsapp", None, bad.participants, "Maya", "Ann", "UTC", broken),
    ]
    with open_store(db_path) as store, pytest.raises(StoreError, match="nothing was changed"):
        store.write(writes)
    with open_store(db_path) as store:
        assert store.messages([c.chat_id for c in store.chats()]).equals(before)
        assert store.ledger() == ledger_before
        assert len(store.chats()) == 1


def test_ledger_records_each_import(db_path: Path) -> None:
    write(db_path, parsed(BASE))
    write(db_path, parsed(BASE))
    with open_store(db_path) as store:
        ledger = store.ledger()
    assert [(r["importer"], r["rows_read"], r["added"], r["already_known"]) for r in ledger] == [
        ("whatsapp", 5, 5, 0),
        ("whatsapp", 5, 0, 5),
    ]


def test_changing_me_reattributes_stored_messages(db_path: Path) -> None:
    counts = write(db_path, parsed(BASE), me="Maya")
    write(db_path, parsed(BASE), me="Daniel")
    with open_store(db_path) as store:
        rows = store.messages([counts.chat_id]).drop_nulls("sender")
        assert store.chat_record(counts.chat_id).me == "Daniel"
    assert rows.filter(pl.col("is_me")).get_column("sender").unique().to_list() == ["Daniel"]


def test_forget_removes_every_trace(db_path: Path) -> None:
    counts = write(db_path, parsed(BASE))
    with open_store(db_path) as store:
        assert store.forget(counts.chat_id) == 5
    with open_store(db_path) as store:
        assert store.chats() == []
        assert store.ledger() == []
        assert store.messages([counts.chat_id]).height == 0
        tables = store.con.execute(
            "SELECT count(*) FROM messages UNION ALL SELECT count(*) FROM labels"
        ).fetchall()
    assert tables == [(0,), (0,)]


def test_store_held_by_another_process_says_so(db_path: Path) -> None:
    write(db_path, parsed(BASE))
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import duckdb, sys, time
                con = duckdb.connect({str(db_path)!r})
                print("ready", flush=True)
                sys.stdin.read()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    with holder:
        try:
            assert holder.stdout.readline().strip() == "ready"
            with pytest.raises(StoreLocked, match="in use by another fonder process"):
                with open_store(db_path):
                    pass
        finally:
            holder.stdin.close()
            holder.wait(timeout=20)


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.duckdb"
    bogus.write_text("my shopping list\n" * 100)
    with pytest.raises(StoreError, match="not a fonder store"):
        with open_store(bogus):
            pass
    assert bogus.read_text() == "my shopping list\n" * 100


def test_read_only_open_of_missing_store_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "none" / "fonder.duckdb"
    with open_store(path, read_only=True) as store:
        assert store.chats() == []
    assert not path.exists()
    assert not os.path.exists(path.parent)
