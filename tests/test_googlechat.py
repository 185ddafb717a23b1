"""Google Chat from Google Takeout."""

from __future__ import annotations

import json
import shutil
import zipfile
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
from fonder.ingest.googlechat import GoogleChatImporter, takeout_dates
from fonder.model import MESSAGE_SCHEMA
from importer_rows import rows_of

DATA = Path(__file__).parent / "data"
VARIANTS = sorted(p.name for p in (DATA / "googlechat").iterdir() if p.is_dir())
DM = "Google Chat/Groups/DM 8aBcDeAAAAE"
runner = CliRunner()


def one(variant: str) -> ingest.ParsedChat:
    (rc,) = ingest.read(DATA / "googlechat" / variant, ParseOptions())
    return rc.parsed


@pytest.mark.parametrize("variant", VARIANTS)
def test_golden(variant: str, update_golden: bool) -> None:
    chats = ingest.read(DATA / "googlechat" / variant, ParseOptions())
    assert {rc.importer for rc in chats} == {"googlechat"}
    assert all(dict(rc.parsed.messages.schema) == MESSAGE_SCHEMA for rc in chats)
    got = rows_of(chats)
    expected = DATA / "googlechat" / f"{variant}.expected.jsonl"
    if update_golden:
        expected.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in got), encoding="utf-8")
    assert got == [orjson.loads(line) for line in expected.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("variant", VARIANTS)
def test_only_messages_json_is_claimed_and_only_by_googlechat(variant: str) -> None:
    for source in open_sources(DATA / "googlechat" / variant):
        claims = [i.name for i in ingest.IMPORTERS if i.sniff(source)]
        assert claims == (["googlechat"] if source.name == "messages.json" else []), source.display


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("messages.json", '[{"ID": 1, "Timestamp": "2024-01-01 00:00:00", "Contents": "hi"}]'),
        ("messages.json", '{"guild": {}, "channel": {"id": "1"}, "messages": [{"id": "1", "author": {}}]}'),
        ("messages.json", '{"messages": [{"id": 1, "type": "message", "date": "2024-01-01T00:00:00", "from": "A"}]}'),
        ("messages.json", '{"messages": []}'),
        ("group_info.json", '{"members": [{"name": "A", "email": "a@example.com"}]}'),
        ("user_info.json", '{"user": {"name": "A", "email": "a@example.com"}}'),
        ("other.json", '{"messages": [{"creator": {"name": "A"}, "created_date": "x"}]}'),
    ],
)
def test_other_files_are_not_claimed(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    assert not GoogleChatImporter().sniff(Source(path=path))


def test_an_empty_conversation_inside_a_takeout_is_claimed(tmp_path: Path) -> None:
    path = tmp_path / "Google Chat/Groups/DM abc" / "messages.json"
    path.parent.mkdir(parents=True)
    path.write_text('{\n  "messages": []\n}\n')
    assert GoogleChatImporter().sniff(Source(path=path))
    (chat,) = GoogleChatImporter().parse(Source(path=path), ParseOptions())
    assert chat.messages.height == 0 and chat.chat_key == "DM abc"


def test_inputs_of_the_other_formats_are_not_claimed() -> None:
    others = [p for fmt in ("instagram", "messenger", "snapchat", "line", "whatsapp") if (DATA / fmt).is_dir()
              for p in sorted((DATA / fmt).rglob("*")) if p.is_file() and not p.name.endswith(".expected.jsonl")]
    assert others
    for path in others:
        assert not GoogleChatImporter().sniff(Source(path=path)), path


def test_takeout_dates_both_orders_and_the_narrow_space() -> None:
    got = pl.select(takeout_dates(pl.Series([
        "Sunday, December 31, 2023 at 9:41:05\u202fPM UTC",
        "Sunday, December 31, 2023 at 9:41:05 PM UTC",
        "Tuesday, 14 March 2023 at 22:41:03 UTC",
        "Monday, January 1, 2024 at 12:05:00 AM UTC",
        "Monday, January 1, 2024 at 1:05:00 AM GMT+01:00",
        "lunedì 1 gennaio 2024 alle ore 01:05:00 UTC",
        "Monday, January 1, 2024 at 1:05:00 AM CET",
    ]))).to_series()
    assert [t.isoformat() if t else None for t in got] == [
        "2023-12-31T21:41:05+00:00", "2023-12-31T21:41:05+00:00", "2023-03-14T22:41:03+00:00",
        "2024-01-01T00:05:00+00:00", "2024-01-01T00:05:00+00:00", None, None,
    ]


# ---------------------------------------------------------------------------------------------
# Me, groups, mapping
# ---------------------------------------------------------------------------------------------


def test_me_from_user_info_of_the_takeout() -> None:
    chat = one("dm")
    assert chat.me == "Maya Chen"
    assert chat.participants == ["Maya Chen", "Daniel Reyes"]
    assert chat.title == "Daniel Reyes"
    assert not chat.is_group
    assert chat.chat_key == "DM 8aBcDeAAAAE"


def test_me_unknown_without_user_info(tmp_path: Path) -> None:
    chat = one("dayfirst")
    assert chat.me is None
    folder = tmp_path / "DM 8aBcDeAAAAE"
    folder.mkdir()
    shutil.copy(DATA / "googlechat" / "dm" / DM / "messages.json", folder / "messages.json")
    (alone,) = GoogleChatImporter().parse(Source(path=folder / "messages.json"), ParseOptions())
    assert alone.me is None
    assert alone.participants == ["Daniel Reyes", "Maya Chen"], "from the senders, without group_info.json"


def test_space_is_a_group() -> None:
    chat = one("space")
    assert chat.is_group and chat.title == "Weekend plans"
    assert chat.participants == ["Maya Chen", "Daniel Reyes", "Priya Nair"]


def test_reactions_replies_edits_media_deletions() -> None:
    frame = one("dm").messages
    assert frame.get_column("kind").to_list() == ["text", "reaction", "text", "text", "media", "deleted"]
    reaction = frame.row(1, named=True)
    assert (reaction["sender"], reaction["text"], reaction["reply_to"]) == ("Maya Chen", "🎉", "8aBcDeAAAAE/t1/t1")
    assert frame.get_column("edited").to_list() == [False, False, True, False, False, False]
    assert frame.get_column("reply_to")[3] == "8aBcDeAAAAE/t2/t2"
    assert frame.get_column("media")[4] == "photo"
    assert frame.get_column("msg_id").to_list()[0] == "8aBcDeAAAAE/t1/t1"


@pytest.fixture
def takeout_zip(tmp_path: Path) -> Path:
    """The unpacked Takeout in tests/data, zipped as Google delivers it."""
    path = tmp_path / "takeout-20240102T000000Z-001.zip"
    root = DATA / "googlechat" / "dm"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(root.rglob("*")):
            if f.is_file():
                zf.write(f, "Takeout/" + f.relative_to(root).as_posix())
    return path


def test_me_and_members_from_a_zipped_takeout(takeout_zip: Path) -> None:
    (rc,) = ingest.read(takeout_zip, ParseOptions())
    assert rc.parsed.me == "Maya Chen"
    assert rc.parsed.chat_key == "DM 8aBcDeAAAAE"


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------


def parse_error(tmp_path: Path, content: str | bytes) -> ParseError:
    path = tmp_path / "Google Chat/Groups/DM abc/messages.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    with pytest.raises(ParseError) as info:
        GoogleChatImporter().parse(Source(path=path), ParseOptions())
    assert "secret" not in str(info.value)
    assert "messages.json" in str(info.value)
    return info.value


GOOD = (DATA / "googlechat" / "dm" / DM / "messages.json").read_text(encoding="utf-8")


def test_truncated(tmp_path: Path) -> None:
    err = parse_error(tmp_path, GOOD[:400])
    assert "cut short" in err.reason and err.position.startswith("line ")
    assert "Google Takeout again" in err.reason


def test_wrong_shape(tmp_path: Path) -> None:
    assert "not a Google Chat messages file" in parse_error(tmp_path, '{"chats": []}').reason


def test_date_not_in_english(tmp_path: Path) -> None:
    doc = {"messages": [
        {"creator": {"name": "A", "email": "a@example.com"}, "created_date": "Monday, January 1, 2024 at 1:05:00 AM UTC", "text": "secret"},
        {"creator": {"name": "A", "email": "a@example.com"}, "created_date": "lunedì 1 gennaio 2024 alle ore 01:05:00 UTC", "text": "secret"},
    ]}
    err = parse_error(tmp_path, json.dumps(doc))
    assert err.position == "record 2"
    assert "English" in err.reason


def test_wrong_type_names_the_record(tmp_path: Path) -> None:
    doc = {"messages": [
        {"creator": {"name": "A"}, "created_date": "Monday, January 1, 2024 at 1:05:00 AM UTC", "text": "secret"},
        {"creator": {"name": "A"}, "created_date": "Monday, January 1, 2024 at 1:05:00 AM UTC", "attached_files": "secret.jpg"},
    ]}
    err = parse_error(tmp_path, json.dumps(doc))
    assert err.position == "record 2"
    assert "attached_files" in err.reason


def test_deep_nesting(tmp_path: Path) -> None:
    err = parse_error(tmp_path, '{"messages": [{"annotations": ' + "[" * 3000 + "]" * 3000 + "}]}")
    assert "nested far deeper" in err.reason


def test_broken_group_info_is_ignored(tmp_path: Path) -> None:
    folder = tmp_path / "Google Chat/Groups/DM 8aBcDeAAAAE"
    folder.mkdir(parents=True)
    shutil.copy(DATA / "googlechat" / "dm" / DM / "messages.json", folder / "messages.json")
    (folder / "group_info.json").write_text('{"members": [')
    (chat,) = GoogleChatImporter().parse(Source(path=folder / "messages.json"), ParseOptions())
    assert chat.participants == ["Daniel Reyes", "Maya Chen"]


# ---------------------------------------------------------------------------------------------
# End to end
# ---------------------------------------------------------------------------------------------

needs_registration = pytest.mark.skipif(
    "googlechat" not in ingest.format_names(),
    reason="the lead registers GoogleChatImporter in fonder.ingest.IMPORTERS",
)


@needs_registration
def test_cli_imports_a_takeout(tmp_path: Path, takeout_zip: Path) -> None:
    result = runner.invoke(app, ["--db", str(tmp_path / "db.duckdb"), "import", str(takeout_zip), "--json"])
    assert result.exit_code == 0, result.output
    (chat,) = orjson.loads(result.stdout)["chats"]
    assert chat["platform"] == "googlechat" and chat["me"] == "Maya Chen"
