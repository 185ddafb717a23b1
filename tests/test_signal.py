"""Signal: Signal Desktop's JSONL chat-history export and signal-export's data.json files."""

from __future__ import annotations

import base64
import shutil
import zipfile
from pathlib import Path

import orjson
import polars as pl
import pytest
from typer.testing import CliRunner

from fonder.cli import app
from fonder.errors import ParseError
from fonder.ingest import signal as signal_module
from fonder.ingest.base import ParseOptions, ParsedChat, Source
from fonder.ingest.discord import DiscordImporter
from fonder.ingest.signal import SignalExportImporter, SignalImporter
from fonder.ingest.telegram import TelegramImporter
from fonder.ingest.whatsapp import WhatsAppImporter
from importer_rows import golden_rows

DATA = Path(__file__).parent / "data"
JSONL = DATA / "signal"
SIGEXPORT = DATA / "signal-export"
OPTIONS = ParseOptions(tz="Europe/Berlin")
SIGNAL = SignalImporter()
SIGEX = SignalExportImporter()
ALL = (TelegramImporter(), SIGNAL, SIGEX, DiscordImporter(), WhatsAppImporter())
runner = CliRunner()
JSONL_AGAIN = "export the chat history again from Signal Desktop and import the new main.jsonl"
SIGEX_AGAIN = "export the chat again with signal-export (sigexport) and import its folder"


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def lines(*objs: object) -> str:
    return "".join(orjson.dumps(o).decode() + "\n" for o in objs)


def error_of(importer: SignalImporter | SignalExportImporter, path: Path) -> str:
    with pytest.raises(ParseError) as caught:
        importer.parse(Source(path), OPTIONS)
    return str(caught.value)


GOLDENS = [
    *[(SIGNAL, p) for p in sorted(JSONL.glob("*.jsonl")) if not p.name.endswith(".expected.jsonl")],
    *[(SIGEX, p) for p in sorted(SIGEXPORT.glob("*.json"))],
]


@pytest.mark.parametrize("importer, path", GOLDENS, ids=lambda v: getattr(v, "stem", ""))
def test_golden(importer: SignalImporter, path: Path, update_golden: bool) -> None:
    rows = golden_rows(importer.parse(Source(path), OPTIONS))
    expected = path.with_name(path.stem + ".expected.jsonl")
    if update_golden:
        expected.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    want = [orjson.loads(line) for line in expected.read_bytes().splitlines()]
    assert rows == want


@pytest.mark.parametrize("importer, path", GOLDENS, ids=lambda v: getattr(v, "stem", ""))
def test_every_golden_is_claimed_by_its_own_importer_only(importer: object, path: Path) -> None:
    assert [i.name for i in ALL if i.sniff(Source(path))] == [importer.name]


@pytest.mark.parametrize(
    "path",
    [*sorted((DATA / "telegram").glob("*.json")), *sorted((DATA / "discord").glob("*.json"))],
    ids=lambda p: f"{p.parent.name}-{p.stem}",
)
def test_other_formats_are_not_signal(path: Path) -> None:
    assert not SIGNAL.sniff(Source(path))
    assert not SIGEX.sniff(Source(path))


@pytest.mark.parametrize(
    "name, body",
    [
        ("main.jsonl", '{"type": "message", "text": "hi"}\n'),
        ("main.jsonl", ""),
        ("main.json", lines({"version": "1", "backupTimeMs": "1"})),
        ("data.json", '{"date": "2025-01-01T10:00:00", "sender": "A"}\n'),
        ("data.jsonl", '{"date": "2025-01-01T10:00:00", "sender": "A", "body": "x", "quote": ""}\n'),
        ("chat.txt", "3/2/26, 9:01 AM - Maya: good morning\n"),
    ],
)
def test_sniff_negatives(tmp_path: Path, name: str, body: str) -> None:
    source = Source(write(tmp_path, name, body))
    assert not SIGNAL.sniff(source)
    assert not SIGEX.sniff(source)


def test_sniff_reads_a_first_message_longer_than_it_looks_at(tmp_path: Path) -> None:
    row = {"date": "2025-01-10T10:00:00", "sender": "Me", "body": "so " * 10_000 + "  ",
           "quote": "", "sticker": "", "reactions": [], "attachments": []}
    path = write(tmp_path, "data.json", orjson.dumps(row).decode() + "\n")
    assert [i.name for i in ALL if i.sniff(Source(path))] == ["signal-export"]


def test_sniff_accepts_a_file_without_the_header(tmp_path: Path) -> None:
    body = (JSONL / "basic.jsonl").read_text().split("\n", 1)[1]
    assert SIGNAL.sniff(Source(write(tmp_path, "main.jsonl", body)))


# --- Signal Desktop's export ------------------------------------------------------------------


def parse(path: Path) -> list[ParsedChat]:
    return SIGNAL.parse(Source(path), OPTIONS)


def test_owner_is_me_by_the_account_name() -> None:
    (chat,) = parse(JSONL / "basic.jsonl")
    assert chat.me == "Nora Lind"
    assert chat.participants == ["Sam Ortiz", "Nora Lind"]
    assert chat.title == "Sam Ortiz"
    assert not chat.is_group
    assert chat.tz == "UTC"


def test_owner_without_a_name_is_me() -> None:
    (chat,) = parse(JSONL / "no_name.jsonl")
    assert chat.me == "Me"
    assert chat.participants == ["Me", "Sam Ortiz"]


def test_chat_key_is_the_contacts_service_id_not_the_files_numbering() -> None:
    (chat,) = parse(JSONL / "basic.jsonl")
    assert chat.chat_key == "00000003-1111-4111-8111-111111111111"


def test_many_chats_groups_flagged_notes_and_release_notes_left_out() -> None:
    chats = parse(JSONL / "many_chats.jsonl")
    assert [(c.title, c.is_group) for c in chats] == [
        ("Sam Ortiz", False),
        ("Ada Brook", False),
        ("Climbing crew", True),
    ]
    assert chats[1].chat_key == "e164:+15550000004"
    master = base64.b64encode(b"\x0a" * 32).decode()
    assert master not in chats[2].chat_key  # only a digest of the group's key is kept
    assert chats[2].participants == ["Sam Ortiz", "Jojo"]  # a nickname wins over the profile


def test_quotes_point_at_the_quoted_message() -> None:
    (chat,) = parse(JSONL / "basic.jsonl")
    ids = chat.messages.get_column("msg_id").to_list()
    replies = chat.messages.filter(pl.col("reply_to").is_not_null())
    assert replies.get_column("reply_to").to_list() == [ids[1]]


def test_edited_message_keeps_its_first_time_and_id() -> None:
    (chat,) = parse(JSONL / "edits.jsonl")
    first = chat.messages.row(0, named=True)
    assert first["edited"] is True
    assert first["text"] == "see you at 8 — no, 8:30!"  # the latest version
    assert str(first["ts"]) == "2025-05-01 08:00:00+00:00"
    assert chat.messages.item(1, "reply_to") == first["msg_id"]


def test_reactions_become_rows() -> None:
    (chat,) = parse(JSONL / "reactions.jsonl")
    reactions = chat.messages.filter(pl.col("kind") == "reaction")
    assert reactions.select("sender", "text").rows() == [
        ("Sam Ortiz", "🎉"), ("Nora Lind", "❤️"), ("Nora Lind", "😂"),
    ]
    sticker = chat.messages.filter(pl.col("kind") == "sticker").row(0, named=True)
    # A reaction without its own time (a zero is left out of the JSON) takes its message's.
    assert reactions.item(2, "ts") == sticker["ts"]
    assert reactions.item(2, "reply_to") == sticker["msg_id"]


def test_calls() -> None:
    (chat,) = parse(JSONL / "calls.jsonl")
    assert chat.messages.select("kind", "sender", "call_s").rows()[:6] == [
        ("call", "Nora Lind", None),
        ("missed_call", "Sam Ortiz", None),
        ("missed_call", "Nora Lind", None),
        ("call", "Sam Ortiz", None),  # unset direction and state: an accepted incoming call
        ("system", None, None),
        ("system", None, None),
    ]
    (_, _, group) = parse(JSONL / "many_chats.jsonl")
    assert group.messages.filter(pl.col("kind") == "call").select("sender", "call_s").rows() == [
        ("Jojo", 700)
    ]


def test_media_kinds() -> None:
    (chat,) = parse(JSONL / "media.jsonl")
    assert chat.messages.select("kind", "media").rows() == [
        ("media", "image"), ("media", "voice_message"), ("media", "gif"), ("media", "file"),
        ("sticker", "sticker"), ("contact", None), ("media", "view_once"), ("poll", None),
        ("deleted", None),
    ]


def test_same_millisecond_keeps_one_id(tmp_path: Path) -> None:
    body = (JSONL / "basic.jsonl").read_text().splitlines()
    clash = orjson.loads(body[-1])
    clash["chatItem"]["authorId"] = "3"
    clash["chatItem"]["incoming"] = {"dateReceived": "1"}
    del clash["chatItem"]["outgoing"]
    path = write(tmp_path, "main.jsonl", "\n".join([*body, orjson.dumps(clash).decode()]) + "\n")
    (chat,) = parse(path)
    ids = chat.messages.get_column("msg_id").to_list()
    assert ids[-2] is not None and ids[-1] is None  # fonder gives the second a digest


def test_big_chats_are_gathered_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signal_module, "CHUNK_ROWS", 2)
    (chunked,) = parse(JSONL / "reactions.jsonl")
    monkeypatch.undo()
    (whole,) = parse(JSONL / "reactions.jsonl")
    assert chunked.messages.equals(whole.messages)


# --- bad input (JSONL) --------------------------------------------------------------------------


def test_truncated_export(tmp_path: Path) -> None:
    data = (JSONL / "basic.jsonl").read_bytes()
    path = write(tmp_path, "main.jsonl", data[: len(data) - 30])
    assert error_of(SIGNAL, path) == (
        f"The file ends in the middle of a record, so it was cut short; {JSONL_AGAIN} — in "
        "main.jsonl, line 10"
    )


@pytest.mark.parametrize(
    "body, position, what",
    [
        ("", "", "The file is empty"),
        ("\n\n", "", "The file is empty"),
        ('{"version": "1", "backupTimeMs": "1"}\n{"chat": \n', "line 2", "A line is not valid JSON"),
        ('{"version": "1", "backupTimeMs": "1"}\n[1, 2]\n', "line 2", "A line is not a JSON object"),
        ('{"hello": "world"}\n', "line 1", "The file does not start as Signal's export does"),
        (lines({"version": "1"}, {"chat": {"id": "1", "recipientId": "9"}}), "line 2",
         "A record's 'chat' is not what Signal writes"),
        (lines({"version": "1"}, {"recipient": {"id": True, "self": {}}}), "line 2",
         "A record's 'recipient id' is not what Signal writes"),
        (lines({"version": "1"}, {"chatItem": {"chatId": "7", "dateSent": "1"}}), "line 2",
         "A record's 'chatId' is not what Signal writes"),
    ],
)
def test_bad_jsonl(tmp_path: Path, body: str, position: str, what: str) -> None:
    where = f"main.jsonl, {position}" if position else "main.jsonl"
    assert error_of(SIGNAL, write(tmp_path, "main.jsonl", body)) == f"{what}; {JSONL_AGAIN} — in {where}"


@pytest.mark.parametrize(
    "item, field",
    [
        ({"dateSent": "soon", "standardMessage": {}}, "dateSent"),
        ({"dateSent": 1.5, "standardMessage": {}}, "dateSent"),
        ({"dateSent": "1", "standardMessage": {"reactions": "many"}}, "reactions"),
        ({"dateSent": "1", "standardMessage": {"reactions": [{"emoji": "x", "sentTimestamp": "x"}]}},
         "sentTimestamp"),
        ({"dateSent": "1", "standardMessage": {"quote": {"targetSentTimestamp": "then"}}}, "quote"),
        ({"dateSent": "1", "revisions": {"a": 1}, "standardMessage": {}}, "revisions"),
        ({"dateSent": "1", "standardMessage": {"attachments": ["x"]}}, "attachments"),
    ],
)
def test_wrong_types_name_the_line_and_field(tmp_path: Path, item: dict, field: str) -> None:
    head = (JSONL / "basic.jsonl").read_text().splitlines()[:6]
    frame = {"chatItem": {"chatId": "1", "authorId": "3", "incoming": {}, **item}}
    path = write(tmp_path, "main.jsonl", "\n".join([*head, orjson.dumps(frame).decode()]) + "\n")
    assert error_of(SIGNAL, path) == (
        f"A record's '{field}' is not what Signal writes; {JSONL_AGAIN} — in main.jsonl, line 7"
    )


def test_errors_never_quote_the_chat(tmp_path: Path) -> None:
    path = write(tmp_path, "main.jsonl", '{"version": "1"}\n{"chatItem": "secret words"\n')
    assert "secret" not in error_of(SIGNAL, path)


# --- signal-export --------------------------------------------------------------------------------


def test_sigexport_owner_is_me_and_chat_is_named_after_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "out" / "SamOrtiz" / "data.json"
    path.parent.mkdir(parents=True)
    shutil.copy(SIGEXPORT / "basic.json", path)
    (chat,) = SIGEX.parse(Source(path), OPTIONS)
    assert chat.me == "Me"
    assert chat.title == "SamOrtiz"
    assert chat.chat_key == "sigexport:SamOrtiz"
    assert chat.participants == ["SamOrtiz", "Me"]
    assert chat.platform == "signal"


def test_sigexport_in_a_zip_is_named_after_its_folder(tmp_path: Path) -> None:
    source = Source(tmp_path / "signal.zip", member="out/SamOrtiz/data.json",
                    data=(SIGEXPORT / "basic.json").read_bytes())
    (chat,) = SIGEX.parse(source, OPTIONS)
    assert chat.chat_key == "sigexport:SamOrtiz"


def test_sigexport_reads_local_times_in_the_zone_given() -> None:
    (berlin,) = SIGEX.parse(Source(SIGEXPORT / "basic.json"), ParseOptions(tz="Europe/Berlin"))
    (tokyo,) = SIGEX.parse(Source(SIGEXPORT / "basic.json"), ParseOptions(tz="Asia/Tokyo"))
    assert str(berlin.messages.item(0, "ts")) == "2025-01-10 09:00:00.120000+00:00"
    assert str(tokyo.messages.item(0, "ts")) == "2025-01-10 01:00:00.120000+00:00"
    assert berlin.tz == "Europe/Berlin"


def test_sigexport_calls_reactions_and_notices() -> None:
    (calls,) = SIGEX.parse(Source(SIGEXPORT / "calls.json"), OPTIONS)
    assert calls.messages.select("kind", "call_s").rows() == [
        ("call", 754), ("missed_call", None), ("missed_call", None), ("missed_call", None),
        ("call", None), ("call", 45),
        ("text", None),  # someone writing about a missed call is still text
    ]
    (basic,) = SIGEX.parse(Source(SIGEXPORT / "basic.json"), OPTIONS)
    reactions = basic.messages.filter(pl.col("kind") == "reaction")
    # The owner's own reactions are filed under "Note to Self" by signal-export.
    assert reactions.select("sender", "text").rows() == [
        ("SamOrtiz", "❤️"), ("Me", "👍"), ("SamOrtiz", "😂"),
    ]
    assert basic.messages.filter(pl.col("sender").is_null()).get_column("kind").to_list() == ["system"]
    assert basic.messages.item(0, "text") == "hey you 👋"  # the two trailing spaces are gone


def test_sigexport_newer_fields() -> None:
    (chat,) = SIGEX.parse(Source(SIGEXPORT / "newer.json"), OPTIONS)
    assert chat.messages.select("kind", "edited", "call_s").rows() == [
        ("text", True, None), ("deleted", False, None), ("sticker", False, None),
        ("call", False, 125), ("missed_call", False, None),
    ]


def test_sigexport_truncated(tmp_path: Path) -> None:
    data = (SIGEXPORT / "basic.json").read_bytes()
    path = write(tmp_path, "data.json", data[:-20])
    assert error_of(SIGEX, path) == (
        f"The file ends in the middle of a message, so it was cut short; {SIGEX_AGAIN} — in "
        "data.json, line 7"
    )


@pytest.mark.parametrize(
    "row, what",
    [
        ({"date": "yesterday", "sender": "A", "body": "x"}, "A message's 'date' is not a date"),
        ({"date": 5, "sender": "A", "body": "x"}, "A message's 'date' is not what signal-export writes"),
        ({"date": "2025-01-01T10:00:00", "sender": ["A"], "body": "x"},
         "A message's 'sender' is not what signal-export writes"),
        ({"date": "2025-01-01T10:00:00", "sender": "A", "body": 3},
         "A message's 'body' is not what signal-export writes"),
        ({"date": "2025-01-01T10:00:00", "sender": "A", "body": "", "reactions": [["A"]]},
         "A message's 'reactions' is not what signal-export writes"),
        ({"date": "2025-01-01T10:00:00", "body": "x"}, "A line is not a signal-export message"),
    ],
)
def test_sigexport_bad_lines(tmp_path: Path, row: dict, what: str) -> None:
    first = (SIGEXPORT / "basic.json").read_text().splitlines()[0]
    path = write(tmp_path, "data.json", first + "\n" + orjson.dumps(row).decode() + "\n")
    assert error_of(SIGEX, path) == f"{what}; {SIGEX_AGAIN} — in data.json, line 2"


# --- through fonder ---------------------------------------------------------------------------


def cli(tmp_path: Path, *args: str):
    return runner.invoke(app, ["--db", str(tmp_path / "db.duckdb"), "import", *args, "--json"])


@pytest.fixture
def desktop_export_zip(tmp_path: Path) -> Path:
    """Signal Desktop's export folder (main.jsonl, metadata.json, files/), zipped."""
    archive = tmp_path / "signal-export-2025-06-01.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(JSONL / "many_chats.jsonl", "signal-export-2025-06-01/main.jsonl")
        zf.writestr("signal-export-2025-06-01/metadata.json", '{"version": 1}')
        zf.writestr("signal-export-2025-06-01/files/ab/abcdef", b"\x00" * 10)
    return archive


def test_cli_imports_the_desktop_export(tmp_path: Path, desktop_export_zip: Path) -> None:
    result = cli(tmp_path, str(desktop_export_zip))
    assert result.exit_code == 0, result.output
    doc = orjson.loads(result.stdout)
    assert doc["skipped_groups"] == 1
    assert [(c["platform"], c["me"], c["participants"]) for c in doc["chats"]] == [
        ("signal", "Nora Lind", ["Sam Ortiz", "Nora Lind"]),
        ("signal", "Nora Lind", ["Ada Brook"]),
    ]


def test_cli_imports_a_sigexport_folder(tmp_path: Path) -> None:
    out = tmp_path / "sigexport-out"
    for chat in ("SamOrtiz", "AdaBrook"):
        (out / chat).mkdir(parents=True)
        shutil.copy(SIGEXPORT / "basic.json", out / chat / "data.json")
        (out / chat / "chat.md").write_text("[2025-01-10 10:00:00] SamOrtiz: hey\n")
        (out / chat / "index.html").write_text("<html></html>")
    result = cli(tmp_path, str(out), "--tz", "Europe/Berlin")
    assert result.exit_code == 0, result.output
    doc = orjson.loads(result.stdout)
    assert sorted(c["participants"][0] for c in doc["chats"]) == ["SamOrtiz", "SamOrtiz"]
    assert {c["me"] for c in doc["chats"]} == {"Me"}
    assert len({c["chat_id"] for c in doc["chats"]}) == 2


def test_cli_format_name_reads_a_renamed_file(tmp_path: Path) -> None:
    path = tmp_path / "backup.txt"
    shutil.copy(JSONL / "basic.jsonl", path)
    result = cli(tmp_path, str(path), "--format", "signal")
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout)["chats"][0]["me"] == "Nora Lind"
