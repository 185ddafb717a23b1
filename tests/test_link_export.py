"""One timeline per person across platforms, and the messages exported for other tools."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import orjson
import polars as pl
import pytest
from typer.testing import CliRunner

from fonder.cli import app

runner = CliRunner()

WHATSAPP = (
    "3/2/26, 9:00\u202fAM - Maya: morning!\n"
    "3/2/26, 9:05\u202fAM - Daniel: hey you\n"
    "3/3/26, 8:00\u202fPM - Daniel: dinner friday?\n"
)
# The same person by SMS (SMS Backup & Restore): one message also arrived on WhatsApp's
# timeline a minute apart; the others are SMS only.
SMS = """<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<smses count="3">
  <sms protocol="0" address="+44 7700 900123" date="{t1}" type="1" body="dinner friday?" read="1" contact_name="Daniel" />
  <sms protocol="0" address="+44 7700 900123" date="{t2}" type="2" body="yes! where?" read="1" contact_name="Daniel" />
  <sms protocol="0" address="+44 7700 900123" date="{t3}" type="1" body="the thai place" read="1" contact_name="Daniel" />
</smses>
"""


def ms(text: str) -> int:
    from datetime import datetime, timezone

    return int(datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp() * 1000)


def run(db: Path, *args: str):
    return runner.invoke(app, ["--db", str(db), *args])


@pytest.fixture
def two_chats(tmp_path: Path) -> tuple[Path, str, str]:
    db = tmp_path / "db.duckdb"
    wa = tmp_path / "WhatsApp Chat with Daniel.txt"
    wa.write_text(WHATSAPP, encoding="utf-8")
    sms = tmp_path / "sms-20260304.xml"
    sms.write_text(
        SMS.format(t1=ms("2026-03-03T20:01:00"), t2=ms("2026-03-03T20:10:00"), t3=ms("2026-03-03T20:12:00")),
        encoding="utf-8",
    )
    a = orjson.loads(run(db, "import", str(wa), "--me", "Maya", "--tz", "UTC", "--json").stdout)
    b = run(db, "import", str(sms), "--json")
    assert b.exit_code == 0, b.output
    return db, a["chats"][0]["chat_id"], orjson.loads(b.stdout)["chats"][0]["chat_id"]


def test_chats_suggests_joining_the_same_person(two_chats: tuple[Path, str, str]) -> None:
    db, wa, sms = two_chats
    text = run(db, "chats").stdout
    assert "These look like the same person (Daniel)" in text
    assert wa in text and sms in text


def test_linked_timeline_counts_a_message_seen_twice_once(two_chats: tuple[Path, str, str]) -> None:
    db, wa, sms = two_chats
    before = orjson.loads(run(db, "report", wa, "--json").stdout)["chat"]["messages"]
    assert before == {"me": 1, "them": 2}
    linked = run(db, "link", wa, sms, "--json")
    assert linked.exit_code == 0, linked.output
    assert {c["chat_id"] for c in orjson.loads(linked.stdout)["chats"]} == {wa, sms}
    doc = orjson.loads(run(db, "report", wa, "--json").stdout)
    assert doc["chat"]["platforms"] == ["sms", "whatsapp"]
    # 3 on WhatsApp + 3 by SMS, "dinner friday?" recorded by both: 5 messages
    assert doc["chat"]["messages"] == {"me": 2, "them": 3}
    assert orjson.loads(run(db, "report", sms, "--json").stdout)["chat"]["messages"] == {"me": 2, "them": 3}
    assert "same person" not in run(db, "chats").stdout
    assert run(db, "unlink", sms).exit_code == 0
    assert orjson.loads(run(db, "report", wa, "--json").stdout)["chat"]["messages"] == before


def test_forgetting_one_chat_of_a_timeline_leaves_the_other_whole(two_chats: tuple[Path, str, str]) -> None:
    db, wa, sms = two_chats
    run(db, "link", wa, sms)
    assert run(db, "forget", sms, "--yes").exit_code == 0
    assert orjson.loads(run(db, "report", wa, "--json").stdout)["chat"]["messages"] == {"me": 1, "them": 2}


def test_link_needs_two_different_chats(two_chats: tuple[Path, str, str]) -> None:
    db, wa, _ = two_chats
    one = run(db, "link", wa)
    assert one.exit_code == 2 and "at least two chats" in one.stderr
    same = run(db, "link", wa, wa)
    assert same.exit_code == 2 and "same chat" in same.stderr


@pytest.mark.parametrize("ending", ["parquet", "csv", "sqlite"])
def test_export_writes_every_message(two_chats: tuple[Path, str, str], tmp_path: Path, ending: str) -> None:
    db, wa, _ = two_chats
    out = tmp_path / f"messages.{ending}"
    result = run(db, "export", str(out), "--chat", wa)
    assert result.exit_code == 0, result.output
    assert "Wrote 3 messages" in result.stdout
    if ending == "parquet":
        frame = pl.read_parquet(out)
    elif ending == "csv":
        frame = pl.read_csv(out)
    else:
        con = sqlite3.connect(out)
        frame = pl.DataFrame(con.execute("SELECT sender, text FROM messages").fetchall(), schema=["sender", "text"], orient="row")
        con.close()
    assert frame.get_column("text").to_list() == ["morning!", "hey you", "dinner friday?"]
    assert not out.with_name(out.name + ".partial").exists()


def test_export_refuses_an_unknown_format(two_chats: tuple[Path, str, str], tmp_path: Path) -> None:
    db, _, _ = two_chats
    result = run(db, "export", str(tmp_path / "messages.xlsx"))
    assert result.exit_code == 2
    assert "choose parquet, csv or sqlite" in result.stderr


def test_a_photo_seen_on_two_platforms_counts_once() -> None:
    from datetime import datetime, timedelta, timezone

    from fonder.api import _seen_once
    from fonder.model import conform

    t = datetime(2026, 3, 3, 20, 0, tzinfo=timezone.utc)
    frame = conform(
        pl.DataFrame(
            {
                "chat_id": ["a", "b", "a", "b"],
                "msg_id": ["1", "2", "3", "4"],
                "ts": [t, t + timedelta(seconds=40), t + timedelta(minutes=5), t + timedelta(minutes=30)],
                "is_me": [False, False, False, False],
                "kind": ["media", "media", "text", "text"],
                "media": ["image", "image", None, None],
                "text": [None, None, "nice", "nice"],
                "seq": [0, 1, 2, 3],
            }
        )
    )
    kept = _seen_once(frame)
    # the photo once; "nice" twice, since 25 minutes apart is two messages
    assert kept.get_column("msg_id").to_list() == ["1", "3", "4"]
