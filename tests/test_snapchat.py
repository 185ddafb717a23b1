"""Snapchat: chat_history.json from My Data, both schemas."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import polars as pl
import pytest
from typer.testing import CliRunner

import fonder.ingest as ingest
from fonder.cli import app
from fonder.errors import ParseError
from fonder.ingest.archive import open_sources
from fonder.ingest.base import ParseOptions, Source
from fonder.ingest.snapchat import SnapchatImporter
from fonder.model import MESSAGE_SCHEMA
from importer_rows import rows_of

DATA = Path(__file__).parent / "data"
VARIANTS = sorted(p.name for p in (DATA / "snapchat").iterdir() if p.is_dir())
runner = CliRunner()


def chats_of(variant: str) -> dict[str, ingest.ParsedChat]:
    return {rc.parsed.chat_key: rc.parsed for rc in ingest.read(DATA / "snapchat" / variant, ParseOptions())}


@pytest.mark.parametrize("variant", VARIANTS)
def test_golden(variant: str, update_golden: bool) -> None:
    chats = ingest.read(DATA / "snapchat" / variant, ParseOptions())
    assert {rc.importer for rc in chats} == {"snapchat"}
    assert all(dict(rc.parsed.messages.schema) == MESSAGE_SCHEMA for rc in chats)
    got = rows_of(chats)
    expected = DATA / "snapchat" / f"{variant}.expected.jsonl"
    if update_golden:
        expected.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in got), encoding="utf-8")
    assert got == [orjson.loads(line) for line in expected.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("variant", VARIANTS)
def test_claimed_by_snapchat_only(variant: str) -> None:
    for source in open_sources(DATA / "snapchat" / variant):
        assert [i.name for i in ingest.IMPORTERS if i.sniff(source)] == ["snapchat"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("snap_history.json", '{"Received Snap History": [{"From": "a", "Media Type": "IMAGE", "Created": "2024-01-01 00:00:00 UTC"}]}'),
        ("snap_history.json", '{"dan": [{"From": "a", "Media Type": "IMAGE", "Created": "x", "IsSender": false}]}'),
        ("friends.json", '{"Friends": [{"Username": "a", "Display Name": "A"}]}'),
        ("chat_history.json", '[{"From": "a"}]'),
        ("chat_history.json", '{"messages": [{"creator": {"name": "A"}, "created_date": "x"}]}'),
        ("message_1.json", '{"participants": [{"name": "A"}], "messages": [{"sender_name": "A", "timestamp_ms": 1, "Media Type": "TEXT", "Created": "", "IsSender": true}]}'),
        ("chat_history.txt", '{"Received Saved Chat History": []}'),
    ],
)
def test_other_files_are_not_claimed(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    assert not SnapchatImporter().sniff(Source(path=path))


def test_inputs_of_the_other_formats_are_not_claimed() -> None:
    others = [p for fmt in ("instagram", "messenger", "line", "googlechat", "whatsapp") if (DATA / fmt).is_dir()
              for p in sorted((DATA / fmt).rglob("*")) if p.is_file() and not p.name.endswith(".expected.jsonl")]
    assert others
    for path in others:
        assert not SnapchatImporter().sniff(Source(path=path)), path


def test_older_schema_me_is_me_and_chats_are_per_friend() -> None:
    chats = chats_of("older")
    assert set(chats) == {"dan.reyes", "priya_n"}
    dan = chats["dan.reyes"]
    assert dan.me == "Me"
    assert dan.participants == ["dan.reyes", "Me"]
    assert not dan.is_group
    assert dan.messages.filter(pl.col("sender") == "Me").height == 2
    assert chats["priya_n"].participants == ["priya_n"], "she wrote; I did not"


def test_older_schema_html_entities_are_decoded() -> None:
    dan = chats_of("older")["dan.reyes"]
    assert "you're up late" in dan.messages.get_column("text").to_list()


def test_newer_schema_me_is_the_username_of_my_messages() -> None:
    chats = chats_of("newer")
    assert {k: c.me for k, c in chats.items()} == {
        "dan.reyes": "maya.c", "7e1f0000-0000-4000-8000-00000000beef": "maya.c",
    }
    group = chats["7e1f0000-0000-4000-8000-00000000beef"]
    assert group.is_group and group.title == "Sunday hikes"
    assert not chats["dan.reyes"].is_group


def test_newer_schema_kinds() -> None:
    frame = chats_of("newer")["dan.reyes"].messages
    assert frame.get_column("kind").to_list() == [
        "text", "text", "media", "media", "media", "location", "deleted", "missed_call", "system",
    ]
    assert frame.get_column("media").to_list()[2:5] == ["media", "audio", "share"]
    assert frame.get_column("text").to_list()[4] == "this place"


def test_millisecond_precision_from_created_microseconds() -> None:
    ts = chats_of("newer")["dan.reyes"].messages.get_column("ts")
    assert ts[0].isoformat() == "2024-03-01T18:00:00.123000+00:00"


def test_created_microseconds_in_microseconds_too(tmp_path: Path) -> None:
    path = tmp_path / "chat_history.json"
    path.write_text(json.dumps({"dan": [{"From": "dan", "Media Type": "TEXT", "Created": "2024-03-01 18:00:00 UTC",
                                         "Content": "hi", "IsSender": False, "Created(microseconds)": 1709316000123456}]}))
    (chat,) = SnapchatImporter().parse(Source(path=path), ParseOptions())
    assert chat.messages.get_column("ts")[0].isoformat() == "2024-03-01T18:00:00.123456+00:00"


def test_no_own_messages_leaves_me_as_me(tmp_path: Path) -> None:
    path = tmp_path / "chat_history.json"
    path.write_text(json.dumps({"dan": [{"From": "dan", "Media Type": "TEXT", "Created": "2024-03-01 18:00:00 UTC",
                                         "Content": "hi", "IsSender": False}]}))
    (chat,) = SnapchatImporter().parse(Source(path=path), ParseOptions())
    assert chat.me == "Me"
    assert chat.participants == ["dan"]


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------


def parse_error(tmp_path: Path, content: str | bytes) -> ParseError:
    path = tmp_path / "chat_history.json"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    with pytest.raises(ParseError) as info:
        SnapchatImporter().parse(Source(path=path), ParseOptions())
    assert "secret" not in str(info.value)
    assert "chat_history.json" in str(info.value)
    return info.value


GOOD = (DATA / "snapchat" / "newer" / "chat_history.json").read_text(encoding="utf-8")


def test_truncated(tmp_path: Path) -> None:
    err = parse_error(tmp_path, GOOD[:300])
    assert "cut short" in err.reason and err.position.startswith("line ")
    assert "download your data from Snapchat again" in err.reason


def test_empty(tmp_path: Path) -> None:
    assert "empty" in parse_error(tmp_path, "  \n").reason


def test_not_an_object(tmp_path: Path) -> None:
    assert "not a Snapchat chat history" in parse_error(tmp_path, '[{"From": "a"}]').reason


def test_chat_that_is_not_a_list(tmp_path: Path) -> None:
    err = parse_error(tmp_path, '{"dan": [], "priya": {"From": "secret"}}')
    assert err.position == "chat 2"


def test_bad_created_names_the_record(tmp_path: Path) -> None:
    doc = {"dan": [
        {"From": "dan", "Media Type": "TEXT", "Created": "2024-03-01 18:00:00 UTC", "Content": "secret", "IsSender": False},
        {"From": "dan", "Media Type": "TEXT", "Created": "yesterday", "Content": "secret", "IsSender": False},
    ]}
    err = parse_error(tmp_path, json.dumps(doc))
    assert err.position == "chat 1, record 2"
    assert "time" in err.reason


def test_wrong_type_names_the_record(tmp_path: Path) -> None:
    doc = {"Received Saved Chat History": [
        {"From": "dan", "Media Type": "TEXT", "Created": "2024-03-01 18:00:00 UTC", "Text": "secret"},
        {"From": "dan", "Media Type": "TEXT", "Created": "2024-03-01 18:00:00 UTC", "Text": {"secret": 1}},
    ]}
    err = parse_error(tmp_path, json.dumps(doc))
    assert err.position == "Received Saved Chat History, record 2"


def test_deep_nesting(tmp_path: Path) -> None:
    err = parse_error(tmp_path, '{"dan": ' + "[" * 3000 + "]" * 3000 + "}")
    assert "nested far deeper" in err.reason


# ---------------------------------------------------------------------------------------------
# End to end
# ---------------------------------------------------------------------------------------------

needs_registration = pytest.mark.skipif(
    "snapchat" not in ingest.format_names(),
    reason="the lead registers SnapchatImporter in fonder.ingest.IMPORTERS",
)


@needs_registration
def test_cli_imports_the_one_to_one_chats(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["--db", str(tmp_path / "db.duckdb"), "import", str(DATA / "snapchat" / "newer" / "chat_history.json"), "--json"]
    )
    assert result.exit_code == 0, result.output
    doc = orjson.loads(result.stdout)
    assert doc["skipped_groups"] == 1
    (chat,) = doc["chats"]
    assert chat["platform"] == "snapchat" and chat["me"] == "maya.c"
