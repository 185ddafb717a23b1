"""Weekly series, balance over time, absence, longing, pursue–withdraw and style on tiny
hand-made chats whose answers can be worked out by hand."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import polars as pl
import pytest

from fonder.analysis import (
    Params,
    absence_response,
    balance_over_time,
    longing,
    pursue_withdraw,
    report_signals,
    style,
    timeline,
    weekly,
)

from test_analysis_helpers import chat, labels

H = 60
D = 24 * H


def test_weekly_has_every_week_with_zeros_for_empty_ones() -> None:
    msgs = chat([(0, "me", "hi"), (5, "them", "hey"), (15 * D, "me", "long time!")])
    w = weekly(msgs)
    assert w.get_column("week").to_list() == [date(2024, 1, 1), date(2024, 1, 8), date(2024, 1, 15)]
    assert w.get_column("messages_me").to_list() == [1, 0, 1]
    assert w.get_column("messages_them").to_list() == [1, 0, 0]
    assert w.get_column("latency_median_s_them").to_list()[1] is None
    assert w.get_column("days").to_list() == [7, 7, 2]  # the span ends on a Tuesday


def test_weekly_latency_and_follow_ups_per_person() -> None:
    msgs = chat([(0, "me", "hi"), (10, "them", "hey"), (12, "me", "how are you?"), (40, "me", "??")])
    row = weekly(msgs).row(0, named=True)
    assert row["latency_median_s_them"] == 600.0 and row["replies_them"] == 1
    assert row["latency_median_s_me"] == 120.0
    assert row["follow_ups_me"] == 1 and row["questions_me"] == 2


def test_late_night_is_read_in_the_chats_zone() -> None:
    # 23:30 UTC on 1 July is 00:30 in London (summer time): late night there, not in UTC.
    t0 = datetime(2024, 7, 1, 23, 30, tzinfo=timezone.utc)
    london = chat([(0, "me", "can't sleep"), (60, "me", "you up?")], t0=t0, tz="Europe/London")
    assert weekly(london).get_column("late_night_share_me").to_list() == [1.0]
    utc = chat([(0, "me", "can't sleep"), (60, "me", "you up?")], t0=t0, tz="UTC")
    assert weekly(utc).get_column("late_night_share_me").to_list() == [0.5]


def test_weekly_label_counts_only_with_labels() -> None:
    msgs = chat([(0, "me", "miss you"), (5, "them", "miss you too"), (6, "them", "love you")])
    assert "longing_me" not in weekly(msgs).columns
    w = weekly(msgs, labels([("m0", "longing"), ("m1", "longing"), ("m2", "affection")]))
    assert w.row(0, named=True)["longing_them"] == 1 and w.row(0, named=True)["affection_them"] == 1


def test_balance_over_time_counts_one_sided_weeks_up_to_now() -> None:
    rows = []
    # Week 1 balanced (we take turns starting); weeks 2–4: I send 4 messages a day, he sends 1.
    for day in range(28):
        base = day * D
        first, second = ("me", "them") if day % 2 else ("them", "me")
        rows.append((base, first, "hello there"))
        rows.append((base + 10, second, "hi there"))
        if day >= 7:
            rows += [(base + 20 + k, "me", "and another thing") for k in range(3)]
    bt = balance_over_time(chat(rows))
    comps = bt.weeks.get_column("composite").to_list()
    assert comps[0] == pytest.approx(0.5, abs=0.1) and all(c > 0.65 for c in comps[1:])
    assert bt.weeks_over_threshold == 3 and bt.longest_over_threshold == 3
    assert balance_over_time(chat(rows), params=Params(one_sided_threshold=0.9)).weeks_over_threshold == 0


def test_absence_finds_my_silences_and_whether_he_reached_out() -> None:
    msgs = chat(
        [
            (0, "me", "night!"),
            (2, "them", "night x"),
            # my silence of 3 days; he opens a conversation 30 h after my last message
            (30 * H, "them", "miss you"),
            (72 * H, "me", "sorry, was away"),
            (72 * H + 5, "them", "welcome back"),
            # my second silence: 2 days, he does not write
            (120 * H, "me", "hey"),
            (121 * H, "them", "hey"),  # inside the same conversation: not reaching out
            (200 * H, "me", "anyone?"),
        ]
    )
    ab = absence_response(msgs, labels([("m2", "longing")]))
    assert len(ab.silences) == 3  # 0→72 h, 72→120 h, 120→200 h
    first, second, third = ab.silences
    assert first.they_reached_out and first.hours_to_reach_out == pytest.approx(30.0)
    assert first.longing is True
    assert not second.they_reached_out and second.hours_to_reach_out is None
    assert not third.they_reached_out  # his 121 h reply answers me inside the conversation
    assert ab.they_reached_out == 1 and ab.median_hours_to_reach_out == pytest.approx(30.0)
    assert first.vs_usual_latency == pytest.approx(30 * 3600 / ab.usual_latency_s)


def test_absence_without_labels_says_longing_unknown() -> None:
    ab = absence_response(chat([(0, "me", "bye"), (30 * H, "them", "miss you"), (50 * H, "me", "hi")]))
    assert ab.silences[0].they_reached_out and ab.silences[0].longing is None


def test_longing_counts_who_says_it_and_who_says_it_first() -> None:
    msgs = chat(
        [
            (0, "me", "miss you"),
            (5, "them", "miss you too"),
            (10 * H, "them", "can't wait to see you"),  # a new conversation, his first
            (10 * H + 3, "me", "me too"),
            (40 * D, "them", "love you"),
        ]
    )
    lab = labels([("m0", "longing"), ("m1", "longing"), ("m2", "longing"), ("m4", "affection")])
    lo = longing(msgs, lab)
    assert lo.longing is not None and lo.affection is not None
    assert (lo.longing.me, lo.longing.them) == (1, 2)
    assert (lo.longing.first_by_me, lo.longing.first_by_them) == (1, 1)
    assert (lo.affection.me, lo.affection.them, lo.affection.first_by_them) == (0, 1, 1)
    months = lo.longing.per_month
    assert months.get_column("month").to_list() == [date(2024, 1, 1), date(2024, 2, 1)]
    assert months.get_column("them").to_list() == [2, 0]
    assert lo.longing.them_per_month == pytest.approx(2 / (40 * 24 / 24 / 30.44), rel=0.01)


def test_longing_is_unavailable_without_labels() -> None:
    lo = longing(chat([(0, "me", "miss you")]))
    assert lo.longing is None and lo.affection is None
    sig = report_signals(chat([(0, "me", "miss you")]))
    assert sig["longing"]["status"] == "unavailable" and sig["longing"]["me"] is None


def _weeks(lat: list[float], fu: list[int]) -> pl.DataFrame:
    n = len(lat)
    return pl.DataFrame(
        {
            "week": [date(2024, 1, 1) + timedelta(weeks=i) for i in range(n)],
            "replies_them": [10] * n,
            "latency_median_s_them": [float(x) for x in lat],
            "follow_ups_me": fu,
        }
    )


def test_pursue_withdraw_reads_a_clear_link_and_names_the_weeks() -> None:
    lat = [60, 70, 65, 600, 80, 700, 75, 650, 70, 620.0]
    fu = [0, 1, 0, 5, 1, 6, 0, 4, 1, 5]
    pw = pursue_withdraw(None, weeks=_weeks(lat, fu))  # type: ignore[arg-type]
    assert pw.reading == "clear" and pw.r is not None and pw.r > 0.8
    assert len(pw.weeks) == 4 and pw.weeks[0] == date(2024, 1, 22)


def test_pursue_withdraw_needs_enough_weeks_and_variation() -> None:
    assert pursue_withdraw(None, weeks=_weeks([60.0] * 5, [1] * 5)).reading == "not_enough_data"  # type: ignore[arg-type]
    flat = pursue_withdraw(None, weeks=_weeks([60, 70, 80, 90, 100, 110, 120, 130.0], [2] * 8))  # type: ignore[arg-type]
    assert flat.status == "ok" and flat.r is None and flat.reading == "none"


def test_lsm_is_one_for_identical_styles_and_follows_the_formula() -> None:
    same = chat([(i, "me" if i % 2 else "them", "i think we should go to the park and not the mall") for i in range(12)])
    assert style(same, Params(lsm_min_words=10)).lsm == pytest.approx(1.0, abs=1e-3)
    # Me: only pronouns; him: only articles. Per category 1 - |p1 - p2| / (p1 + p2 + 0.0001).
    apart = chat([(0, "me", "you me you me"), (1, "them", "the a the a")])
    st = style(apart, Params(lsm_min_words=1))
    assert st.lsm_by_category["personal_pronouns"] == pytest.approx(1 - 1 / 1.0001)
    assert st.lsm_by_category["articles"] == pytest.approx(1 - 1 / 1.0001)
    assert st.lsm_by_category["negations"] == 1.0  # neither uses any: 1 - 0 / 0.0001
    assert st.lsm == pytest.approx((7 + 2 * (1 - 1 / 1.0001)) / 9)


def test_texting_forms_count_and_contractions_stay_whole() -> None:
    st = style(chat([(0, "me", "u r the best, idk why ur so nice"), (1, "them", "we're good, don't worry")]), Params(lsm_min_words=1))
    assert st.we_per_100_them == pytest.approx(100 / 4)  # "we're" is we-talk; 4 words
    assert st.i_per_100_me == 0.0  # "idk" is not I-talk here; u/ur are "you"


def test_we_and_i_talk_per_100_words() -> None:
    st = style(chat([(0, "me", "I love that we went there, me and my sister"), (1, "them", "us too")]), Params(lsm_min_words=1))
    assert st.i_per_100_me == pytest.approx(100 * 3 / 10)
    assert st.we_per_100_me == pytest.approx(100 * 1 / 10)
    assert st.we_per_100_them == pytest.approx(50.0)


def test_style_says_null_under_the_word_minimum() -> None:
    st = style(chat([(0, "me", "hi"), (1, "them", "hey")]))
    assert st.lsm is None and st.weekly.get_column("lsm").to_list() == [None]


def test_timeline_of_a_joined_timeline_uses_each_chats_zone() -> None:
    t0 = datetime(2024, 1, 1, 23, 30, tzinfo=timezone.utc)
    a = chat([(0, "me", "hi")], t0=t0, tz="UTC")
    b = chat([(0, "them", "hey")], t0=t0, tz="Asia/Tokyo").with_columns(chat_id=pl.lit("test:2"), msg_id=pl.lit("x0"))
    tl = timeline(pl.concat([a, b]))
    assert sorted(tl.msgs.get_column("late").to_list()) == [False, False]
    assert sorted(h.hour for h in tl.msgs.get_column("local").to_list()) == [8, 23]


def test_report_json_has_the_dynamics_keys_and_no_nan() -> None:
    msgs = chat([(i * 3 * H, "me" if i % 3 else "them", "hey you? miss you") for i in range(200)])
    lab = labels([(f"m{i}", "longing") for i in range(0, 200, 7)])
    sig = report_signals(msgs, lab)
    for key in ("pull_away", "absence", "longing", "style", "weekly", "pursue_withdraw"):
        assert key in sig
    pa = sig["pull_away"]
    assert {"detected", "since", "confidence", "changes", "status", "reason"} <= set(pa)
    assert set(pa["changes"]) >= {"latency_ratio", "volume_ratio", "length_ratio", "starts_share_delta"}
    assert {"silences", "they_reached_out", "median_hours_to_reach_out", "per_silence"} <= set(sig["absence"])
    assert {"me", "them", "first_by", "per_month"} <= set(sig["longing"])
    assert {"weeks_over_threshold", "weekly"} <= set(sig["balance"])
    assert {"lsm", "we_per_100", "i_per_100", "weekly"} <= set(sig["style"])
    assert set(sig["weekly"]) == {"weeks", "days", "me", "them"}
    assert len(sig["weekly"]["me"]["messages"]) == len(sig["weekly"]["weeks"])
    assert isinstance(sig["longing"]["me"], int) and isinstance(sig["absence"]["silences"], int)
    json.dumps(sig, allow_nan=False)


def test_fixed_offsets_are_read_per_row() -> None:
    # An importer that keeps the source's offsets: +01:00 in summer, +00:00 (as "UTC") in winter.
    summer = chat([(0, "me", "hi")], t0=datetime(2024, 7, 1, 23, 30, tzinfo=timezone.utc), tz="+01:00")
    winter = chat([(0, "me", "hi")], t0=datetime(2024, 12, 1, 23, 30, tzinfo=timezone.utc), tz="UTC")
    tl = timeline(pl.concat([summer.with_columns(msg_id=pl.lit("s")), winter]))
    assert tl.msgs.get_column("late").to_list() == [True, False]


def test_pull_away_copes_with_instant_replies_and_wordless_weeks() -> None:
    from fonder.analysis import pull_away

    rows = []
    for day in range(70):  # ten weeks: he answers in the same second, with stickers only
        rows += [(day * D, "me", "hi"), (day * D, "them", None, "sticker"), (day * D + 1, "them", None, "media")]
    pa = pull_away(chat(rows), Params(min_messages=10))
    assert pa.status == "ok" and not pa.detected
    json.dumps(report_signals(chat(rows)), allow_nan=False)
