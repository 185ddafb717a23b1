"""Discord through DiscordChatExporter's JSON: goldens, detection, groups, bad input, the CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import polars as pl
import pytest
from typer.testing import CliRunner

from fonder.cli import app
from fonder.errors import ParseError
from fonder.ingest.base import ParseOptions, ParsedChat, Source
from fonder.ingest import discord as discord_module
from fonder.ingest import telegram as telegram_module
from fonder.ingest.discord import DiscordImporter
from fonder.ingest.signal import SignalExportImporter, SignalImporter
from fonder.ingest.telegram import TelegramImporter
from fonder.ingest.whatsapp import WhatsAppImporter
from importer_rows import golden_rows

DATA = Path(__file__).parent / "data"
HERE = DATA / "discord"
OPTIONS = ParseOptions(tz="Europe/Berlin")
IMP = DiscordImporter()
OTHERS = (TelegramImporter(), SignalImporter(), SignalExportImporter(), WhatsAppImporter())
AGAIN = "export the channel again with DiscordChatExporter in the JSON format"
runner = CliRunner()


def parse(path: Path) -> ParsedChat:
    (chat,) = IMP.parse(Source(path), OPTIONS)
    return chat


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ParseError) as caught:
        IMP.parse(Source(path), OPTIONS)
    return str(caught.value)


def dm_with(tmp_path: Path, **changes: object) -> Path:
    doc = orjson.loads((HERE / "dm.json").read_bytes())
    doc["messages"][0].update(changes)
    return write(tmp_path, "Direct Messages - samo [200000000000000001].json", orjson.dumps(doc))


@pytest.mark.parametrize("path", sorted(HERE.glob("*.json")), ids=lambda p: p.stem)
def test_golden(path: Path, update_golden: bool) -> None:
    rows = golden_rows(IMP.parse(Source(path), OPTIONS))
    expected = path.with_name(path.stem + ".expected.jsonl")
    if update_golden:
        expected.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    want = [orjson.loads(line) for line in expected.read_bytes().splitlines()]
    assert rows == want


@pytest.mark.parametrize("path", sorted(HERE.glob("*.json")), ids=lambda p: p.stem)
def test_read_in_pieces_or_whole_alike(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    want = golden_rows(IMP.parse(Source(path), OPTIONS))
    # Laid out as DiscordChatExporter writes it, the file is read a few messages at a time...
    monkeypatch.setattr(telegram_module, "CHUNK_ITEMS", 2)
    with monkeypatch.context() as m:
        m.setattr(discord_module, "load_json", lambda *a: pytest.fail("read whole"))
        assert golden_rows(IMP.parse(Source(path), OPTIONS)) == want
    # ...laid out otherwise (here: on one line), it is read as one document.
    one_line = write(tmp_path, "dm.json", orjson.dumps(orjson.loads(path.read_bytes())))
    assert golden_rows(IMP.parse(Source(one_line), OPTIONS)) == want


@pytest.mark.parametrize("path", sorted(HERE.glob("*.json")), ids=lambda p: p.stem)
def test_every_golden_is_discord_and_nothing_else(path: Path) -> None:
    source = Source(path)
    assert IMP.sniff(source)
    assert [o.name for o in OTHERS if o.sniff(source)] == []


@pytest.mark.parametrize(
    "path",
    [*sorted((DATA / "telegram").glob("*.json")), *sorted((DATA / "signal-export").glob("*.json")),
     *[p for p in sorted((DATA / "signal").glob("*.jsonl")) if ".expected." not in p.name]],
    ids=lambda p: f"{p.parent.name}-{p.stem}",
)
def test_other_formats_are_not_discord(path: Path) -> None:
    assert not IMP.sniff(Source(path))


@pytest.mark.parametrize(
    "name, body",
    [
        ("chat.json", '{"channel": {"id": "1"}, "messages": []}'),
        ("chat.json", '[{"guild": {}}]'),
        ("chat.json", '{"meta": {}, "guild": {"id": "1"}}'),
        ("chat.txt", '{"guild": {"id": "1"}, "channel": {"id": "1"}, "messages": []}'),
        ("chat.html", "<html><body>Direct Messages</body></html>"),
    ],
)
def test_sniff_negatives(tmp_path: Path, name: str, body: str) -> None:
    assert not IMP.sniff(Source(write(tmp_path, name, body)))


def test_direct_message_is_one_to_one_and_me_is_unknown() -> None:
    chat = parse(HERE / "dm.json")
    assert not chat.is_group
    assert chat.me is None
    assert chat.chat_key == "200000000000000001"
    assert chat.title == "samo"
    assert chat.participants == ["Sam O", "Nora"]  # display names, not user names
    assert chat.platform == "discord"


@pytest.mark.parametrize("name", ["group_dm.json", "guild.json"])
def test_group_dms_and_server_channels_are_groups(name: str) -> None:
    assert parse(HERE / name).is_group


def test_offsets_are_kept_as_each_messages_zone() -> None:
    chat = parse(HERE / "dm.json")
    # The clocks went forward between the first and the fourth message.
    assert chat.messages.get_column("tz").to_list()[:4] == ["+01:00", "+01:00", "+01:00", "+02:00"]
    assert str(chat.messages.item(0, "ts")) == "2025-03-29 20:00:00.123000+00:00"
    assert chat.tz == "+02:00"


def test_calls_last_until_they_ended() -> None:
    calls = parse(HERE / "dm.json").messages.filter(pl.col("kind") == "call")
    assert calls.select("sender", "call_s", "text").rows() == [("Sam O", 870, None), ("Nora", None, None)]


def test_reactions_name_each_user_and_point_at_the_message() -> None:
    chat = parse(HERE / "dm.json")
    reactions = chat.messages.filter(pl.col("kind") == "reaction")
    assert reactions.select("sender", "text", "reply_to").rows() == [
        ("Sam O", "❤️", "300000000000000004"),
        ("Sam O", "😂", "300000000000000004"),
        ("Nora", "😂", "300000000000000004"),
    ]
    old = parse(HERE / "old_reactions.json")
    assert old.messages.filter(pl.col("kind") == "reaction").height == 0  # counts only: nobody named


def test_replies_edits_media_stickers_and_notices() -> None:
    rows = {r["msg_id"]: r for r in parse(HERE / "dm.json").messages.iter_rows(named=True)}
    assert rows["300000000000000002"]["edited"] is True
    assert rows["300000000000000003"]["reply_to"] == "300000000000000002"
    assert (rows["300000000000000003"]["kind"], rows["300000000000000003"]["media"]) == ("media", "image")
    assert rows["300000000000000004"]["kind"] == "sticker"
    pinned = rows["300000000000000005"]
    assert (pinned["kind"], pinned["sender"], pinned["reply_to"]) == ("system", None, None)
    assert rows["300000000000000008"]["media"] == "audio"


def test_channel_without_messages(tmp_path: Path) -> None:
    doc = orjson.loads((HERE / "dm.json").read_bytes())
    doc["messages"] = []
    chat = IMP.parse(Source(write(tmp_path, "dm.json", orjson.dumps(doc, option=orjson.OPT_INDENT_2))), OPTIONS)[0]
    assert chat.messages.height == 0
    assert chat.tz == "UTC"


def test_renamed_user_stays_one_participant(tmp_path: Path) -> None:
    doc = orjson.loads((HERE / "dm.json").read_bytes())
    doc["messages"][2]["author"]["nickname"] = "Sammy"
    chat = IMP.parse(Source(write(tmp_path, "dm.json", orjson.dumps(doc))), OPTIONS)[0]
    assert chat.participants == ["Sam O", "Nora"]


# --- bad input ----------------------------------------------------------------------------------


def test_truncated(tmp_path: Path) -> None:
    data = (HERE / "dm.json").read_bytes()
    path = write(tmp_path, "dm.json", data[: len(data) // 3])
    assert error_of(path) == (
        "The file ends in the middle of its JSON, so it was cut short; export it again from "
        "DiscordChatExporter (as JSON) and import the new file — in dm.json, line 101"
    )


@pytest.mark.parametrize(
    "doc, position, what",
    [
        ([], "", "The file is JSON but not a DiscordChatExporter export"),
        ({"guild": {}, "messages": []}, "", "The file is JSON but not a DiscordChatExporter export"),
        ({"guild": {}, "channel": {}, "messages": {}}, "messages", "The export has no list of messages"),
        ({"guild": {}, "channel": {}, "messages": [1]}, "message 1", "A message is not a JSON object"),
    ],
)
def test_json_of_another_shape(tmp_path: Path, doc: object, position: str, what: str) -> None:
    where = f"dm.json, {position}" if position else "dm.json"
    assert error_of(write(tmp_path, "dm.json", orjson.dumps(doc))) == f"{what}; {AGAIN} — in {where}"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"timestamp": 5}, "timestamp"),
        ({"content": ["hi"]}, "content"),
        ({"author": "Sam"}, "author"),
        ({"id": {"a": 1}}, "id"),
        ({"type": 0}, "type"),
        ({"attachments": "photo.jpg"}, "attachments"),
        ({"reactions": [{"emoji": {"name": "x"}, "users": "all"}]}, "reactions"),
        ({"reference": {"messageId": ["1"]}}, "reference"),
    ],
)
def test_wrong_types_name_the_message_and_field(tmp_path: Path, changes: dict, field: str) -> None:
    path = dm_with(tmp_path, **changes)
    assert error_of(path) == (
        f"A message's '{field}' is not what DiscordChatExporter writes; {AGAIN} — in "
        f"{path.name}, message 1"
    )


def test_unreadable_timestamp(tmp_path: Path) -> None:
    path = dm_with(tmp_path, timestamp="last tuesday")
    assert error_of(path) == f"A message's 'timestamp' is not a date; {AGAIN} — in {path.name}, message 1"


def test_deep_nesting(tmp_path: Path) -> None:
    path = write(tmp_path, "dm.json", '{"guild": ' + "[" * 3000 + "]" * 3000 + "}")
    assert error_of(path).startswith("The file nests deeper than any DiscordChatExporter (as JSON) does;")


def test_errors_never_quote_the_chat(tmp_path: Path) -> None:
    assert "secret" not in error_of(dm_with(tmp_path, timestamp="secret rendezvous"))


# --- through fonder ---------------------------------------------------------------------------


def cli(tmp_path: Path, *args: str):
    return runner.invoke(app, ["--db", str(tmp_path / "db.duckdb"), "import", *args, "--json"])


def test_cli_imports_a_dm(tmp_path: Path) -> None:
    result = cli(tmp_path, str(HERE / "dm.json"), "--me", "Nora")
    assert result.exit_code == 0, result.output
    (chat,) = orjson.loads(result.stdout)["chats"]
    assert chat["platform"] == "discord"
    assert chat["me"] == "Nora"
    assert chat["kinds"] == {"call": 2, "media": 2, "reaction": 3, "sticker": 1, "system": 1, "text": 2}


def test_cli_refuses_a_group_without_a_pair(tmp_path: Path) -> None:
    result = cli(tmp_path, str(HERE / "group_dm.json"))
    assert result.exit_code == 2
    assert "group chat" in result.stderr


def test_cli_imports_a_folder_of_exports_and_skips_channels(tmp_path: Path) -> None:
    folder = tmp_path / "discord"
    folder.mkdir()
    for name in ("dm.json", "guild.json", "group_dm.json"):
        shutil.copy(HERE / name, folder / name)
    result = cli(tmp_path, str(folder), "--me", "Nora")
    assert result.exit_code == 0, result.output
    doc = orjson.loads(result.stdout)
    assert doc["skipped_groups"] == 2
    assert [c["participants"] for c in doc["chats"]] == [["Sam O", "Nora"]]
