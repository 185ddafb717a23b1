"""iMessage (chat.db / sms.db): goldens, the attributedBody decoder, detection, chats and "me",
bad databases, archives, the CLI."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import orjson
import polars as pl
import pytest
from typer.testing import CliRunner

import fonder.ingest
from fonder.cli import app
from fonder.errors import ParseError
from fonder.ingest import imessage
from fonder.ingest.archive import open_sources
from fonder.ingest.base import ParseOptions, ParsedChat, Source
from fonder.ingest.imessage import IMessageImporter, decode_attributed_body
from fonder.ingest.sms import SmsBackupImporter
from fonder.ingest.whatsapp import WhatsAppImporter
from importer_rows import golden_rows

DATA = Path(__file__).parent / "data"
HERE = DATA / "imessage"
OPTIONS = ParseOptions()
IMP = IMessageImporter()
runner = CliRunner()


def others() -> list:
    """Every other importer: the ones fonder registers, SMS and WhatsApp."""
    found = [i for i in fonder.ingest.IMPORTERS if not isinstance(i, IMessageImporter)]
    return [*found, SmsBackupImporter(), WhatsAppImporter()]


def build(sql: Path | str, folder: Path, name: str = "chat.db") -> Path:
    """A database made from a SQL script (the repo keeps scripts, never binary databases)."""
    path = folder / name
    con = sqlite3.connect(path)
    con.executescript(sql.read_text(encoding="utf-8") if isinstance(sql, Path) else sql)
    con.commit()
    con.close()
    return path


def typedstream(text: str | bytes, cls: bytes = b"NSString") -> bytes:
    """An attributedBody blob laid out as Messages writes one (an NSAttributedString typedstream)."""
    data = text.encode() if isinstance(text, str) else text

    def length(n: int) -> bytes:
        if n < 0x80:
            return bytes([n])
        if n < 0x10000:
            return b"\x81" + n.to_bytes(2, "little")
        return b"\x82" + n.to_bytes(4, "little")

    return (
        b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x12NSAttributedString\x00"
        b"\x84\x84\x08NSObject\x00\x85\x92\x84\x84\x84" + bytes([len(cls)]) + cls
        + b"\x01\x94\x84\x01+" + length(len(data)) + data
        + b"\x86\x84\x02iI\x01\x05\x92\x84\x84\x84\x0cNSDictionary\x00\x94\x84\x01i\x01\x92\x84"
        b"\x96\x96\x1d__kIMMessagePartAttributeName\x86\x92\x84\x84\x84\x08NSNumber\x00\x84\x84"
        b"\x07NSValue\x00\x94\x84\x01*\x84\x99\x99\x00\x86\x86\x86"
    )


def parse(path: Path) -> list[ParsedChat]:
    return IMP.parse(Source(path), OPTIONS)


def parse_error(path: Path) -> str:
    with pytest.raises(ParseError) as caught:
        parse(path)
    return str(caught.value)


SCRIPTS = sorted(HERE.glob("*.sql"))


@pytest.fixture
def basic_db(tmp_path: Path) -> Path:
    return build(HERE / "basic.sql", tmp_path)


# --- goldens --------------------------------------------------------------------------------------


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_golden(script: Path, tmp_path: Path, update_golden: bool) -> None:
    rows = golden_rows(parse(build(script, tmp_path)))
    expected = script.with_name(script.stem + ".expected.jsonl")
    if update_golden:
        expected.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    want = [orjson.loads(line) for line in expected.read_bytes().splitlines()]
    assert rows == want


def test_rows_have_the_message_schema(basic_db: Path) -> None:
    (chat,) = parse(basic_db)
    assert chat.messages.schema == pl.Schema(fonder.model.MESSAGE_SCHEMA)
    assert chat.messages.get_column("tz").unique().to_list() == ["UTC"]
    assert chat.messages.get_column("chat_id").null_count() == chat.messages.height
    assert chat.messages.get_column("is_me").null_count() == chat.messages.height


# --- attributedBody -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "hi",
        "",
        "x" * 127,  # the longest one-byte length
        "x" * 128,  # the shortest 0x81 length
        "Morning ☀️ did you sleep ok? 🤷‍♂️",
        "line one\nline two\n",
        "é" * 200,  # 400 bytes: the length counts bytes, not characters
        "long " * 14_000,  # 70,000 bytes: an 0x82 (32-bit) length
        "NSString inside the text is fine",
    ],
    ids=["short", "empty", "127", "128", "emoji", "newlines", "two-byte-chars", "70k", "marker-in-text"],
)
def test_decoder_reads_strings_it_is_given(text: str) -> None:
    blobs = pl.Series("b", [typedstream(text), typedstream(text, cls=b"NSMutableString")])
    assert decode_attributed_body(blobs).to_list() == [text, text]


@pytest.mark.parametrize(
    "blob",
    [
        None,
        b"",
        b"plain bytes with no archive in them",
        typedstream("cut short")[: typedstream("cut short").index(b"cut") + 3],  # ends inside it
        typedstream("hello").replace(b"\x01+", b"\x01*"),  # not a UTF-8 string type
        typedstream("hello").replace(b"\x01+\x05", b"\x01+\x80"),  # an impossible length byte
        b"\x04\x0bstreamtyped\x81\xe8\x03NSString",  # the class and nothing after it
    ],
    ids=["null", "empty", "no-archive", "truncated", "other-type", "bad-length", "ends-at-class"],
)
def test_decoder_gives_null_when_there_is_no_string(blob: bytes | None) -> None:
    assert decode_attributed_body(pl.Series("b", [blob], dtype=pl.Binary)).to_list() == [None]


def test_decoder_replaces_bytes_that_are_not_utf8() -> None:
    blobs = pl.Series("b", [typedstream(b"caf\xe9 ok"), typedstream("fine")])
    assert decode_attributed_body(blobs).to_list() == ["caf\ufffd ok", "fine"]


def test_text_column_wins_over_attributed_body(tmp_path: Path) -> None:
    rows = golden_rows(parse(build(HERE / "attributed_body.sql", tmp_path)))
    assert rows[-1]["text"] == "text column wins"


# --- detection ------------------------------------------------------------------------------------


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_every_golden_is_imessage_and_nothing_else(script: Path, tmp_path: Path) -> None:
    source = Source(build(script, tmp_path, name="3d0d7e5fb2ce288813306e4d4636395e047a3d28"))
    assert IMP.sniff(source)
    assert [o.name for o in others() if o.sniff(source)] == []


@pytest.mark.parametrize(
    "path",
    sorted(p for p in DATA.rglob("*") if p.is_file() and p.parent.name != "imessage"),
    ids=lambda p: f"{p.parent.name}-{p.name}",
)
def test_other_formats_are_not_imessage(path: Path) -> None:
    assert not IMP.sniff(Source(path))


@pytest.mark.parametrize(
    "name, body",
    [
        ("chat.db", b""),
        ("chat.db", b"\x00\x01\x02 not sqlite at all"),
        ("sms.db", b"SQLite format 3\x00" + b"\x00" * 100),  # a header and nothing else
        ("chat.txt", "3/2/26, 9:01 AM - Maya: good morning\n".encode()),
        ("chat.db", b"<?xml version='1.0'?><smses count='0'></smses>"),
    ],
    ids=["empty", "binary", "header-only", "whatsapp", "xml"],
)
def test_sniff_negatives(tmp_path: Path, name: str, body: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(body)
    assert not IMP.sniff(Source(path))


def test_another_sqlite_database_is_not_imessage(tmp_path: Path) -> None:
    path = build("CREATE TABLE message (id INTEGER, body TEXT); CREATE TABLE chat (id INTEGER);", tmp_path)
    assert not IMP.sniff(Source(path))


def _big_schema(tmp_path: Path) -> Path:
    """A real-looking database whose table list does not fit in the first 16 KB."""
    padding = "".join(
        f"CREATE TABLE padding_{i} (ROWID INTEGER PRIMARY KEY, {', '.join(f'column_{j} TEXT' for j in range(40))});"
        for i in range(40)
    )
    return build(padding + (HERE / "basic.sql").read_text(encoding="utf-8"), tmp_path)


def test_sniff_asks_sqlite_when_the_schema_is_past_the_head(tmp_path: Path) -> None:
    path = _big_schema(tmp_path)
    assert b"chat_message_join" not in Source(path).head()
    assert IMP.sniff(Source(path))


def test_sniff_in_an_archive_goes_by_the_name_when_the_schema_is_past_the_head(tmp_path: Path) -> None:
    data = _big_schema(tmp_path).read_bytes()
    assert IMP.sniff(Source(tmp_path / "a.zip", member="Messages/chat.db", data=data))
    assert IMP.sniff(Source(tmp_path / "a.zip", member="backup/sms.db", data=data))
    assert not IMP.sniff(Source(tmp_path / "a.zip", member="other.db", data=data))


# --- chats, me, groups ----------------------------------------------------------------------------


def test_one_to_one_chat_says_who_is_me(basic_db: Path) -> None:
    (chat,) = parse(basic_db)
    assert chat.platform == "imessage"
    assert chat.me == "Me"
    assert not chat.is_group
    assert chat.chat_key == "+15550100001"
    assert chat.title == "+15550100001"
    assert chat.participants == ["+15550100001", "Me"]
    assert chat.tz == "UTC"
    assert chat.details == {"database": "chat.db", "services": "iMessage"}


def test_many_chats_come_back_each_with_me_and_groups_marked(tmp_path: Path) -> None:
    chats = parse(build(HERE / "many_chats.sql", tmp_path))
    by_key = {c.chat_key: c for c in chats}
    assert list(by_key) == ["+15550100004", "sam.example@me.com", "iMessage;+;chat123456789012345678"]
    assert all(c.me == "Me" for c in chats)
    # one number on iMessage and SMS is one conversation
    merged = by_key["+15550100004"]
    assert not merged.is_group
    assert merged.participants == ["Me", "+15550100004"]
    assert merged.details["merged_chats"] == "2"
    assert merged.details["services"] == "SMS,iMessage"
    assert merged.messages.get_column("text").to_list()[1] == "yes, phone died, texting from the old one"
    # a message of mine with no handle still belongs to its chat
    assert by_key["sam.example@me.com"].messages.get_column("sender").to_list() == ["sam.example@me.com", "Me"]
    group = by_key["iMessage;+;chat123456789012345678"]
    assert group.is_group
    assert group.title == "Hiking crew"
    assert group.participants == ["+15550100005", "sam.example@me.com", "Me"]
    assert group.messages.filter(pl.col("kind") == "system").get_column("sender").null_count() == 2


def test_a_chat_without_style_is_a_group_when_it_has_several_handles(tmp_path: Path) -> None:
    sql = (HERE / "legacy.sql").read_text(encoding="utf-8") + (
        "INSERT INTO handle (ROWID, id, service) VALUES (2, '+15550100010', 'SMS');"
        "INSERT INTO chat_handle_join (chat_id, handle_id) VALUES (1, 2);"
    )
    (chat,) = parse(build(sql, tmp_path))
    assert chat.is_group
    assert chat.chat_key == "SMS;-;+15550100006"


def test_reading_in_small_chunks_gives_the_same_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = build(HERE / "tapbacks.sql", tmp_path)
    whole = golden_rows(parse(path))
    monkeypatch.setattr(imessage, "CHUNK_ROWS", 2)
    seen: list[tuple[int, int | None]] = []
    chunked = IMP.parse(Source(path), ParseOptions(progress=lambda d, t, w: seen.append((d, t))))
    assert golden_rows(chunked) == whole
    assert seen[-1] == (12, 12)
    assert len(seen) == 6


def test_seconds_and_nanoseconds_are_told_apart_per_value(tmp_path: Path) -> None:
    (chat,) = parse(build(HERE / "legacy.sql", tmp_path))
    assert [t.year for t in chat.messages.get_column("ts").to_list()] == [2017, 2017, 2018]


# --- archives -------------------------------------------------------------------------------------


@pytest.mark.parametrize("wal", [False, True], ids=["rollback-journal", "wal"])
def test_database_inside_a_zip(tmp_path: Path, wal: bool) -> None:
    db = build(HERE / "many_chats.sql", tmp_path)
    if wal:
        con = sqlite3.connect(db)
        con.execute("PRAGMA journal_mode=WAL")
        con.close()
        assert db.read_bytes()[18] == 2
    archive = tmp_path / "messages.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(db, "Messages/chat.db")
    (source,) = open_sources(archive)
    assert IMP.sniff(source)
    chats = IMP.parse(source, OPTIONS)
    assert golden_rows(chats) == golden_rows(parse(db))


# --- bad input ------------------------------------------------------------------------------------


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "chat.db"
    path.write_bytes(b"\x93\x17 encrypted backup bytes " * 200)
    assert parse_error(path) == (
        "The file is not a readable SQLite database (it may be damaged, or from an encrypted iPhone "
        "backup) — copy chat.db again, or make an unencrypted backup — in chat.db"
    )


def test_truncated_database(tmp_path: Path) -> None:
    rows = "".join(
        f"INSERT INTO message (ROWID, guid, text, handle_id, date, is_from_me) VALUES ({i}, 'G{i}', '{'x' * 300}', 1, {i}, 0);"
        f"INSERT INTO chat_message_join (chat_id, message_id) VALUES (1, {i});"
        for i in range(100, 400)
    )
    path = build((HERE / "basic.sql").read_text(encoding="utf-8") + rows, tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    message = parse_error(path)
    assert message.startswith("The database is damaged — copy chat.db (or sms.db) again") or message.startswith(
        "The file is not a readable SQLite database"
    )
    assert message.endswith("in chat.db") or message.endswith("in chat.db, table message")


def test_database_of_another_shape(tmp_path: Path) -> None:
    path = build("CREATE TABLE notes (id INTEGER, body TEXT); INSERT INTO notes VALUES (1, 'x');", tmp_path)
    assert parse_error(path) == (
        "The database has no message table, so it is not an iMessage chat.db or sms.db — import "
        "~/Library/Messages/chat.db (Mac) or sms.db from an iPhone backup — in chat.db, table message"
    )


def test_message_table_without_its_columns(tmp_path: Path) -> None:
    sql = (HERE / "basic.sql").read_text(encoding="utf-8").replace(
        "CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL,",
        "CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT UNIQUE NOT NULL,",
    ).replace("(ROWID, guid, text", "(ROWID, uuid, text")
    assert parse_error(build(sql, tmp_path)) == (
        "The message table lacks the column guid, so it is not an iMessage database fonder knows — "
        "import chat.db or sms.db as Messages wrote it — in chat.db, table message"
    )


def test_a_value_of_the_wrong_type(tmp_path: Path) -> None:
    sql = (HERE / "basic.sql").read_text(encoding="utf-8") + "UPDATE message SET date = 'yesterday' WHERE ROWID = 3;"
    assert parse_error(build(sql, tmp_path)) == (
        "A message has a value of the wrong type (not what Messages writes) — copy chat.db again; if "
        "it still fails, the file was changed by another program — in chat.db, table message, row 3"
    )


def test_a_message_without_guid(tmp_path: Path) -> None:
    sql = (HERE / "legacy.sql").read_text(encoding="utf-8").replace("guid TEXT UNIQUE NOT NULL", "guid TEXT")
    sql += "UPDATE message SET guid = NULL WHERE ROWID = 2;"
    assert parse_error(build(sql, tmp_path)) == (
        "A message has no guid (Messages always writes one) — copy chat.db again — in chat.db, table message, row 2"
    )


def test_a_database_with_no_messages(tmp_path: Path) -> None:
    sql = (HERE / "basic.sql").read_text(encoding="utf-8").split("INSERT", 1)[0]
    assert parse_error(build(sql, tmp_path)) == (
        "The database holds no messages — copy chat.db again after Messages has synced, or check it "
        "is the right file — in chat.db, table message"
    )


def test_a_locked_database(basic_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imessage, "BUSY_TIMEOUT_S", 0.05)
    holder = sqlite3.connect(basic_db)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        message = parse_error(basic_db)
    finally:
        holder.rollback()
        holder.close()
    assert message.startswith(
        "The database is locked by another program — quit Messages, or copy chat.db together with "
        "chat.db-wal and chat.db-shm to another folder and import the copy — in chat.db"
    )


def test_errors_never_hold_message_text(tmp_path: Path) -> None:
    sql = (HERE / "basic.sql").read_text(encoding="utf-8") + "UPDATE message SET date = 'secret words' WHERE ROWID = 2;"
    assert "secret" not in parse_error(build(sql, tmp_path))


# --- the CLI --------------------------------------------------------------------------------------


def test_cli_imports_every_one_to_one_chat_and_skips_groups(tmp_path: Path) -> None:
    path = build(HERE / "many_chats.sql", tmp_path)
    db = tmp_path / "store.duckdb"
    result = runner.invoke(app, ["--db", str(db), "import", str(path), "--json"])
    assert result.exit_code == 0, result.output
    doc = orjson.loads(result.stdout)
    assert doc["skipped_groups"] == 1
    assert sorted((c["participants"], c["me"], c["messages"]) for c in doc["chats"]) == [
        (["Me", "+15550100004"], "Me", 3),
        (["sam.example@me.com", "Me"], "Me", 2),
    ]
    again = runner.invoke(app, ["--db", str(db), "import", str(path), "--json"])
    assert again.exit_code == 0, again.output
    assert [c["added"] for c in orjson.loads(again.stdout)["chats"]] == [0, 0]


def test_cli_reports_a_broken_database_in_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "chat.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    result = runner.invoke(app, ["--db", str(tmp_path / "s.duckdb"), "import", str(path), "--format", "imessage"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "— in chat.db" in result.output
