"""Instagram and Messenger: Meta's "Download your information" (JSON) and Messenger's end-to-end
encrypted chats download."""

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
from fonder.ingest.googlechat import GoogleChatImporter
from fonder.ingest.line import LineImporter
from fonder.ingest.meta import InstagramImporter, MessengerImporter, repair_mojibake
from fonder.ingest.snapchat import SnapchatImporter
from fonder.ingest.whatsapp import WhatsAppImporter
from fonder.model import MESSAGE_SCHEMA
from importer_rows import rows_of

DATA = Path(__file__).parent / "data"
FORMATS = ("instagram", "messenger")
VARIANTS = sorted((fmt, p.name) for fmt in FORMATS for p in (DATA / fmt).iterdir() if p.is_dir())
IG_THREAD = "your_instagram_activity/messages/inbox/danielreyes_17841400000000001"
runner = CliRunner()


def meta_doc(messages: list, participants: tuple[str, ...] = ("Daniel Reyes", "Maya Chen")) -> dict:
    return {
        "participants": [{"name": p} for p in participants],
        "messages": messages,
        "title": participants[0],
        "thread_path": "inbox/danielreyes_17841400000000001",
    }


def write_thread(root: Path, doc: dict | str | bytes, where: str = IG_THREAD, name: str = "message_1.json") -> Path:
    path = root / where / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(doc, dict):
        doc = json.dumps(doc)
    path.write_bytes(doc.encode() if isinstance(doc, str) else doc)
    return path


# ---------------------------------------------------------------------------------------------
# Goldens
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "variant"), VARIANTS)
def test_golden(fmt: str, variant: str, update_golden: bool) -> None:
    chats = ingest.read(DATA / fmt / variant, ParseOptions())
    assert {rc.importer for rc in chats} == {fmt}
    assert all(dict(rc.parsed.messages.schema) == MESSAGE_SCHEMA for rc in chats)
    got = rows_of(chats)
    expected = DATA / fmt / f"{variant}.expected.jsonl"
    if update_golden:
        expected.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in got), encoding="utf-8")
    want = [orjson.loads(line) for line in expected.read_text(encoding="utf-8").splitlines()]
    assert got == want


@pytest.mark.parametrize(("fmt", "variant"), VARIANTS)
def test_every_input_is_claimed_by_its_own_importer_only(fmt: str, variant: str) -> None:
    sources = open_sources(DATA / fmt / variant)
    assert sources
    for source in sources:
        assert [i.name for i in ingest.IMPORTERS if i.sniff(source)] == [fmt], source.display


# ---------------------------------------------------------------------------------------------
# What is (not) a Meta file
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("message_1.json", '{"participants": ["a"], "chats": []}'),
        ("message_1.json", "[]"),
        ("message_1.json", '{"name": "Maya", "type": "personal_chat", "id": 1, "messages": [{"id": 1, "date": "2024"}]}'),
        ("messages.json", '[{"ID": 1, "Timestamp": "2024-01-01 00:00:00", "Contents": "hi"}]'),
        ("result.json", '{"personal_information": {"user_id": 1}, "chats": {"list": []}}'),
        ("posts_1.json", '[{"media": [{"uri": "x.jpg"}]}]'),
        ("data.json", '{"participants": [{"name": "A"}], "messages": [{"sender_name": "A", "timestamp_ms": 1}]}'),
        ("notes.txt", "3/2/26, 9:01 AM - Maya: good morning\n"),
        ("chat_history.json", '{"Received Saved Chat History": []}'),
    ],
)
def test_other_files_are_not_claimed(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    source = Source(path=path)
    assert not InstagramImporter().sniff(source)
    assert not MessengerImporter().sniff(source)


def test_inputs_of_the_other_formats_are_not_claimed() -> None:
    others = [p for fmt in ("snapchat", "line", "googlechat", "whatsapp") if (DATA / fmt).is_dir()
              for p in sorted((DATA / fmt).rglob("*")) if p.is_file() and not p.name.endswith(".expected.jsonl")]
    assert others
    for path in others:
        source = Source(path=path)
        assert not InstagramImporter().sniff(source), path
        assert not MessengerImporter().sniff(source), path


def test_meta_files_are_not_claimed_by_whatsapp_or_the_others() -> None:
    for fmt, variant in VARIANTS:
        for source in open_sources(DATA / fmt / variant):
            for imp in (WhatsAppImporter(), SnapchatImporter(), LineImporter(), GoogleChatImporter()):
                assert not imp.sniff(source), (imp.name, source.display)


THREAD = meta_doc([{"sender_name": "Maya Chen", "timestamp_ms": 1704100000000, "content": "hello"}])


@pytest.mark.parametrize(
    ("zip_name", "inner", "platform"),
    [
        ("instagram-mayachen-2024-01-05-AbCdEf.zip", "messages/inbox/danielreyes_1", "instagram"),
        ("facebook-mayachen-2024-01-05-AbCdEf.zip", "messages/inbox/danielreyes_1", "messenger"),
        ("download.zip", "your_instagram_activity/messages/inbox/danielreyes_1", "instagram"),
        ("download.zip", "your_facebook_activity/messages/inbox/danielreyes_1", "messenger"),
        ("download.zip", "messages/inbox/danielreyes_1", "messenger"),
    ],
)
def test_instagram_and_messenger_told_apart_by_where_the_file_sits(
    tmp_path: Path, zip_name: str, inner: str, platform: str
) -> None:
    path = tmp_path / zip_name
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{inner}/message_1.json", json.dumps(THREAD))
    (source,) = open_sources(path)
    assert [i.name for i in (InstagramImporter(), MessengerImporter()) if i.sniff(source)] == [platform]
    (chat,) = (InstagramImporter() if platform == "instagram" else MessengerImporter()).parse(source, ParseOptions())
    assert chat.platform == platform


def test_instagram_told_apart_by_what_the_file_holds(tmp_path: Path) -> None:
    doc = meta_doc([{"sender_name": "Maya Chen", "timestamp_ms": 1704100000000,
                     "share": {"link": "https://www.instagram.com/p/Cmadeup/", "original_content_owner": "x"}}])
    path = write_thread(tmp_path, doc, where="thread")
    assert InstagramImporter().sniff(Source(path=path))
    assert not MessengerImporter().sniff(Source(path=path))
    plain = write_thread(tmp_path, THREAD, where="plain")
    assert MessengerImporter().sniff(Source(path=plain)), "nothing tells: Messenger"
    assert not InstagramImporter().sniff(Source(path=plain))


# ---------------------------------------------------------------------------------------------
# Mojibake
# ---------------------------------------------------------------------------------------------


def test_mojibake_is_repaired_only_where_it_is_mojibake() -> None:
    def moj(s: str) -> str:
        return s.encode("utf-8").decode("latin-1")

    got = repair_mojibake(pl.Series([moj("café"), "café", moj("😂"), "plain", None, moj("é") + " and é", moj("Zoë ❤️")]))
    assert got.to_list() == ["café", "café", "😂", "plain", None, moj("é") + " and é", "Zoë ❤️"]


def test_names_and_reactions_are_repaired_too() -> None:
    (rc,) = [c for c in ingest.read(DATA / "instagram" / "mojibake", ParseOptions(), "instagram")]
    assert rc.parsed.participants == ["Zoë Müller", "Maya Chen"]
    assert rc.parsed.title == "Zoë Müller"
    (rc,) = ingest.read(DATA / "instagram" / "reactions", ParseOptions(), "instagram")
    assert rc.parsed.messages.filter(pl.col("kind") == "reaction").get_column("text").to_list() == ["😍", "❤", "😂"]


# ---------------------------------------------------------------------------------------------
# Who is me; groups; many chats; split threads
# ---------------------------------------------------------------------------------------------


def test_owner_is_the_one_person_in_every_thread_of_a_download() -> None:
    chats = ingest.read(DATA / "instagram" / "download", ParseOptions())
    assert {rc.parsed.chat_key: rc.parsed.me for rc in chats} == {
        "bookclub_17841400000000004": "Maya Chen",
        "danielreyes_17841400000000001": "Maya Chen",
        "priyanair_17841400000000003": "Maya Chen",
    }
    assert {rc.parsed.chat_key: rc.parsed.is_group for rc in chats} == {
        "bookclub_17841400000000004": True,
        "danielreyes_17841400000000001": False,
        "priyanair_17841400000000003": False,
    }


def test_one_thread_from_a_download_on_disk_still_knows_its_owner() -> None:
    path = DATA / "instagram" / "download" / "your_instagram_activity/messages/inbox/priyanair_17841400000000003/message_1.json"
    (chat,) = InstagramImporter().parse(Source(path=path), ParseOptions())
    assert chat.me == "Maya Chen"


def test_a_thread_file_on_its_own_cannot_say_who_is_me(tmp_path: Path) -> None:
    src = DATA / "instagram" / "text" / IG_THREAD / "message_1.json"
    path = tmp_path / "message_1.json"
    shutil.copy(src, path)
    (chat,) = InstagramImporter().parse(Source(path=path), ParseOptions())
    assert chat.me is None
    assert chat.participants == ["Daniel Reyes", "Maya Chen"]
    assert chat.chat_key == "danielreyes_17841400000000001", "thread_path names the thread"


@pytest.fixture
def download_zip(tmp_path: Path) -> Path:
    """The unpacked download in tests/data, zipped as Meta delivers it."""
    path = tmp_path / "instagram-mayachen-2024-01-05-AbCdEf.zip"
    root = DATA / "instagram" / "download"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(root.rglob("*")):
            if f.is_file():
                zf.write(f, f.relative_to(root).as_posix())
    return path


def test_owner_and_platform_from_a_zipped_download(download_zip: Path) -> None:
    chats = ingest.read(download_zip, ParseOptions())
    assert len(chats) == 3
    assert {rc.parsed.platform for rc in chats} == {"instagram"}
    assert {rc.parsed.me for rc in chats} == {"Maya Chen"}


def test_owner_is_unknown_when_no_one_is_in_every_thread(tmp_path: Path) -> None:
    inbox = "your_instagram_activity/messages/inbox"
    write_thread(tmp_path, meta_doc([], ("Daniel Reyes", "Maya Chen")), f"{inbox}/a_1")
    path = write_thread(tmp_path, meta_doc(
        [{"sender_name": "Priya Nair", "timestamp_ms": 1704100000000, "content": "hi"}],
        ("Priya Nair", "Ines Duarte")), f"{inbox}/b_2")
    (chat,) = InstagramImporter().parse(Source(path=path), ParseOptions())
    assert chat.me is None


def test_group_thread_is_a_group() -> None:
    (rc,) = ingest.read(DATA / "messenger" / "group", ParseOptions(), "messenger")
    assert rc.parsed.is_group
    assert rc.parsed.title == "Hiking crew"
    assert rc.parsed.participants == ["Priya Nair", "Daniel Reyes", "Maya Chen"]


def test_a_thread_split_over_files_comes_back_as_one_chat() -> None:
    (rc,) = ingest.read(DATA / "instagram" / "split", ParseOptions())
    frame = rc.parsed.messages
    assert frame.height == 6
    assert frame.get_column("text").to_list() == [f"message number {i}" for i in range(6)]
    assert rc.parsed.details["files"] == "2"


def test_each_file_of_a_split_thread_has_the_same_key() -> None:
    folder = DATA / "instagram" / "split" / IG_THREAD
    keys = {InstagramImporter().parse(Source(path=p), ParseOptions())[0].chat_key for p in folder.iterdir()}
    assert keys == {"danielreyes_17841400000000001"}


def test_messages_come_out_oldest_first_with_stable_seq() -> None:
    (chat,) = InstagramImporter().parse(
        Source(path=DATA / "instagram" / "text" / IG_THREAD / "message_1.json"), ParseOptions()
    )
    frame = chat.messages
    assert frame.get_column("ts").is_sorted()
    assert frame.get_column("seq").to_list() == list(range(frame.height))
    assert frame.get_column("tz").unique().to_list() == ["UTC"]
    assert frame.get_column("msg_id").null_count() == frame.height, "Meta has no message ids"


# ---------------------------------------------------------------------------------------------
# Mapping
# ---------------------------------------------------------------------------------------------


def test_calls_missed_calls_and_their_lengths() -> None:
    (rc,) = ingest.read(DATA / "messenger" / "calls", ParseOptions(), "messenger")
    frame = rc.parsed.messages
    assert frame.get_column("kind").to_list() == ["missed_call", "call", "missed_call", "call", "call", "text"]
    assert frame.get_column("call_s").to_list() == [None, 754, None, None, None, None]
    assert frame.get_column("text").to_list()[:5] == [None] * 5


def test_reactions_become_rows_by_the_reactor() -> None:
    (rc,) = ingest.read(DATA / "instagram" / "reactions", ParseOptions(), "instagram")
    reactions = rc.parsed.messages.filter(pl.col("kind") == "reaction")
    assert reactions.get_column("sender").to_list() == ["Daniel Reyes", "Maya Chen", "Daniel Reyes"]
    assert reactions.get_column("reply_to").null_count() == 3, "the target has no id to point at"


def test_unsent_and_system_rows() -> None:
    (rc,) = ingest.read(DATA / "messenger" / "unsent", ParseOptions(), "messenger")
    assert rc.parsed.messages.get_column("kind").to_list() == ["text", "deleted", "deleted", "deleted"]
    (rc,) = ingest.read(DATA / "messenger" / "system", ParseOptions(), "messenger")
    frame = rc.parsed.messages
    assert frame.get_column("kind").to_list() == ["system", "system", "system", "text", "text"]
    assert frame.get_column("sender").to_list()[:3] == [None, None, None]


def test_media_kinds_and_share_text() -> None:
    (rc,) = ingest.read(DATA / "instagram" / "media", ParseOptions(), "instagram")
    frame = rc.parsed.messages
    assert frame.get_column("media").to_list() == [
        "photo", "video", "audio", "link", "link", "sticker", "gif", "file", None, "unavailable",
    ]
    assert frame.get_column("text").to_list()[3:5] == ["this made me think of you", None], (
        "typed words kept; Meta's 'You sent an attachment.' and the post's caption are not hers"
    )


def test_e2ee_download_owner_and_keys() -> None:
    chats = ingest.read(DATA / "messenger" / "e2ee", ParseOptions(), "messenger")
    assert [rc.parsed.chat_key for rc in chats] == ["e2ee/Daniel Reyes_40", "e2ee/Priya Nair_41"]
    assert {rc.parsed.me for rc in chats} == {"Maya Chen"}
    assert [rc.parsed.title for rc in chats] == ["Daniel Reyes", "Priya Nair"]


def test_one_e2ee_chat_on_its_own_cannot_say_who_is_me(tmp_path: Path) -> None:
    path = tmp_path / "Daniel Reyes_40.json"
    shutil.copy(DATA / "messenger" / "e2ee" / "Daniel Reyes_40.json", path)
    source = Source(path=path)
    assert MessengerImporter().sniff(source)
    assert not InstagramImporter().sniff(source)
    (chat,) = MessengerImporter().parse(source, ParseOptions())
    assert chat.me is None
    assert chat.platform == "messenger"


@pytest.mark.parametrize(
    ("name", "doc", "key"),
    [
        ("message_1.json", {"participants": [{"name": "A"}, {"name": "B"}], "messages": [], "thread_path": "inbox/a_1"}, "a_1"),
        ("A_1.json", {"participants": ["A", "B"], "threadName": "A_1", "messages": []}, "e2ee/A_1"),
    ],
)
def test_a_conversation_with_no_messages(tmp_path: Path, name: str, doc: dict, key: str) -> None:
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    (chat,) = MessengerImporter().parse(Source(path=path), ParseOptions())
    assert chat.messages.height == 0
    assert dict(chat.messages.schema) == MESSAGE_SCHEMA
    assert (chat.chat_key, chat.participants) == (key, ["A", "B"])


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------

GOOD = json.dumps(meta_doc([
    {"sender_name": "Maya Chen", "timestamp_ms": 1704100060000, "content": "secret words here"},
    {"sender_name": "Daniel Reyes", "timestamp_ms": 1704100000000, "content": "secret words here"},
]), indent=2)


def parse_error(tmp_path: Path, content: str | bytes, importer=None, name: str = "message_1.json") -> ParseError:
    path = write_thread(tmp_path, content, name=name)
    with pytest.raises(ParseError) as info:
        (importer or InstagramImporter()).parse(Source(path=path), ParseOptions())
    message = str(info.value)
    assert "secret" not in message
    assert name in message
    return info.value


def test_truncated_file(tmp_path: Path) -> None:
    err = parse_error(tmp_path, GOOD[: len(GOOD) // 2])
    assert "cut short" in err.reason
    assert err.position.startswith("line ")
    assert "download your information from Meta again" in err.reason


def test_not_json(tmp_path: Path) -> None:
    err = parse_error(tmp_path, "{this is not json}")
    assert "not valid JSON" in err.reason


def test_empty_file(tmp_path: Path) -> None:
    err = parse_error(tmp_path, "")
    assert "empty" in err.reason


def test_not_utf8(tmp_path: Path) -> None:
    err = parse_error(tmp_path, b'{"participants": [], "messages": [{"sender_name": "\xff\xfe", "timestamp_ms": 1}]}')
    assert "UTF-8" in err.reason


def test_deep_nesting(tmp_path: Path) -> None:
    deep = '{"participants": [], "messages": [{"sender_name": "A", "timestamp_ms": 1, "share": ' + "[" * 5000 + "]" * 5000 + "}]}"
    err = parse_error(tmp_path, deep)
    assert "nested far deeper" in err.reason


def test_json_of_another_shape(tmp_path: Path) -> None:
    err = parse_error(tmp_path, '{"participants": [], "conversations": []}')
    assert "not a Meta messages file" in err.reason


def test_wrong_type_names_the_record(tmp_path: Path) -> None:
    doc = meta_doc([
        {"sender_name": "Maya Chen", "timestamp_ms": 1704100060000, "content": "secret words here"},
        {"sender_name": "Daniel Reyes", "timestamp_ms": "yesterday", "content": "secret words here"},
    ])
    err = parse_error(tmp_path, json.dumps(doc))
    assert err.position == "record 2"
    assert "time" in err.reason


def test_missing_time_names_the_record(tmp_path: Path) -> None:
    doc = meta_doc([
        {"sender_name": "Maya Chen", "timestamp_ms": 1704100060000, "content": "secret words here"},
        {"sender_name": "Daniel Reyes", "content": "secret words here"},
    ])
    err = parse_error(tmp_path, json.dumps(doc))
    assert err.position == "record 2"


def test_message_that_is_not_an_object(tmp_path: Path) -> None:
    doc = meta_doc([{"sender_name": "Maya Chen", "timestamp_ms": 1704100060000, "content": "secret words here"}, 42])
    err = parse_error(tmp_path, json.dumps(doc))
    assert err.position == "record 2"


def test_media_list_of_the_wrong_type(tmp_path: Path) -> None:
    doc = meta_doc([
        {"sender_name": "Maya Chen", "timestamp_ms": 1704100060000, "photos": [{"uri": "a.jpg"}]},
        {"sender_name": "Maya Chen", "timestamp_ms": 1704100070000, "photos": "a.jpg"},
    ])
    err = parse_error(tmp_path, json.dumps(doc))
    assert err.position == "record 2"
    assert "photos" in err.reason


def test_bad_e2ee_file(tmp_path: Path) -> None:
    doc = {"participants": ["Maya Chen", "Daniel Reyes"], "threadName": "Daniel Reyes_40",
           "messages": [{"senderName": "Maya Chen", "timestamp": "noon", "text": "secret words here", "type": "text"}]}
    err = parse_error(tmp_path, json.dumps(doc), MessengerImporter(), name="Daniel Reyes_40.json")
    assert err.position == "record 1"
    assert "end-to-end encrypted chats" in err.reason


def test_error_inside_a_zip_names_the_member(tmp_path: Path) -> None:
    path = tmp_path / "instagram-maya.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{IG_THREAD}/message_1.json", GOOD[:100])
    (source,) = open_sources(path)
    with pytest.raises(ParseError) as info:
        InstagramImporter().parse(source, ParseOptions())
    assert "instagram-maya.zip" in str(info.value)
    assert f"{IG_THREAD}/message_1.json" in str(info.value)


# ---------------------------------------------------------------------------------------------
# End to end, through the command line
# ---------------------------------------------------------------------------------------------

needs_registration = pytest.mark.skipif(
    not {"instagram", "messenger"} <= set(ingest.format_names()),
    reason="the lead registers InstagramImporter and MessengerImporter in fonder.ingest.IMPORTERS",
)


@needs_registration
def test_cli_imports_a_whole_download(tmp_path: Path, download_zip: Path) -> None:
    result = runner.invoke(app, ["--db", str(tmp_path / "db.duckdb"), "import", str(download_zip), "--json"])
    assert result.exit_code == 0, result.output
    doc = orjson.loads(result.stdout)
    assert doc["skipped_groups"] == 1
    assert {c["platform"] for c in doc["chats"]} == {"instagram"}
    assert {c["me"] for c in doc["chats"]} == {"Maya Chen"}
    assert len(doc["chats"]) == 2


@needs_registration
def test_cli_imports_one_thread_with_me_named(tmp_path: Path) -> None:
    path = tmp_path / "message_1.json"
    shutil.copy(DATA / "messenger" / "calls" / "your_facebook_activity/messages/inbox/danielreyes_10158000000000001/message_1.json", path)
    result = runner.invoke(
        app, ["--db", str(tmp_path / "db.duckdb"), "import", str(path), "--me", "Maya Chen", "--json"]
    )
    assert result.exit_code == 0, result.output
    (chat,) = orjson.loads(result.stdout)["chats"]
    assert chat["platform"] == "messenger"
    assert chat["kinds"] == {"call": 3, "missed_call": 2, "text": 1}


@needs_registration
def test_cli_reports_a_broken_thread_in_one_sentence(tmp_path: Path) -> None:
    path = write_thread(tmp_path, GOOD[: len(GOOD) // 2])
    result = runner.invoke(app, ["--db", str(tmp_path / "db.duckdb"), "import", str(path), "--format", "instagram"])
    assert result.exit_code == 1
    message = result.stderr.strip()
    assert message.startswith("Error: ") and "cut short" in message and "\n" not in message
    assert "secret" not in result.output
