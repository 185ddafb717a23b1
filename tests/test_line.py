"""LINE: the .txt chat history."""

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
from fonder.ingest.base import ParseOptions, Source
from fonder.ingest.line import LineImporter
from fonder.ingest.whatsapp import WhatsAppImporter
from fonder.model import MESSAGE_SCHEMA
from importer_rows import rows_of

DATA = Path(__file__).parent / "data"
VARIANTS = sorted(p.stem for p in (DATA / "line").glob("*.txt"))
TZ = "Asia/Tokyo"
runner = CliRunner()


def parse(path: Path, **options: str) -> ingest.ParsedChat:
    (chat,) = LineImporter().parse(Source(path=path), ParseOptions(**{"tz": TZ, **options}))
    return chat


def write(tmp_path: Path, text: str, name: str = "[LINE] Chat with Kenji.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("variant", VARIANTS)
def test_golden(variant: str, update_golden: bool) -> None:
    chats = ingest.read(DATA / "line" / f"{variant}.txt", ParseOptions(tz=TZ))
    assert {rc.importer for rc in chats} == {"line"}
    assert all(dict(rc.parsed.messages.schema) == MESSAGE_SCHEMA for rc in chats)
    got = rows_of(chats)
    expected = DATA / "line" / f"{variant}.expected.jsonl"
    if update_golden:
        expected.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in got), encoding="utf-8")
    assert got == [orjson.loads(line) for line in expected.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("variant", VARIANTS)
def test_claimed_by_line_only(variant: str) -> None:
    source = Source(path=DATA / "line" / f"{variant}.txt")
    assert [i.name for i in ingest.IMPORTERS if i.sniff(source)] == ["line"]


def test_whatsapp_exports_are_not_claimed(tmp_path: Path) -> None:
    files = sorted((DATA / "whatsapp").rglob("*.txt")) if (DATA / "whatsapp").is_dir() else []
    samples = [
        "3/2/26, 9:01\u202fAM - Maya: good morning\n3/2/26, 9:20\u202fAM - Daniel: hi\n",
        "[31/12/2023, 21:41:05] Daniel: see you tomorrow\n",
        "31/12/2023, 21:41 - Daniel: 2023/12/31(Sun)\n31/12/2023, 21:42 - Daniel: 09:41\tx\ty\n",
    ]
    for path in files:
        assert not LineImporter().sniff(Source(path=path)), path
    for i, text in enumerate(samples):
        assert not LineImporter().sniff(Source(path=write(tmp_path, text, f"WhatsApp Chat {i}.txt")))


def test_inputs_of_the_other_formats_are_not_claimed() -> None:
    others = [p for fmt in ("instagram", "messenger", "snapchat", "googlechat") if (DATA / fmt).is_dir()
              for p in sorted((DATA / fmt).rglob("*")) if p.is_file() and not p.name.endswith(".expected.jsonl")]
    assert others
    for path in others:
        assert not LineImporter().sniff(Source(path=path)), path


def test_a_line_file_is_not_whatsapp() -> None:
    for variant in VARIANTS:
        assert not WhatsAppImporter().sniff(Source(path=DATA / "line" / f"{variant}.txt"))


def test_headerless_file_is_recognised_by_its_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "2023/12/31(Sun)\n09:41\tKenji\thi\n09:42\tMaya\thello\n", "history.txt")
    assert LineImporter().sniff(Source(path=path))
    chat = parse(path)
    assert chat.title is None and chat.me is None
    assert chat.participants == ["Kenji", "Maya"]


def test_plain_text_is_not_claimed(tmp_path: Path) -> None:
    path = write(tmp_path, "notes\n12:00 lunch\nbuy milk\n", "notes.txt")
    assert not LineImporter().sniff(Source(path=path))
    path = write(tmp_path, "[LINE] Chat history with Kenji\n", "chat.csv")
    assert not LineImporter().sniff(Source(path=path))


# ---------------------------------------------------------------------------------------------
# Mapping, me, groups, time zones
# ---------------------------------------------------------------------------------------------


def test_me_is_the_one_the_header_does_not_name() -> None:
    chat = parse(DATA / "line" / "english.txt")
    assert chat.title == "Kenji"
    assert chat.me == "Maya"
    assert not chat.is_group
    assert parse(DATA / "line" / "japanese.txt").me == "真矢"


def test_me_unknown_when_only_they_wrote(tmp_path: Path) -> None:
    path = write(tmp_path, "[LINE] Chat history with Kenji\nSaved on: 2024/01/02 10:15\n\n2023/12/31(Sun)\n09:41\tKenji\thi\n")
    chat = parse(path)
    assert chat.me is None
    assert chat.participants == ["Kenji"]


def test_group_header() -> None:
    chat = parse(DATA / "line" / "group.txt")
    assert chat.is_group
    assert chat.title == "Hiking crew"
    assert chat.participants == ["Priya", "Kenji", "Maya"]
    assert chat.me is None


def test_multi_line_message_in_quotes() -> None:
    frame = parse(DATA / "line" / "english.txt").messages
    assert frame.get_column("text")[1] == 'Line one\nline two with "quotes"\n\nafter a blank line'
    assert frame.get_column("text")[-1] == '"you too"', "a one-line message keeps its own quotes"


def test_kinds_and_call_lengths() -> None:
    frame = parse(DATA / "line" / "english.txt").messages
    assert frame.get_column("kind").to_list() == [
        "text", "text", "media", "sticker", "missed_call", "call", "deleted", "location", "text", "text",
    ]
    assert frame.filter(pl.col("kind") == "call").get_column("call_s").to_list() == [3723]
    assert frame.filter(pl.col("kind") == "deleted").get_column("sender").to_list() == ["Kenji"]


def test_naive_times_are_read_in_the_zone_given() -> None:
    tokyo = parse(DATA / "line" / "english.txt").messages.get_column("ts")[0]
    london = parse(DATA / "line" / "english.txt", tz="Europe/London").messages
    assert tokyo.isoformat() == "2023-12-31T00:41:00+00:00"
    assert london.get_column("ts")[0].isoformat() == "2023-12-31T09:41:00+00:00"
    assert london.get_column("tz").unique().to_list() == ["Europe/London"]


def test_machine_zone_when_none_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    (chat,) = LineImporter().parse(Source(path=DATA / "line" / "english.txt"), ParseOptions())
    assert chat.tz == "America/New_York"
    assert chat.messages.get_column("ts")[0].isoformat() == "2023-12-31T14:41:00+00:00"


def test_twelve_hour_clock_and_month_first_dates() -> None:
    frame = parse(DATA / "line" / "android.txt", tz="UTC").messages
    assert [t.isoformat() for t in frame.get_column("ts")] == [
        "2023-12-31T09:41:00+00:00", "2023-12-31T12:30:00+00:00",
        "2023-12-31T00:31:00+00:00", "2024-01-01T20:00:00+00:00",
    ]


def test_day_first_dates_when_they_cannot_be_month_first(tmp_path: Path) -> None:
    path = write(tmp_path, "Chat history with Kenji\nSaved on: 2/1/2024\n\nSun, 31/12/2023\n21:00\tKenji\thi\n\nMon, 1/1/2024\n09:00\tMaya\tyo\n")
    chat = parse(path, tz="UTC")
    assert [t.isoformat() for t in chat.messages.get_column("ts")] == [
        "2023-12-31T21:00:00+00:00", "2024-01-01T09:00:00+00:00",
    ]
    assert chat.details == {"date order": "dmy"}


def test_continuation_lines_without_quotes_join_their_message(tmp_path: Path) -> None:
    path = write(tmp_path, "[LINE] Chat history with Kenji\n\n2023/12/31(Sun)\n09:41\tKenji\tfirst\nsecond\n09:42\tMaya\tok\n")
    assert parse(path).messages.get_column("text").to_list() == ["first\nsecond", "ok"]


def test_crlf_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes("\ufeff[LINE] Chat history with Kenji\r\n\r\n2023/12/31(Sun)\r\n09:41\tKenji\thi\r\n".encode())
    assert LineImporter().sniff(Source(path=path))
    assert parse(path).messages.get_column("text").to_list() == ["hi"]


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------


def parse_error(tmp_path: Path, content: str | bytes) -> ParseError:
    path = tmp_path / "chat.txt"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    with pytest.raises(ParseError) as info:
        LineImporter().parse(Source(path=path), ParseOptions(tz=TZ))
    assert "secret" not in str(info.value)
    assert "chat.txt" in str(info.value)
    return info.value


def test_empty(tmp_path: Path) -> None:
    assert "empty" in parse_error(tmp_path, "").reason


def test_not_utf8(tmp_path: Path) -> None:
    assert "UTF-8" in parse_error(tmp_path, b"[LINE] Chat history with \xff\xfe\x00x\n").reason


def test_no_messages(tmp_path: Path) -> None:
    err = parse_error(tmp_path, "[LINE] Chat history with Kenji\nSaved on: 2024/01/02 10:15\n\nsecret words\n")
    assert "no messages" in err.reason


def test_message_before_any_date(tmp_path: Path) -> None:
    err = parse_error(tmp_path, "[LINE] Chat history with Kenji\n\n09:41\tKenji\tsecret\n")
    assert err.position == "line 3"


def test_impossible_date(tmp_path: Path) -> None:
    err = parse_error(tmp_path, "[LINE] Chat history with Kenji\n\n2023/13/45(Sun)\n09:41\tKenji\tsecret\n")
    assert err.position == "line 3" and "date" in err.reason


def test_impossible_time(tmp_path: Path) -> None:
    err = parse_error(tmp_path, "[LINE] Chat history with Kenji\n\n2023/12/31(Sun)\n29:41\tKenji\tsecret\n")
    assert err.position == "line 4" and "time" in err.reason


# ---------------------------------------------------------------------------------------------
# End to end
# ---------------------------------------------------------------------------------------------

needs_registration = pytest.mark.skipif(
    "line" not in ingest.format_names(), reason="the lead registers LineImporter in fonder.ingest.IMPORTERS"
)


@needs_registration
def test_cli_imports_a_line_chat_and_knows_me(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["--db", str(tmp_path / "db.duckdb"), "import", str(DATA / "line" / "english.txt"), "--tz", TZ, "--json"]
    )
    assert result.exit_code == 0, result.output
    (chat,) = orjson.loads(result.stdout)["chats"]
    assert chat["platform"] == "line" and chat["me"] == "Maya"
