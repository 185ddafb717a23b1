"""Part A signals: conversations, latencies, follow-ups, shares, balance, and their JSON."""

from __future__ import annotations

import json
import math

import pytest

from fonder.analysis import (
    Params,
    conversations,
    effort_balance,
    follow_ups,
    report_signals,
    reply_latencies,
    shares,
)

from test_analysis_helpers import chat, labels

H = 60  # minutes in an hour

# Two conversations: I start the first, he starts the second after 10 h of quiet.
TWO_CONVS = chat(
    [
        (0, "me", "hey how was your day?"),
        (1, "me", "I had pizza"),
        (11, "them", "good! you?"),  # he replies 10 min after my last message
        (41, "me", "great"),  # I reply 30 min later
        (41, "sys", "Messages are end-to-end encrypted"),
        (42, "them", "👍", "reaction"),
        (41 + 10 * H, "them", "morning"),  # new conversation, his
        (41 + 10 * H + 2, "me", "hi :) what are you up to?"),
    ]
)


def test_conversations_split_on_six_hours_and_credit_the_first_sender() -> None:
    c = conversations(TWO_CONVS)
    assert (c.total, c.started_by_me, c.started_by_them) == (2, 1, 1)


def test_conversation_gap_is_a_parameter() -> None:
    assert conversations(TWO_CONVS, Params(conversation_gap_h=12)).total == 1


def test_latency_runs_from_the_end_of_a_turn_to_the_replier() -> None:
    lat = reply_latencies(TWO_CONVS)
    # his one reply: 10 min; mine: 30 min and 2 min (the 10 h gap is a new conversation)
    assert lat.them.replies == 1 and lat.them.median == 600.0
    assert lat.me.replies == 2 and lat.me.median == pytest.approx((1800 + 120) / 2)
    assert lat.me.p75 == pytest.approx(120 + 0.75 * (1800 - 120))


def test_no_replies_means_null_latency() -> None:
    lat = reply_latencies(chat([(0, "me", "hi"), (5, "me", "hello?")]))
    assert lat.them.median is None and lat.them.replies == 0


def test_follow_ups_count_new_bursts_without_a_reply_and_the_longest_streak() -> None:
    msgs = chat(
        [
            (0, "me", "hi"),
            (5, "me", "are you there"),  # same burst: 5 min < 15 min
            (30, "me", "hello?"),  # follow-up 1
            (90, "me", "??"),  # follow-up 2 (streak 2)
            (100, "them", "sorry, was busy"),
            (200, "them", "you there?"),  # his follow-up
            (210, "me", "yes"),
            (300, "me", "so?"),  # my follow-up, streak 1
        ]
    )
    fu = follow_ups(msgs)
    assert (fu.me.count, fu.me.longest_streak) == (3, 2)
    assert (fu.them.count, fu.them.longest_streak) == (1, 1)


def test_follow_up_gap_is_a_parameter() -> None:
    msgs = chat([(0, "me", "hi"), (20, "me", "hello?")])
    assert follow_ups(msgs).me.count == 1
    assert follow_ups(msgs, Params(follow_up_gap_min=30)).me.count == 0


def test_shares_count_messages_words_and_question_marks() -> None:
    s = shares(TWO_CONVS)
    assert (s.messages.me, s.messages.them) == (4, 2)  # system and reaction rows do not count
    assert s.messages.share == pytest.approx(4 / 6)
    assert (s.words.me, s.words.them) == (5 + 3 + 1 + 6, 2 + 1)
    assert (s.questions.me, s.questions.them) == (2, 1)
    assert s.questions_from == "question_mark"


def test_questions_come_from_labels_when_given() -> None:
    lab = labels([("m0", "question"), ("m0", "question"), ("m3", "question")])
    s = shares(__import__("fonder.analysis", fromlist=["timeline"]).timeline(TWO_CONVS, lab))
    assert (s.questions.me, s.questions.them) == (2, 0)
    assert s.questions_from == "labels"


def test_balance_without_labels_leaves_label_components_out() -> None:
    bal = effort_balance(TWO_CONVS)
    assert bal.components["plans"] is None and bal.components["affection"] is None
    assert "plans" not in bal.used
    # starts 1/2 (2 events < 3: left out), messages 4/6, words 15/18; questions 3 events: 2/3
    assert set(bal.used) == {"messages", "words", "questions"}
    assert bal.composite == pytest.approx((4 / 6 + 15 / 18 + 2 / 3) / 3)


def test_balance_with_labels_adds_plans_affection_appreciation() -> None:
    lab = labels([("m0", "affection"), ("m1", "affection"), ("m2", "affection"), ("m3", "plan_proposal")])
    bal = effort_balance(TWO_CONVS, lab)
    aff = bal.components["affection"]
    assert aff is not None and (aff.me, aff.them) == (2, 1)
    assert "affection" in bal.used and "plans" not in bal.used  # 1 plan < 3 events


def test_report_signals_has_the_pinned_part_a_shape() -> None:
    sig = report_signals(TWO_CONVS)
    assert sig["conversations"] == {"total": 2, "started_by": {"me": 1, "them": 1}}
    assert set(sig["latency_s"]) == {"me", "them"}
    assert {"median", "p75"} <= set(sig["latency_s"]["them"])
    assert sig["latency_s"]["them"]["median"] == 600.0
    assert sig["follow_ups"]["me"] == {"count": 0, "longest_streak": 0}
    assert sig["shares"] == {"messages": 0.667, "words": 0.833, "questions": 0.667}
    assert set(sig["balance"]) >= {"composite", "components"}
    assert isinstance(sig["conversations"]["total"], int)
    json.dumps(sig, allow_nan=False)


def test_report_signals_on_an_empty_frame_is_all_nulls_and_zeros() -> None:
    sig = report_signals(chat([]))
    assert sig["conversations"]["total"] == 0
    assert sig["latency_s"]["me"]["median"] is None
    assert sig["shares"]["messages"] is None
    assert sig["balance"]["composite"] is None
    json.dumps(sig, allow_nan=False)


def test_one_sided_chat_has_share_one_and_no_nan() -> None:
    sig = report_signals(chat([(0, "me", "hi"), (600, "me", "hi again"), (1200, "me", "hello?")]))
    assert sig["shares"]["messages"] == 1.0
    assert sig["latency_s"]["them"]["median"] is None
    text = json.dumps(sig, allow_nan=False)
    assert "NaN" not in text and not any(isinstance(v, float) and math.isnan(v) for v in [sig["balance"]["composite"]])


def test_params_refuse_impossible_thresholds() -> None:
    with pytest.raises(ValueError):
        Params(conversation_gap_h=0)
    with pytest.raises(ValueError):
        Params(one_sided_threshold=1.5)


def test_evaluation_names_every_missed_target() -> None:
    from fonder.analysis.evaluate import Evaluation

    ev = Evaluation(steady=100, steady_fired=6, pulled=100, pulled_fired=80, she=50, she_fired=0,
                    date_errors_days=(3.0,) * 9 + (30.0,) * 2, not_enough=0)
    missed = ev.failures()
    assert len(missed) == 3 and any("false alarms" in m for m in missed)
    assert any("detection 80.0%" in m for m in missed) and any("p90 date error" in m for m in missed)
