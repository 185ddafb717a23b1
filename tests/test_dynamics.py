"""Dynamics measured on simulated couples whose truth is known (fonder.simulate).

The full evaluation (200 + 200 + 100 couples) is ``make eval-dynamics``; here a lighter run
holds the same targets loosely, on seeds used neither for tuning (0…) nor for the reported
figures (10 000…).
"""

from __future__ import annotations

import json
from datetime import timedelta

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fonder import simulate as sim
from fonder.analysis import absence_response, pull_away, pursue_withdraw, report_signals
from fonder.analysis.evaluate import evaluate

START = sim.DEFAULT_START


def test_light_evaluation_meets_the_targets_loosely() -> None:
    ev = evaluate(30, 30, 20, seed_base=50_000)
    assert ev.not_enough == 0
    assert ev.false_alarm_rate <= 0.10
    assert ev.she_false_alarm_rate <= 0.10
    assert ev.detection_rate >= 0.80
    assert ev.p90_error is not None and ev.p90_error <= 21


def test_pull_away_reports_date_ratios_and_confidence() -> None:
    at = START + timedelta(weeks=14, days=3)
    pa = pull_away(sim.pull_away(51_001, at=at))
    assert pa.status == "ok" and pa.detected
    assert pa.since is not None and abs((pa.since - at.date()).days) <= 14
    assert pa.confidence is not None and pa.confidence >= 0.9
    ch = pa.changes
    assert ch is not None and ch.latency_ratio is not None and ch.volume_ratio is not None
    assert 2.0 <= ch.latency_ratio <= 4.5 and 0.3 <= ch.volume_ratio <= 0.8
    assert "latency" in ch.signs


def test_she_slowing_down_is_not_his_pulling_away() -> None:
    change = sim.Change(at=START + timedelta(weeks=13), who="me", latency_factor=3.0, volume_factor=0.5)
    pa = pull_away(sim.couple(51_002, start=START, changes=(change,), texts=False))
    assert pa.status == "ok" and not pa.detected
    ch = pa.changes  # not detected: the plain split, last 4 weeks vs the 12 before
    assert ch is not None and ch.her_latency_ratio is not None and ch.latency_ratio is not None
    assert ch.her_latency_ratio > 1.3 > ch.latency_ratio  # the numbers show it was her


def test_short_spans_say_not_enough_data() -> None:
    pa = pull_away(sim.pull_away(51_003, at=timedelta(weeks=2), weeks=4))
    assert pa.status == "not_enough_data" and not pa.detected and pa.since is None
    assert "week" in (pa.reason or "")


def test_absence_sees_him_break_my_silence_and_not_when_i_come_back() -> None:
    broken = sim.Silence(start=START + timedelta(weeks=5, hours=20), hours=60, who="me", broken_with_longing=True)
    mine = sim.Silence(start=START + timedelta(weeks=9, hours=20), hours=60, who="me", broken_with_longing=False)
    msgs = sim.couple(51_004, start=START, weeks=12, silences=(broken, mine), texts=False)
    ab = absence_response(msgs)
    by_start = {s.start.date(): s for s in ab.silences if s.hours >= 55}
    first = next(s for d, s in by_start.items() if abs((d - broken.start.date()).days) <= 1)
    second = next(s for d, s in by_start.items() if abs((d - mine.start.date()).days) <= 1)
    assert first.they_reached_out and first.hours_to_reach_out is not None
    assert first.hours_to_reach_out >= 55 and first.vs_usual_latency is not None and first.vs_usual_latency > 50
    assert not second.they_reached_out


def test_pursue_withdraw_sees_my_follow_ups_track_his_slow_weeks() -> None:
    # He slows down on alternate fortnights; I chase more exactly then.
    changes = []
    for k in range(2, 24, 4):
        for who, lat, fol in (("them", 4.0, 1.0), ("me", 1.0, 4.0)):
            changes.append(sim.Change(at=START + timedelta(weeks=k), who=who, latency_factor=lat, followup_factor=fol))
            changes.append(sim.Change(at=START + timedelta(weeks=k + 2), who=who, latency_factor=1 / lat, followup_factor=1 / fol))
    msgs = sim.couple(51_005, start=START, weeks=26, changes=tuple(changes), texts=False)
    pw = pursue_withdraw(msgs)
    assert pw.reading in ("clear", "some") and pw.r is not None and pw.r > 0.3
    assert pw.weeks


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offset_h=st.floats(0, 26 * 7 * 24), length_h=st.floats(0.01, 12 * 7 * 24))
def test_any_window_gives_json_without_nan(offset_h: float, length_h: float) -> None:
    msgs = _COUPLE
    lo = START + timedelta(hours=offset_h)
    hi = lo + timedelta(hours=length_h)
    window = msgs.filter((pl.col("ts") >= lo) & (pl.col("ts") < hi))
    sig = report_signals(window)
    text = json.dumps(sig, allow_nan=False)
    assert "NaN" not in text
    if sig["span"]["weeks"] < 6:
        assert sig["pull_away"]["status"] == "not_enough_data" and sig["pull_away"]["detected"] is False


_COUPLE = sim.pull_away(51_006, at=timedelta(weeks=15), texts=False)


@pytest.mark.parametrize("days", [0, 1, 3, 10, 40])
def test_short_windows_do_not_crash(days: int) -> None:
    window = _COUPLE.filter(pl.col("ts") < START + timedelta(days=days))
    json.dumps(report_signals(window), allow_nan=False)
