"""SMS Backup & Restore (Android XML): goldens, the emoji repair while streaming, detection,
chats and "me", calls, bad input, the CLI."""

from __future__ import annotations

import io
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
from fonder.ingest import sms
from fonder.ingest.archive import open_sources
from fonder.ingest.base import ParseOptions, ParsedChat, Source
from fonder.ingest.imessage import IMessageImporter
from fonder.ingest.sms import RepairedXml, SmsBackupImporter, address_key, repair_references
from fonder.ingest.whatsapp import WhatsAppImporter
from fonder.model import MESSAGE_SCHEMA
from importer_rows import golden_rows

DATA = Path(__file__).parent / "data"
HERE = DATA / "sms"
OPTIONS = ParseOptions()
IMP = SmsBackupImporter()
runner = CliRunner()
XML_HEAD = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"


def others() -> list:
    """Every other importer: the ones fonder registers, iMessage and WhatsApp."""
    found = [i for i in fonder.ingest.IMPORTERS if not isinstance(i, SmsBackupImporter)]
    return [*found, IMessageImporter(), WhatsAppImporter()]


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


def sms_row(body: str, *, date: int = 1709370060000, kind: int = 1, address: str = "+15550100001",
            name: str = "Daniel") -> str:
    return (
        f'  <sms protocol="0" address="{address}" date="{date}" type="{kind}" subject="null" '
        f'body="{body}" toa="null" sc_toa="null" service_center="null" read="1" status="-1" '
        f'locked="0" date_sent="0" readable_date="Mar 2, 2024" contact_name="{name}" />\n'
    )


def smses(*rows: str) -> str:
    return XML_HEAD + f'<smses count="{len(rows)}">\n' + "".join(rows) + "</smses>\n"


FILES = sorted(HERE.glob("*.xml"))


# --- goldens --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_golden(path: Path, update_golden: bool) -> None:
    rows = golden_rows(parse(path))
    expected = path.with_name(path.stem + ".expected.jsonl")
    if update_golden:
        expected.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    want = [orjson.loads(line) for line in expected.read_bytes().splitlines()]
    assert rows == want


def test_rows_have_the_message_schema() -> None:
    (chat,) = parse(HERE / "basic.xml")
    assert chat.messages.schema == pl.Schema(MESSAGE_SCHEMA)
    assert chat.messages.get_column("tz").unique().to_list() == ["UTC"]


# --- repairing references -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, fixed",
    [
        ("&#55357;&#56832;", "😀"),
        ("&#xD83D;&#xDE00;", "😀"),
        ("&#xd83d;&#xde00;", "😀"),
        ("a&#10;b&#9;c&#13;", "a&#10;b&#9;c&#13;"),  # allowed references stay as written
        ("&#10084;&#65039;", "&#10084;&#65039;"),
        ("&#65039;&#55357;&#56884;", "&#65039;😴"),  # a pair right after another reference
        ("&#55357;", "\ufffd"),  # a lone high half
        ("&#56832;x", "\ufffdx"),  # a lone low half
        ("&#55357;&#55357;&#56832;", "\ufffd😀"),  # two highs: the first is alone
        ("&#55357;x&#56832;", "\ufffdx\ufffd"),  # the halves are not adjacent
        ("a&#27;b&#0;c&#x1F;d", "abcd"),  # control characters XML forbids are dropped
        ("&#65535;&#65534;", "\ufffd\ufffd"),
        ("&#55295;&#57344;", "&#55295;&#57344;"),  # just outside the surrogates: fine as they are
        ("raw\x0bvertical\x00tab", "rawverticaltab"),
        ("&amp;#55357;", "&amp;#55357;"),  # an escaped ampersand is text, not a reference
    ],
)
def test_repair_references(raw: str, fixed: str) -> None:
    assert repair_references(raw.encode()) == fixed.encode()


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 64, 1 << 20])
def test_repair_is_the_same_whatever_the_chunk_boundaries(chunk: int) -> None:
    data = (HERE / "emoji.xml").read_bytes()
    stream = RepairedXml(io.BytesIO(data), chunk=chunk)
    pieces = []
    while piece := stream.read():
        pieces.append(piece)
    assert b"".join(pieces) == repair_references(data)
    assert stream.consumed == len(data)


def test_emoji_become_real_characters() -> None:
    (chat,) = parse(HERE / "emoji.xml")
    texts = chat.messages.get_column("text").to_list()
    assert texts[0] == "Morning 😀 did you sleep ok?"
    assert texts[1] == "like a log ❤️😴😴"
    assert texts[4] == "🤷\u200d♂️ shrug"


def test_a_big_file_streams_in_small_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sms, "READ_BYTES", 4096)
    monkeypatch.setattr(sms, "FRAME_ROWS", 1000)
    rows = [sms_row(f"message {i} &#55357;&#56832;", date=1709370060000 + i * 1000, kind=1 + i % 2) for i in range(5000)]
    path = write(tmp_path, "sms-big.xml", smses(*rows))
    seen: list[tuple[int, int | None]] = []
    (chat,) = IMP.parse(Source(path), ParseOptions(progress=lambda d, t, w: seen.append((d, t))))
    assert chat.messages.height == 5000
    assert chat.messages.get_column("text").to_list()[4999] == "message 4999 😀"
    assert chat.messages.get_column("sender").value_counts().sort("sender").rows() == [("Daniel", 2500), ("Me", 2500)]
    assert len(seen) > 50
    assert seen[-1] == (path.stat().st_size, path.stat().st_size)


# --- addresses ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a, b",
    [
        ("+1 (555) 010-0007", "5550100007"),
        ("+15550100007", "15550100007"),
        ("+33 6 12 34 56 78", "06 12 34 56 78"),
        ("+45 12 34 56 78", "12345678"),
        ("Maya@Example.com", "maya@example.com"),
        ("VERIZON", "verizon"),
    ],
)
def test_one_person_written_two_ways_is_one_key(a: str, b: str) -> None:
    assert address_key(a) == address_key(b)


def test_different_numbers_are_different_keys() -> None:
    assert address_key("+15550100007") != address_key("+15550100008")
    assert address_key("72345") != address_key("+15550172345")


# --- detection ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_golden_is_sms_and_nothing_else(path: Path) -> None:
    source = Source(path)
    assert IMP.sniff(source)
    assert [o.name for o in others() if o.sniff(source)] == []


@pytest.mark.parametrize(
    "path",
    sorted(p for p in DATA.rglob("*") if p.is_file() and p.parent.name != "sms"),
    ids=lambda p: f"{p.parent.name}-{p.name}",
)
def test_other_formats_are_not_sms(path: Path) -> None:
    assert not IMP.sniff(Source(path))


def test_imessage_databases_are_not_sms(tmp_path: Path) -> None:
    path = tmp_path / "chat.db"
    con = sqlite3.connect(path)
    con.executescript((DATA / "imessage" / "basic.sql").read_text(encoding="utf-8"))
    con.commit()
    con.close()
    assert not IMP.sniff(Source(path))


@pytest.mark.parametrize(
    "name, body",
    [
        ("sms.xml", ""),
        ("sms.xml", XML_HEAD + "<backup><sms address='1' /></backup>"),
        ("sms.xml", XML_HEAD + "<!-- <smses count='1'> -->\n<other/>"),
        ("chat.txt", "3/2/26, 9:01 AM - Maya: <smses count=\"1\"> is a tag\n"),
        ("sms.json", '{"smses": []}'),
        ("calls.html", "<html><body><calls></calls></body></html>"),
        ("sms.xml", "\x00\x01<smses"),
    ],
    ids=["empty", "other-root", "root-in-comment", "whatsapp", "json", "html", "binary"],
)
def test_sniff_negatives(tmp_path: Path, name: str, body: str) -> None:
    assert not IMP.sniff(Source(write(tmp_path, name, body)))


@pytest.mark.parametrize(
    "body",
    [
        '<smses count="0" />',
        "\ufeff" + XML_HEAD + '<smses count="0"></smses>',
        XML_HEAD + "<!--File Created By SMS Backup & Restore v10.20.002-->\n"
        '<?xml-stylesheet type="text/xsl" href="calls.xsl"?>\n<calls count="0"></calls>',
    ],
    ids=["bare", "bom", "calls-with-comment-and-stylesheet"],
)
def test_sniff_positives(tmp_path: Path, body: str) -> None:
    assert IMP.sniff(Source(write(tmp_path, "backup.xml", body)))


# --- chats, me, groups, calls ---------------------------------------------------------------------


def test_sent_rows_are_me_and_received_rows_the_contact() -> None:
    (chat,) = parse(HERE / "basic.xml")
    assert chat.platform == "sms"
    assert chat.me == "Me"
    assert not chat.is_group
    assert chat.title == "Daniel"
    assert chat.participants == ["Daniel", "Me"]
    assert chat.chat_key == address_key("+15550100001")
    assert chat.details == {"file": "messages", "skipped_drafts": "1", "skipped_failed": "1"}


def test_an_unknown_contact_is_named_by_its_fullest_number() -> None:
    (chat,) = parse(HERE / "unknown_contact.xml")
    assert chat.participants == ["Me", "+15550100008"]
    assert chat.title == "+15550100008"


def test_group_mms_is_a_group_and_each_person_keeps_a_one_to_one_chat() -> None:
    group, jordan = parse(HERE / "group_mms.xml")
    assert group.is_group
    assert group.participants == ["Casey", "Me", "Jordan"]
    assert group.messages.get_column("sender").to_list() == ["Casey", "Me", "Jordan"]
    assert not jordan.is_group
    assert jordan.participants == ["Jordan", "Me"]
    assert all(c.me == "Me" for c in (group, jordan))


def test_mms_parts_make_media_contact_and_text() -> None:
    (chat,) = parse(HERE / "mms.xml")
    rows = chat.messages.select("kind", "text", "media", "msg_id").rows()
    assert rows == [
        ("text", "on my way up the trail", None, None),
        ("media", "the view from the top!\nworth it", "image/jpeg", "mms-0001@example.net"),
        ("text", "a long message that went as MMS", None, "mms-0002@example.net"),
        ("contact", None, "text/x-vcard", None),
    ]
    assert chat.details == {"file": "messages", "skipped_drafts": "1"}


def test_calls_map_to_calls_and_missed_calls() -> None:
    (chat,) = parse(HERE / "calls.xml")
    rows = chat.messages.select("sender", "kind", "call_s").rows()
    assert rows == [
        ("Daniel", "call", 754),  # incoming
        ("Me", "missed_call", None),  # outgoing, nobody answered
        ("Me", "call", 62),  # outgoing
        ("Daniel", "missed_call", None),  # missed
        ("Daniel", "missed_call", None),  # voicemail
        ("Daniel", "missed_call", None),  # rejected
        ("Daniel", "missed_call", None),  # blocked
        ("Daniel", "call", 35),  # answered on another device
    ]
    assert chat.me == "Me"
    assert chat.details == {"file": "calls", "skipped_private_number": "1"}


def test_calls_and_messages_of_one_person_share_a_chat_key() -> None:
    (messages,) = parse(HERE / "basic.xml")
    (calls,) = parse(HERE / "calls.xml")
    assert (messages.platform, messages.chat_key) == (calls.platform, calls.chat_key)
    assert calls.participants == messages.participants


def test_an_archive_member_is_read_from_memory(tmp_path: Path) -> None:
    archive = tmp_path / "backup.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(HERE / "basic.xml", "SMSBackupRestore/sms-20240302180000.xml")
        zf.write(HERE / "calls.xml", "SMSBackupRestore/calls-20240303180000.xml")
    sources = open_sources(archive)
    assert [IMP.sniff(s) for s in sources] == [True, True]
    assert golden_rows(IMP.parse(sources[0], OPTIONS)) == golden_rows(parse(HERE / "basic.xml"))


# --- bad input ------------------------------------------------------------------------------------


def test_truncated_file(tmp_path: Path) -> None:
    data = (HERE / "basic.xml").read_bytes()
    path = write(tmp_path, "sms-cut.xml", data[: len(data) * 2 // 3])
    message = parse_error(path)
    assert message.startswith(
        "The file ends in the middle of the XML (it was cut short) — copy or export the backup again — in sms-cut.xml, line "
    )


def test_broken_xml(tmp_path: Path) -> None:
    path = write(tmp_path, "sms.xml", smses(sms_row("fine")).replace('read="1"', 'read="1" read="1"', 1))
    assert parse_error(path) == (
        "The XML is broken at this point — export the backup again from SMS Backup & Restore — in sms.xml, line 3"
    )


def test_another_xml_root(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.xml", XML_HEAD + "<notes><note>hi</note></notes>")
    assert parse_error(path) == (
        "The XML's root is <notes>, not <smses> or <calls>, so it is not an SMS Backup & Restore "
        "backup — import the sms-….xml or calls-….xml file — in notes.xml, line 1"
    )


def test_a_date_that_is_not_a_number(tmp_path: Path) -> None:
    path = write(tmp_path, "sms.xml", smses(sms_row("ok"), sms_row("secret words").replace('date="1709370060000"', 'date="yesterday"')))
    message = parse_error(path)
    assert message == (
        "A date is not a number of milliseconds as SMS Backup & Restore writes it — export the "
        "backup again — in sms.xml, record 2"
    )
    assert "secret" not in message


@pytest.mark.parametrize("date", ["-5", "99999999999999999999", "1.5e12", "null"])
def test_dates_out_of_range_or_missing(tmp_path: Path, date: str) -> None:
    path = write(tmp_path, "sms.xml", smses(sms_row("ok"), sms_row("bad").replace('date="1709370060000"', f'date="{date}"')))
    if date == "null":  # no date at all: the row is skipped and counted
        (chat,) = parse(path)
        assert chat.details["skipped_undated"] == "1"
        return
    assert parse_error(path).endswith("— in sms.xml, record 2")


def test_a_type_that_is_not_a_number(tmp_path: Path) -> None:
    path = write(tmp_path, "sms.xml", smses(sms_row("ok", kind=1).replace('type="1"', 'type="inbox"')))
    assert parse_error(path) == (
        "The message type is not a number as SMS Backup & Restore writes it — export the backup "
        "again — in sms.xml, record 1"
    )


def test_deep_nesting(tmp_path: Path) -> None:
    path = write(tmp_path, "sms.xml", XML_HEAD + "<smses>" + "<a>" * 10_000 + "</a>" * 10_000 + "</smses>")
    assert parse_error(path) == (
        "The XML nests deeper than an SMS backup does — this is not a file SMS Backup & Restore "
        "wrote; export the backup again — in sms.xml, record 1"
    )


def test_entity_declarations_are_refused(tmp_path: Path) -> None:
    bomb = (
        XML_HEAD + '<!DOCTYPE smses [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        + smses(sms_row("&b;")).split("\n", 1)[1]
    )
    assert parse_error(write(tmp_path, "sms.xml", bomb)) == (
        "The file declares a DTD, which SMS Backup & Restore never writes — export the backup "
        "again from the app — in sms.xml, line 1"
    )


def test_a_backup_without_messages(tmp_path: Path) -> None:
    assert parse_error(write(tmp_path, "sms.xml", smses())) == (
        "The backup holds no messages fonder can read — check that SMS Backup & Restore backed up "
        "messages, and export again — in sms.xml"
    )
    calls = XML_HEAD + '<calls count="0"></calls>'
    assert parse_error(write(tmp_path, "calls.xml", calls)) == (
        "The backup holds no calls fonder can read — check that SMS Backup & Restore backed up "
        "calls, and export again — in calls.xml"
    )


def test_an_empty_file(tmp_path: Path) -> None:
    assert parse_error(write(tmp_path, "sms.xml", "")) == (
        "The file is empty — export the backup again from SMS Backup & Restore — in sms.xml"
    )


# --- the CLI --------------------------------------------------------------------------------------


def test_cli_imports_a_backup_and_knows_who_is_me(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--db", str(tmp_path / "s.duckdb"), "import", str(HERE / "basic.xml"), "--json"])
    assert result.exit_code == 0, result.output
    (chat,) = orjson.loads(result.stdout)["chats"]
    assert chat["me"] == "Me"
    assert chat["participants"] == ["Daniel", "Me"]
    assert chat["messages"] == 5


def test_cli_merges_calls_into_the_messages_of_the_same_person(tmp_path: Path) -> None:
    folder = tmp_path / "SMSBackupRestore"
    folder.mkdir()
    (folder / "sms-20240302180000.xml").write_bytes((HERE / "basic.xml").read_bytes())
    (folder / "calls-20240303180000.xml").write_bytes((HERE / "calls.xml").read_bytes())
    result = runner.invoke(app, ["--db", str(tmp_path / "s.duckdb"), "import", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    (chat,) = orjson.loads(result.stdout)["chats"]
    assert chat["messages"] == 5 + 8
    assert chat["participants"] == ["Daniel", "Me"]


def test_cli_reports_a_broken_backup_in_one_sentence(tmp_path: Path) -> None:
    data = (HERE / "basic.xml").read_bytes()
    path = write(tmp_path, "sms-cut.xml", data[:1500])
    result = runner.invoke(app, ["--db", str(tmp_path / "s.duckdb"), "import", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "The file ends in the middle of the XML" in result.output
