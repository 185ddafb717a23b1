"""The storyline simulator: deterministic, well-formed, realistic enough to evaluate on, and
its storylines (changes, silences) really show up in the messages."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from fonder.model import MESSAGE_SCHEMA
from fonder.simulate import (
    DEFAULT_START,
    Change,
    Silence,
    cases,
    couple,
    factors_at,
    pull_away,
    steady,
)

AT = DEFAULT_START + timedelta(weeks=13)
LONGING = r"(?i)miss (you|u)|wish you were here|can't wait to see you|thinking about you"
REASSURANCE = (
    r"(?i)are you mad|are we ok|did i do something wrong|upset with me|annoyed with me"
    r"|still like me|wrong right|is everything ok"
)


def signals(frame: pl.DataFrame) -> pl.DataFrame:
    """Per message, fonder's signal definitions in a few lines (independent of fonder.analysis):
    ``start`` (after ≥ 6 h of quiet), ``lat`` (reply latency in s, on the first message of a
    turn inside a conversation), ``fu`` (a new burst ≥ 15 min after the same person's previous
    message with no reply in between)."""
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


def local_hour(frame: pl.DataFrame, tz: str = "Europe/London") -> pl.Series:
    return frame.get_column("ts").dt.convert_time_zone(tz).dt.hour()


def median_ratio(after: pl.DataFrame, before: pl.DataFrame, col: str = "lat") -> float:
    return after.get_column(col).median() / before.get_column(col).median()  # type: ignore[operator]


def before_after(frame: pl.DataFrame, at: datetime, me: bool) -> tuple[pl.DataFrame, pl.DataFrame]:
    s = signals(frame).filter(pl.col("is_me") == me)
    return s.filter(pl.col("ts") < at), s.filter(pl.col("ts") >= at)


def test_same_seed_same_frame_other_seed_other_frame() -> None:
    a = couple(3, start=DEFAULT_START, weeks=3)
    b = couple(3, start=DEFAULT_START, weeks=3)
    c = couple(4, start=DEFAULT_START, weeks=3)
    assert a.equals(b)
    assert not a.equals(c)
    assert steady(5, weeks=3).equals(steady(5, weeks=3))


def test_frame_has_the_message_schema_sorted_with_unique_ids() -> None:
    f = couple(11, start=datetime(2026, 2, 2, 9, tzinfo=UTC), weeks=4, me="Ana", them="Ben")
    assert f.schema == pl.Schema(MESSAGE_SCHEMA)
    assert f.height > 200
    assert f.get_column("ts").is_sorted()
    assert f.get_column("ts").min() >= datetime(2026, 2, 2, 9, tzinfo=UTC)
    assert f.get_column("ts").max() < datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert f.get_column("msg_id").n_unique() == f.height
    assert f.get_column("seq").to_list() == list(range(f.height))
    assert set(f.get_column("chat_id").unique()) == {"sim:11"}
    assert set(f.get_column("tz").unique()) == {"Europe/London"}
    assert set(f.get_column("kind").unique()) <= {"text", "media"}
    assert (f.get_column("kind") == "text").mean() > 0.9  # type: ignore[operator]
    assert f.filter(pl.col("kind") == "text").get_column("text").null_count() == 0
    assert f.filter(pl.col("kind") == "media").get_column("text").null_count() == (
        f.get_column("kind") == "media"
    ).sum()
    assert f.filter(pl.col("is_me")).get_column("sender").unique().to_list() == ["Ana"]
    assert f.filter(~pl.col("is_me")).get_column("sender").unique().to_list() == ["Ben"]


def test_nights_are_nearly_empty() -> None:
    for seed in range(4):
        f = steady(seed, weeks=8)
        hour = local_hour(f)
        small_hours = ((hour >= 1) & (hour < 7)).mean()
        assert small_hours < 0.005, (seed, small_hours)  # rare late-night texts only
        assert ((hour >= 2) & (hour < 7)).sum() == 0
        assert ((hour >= 7) & (hour < 23)).mean() > 0.9  # type: ignore[operator]


def test_weekends_differ_from_weekdays() -> None:
    f = steady(2, weeks=12)
    local = f.get_column("ts").dt.convert_time_zone("Europe/London")
    weekend = local.dt.weekday() >= 6
    early = (local.dt.hour() < 9) & (local.dt.hour() >= 7)
    # people sleep in at weekends: fewer early messages
    assert (early & weekend).sum() / weekend.sum() < (early & ~weekend).sum() / (~weekend).sum()


def test_steady_couples_are_roughly_balanced() -> None:
    for seed in range(6):
        s = signals(steady(seed))
        share_msgs = s.get_column("is_me").mean()
        starts = s.filter("start")
        share_starts = starts.get_column("is_me").mean()
        assert 0.4 <= share_msgs <= 0.6, (seed, share_msgs)  # type: ignore[operator]
        assert 0.4 <= share_starts <= 0.6, (seed, share_starts)  # type: ignore[operator]
        # conversations in fonder's sense: around one or two a day
        assert 0.5 < starts.height / (26 * 7) < 4


def test_couples_differ_between_seeds() -> None:
    medians, volumes = [], []
    for seed in range(8):
        s = signals(steady(seed, weeks=8))
        medians.append(s.filter(~pl.col("is_me")).get_column("lat").median())
        volumes.append(s.height)
    assert max(medians) / min(medians) > 1.5  # type: ignore[operator]
    assert max(volumes) / min(volumes) > 1.2


def test_reply_latency_has_a_heavy_tail() -> None:
    lat = signals(steady(1)).get_column("lat").drop_nulls()
    median, p99 = lat.median(), lat.quantile(0.99)
    assert 30 < median < 1800  # type: ignore[operator]
    assert p99 > 3600  # hours-long waits happen  # type: ignore[operator]
    assert p99 / median > 15  # type: ignore[operator]


def test_a_pull_away_shows_up_for_him_and_not_for_her() -> None:
    for seed in range(3):
        f = pull_away(seed, at=AT, latency_factor=3.0, volume_factor=0.6)
        his_before, his_after = before_after(f, AT, me=False)
        her_before, her_after = before_after(f, AT, me=True)
        his_lat = median_ratio(his_after, his_before)
        her_lat = median_ratio(her_after, her_before)
        his_vol = his_after.height / his_before.height
        her_vol = her_after.height / her_before.height
        assert his_lat >= 2.0, (seed, his_lat)
        assert his_vol <= 0.75, (seed, his_vol)
        # she is unchanged: her own pace stays, and her share of the messages grows
        assert 0.7 <= her_lat <= 1.4, (seed, her_lat)
        assert her_vol > his_vol + 0.1, (seed, her_vol, his_vol)


def test_the_same_change_on_her_shows_up_on_her() -> None:
    ch = Change(at=AT, who="me", latency_factor=3.0, volume_factor=0.6)
    f = couple(4, start=DEFAULT_START, changes=[ch], texts=False)
    her_before, her_after = before_after(f, AT, me=True)
    his_before, his_after = before_after(f, AT, me=False)
    assert median_ratio(her_after, her_before) >= 2.0
    assert her_after.height / her_before.height <= 0.75
    assert median_ratio(his_after, his_before) < 1.4


def test_her_follow_ups_rise_when_he_is_slow() -> None:
    for seed in range(3):
        f = pull_away(seed, at=AT)
        before, after = before_after(f, AT, me=True)
        per_week_before = before.get_column("fu").sum() / 13
        per_week_after = after.get_column("fu").sum() / 13
        assert per_week_after > 1.1 * per_week_before, (seed, per_week_before, per_week_after)


def test_followup_factor_scales_double_texting() -> None:
    base = signals(steady(6)).filter("is_me").get_column("fu").sum()
    more = couple(6, start=DEFAULT_START, texts=False,
                  changes=[Change(at=DEFAULT_START, who="me", followup_factor=3.0)])  # fmt: skip
    assert signals(more).filter("is_me").get_column("fu").sum() > 1.4 * base


def test_starts_and_length_factors() -> None:
    f = pull_away(8, at=AT, latency_factor=1.0, volume_factor=1.0, starts_factor=0.3,
                  length_factor=0.5)  # fmt: skip
    before, after = before_after(f, AT, me=False)
    words = pl.col("text").str.count_matches(r"\w+").mean()
    assert after.select(words).item() < 0.7 * before.select(words).item()
    s = signals(f)
    starts_before = s.filter(pl.col("start") & (pl.col("ts") < AT)).get_column("is_me").mean()
    starts_after = s.filter(pl.col("start") & (pl.col("ts") >= AT)).get_column("is_me").mean()
    assert starts_after > starts_before + 0.08  # type: ignore[operator]  # her share of starts up


@pytest.mark.parametrize("who", ["me", "them"])
def test_a_silence_is_quiet_and_broken_by_the_other_with_longing(who: str) -> None:
    start = DEFAULT_START + timedelta(weeks=10, hours=15)
    sil = Silence(start=start, hours=80, who=who)  # type: ignore[arg-type]
    f = couple(21, start=DEFAULT_START, silences=[sil], texts=True)
    end = start + timedelta(hours=80)
    quiet_one = f.filter(pl.col("is_me") == (who == "me"))
    inside = quiet_one.filter((pl.col("ts") >= start) & (pl.col("ts") < end))
    assert inside.height == 0
    after = f.filter(pl.col("ts") >= start)
    first = after.row(0, named=True)
    assert first["is_me"] == (who != "me")  # the other breaks it…
    assert first["ts"] >= end
    assert after.head(1).get_column("text").str.contains(LONGING).item()  # …with longing
    # the quiet one answers soon after
    back = after.filter(pl.col("is_me") == (who == "me")).row(0, named=True)
    assert back["ts"] - first["ts"] < timedelta(hours=12)


def test_a_silence_not_broken_ends_with_the_quiet_one_writing_first() -> None:
    start = DEFAULT_START + timedelta(weeks=5, hours=20)
    sil = Silence(start=start, hours=50, who="me", broken_with_longing=False)
    f = couple(22, start=DEFAULT_START, silences=[sil], texts=False)
    after = f.filter(pl.col("ts") >= start)
    assert after.get_column("ts")[0] >= start + timedelta(hours=50)
    assert after.get_column("is_me")[0] is True


def test_texts_follow_the_story() -> None:
    f = pull_away(12, at=AT, texts=True, starts_factor=0.5, length_factor=0.6)
    her_before, her_after = before_after(f, AT, me=True)
    his_before, his_after = before_after(f, AT, me=False)

    def rate(frame: pl.DataFrame, pattern: str) -> float:
        return frame.get_column("text").str.contains(pattern).mean()  # type: ignore[return-value]

    assert rate(her_after, REASSURANCE) > 3 * rate(her_before, REASSURANCE)
    assert rate(his_after, LONGING) < 0.5 * rate(his_before, LONGING)
    assert rate(his_after, r"(?i)love you|ily") < 0.5 * rate(his_before, r"(?i)love you|ily")
    # both sides say warm things in a steady stretch
    for side in (her_before, his_before):
        assert rate(side, LONGING) > 0.005
        assert rate(side, r"(?i)love you|ily") > 0.005
        assert rate(side, r"(?i)thank you|thanks|ty ") > 0.003


def test_texts_are_varied() -> None:
    f = couple(30, start=DEFAULT_START, weeks=8, texts=True)
    texts = f.get_column("text").drop_nulls()
    assert texts.n_unique() > 0.3 * texts.len()
    assert texts.str.contains("\n").sum() > 0  # a few multi-line texts
    assert texts.str.contains(r"\?").mean() > 0.1  # type: ignore[operator]


def test_bad_storylines_are_refused() -> None:
    naive = datetime(2026, 1, 1)
    with pytest.raises(ValueError, match="aware"):
        couple(1, start=naive, weeks=1)
    with pytest.raises(ValueError, match="aware"):
        couple(1, start=DEFAULT_START, weeks=1, changes=[Change(at=naive, who="me")])
    with pytest.raises(ValueError, match="positive"):
        couple(1, start=DEFAULT_START, weeks=1,
               changes=[Change(at=DEFAULT_START, who="me", latency_factor=0)])  # fmt: skip
    s = DEFAULT_START + timedelta(days=2)
    with pytest.raises(ValueError, match="overlap"):
        couple(1, start=DEFAULT_START, weeks=2,
               silences=[Silence(s, 30), Silence(s + timedelta(hours=10), 30)])  # fmt: skip


def test_factors_at_tells_the_truth() -> None:
    changes = [
        Change(at=AT, who="them", latency_factor=3.0),
        Change(at=AT + timedelta(weeks=4), who="them", latency_factor=0.5, volume_factor=0.8),
    ]
    assert factors_at(changes, "them", AT - timedelta(days=1))["latency"] == 1.0
    assert factors_at(changes, "them", AT)["latency"] == 3.0
    late = factors_at(changes, "them", AT + timedelta(weeks=5))
    assert late["latency"] == 1.5 and late["volume"] == 0.8
    assert factors_at(changes, "me", AT + timedelta(weeks=5))["latency"] == 1.0


def test_cases_are_labelled_and_reproducible() -> None:
    got = list(cases(8, seed=3, weeks=10))
    again = list(cases(8, seed=3, weeks=10))
    assert [c.seed for c in got] == [c.seed for c in again]
    assert all(a.messages.equals(b.messages) for a, b in zip(got, again, strict=True))
    for c in got:
        assert c.pulled == (c.kind == "pull_away")
        assert (c.at is not None) == c.pulled
        assert c.messages.height > 100


def test_two_hundred_steady_couples_simulate_fast() -> None:
    t0 = time.perf_counter()
    total = sum(steady(seed, texts=False).height for seed in range(200))
    elapsed = time.perf_counter() - t0
    print(f"\n200 steady couples × 26 weeks (texts=False): {elapsed:.1f} s, {total:,} messages")
