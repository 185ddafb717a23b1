"""Big sources stream: a chat.db is read in passes, chats are written one at a time, labels
in batches, and the import stays one transaction (all or nothing)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from importer_rows import golden_rows
from test_bad_input import store_digest
from test_imessage import build as build_db

import fonder
from fonder import store as store_module
from fonder.errors import ParseError
from fonder.ingest import imessage, iter_read
from fonder.ingest.base import ParseOptions, Source
from fonder.ingest.imessage import IMessageImporter

DATA = Path(__file__).parent / "data" / "imessage"


def build(folder: Path, extra: str = "") -> Path:
    """The many-chats database (two merged one-to-one rows, another chat, a group), plus SQL."""
    return build_db((DATA / "many_chats.sql").read_text(encoding="utf-8") + extra, folder)


def stored(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_reading_in_passes_gives_the_same_chats(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = build(tmp_path)
    whole = golden_rows(IMessageImporter().parse(Source(path), ParseOptions()))
    monkeypatch.setattr(imessage, "PASS_ROWS", 2)
    seen: list[tuple[int, int | None]] = []
    options = ParseOptions(progress=lambda done, total, what: seen.append((done, total)))
    assert golden_rows(IMessageImporter().parse(Source(path), options)) == whole
    assert seen[-1][0] == seen[-1][1]  # the progress bar ends full


def test_the_first_chat_arrives_before_the_rest_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = build(tmp_path)
    monkeypatch.setattr(imessage, "PASS_ROWS", 2)
    seen: list[int] = []
    options = ParseOptions(progress=lambda done, total, what: seen.append(done))
    chats = IMessageImporter().stream(Source(path), options)
    first = next(chats)
    assert first.chat_key == "+15550100004"
    assert max(seen) < 10  # only the first pass has been read so far
    assert len([first, *chats]) == 3


def test_a_broken_row_in_a_later_pass_leaves_the_store_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "store.duckdb"
    fonder.import_path(build(tmp_path), db=db)
    before = store_digest(db)
    # A newer copy: a new message in the first chat, and a broken one in the group (read in a
    # later pass, after the first chat has already been written inside the transaction).
    (tmp_path / "newer").mkdir()
    newer = build(
        tmp_path / "newer",
        "INSERT INTO message (guid, ROWID, text, handle_id, is_from_me, date, service) VALUES "
        "('E1E2E3E4-5555-4000-8000-000000000099', 99, 'a new one', 1, 1, 747924400000000000, 'iMessage');"
        "INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (1, 99, 747924400000000000);"
        "UPDATE message SET date = 'yesterday' WHERE ROWID = 9;",
    )
    monkeypatch.setattr(imessage, "PASS_ROWS", 2)
    with pytest.raises(ParseError, match="row 9"):
        fonder.import_path(newer, db=db)
    assert store_digest(db) == before


def test_labels_written_in_small_batches_are_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = build(tmp_path)
    whole = tmp_path / "whole.duckdb"
    fonder.import_path(path, db=whole)
    monkeypatch.setattr(store_module, "LABEL_BATCH", 1)
    monkeypatch.setattr(imessage, "PASS_ROWS", 2)
    batched = tmp_path / "batched.duckdb"
    result = fonder.import_path(path, db=batched)
    assert [c.added for c in result.chats] == [3, 2]
    sql = "SELECT chat_id, msg_id, label, span_start, span_end FROM labels ORDER BY ALL"
    labels = stored(batched, sql)
    assert labels == stored(whole, sql)
    assert {row[2] for row in labels} >= {"question"}  # "did you get home ok?"
    assert stored(batched, "SELECT count(*) FROM label_state") == [(2,)]


def test_one_file_is_read_lazily(tmp_path: Path) -> None:
    path = build(tmp_path)
    chats = iter_read(path, ParseOptions())
    assert not isinstance(chats, list)
    first = next(chats)
    assert first.importer == "imessage" and first.sha256
    assert [first.parsed.chat_key, *(c.parsed.chat_key for c in chats)] == [
        "+15550100004",
        "sam.example@me.com",
        "iMessage;+;chat123456789012345678",
    ]
