"""Telegram Desktop's JSON export: goldens, detection, who is "me", bad input, the CLI."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import orjson
import polars as pl
import pytest
from typer.testing import CliRunner

from fonder.cli import app
from fonder.errors import ParseError
from fonder.ingest.base import ParseOptions, ParsedChat, Source
from fonder.ingest.discord import DiscordImporter
from fonder.ingest.signal import SignalExportImporter, SignalImporter
from fonder.ingest import telegram as telegram_module
from fonder.ingest.telegram import TelegramImporter
from fonder.ingest.whatsapp import WhatsAppImporter
from importer_rows import golden_rows

DATA = Path(__file__).parent / "data"
HERE = DATA / "telegram"
OPTIONS = ParseOptions(tz="Europe/Berlin")
IMP = TelegramImporter()
OTHERS = (SignalImporter(), SignalExportImporter(), DiscordImporter(), WhatsAppImporter())
runner = CliRunner()


def parse(path: Path, options: ParseOptions = OPTIONS) -> list[ParsedChat]:
    return IMP.parse(Source(path), options)


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def parse_error(path: Path) -> str:
    with pytest.raises(ParseError) as caught:
        parse(path)
    return str(caught.value)


@pytest.mark.parametrize("path", sorted(HERE.glob("*.json")), ids=lambda p: p.stem)
def test_golden(path: Path, update_golden: bool) -> None:
    rows = golden_rows(parse(path))
    expected = path.with_name(path.stem + ".expected.jsonl")
    if update_golden:
        expected.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    want = [orjson.loads(line) for line in expected.read_bytes().splitlines()]
    assert rows == want


@pytest.mark.parametrize("path", sorted(HERE.glob("*.json")), ids=lambda p: p.stem)
def test_read_in_pieces_or_whole_alike(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    want = golden_rows(parse(path))
    # Laid out as Telegram writes it, the file is read a few messages at a time...
    monkeypatch.setattr(telegram_module, "CHUNK_ITEMS", 2)
    with monkeypatch.context() as m:
        m.setattr(telegram_module, "load_json", lambda *a: pytest.fail("read whole"))
        assert golden_rows(parse(path)) == want
    # ...laid out otherwise (here: on one line), it is read as one document.
    one_line = write(tmp_path, "result.json", orjson.dumps(orjson.loads(path.read_bytes())))
    assert golden_rows(parse(one_line)) == want


@pytest.mark.parametrize("path", sorted(HERE.glob("*.json")), ids=lambda p: p.stem)
def test_every_golden_is_telegram_and_nothing_else(path: Path) -> None:
    source = Source(path)
    assert IMP.sniff(source)
    assert [o.name for o in OTHERS if o.sniff(source)] == []


@pytest.mark.parametrize(
    "path",
    [*sorted((DATA / "discord").glob("*.json")), *[p for p in sorted((DATA / "signal").glob("*.jsonl")) if ".expected." not in p.name],
     *sorted((DATA / "signal-export").glob("*.json"))],
    ids=lambda p: f"{p.parent.name}-{p.stem}",
)
def test_other_formats_are_not_telegram(path: Path) -> None:
    assert not IMP.sniff(Source(path))


@pytest.mark.parametrize(
    "name, body",
    [
        ("chat.txt", "3/2/26, 9:01 AM - Maya: good morning\n"),
        ("message_1.json", '{"participants": [{"name": "A"}], "messages": [{"sender_name": "A", '
         '"timestamp_ms": 1, "content": "hi"}], "title": "A", "thread_path": "inbox/a"}'),
        ("config.json", '{"type": "personal_chat"}'),
        ("list.json", '[{"type": "personal_chat", "messages": []}]'),
        ("empty.json", ""),
        ("result.json", "\x00\x01binary"),
    ],
)
def test_sniff_negatives(tmp_path: Path, name: str, body: str) -> None:
    assert not IMP.sniff(Source(write(tmp_path, name, body)))


def test_sniff_needs_a_json_name(tmp_path: Path) -> None:
    path = tmp_path / "result.txt"
    shutil.copy(HERE / "personal.json", path)
    assert not IMP.sniff(Source(path))


def test_single_chat_says_nothing_of_me_and_is_one_to_one() -> None:
    (chat,) = parse(HERE / "personal.json")
    assert chat.me is None
    assert not chat.is_group
    assert chat.platform == "telegram"
    assert chat.chat_key == "2000002"
    assert chat.title == "Sam Ortiz"
    assert chat.participants == ["Nora Lind", "Sam Ortiz"]
    assert chat.details == {"chat_type": "personal_chat"}


def test_account_export_knows_me_and_flags_groups() -> None:
    chats = parse(HERE / "account.json")
    by_key = {c.chat_key: c for c in chats}
    # Saved Messages and the empty chat with Jo hold no conversation.
    assert list(by_key) == ["2000002", "4000004", "6000006"]
    assert {c.me for c in chats} == {"Nora Lind"}
    assert by_key["4000004"].is_group
    assert not by_key["2000002"].is_group
    # Ada never wrote back: "me" still comes from the account's personal information.
    assert by_key["6000006"].participants == ["Ada Brook"]


def test_account_export_without_personal_information(tmp_path: Path) -> None:
    doc = orjson.loads((HERE / "account.json").read_bytes())
    del doc["personal_information"]
    chats = parse(write(tmp_path, "result.json", orjson.dumps(doc)))
    assert [c.me for c in chats] == [None, None, None]


def test_calls_map_to_calls_and_missed_calls() -> None:
    (chat,) = parse(HERE / "calls.json")
    calls = chat.messages.filter(pl.col("kind").is_in(["call", "missed_call"]))
    assert calls.select("kind", "call_s", "sender").rows() == [
        ("call", 754, "Sam Ortiz"),           # hangup after 12:34
        ("missed_call", None, "Nora Lind"),   # missed
        ("missed_call", None, "Nora Lind"),   # busy: declined
        ("missed_call", None, "Sam Ortiz"),   # hung up before anyone answered
        ("call", 61, "Sam Ortiz"),            # dropped after a minute
    ]


def test_reactions_name_who_reacted_and_point_at_the_message() -> None:
    (chat,) = parse(HERE / "reactions.json")
    reactions = chat.messages.filter(pl.col("kind") == "reaction")
    assert reactions.select("sender", "text", "reply_to").rows() == [
        ("Sam Ortiz", "🎉", "40"),
        ("Sam Ortiz", "❤", "40"),
        ("Nora Lind", "❤", "40"),
    ]  # the custom emoji lists no reactor, so it is not a row
    assert reactions.get_column("msg_id").null_count() == 3


def test_media_kinds() -> None:
    (chat,) = parse(HERE / "media.json")
    assert chat.messages.select("kind", "media").rows() == [
        ("media", "photo"),
        ("media", "voice_message"),
        ("media", "video_message"),
        ("sticker", "sticker"),
        ("media", "animation"),
        ("media", "file"),
        ("location", "52.52,13.405"),
        ("contact", None),
        ("poll", None),
        ("media", "video_file"),  # left out of the export, still a video that was sent
    ]


def test_entities_join_to_plain_text_and_keep_newlines() -> None:
    (chat,) = parse(HERE / "personal.json")
    texts = chat.messages.get_column("text").to_list()
    assert "not really, big day today\nwish me luck" in texts
    assert "you'll be great. this helps: https://example.org/breathe" in texts


def test_edits_and_replies() -> None:
    (chat,) = parse(HERE / "personal.json")
    rows = {r["msg_id"]: r for r in chat.messages.iter_rows(named=True)}
    assert rows["4"]["reply_to"] == "3"
    assert rows["5"]["edited"] is True
    assert rows["2"]["edited"] is False


def test_naive_dates_are_read_in_the_zone_given() -> None:
    (berlin,) = parse(HERE / "naive_dates.json", ParseOptions(tz="Europe/Berlin"))
    (tokyo,) = parse(HERE / "naive_dates.json", ParseOptions(tz="Asia/Tokyo"))
    assert berlin.tz == "Europe/Berlin"
    assert str(berlin.messages.item(0, "ts")) == "2024-12-31 22:59:00+00:00"
    assert str(tokyo.messages.item(0, "ts")) == "2024-12-31 14:59:00+00:00"


def test_unix_times_do_not_depend_on_the_zone() -> None:
    (berlin,) = parse(HERE / "personal.json", ParseOptions(tz="Europe/Berlin"))
    (tokyo,) = parse(HERE / "personal.json", ParseOptions(tz="Asia/Tokyo"))
    assert berlin.messages.get_column("ts").equals(tokyo.messages.get_column("ts"))
    assert berlin.tz == "UTC"


def test_deleted_account_keeps_one_name() -> None:
    (chat,) = parse(HERE / "deleted_account.json")
    assert chat.participants == ["Deleted Account", "Nora Lind"]
    assert chat.title is None


def test_renamed_sender_stays_one_participant(tmp_path: Path) -> None:
    doc = orjson.loads((HERE / "personal.json").read_bytes())
    doc["messages"][4]["from"] = "Sam (new phone)"
    (chat,) = parse(write(tmp_path, "result.json", orjson.dumps(doc)))
    assert chat.participants == ["Nora Lind", "Sam Ortiz"]


# --- bad input --------------------------------------------------------------------------------

AGAIN = "export it again from Telegram Desktop with the format 'Machine-readable JSON'"


def test_truncated_file(tmp_path: Path) -> None:
    data = (HERE / "personal.json").read_bytes()
    path = write(tmp_path, "result.json", data[: len(data) // 2])
    assert parse_error(path) == (
        "The file ends in the middle of its JSON, so it was cut short; export it again from "
        "Telegram Desktop (as JSON) and import the new file — in result.json, line 59"
    )


@pytest.mark.parametrize("which", [1, -1], ids=["middle", "last"])
def test_a_message_on_one_line_is_still_read(tmp_path: Path, which: int) -> None:
    doc = orjson.loads((HERE / "personal.json").read_bytes())
    text = (HERE / "personal.json").read_text(encoding="utf-8")
    lines = text.split("\n")
    # Put one message on a single line, as another program might have rewritten it.
    starts = [i for i, line in enumerate(lines) if line == "  {"]
    begin = starts[which]
    finish = next(i for i in range(begin, len(lines)) if lines[i].startswith("  }"))
    lines[begin : finish + 1] = ["  " + orjson.dumps(doc["messages"][which]).decode() + lines[finish][3:]]
    path = write(tmp_path, "result.json", "\n".join(lines))
    assert golden_rows(parse(path)) == golden_rows(parse(HERE / "personal.json"))


def test_broken_message_in_a_file_read_in_pieces(tmp_path: Path) -> None:
    lines = (HERE / "media.json").read_text(encoding="utf-8").split("\n")
    broken = next(i for i, line in enumerate(lines) if '"the menu"' in line)
    lines[broken] = lines[broken].replace('"the menu"', "the menu")
    path = write(tmp_path, "result.json", "\n".join(lines))
    assert parse_error(path) == (
        "The file is not valid JSON; export it again from Telegram Desktop (as JSON) and import "
        f"the new file — in result.json, line {broken + 1}"
    )


def test_cut_after_the_last_message(tmp_path: Path) -> None:
    data = (HERE / "personal.json").read_bytes().rstrip()
    assert data.endswith(b"]\n}")
    path = write(tmp_path, "result.json", data[:-2])
    assert parse_error(path).startswith("The file ends in the middle of its JSON, so it was cut short;")


def test_empty_chat(tmp_path: Path) -> None:
    path = write(tmp_path, "result.json", '{\n "name": "A",\n "type": "personal_chat",\n "id": 5,\n "messages": []\n}')
    (chat,) = parse(path)
    assert chat.messages.height == 0
    assert chat.participants == []


def test_not_json(tmp_path: Path) -> None:
    path = write(tmp_path, "result.json", '{\n "name": "x",\n "type": personal_chat\n}')
    assert parse_error(path) == (
        "The file is not valid JSON; export it again from Telegram Desktop (as JSON) and import "
        "the new file — in result.json, line 3"
    )


def test_not_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, "result.json", b'{"name": "\xff\xfe", "messages": []}')
    assert parse_error(path).startswith("The file is not UTF-8 text;")


def test_deep_nesting(tmp_path: Path) -> None:
    path = write(tmp_path, "result.json", '{"messages": ' + "[" * 5000 + "]" * 5000 + "}")
    assert parse_error(path).startswith("The file nests deeper than any Telegram Desktop (as JSON) does;")


@pytest.mark.parametrize(
    "doc, message",
    [
        ([1, 2], "The file is JSON but not a Telegram export; " + AGAIN + " — in result.json"),
        ({"about": "x"}, "The file is JSON but not a Telegram export; " + AGAIN + " — in result.json"),
        ({"messages": {"a": 1}}, "The chat has no list of messages; " + AGAIN + " — in result.json"),
        ({"messages": ["hi"]}, "A message is not a JSON object; " + AGAIN + " — in result.json, message 1"),
        ({"personal_information": {"user_id": 1}, "chats": {"list": "x"}},
         "The account export holds no list of chats (chats were not ticked when it was made); "
         + AGAIN + " — in result.json, chats"),
        ({"personal_information": {"first_name": "A"}, "chats": {"list": []}},
         "The account's personal information has no user id; " + AGAIN
         + " — in result.json, personal_information"),
        ({"chats": {"list": [{"type": "personal_chat", "messages": [{"id": 1, "date": "x"}, 5]}]}},
         "A message is not a JSON object; " + AGAIN + " — in result.json, chat 1, message 2"),
    ],
)
def test_json_of_another_shape(tmp_path: Path, doc: object, message: str) -> None:
    assert parse_error(write(tmp_path, "result.json", orjson.dumps(doc))) == message


@pytest.mark.parametrize(
    "message, field",
    [
        ({"id": 1, "type": "message", "date_unixtime": "soon", "text": "hi"}, "date_unixtime"),
        ({"id": 1, "type": "message", "text": "hi"}, "date"),
        ({"id": 1, "type": "message", "date_unixtime": "1", "text": 42}, "text"),
        ({"id": 1, "type": "message", "date_unixtime": "1", "text": [{"type": "bold", "text": 3}]}, "text"),
        ({"id": 1, "type": "message", "date_unixtime": "1", "from": 5, "text": ""}, "from"),
        ({"id": [1], "type": "message", "date_unixtime": "1", "text": ""}, "id"),
        ({"id": 1, "type": "service", "date_unixtime": "1", "action": "phone_call",
          "duration_seconds": "long", "text": ""}, "duration_seconds"),
        ({"id": 1, "type": "message", "date_unixtime": "1", "text": "", "reactions": {"a": 1}}, "reactions"),
    ],
)
def test_wrong_types_name_the_message_and_field(tmp_path: Path, message: dict, field: str) -> None:
    doc = {"name": "A", "type": "personal_chat", "id": 1, "messages": [message]}
    error = parse_error(write(tmp_path, "result.json", orjson.dumps(doc)))
    assert error == f"A message's '{field}' is not what Telegram writes; {AGAIN} — in result.json, message 1"


def test_unreadable_date(tmp_path: Path) -> None:
    doc = {"name": "A", "type": "personal_chat", "id": 1, "messages": [
        {"id": 1, "type": "message", "date": "2024-01-01T10:00:00", "text": "ok"},
        {"id": 2, "type": "message", "date": "yesterday", "text": "hi"},
    ]}
    assert parse_error(write(tmp_path, "result.json", orjson.dumps(doc))) == (
        f"A message's 'date' is not a date; {AGAIN} — in result.json, message 2"
    )


def test_errors_never_quote_the_chat(tmp_path: Path) -> None:
    doc = {"name": "A", "type": "personal_chat", "id": 1, "messages": [
        {"id": 1, "type": "message", "date_unixtime": "secret-words-here", "text": "secret"}]}
    assert "secret" not in parse_error(write(tmp_path, "result.json", orjson.dumps(doc)))


def test_error_in_a_zip_names_the_member(tmp_path: Path) -> None:
    archive = tmp_path / "Telegram.zip"
    data = (HERE / "personal.json").read_bytes()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("ChatExport_2025-06-01/result.json", data[:100])
    source = Source(archive, member="ChatExport_2025-06-01/result.json", data=data[:100])
    with pytest.raises(ParseError) as caught:
        IMP.parse(source, OPTIONS)
    assert str(caught.value).endswith("— in Telegram.zip › ChatExport_2025-06-01 › result.json, line 8")


# --- through fonder ---------------------------------------------------------------------------


@pytest.fixture
def account_zip(tmp_path: Path) -> Path:
    """A whole account's export as Telegram Desktop leaves it, zipped by the user."""
    archive = tmp_path / "DataExport_2025-06-01.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(HERE / "account.json", "DataExport_2025-06-01/result.json")
        zf.writestr("DataExport_2025-06-01/export_results.html", "<html></html>")
    return archive


def cli(tmp_path: Path, *args: str):
    return runner.invoke(app, ["--db", str(tmp_path / "db.duckdb"), "import", *args, "--json"])


def test_cli_imports_a_single_chat(tmp_path: Path) -> None:
    result = cli(tmp_path, str(HERE / "personal.json"), "--me", "Nora Lind")
    assert result.exit_code == 0, result.output
    (chat,) = orjson.loads(result.stdout)["chats"]
    assert chat["platform"] == "telegram"
    assert chat["me"] == "Nora Lind"
    assert chat["participants"] == ["Nora Lind", "Sam Ortiz"]
    assert chat["by_sender"] == {"Nora Lind": 2, "Sam Ortiz": 3}
    again = orjson.loads(cli(tmp_path, str(HERE / "personal.json"), "--me", "Nora Lind").stdout)
    assert (again["chats"][0]["added"], again["chats"][0]["already_known"]) == (0, 5)


def test_cli_imports_a_whole_account_and_skips_groups(tmp_path: Path, account_zip: Path) -> None:
    result = cli(tmp_path, str(account_zip))
    assert result.exit_code == 0, result.output
    doc = orjson.loads(result.stdout)
    assert doc["skipped_groups"] == 1
    assert [(c["me"], c["participants"]) for c in doc["chats"]] == [
        ("Nora Lind", ["Sam Ortiz", "Nora Lind"]),
        ("Nora Lind", ["Ada Brook"]),
    ]


def test_cli_merges_two_exports_of_one_chat(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    for name in ("personal", "calls"):
        (folder / name).mkdir(parents=True)
        shutil.copy(HERE / f"{name}.json", folder / name / "result.json")
    result = cli(tmp_path, str(folder), "--me", "Nora Lind")
    assert result.exit_code == 0, result.output
    (chat,) = orjson.loads(result.stdout)["chats"]
    assert chat["kinds"] == {"call": 2, "missed_call": 3, "system": 1, "text": 6}


def test_cli_reports_a_broken_file(tmp_path: Path) -> None:
    data = (HERE / "personal.json").read_bytes()
    path = write(tmp_path, "result.json", data[:200])
    result = cli(tmp_path, str(path), "--me", "Nora Lind")
    assert result.exit_code == 1
    assert "cut short" in result.stderr
    assert "Traceback" not in result.output
