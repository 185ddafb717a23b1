"""The demo couple: its storyline is in the data, and it is written as a real Android
WhatsApp export (layout, zip, reproducible bytes)."""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from fonder.demo import (
    AFTER_SILENCE,
    CHASE_AT,
    DEMO_ME,
    DEMO_THEM,
    ENCRYPTION_NOTICE,
    PULL_AWAY_AT,
    SILENCE,
    demo_messages,
    render_whatsapp,
    write_demo_export,
)
from fonder.model import MESSAGE_SCHEMA, conform

LONDON = ZoneInfo("Europe/London")
LONGING = r"(?i)miss (you|u)|wish you were here|can't wait to see you|thinking about you"
REASSURANCE = (
    r"(?i)are you mad|are we ok|did i do something wrong|upset with me|annoyed with me"
    r"|still like me|wrong right|is everything ok"
)
OWN_LIFE = (
    r"(?i)pottery|run club|book club|choir|spanish class|yoga|swimming|karen|workshop|report"
    r"|pitch|intern|my sister|jess|priya|hannah|chloe|leah|amira"
)

#: An Android English header line: M/D/YY, H:MM AM - (Name: text | system notice).
HEADER = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}), (1[0-2]|[1-9]):([0-5]\d)\u202f([AP]M) - (.*)$")


@pytest.fixture(scope="module")
def demo() -> pl.DataFrame:
    return demo_messages()


def signals(frame: pl.DataFrame) -> pl.DataFrame:
    """Conversation starts (≥ 6 h quiet), reply latencies, unanswered follow-ups (≥ 15 min)."""
    gap = pl.col("ts").diff().dt.total_seconds(fractional=True)
    prev_me = pl.col("is_me").shift(1)
    return (
        frame.sort("ts")
        .with_columns(gap=gap, prev_me=prev_me)
        .with_columns(
            start=pl.col("gap").is_null() | (pl.col("gap") >= 6 * 3600),
            turn=pl.col("prev_me").is_null() | (pl.col("prev_me") != pl.col("is_me")),
        )
        .with_columns(
            lat=pl.when(pl.col("turn") & ~pl.col("start")).then(pl.col("gap")),
            fu=~pl.col("turn") & (pl.col("gap") >= 15 * 60),
        )
    )


def between(frame: pl.DataFrame, a: datetime, b: datetime) -> pl.DataFrame:
    return frame.filter((pl.col("ts") >= a.astimezone(UTC)) & (pl.col("ts") < b.astimezone(UTC)))


START = datetime(2026, 5, 1, tzinfo=LONDON)
END = datetime(2026, 10, 30, tzinfo=LONDON)


def test_demo_is_six_made_up_months(demo: pl.DataFrame) -> None:
    assert demo.schema == pl.Schema(MESSAGE_SCHEMA)
    assert demo.get_column("ts").min() >= START
    assert demo.get_column("ts").max() < END
    assert demo.get_column("ts").max() > END - timedelta(days=3)
    assert set(demo.get_column("sender").unique()) == {DEMO_ME, DEMO_THEM}
    assert demo.filter(pl.col("sender") == DEMO_ME).get_column("is_me").all()
    media = (demo.get_column("kind") == "media").sum()
    assert 5 <= media <= 0.05 * demo.height  # a few photos and voice notes
    assert demo_messages().equals(demo)  # reproducible: nothing depends on today's date


def test_balanced_start(demo: pl.DataFrame) -> None:
    s = between(signals(demo), START, PULL_AWAY_AT)
    assert 0.4 <= s.get_column("is_me").mean() <= 0.6  # type: ignore[operator]
    assert 0.35 <= s.filter("start").get_column("is_me").mean() <= 0.65  # type: ignore[operator]
    her = s.filter("is_me").get_column("lat").median()
    his = s.filter(~pl.col("is_me")).get_column("lat").median()
    assert 0.5 <= his / her <= 2.0  # type: ignore[operator]
    for me in (True, False):
        side = s.filter(pl.col("is_me") == me).get_column("text").drop_nulls()
        assert side.str.contains(LONGING).sum() >= 10
        assert side.str.contains(r"(?i)love you|ily").sum() >= 10


def test_he_slows_down_from_month_four(demo: pl.DataFrame) -> None:
    s = signals(demo)
    his = s.filter(~pl.col("is_me"))
    before = between(his, START, PULL_AWAY_AT)
    after = between(his, PULL_AWAY_AT, END)
    ratio = after.get_column("lat").median() / before.get_column("lat").median()  # type: ignore[operator]
    assert ratio >= 2.0
    days_before = (PULL_AWAY_AT - START).days
    days_after = (END - PULL_AWAY_AT).days
    assert after.height / days_after <= 0.75 * before.height / days_before
    words = pl.col("text").str.count_matches(r"\w+").mean()
    assert after.select(words).item() < 0.8 * before.select(words).item()


def test_her_follow_ups_and_reassurance_rise(demo: pl.DataFrame) -> None:
    her = signals(demo).filter("is_me")
    calm = between(her, START, PULL_AWAY_AT)
    chasing = between(her, CHASE_AT, SILENCE.start)
    weeks_calm = (PULL_AWAY_AT - START).days / 7
    weeks_chasing = (SILENCE.start - CHASE_AT).days / 7
    fu_calm = calm.get_column("fu").sum() / weeks_calm
    fu_chasing = chasing.get_column("fu").sum() / weeks_chasing
    assert fu_chasing > 1.5 * fu_calm, (fu_calm, fu_chasing)
    reassurance = pl.col("text").str.contains(REASSURANCE).sum()
    assert chasing.select(reassurance).item() / weeks_chasing > 3 * max(
        calm.select(reassurance).item() / weeks_calm, 0.1
    )


def test_her_own_life_runs_throughout(demo: pl.DataFrame) -> None:
    her = demo.filter("is_me").with_columns(
        month=pl.col("ts").dt.convert_time_zone("Europe/London").dt.month()
    )
    per_month = her.group_by("month").agg(
        own=pl.col("text").str.contains(OWN_LIFE).sum(),
        plans=pl.col("text").str.contains(r"(?i)let's|want to go|we should|shall we|fancy").sum(),
    )
    assert per_month.height == 6
    assert per_month.get_column("own").min() >= 5
    assert per_month.get_column("plans").min() >= 2


def test_her_silence_is_broken_by_him_with_longing(demo: pl.DataFrame) -> None:
    her = demo.filter("is_me").with_columns(gap=pl.col("ts").diff())
    longest = her.sort("gap", descending=True, nulls_last=True).row(0, named=True)
    assert longest["gap"] >= timedelta(hours=72)
    quiet_from = longest["ts"] - longest["gap"]
    assert quiet_from <= SILENCE.start <= AFTER_SILENCE <= longest["ts"]
    # between her last message before it and her first after it: only his breaking message(s)
    window = demo.filter((pl.col("ts") > quiet_from) & (pl.col("ts") < longest["ts"]))
    broken = window.filter(pl.col("ts") >= SILENCE.start.astimezone(UTC))
    assert broken.height >= 1
    assert not broken.get_column("is_me").any()
    assert broken.get_column("text").str.contains(LONGING)[0]


def test_render_layout_exactly() -> None:
    rows = [
        (datetime(2026, 3, 29, 0, 5, tzinfo=UTC), "Maya", True, "text", "hi\nsecond line"),
        (datetime(2026, 3, 29, 11, 30, tzinfo=UTC), "Daniel", False, "media", None),
        (datetime(2026, 3, 29, 12, 7, tzinfo=UTC), "Daniel", False, "text", "ok 👍"),
        (datetime(2026, 12, 10, 23, 59, tzinfo=UTC), "Maya", True, "text", "night x"),
    ]
    frame = conform(
        pl.DataFrame(
            rows, schema=["ts", "sender", "is_me", "kind", "text"], orient="row"
        ).with_columns(
            pl.col("ts").dt.cast_time_unit("us"), tz=pl.lit("Europe/London"),
            seq=pl.int_range(pl.len()),
        )
    )  # fmt: skip
    nb = "\u202f"
    assert render_whatsapp(frame) == (
        f"3/29/26, 12:05{nb}AM - {ENCRYPTION_NOTICE}\n"
        f"3/29/26, 12:05{nb}AM - Maya: hi\n"
        "second line\n"
        f"3/29/26, 12:30{nb}PM - Daniel: <Media omitted>\n"  # BST from 01:00 UTC that day
        f"3/29/26, 1:07{nb}PM - Daniel: ok 👍\n"
        f"12/10/26, 11:59{nb}PM - Maya: night x\n"
    )
    bare = render_whatsapp(frame, encryption_notice=False)
    assert bare.startswith(f"3/29/26, 12:05{nb}AM - Maya: hi\n")


def test_render_each_row_in_its_own_zone() -> None:
    at = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    frame = conform(
        pl.DataFrame(
            {
                "ts": [at, at + timedelta(minutes=1)],
                "tz": ["America/New_York", "Asia/Tokyo"],
                "sender": ["A", "B"],
                "is_me": [True, False],
                "kind": ["text", "text"],
                "text": ["a", "b"],
            }
        ).with_columns(pl.col("ts").dt.cast_time_unit("us"))
    )
    lines = render_whatsapp(frame, encryption_notice=False).splitlines()
    assert lines == ["7/1/26, 8:00\u202fAM - A: a", "7/1/26, 9:01\u202fPM - B: b"]


def test_demo_export_lines_follow_the_android_layout(demo: pl.DataFrame) -> None:
    text = render_whatsapp(demo)
    assert text.endswith("\n")
    lines = text.split("\n")[:-1]
    first = HEADER.match(lines[0])
    assert first is not None and first.group(7) == ENCRYPTION_NOTICE
    headers = continuations = 0
    for line in lines[1:]:
        m = HEADER.match(line)
        if m is None:
            continuations += 1
            assert not re.match(r"^\d{1,2}/\d{1,2}/\d{2}, ", line)
            continue
        headers += 1
        month, day, hour = int(m.group(1)), int(m.group(2)), int(m.group(4))
        assert 1 <= month <= 12 and 1 <= day <= 31 and 1 <= hour <= 12
        assert m.group(7).startswith((f"{DEMO_ME}: ", f"{DEMO_THEM}: "))
    assert headers == demo.height
    assert continuations > 0  # a few multi-line texts
    assert text.count(": <Media omitted>\n") == (demo.get_column("kind") == "media").sum()


def test_demo_export_zip(tmp_path: Path) -> None:
    path = write_demo_export(tmp_path / "a")
    assert path == tmp_path / "a" / "WhatsApp Chat with Daniel.zip"
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist() == ["WhatsApp Chat with Daniel.txt"]
        text = zf.read("WhatsApp Chat with Daniel.txt").decode("utf-8")
    assert text == render_whatsapp(demo_messages())
    again = write_demo_export(tmp_path / "b")
    assert again.read_bytes() == path.read_bytes()  # reproducible bytes
    other = write_demo_export(tmp_path / "c", seed=8)
    assert other.read_bytes() != path.read_bytes()
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["WhatsApp Chat with Daniel.zip"]
