"""``check_draft``: should I send this? Verdicts, reasons, wait times and kinder rewrites."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fonder import coach
from test_coach_helpers import (
    HIS_P75_S,
    ME,
    THEM,
    T0,
    add,
    analyse,
    frame,
    rhythm,
)

DAYS = 42
LAST_DAY = T0 + timedelta(days=DAYS)  # the day after the rhythm ends


def _check(draft, rows_after=(), *, at, days=DAYS, extra=()):
    """Check ``draft`` at ``at`` on the rhythm chat plus ``rows_after`` (on LAST_DAY)."""
    m = frame(rhythm(days))
    if rows_after or extra:
        m = add(m, [*rows_after, *extra])
    lab, sig = analyse(m)
    return coach.check_draft(draft, m, lab, sig, me=ME, them=THEM, at=at)


def test_reassurance_ten_minutes_after_her_unanswered_message_is_rethink_with_a_kinder_rewrite():
    sent = LAST_DAY.replace(hour=9)
    c = _check("are you mad at me?", [(sent, "me", "morning! big day today")], at=sent + timedelta(minutes=10))
    assert c.verdict == "rethink"
    assert "reassurance_seeking" in c.labels
    assert c.suggestion and "?" not in c.suggestion  # a statement, not another question
    # his usual p75 reply time counts from her unanswered message
    assert c.wait_until == (sent + timedelta(seconds=HIS_P75_S)).astimezone(c.wait_until.tzinfo)
    assert c.numbers["his_p75_latency_s"] == HIS_P75_S
    assert any("20 min" in r and "09:20" in r for r in c.reasons)
    j = c.to_json()
    assert set(j) >= {"verdict", "reasons", "labels", "wait_until", "suggestion"}
    assert j["wait_until"].startswith("2025-02-17T09:20")
    assert c.exit_code == coach.EXIT_CODES["rethink"] == 4


def test_a_plain_plan_while_answering_him_with_a_balanced_chat_is_send():
    his = LAST_DAY.replace(hour=19)
    c = _check("let's get dinner friday?", [(his, "them", "home now, how was your day?")],
               at=his + timedelta(minutes=4))
    assert c.verdict == "send", c.reasons
    assert c.wait_until is None and c.suggestion is None
    assert "plan_proposal" in c.labels
    assert c.exit_code == 0


def test_the_same_plan_right_after_her_unanswered_message_waits_for_his_usual_time():
    sent = LAST_DAY.replace(hour=9)
    c = _check("let's get dinner friday?", [(sent, "me", "morning!")], at=sent + timedelta(minutes=5))
    assert c.verdict == "wait"
    assert c.wait_until.hour == 9 and c.wait_until.minute == 20
    assert c.exit_code == 3


def test_one_follow_up_after_his_usual_time_has_passed_is_fine():
    sent = LAST_DAY.replace(hour=9)
    c = _check("how's the day going?", [(sent, "me", "morning!")], at=sent + timedelta(hours=2))
    assert c.verdict == "send"
    assert any("one follow-up is fine" in r for r in c.reasons)


def test_after_two_unanswered_bursts_the_next_waits_a_day():
    first = LAST_DAY.replace(hour=9)
    second = first + timedelta(hours=1)
    c = _check("hello??", [(first, "me", "morning!"), (second, "me", "you there?")],
               at=second + timedelta(hours=2))
    assert c.verdict == "wait"
    assert c.wait_until == (second + timedelta(days=1)).astimezone(c.wait_until.tzinfo)
    assert any("Let the next one be his" in r for r in c.reasons)


def test_criticism_gets_an_i_statement_with_her_own_words():
    his = LAST_DAY.replace(hour=19)
    c = _check("you never listen to me", [(his, "them", "sorry, was busy")], at=his + timedelta(minutes=3))
    assert c.verdict == "rethink" and "criticism" in c.labels
    assert c.suggestion.startswith("It would mean a lot to me if you'd listen to me.")


@pytest.mark.parametrize(("draft", "expected"), [
    ("call me now", "Could you call me when you get a moment?"),
    ("answer me!!", "Could you answer me when you get a moment?"),
])
def test_demands_become_requests(draft, expected):
    his = LAST_DAY.replace(hour=19)
    c = _check(draft, [(his, "them", "what's up")], at=his + timedelta(minutes=3))
    assert c.verdict == "rethink" and "demand" in c.labels
    assert c.suggestion == expected


def test_late_at_night_when_he_never_writes_it_waits_for_the_morning():
    his = LAST_DAY.replace(hour=19)
    at = LAST_DAY.replace(hour=23, minute=30)
    c = _check("thinking of you, sleep well", [(his, "them", "night")], at=at)
    assert c.verdict == "wait"
    assert c.wait_until.date() == (LAST_DAY + timedelta(days=1)).date()
    assert c.wait_until.hour == 9  # his quiet hours end when he starts writing


def test_messages_after_at_are_ignored():
    """--at in the past: the chat is read as it stood then."""
    sent = LAST_DAY.replace(hour=9)
    later = sent + timedelta(minutes=15)
    c = _check("are we still on for friday?", [(sent, "me", "morning!"), (later, "them", "morning")],
               at=sent + timedelta(minutes=5))
    assert c.numbers["unanswered"] == 1 and c.verdict == "wait"


def test_before_he_has_written_anything_timing_is_not_judged():
    m = frame([(T0, "me", "hi! it was lovely to meet you")])
    lab, sig = analyse(m)
    c = coach.check_draft("want to get a coffee on saturday?", m, lab, sig, me=ME, them=THEM,
                          at=T0 + timedelta(minutes=5))
    assert c.verdict == "send" and c.wait_until is None
    assert any("hasn't written" in r for r in c.reasons)


def test_an_empty_draft_is_rethink():
    c = _check("   ", at=LAST_DAY)
    assert c.verdict == "rethink" and c.labels == []


def test_when_safety_fires_check_never_says_wait_and_shows_help():
    sent = LAST_DAY.replace(hour=9)
    abuse = [(LAST_DAY - timedelta(days=2, hours=-21), "them", "you're worthless"),
             (LAST_DAY - timedelta(days=1, hours=-21), "them", "where are you right now")]
    c = _check("sorry, I was at work", [(sent, "me", "morning!")], extra=abuse, at=sent + timedelta(minutes=5))
    assert c.verdict != "wait" and c.wait_until is None
    assert "1-800-799-7233" in c.reasons[0]


def test_rewrite_templates_fall_back_when_the_draft_does_not_parse():
    assert coach.rewrite("ugh. you always, ALWAYS do this!!! 😡😡", ["criticism"]).startswith("Something's been on my mind")
    assert coach.rewrite("you're always late!!", ["criticism"]).startswith("I feel a bit let down when you're late.")
    assert "rather not do it by text" in coach.rewrite("why do you do this to me every single time", ["criticism"])
    assert coach.rewrite("be honest am I pretty", ["compliment_fishing"])
    assert coach.rewrite("k", ["stonewall_reply"]) is None


def test_rewrite_drops_complaint_time_words() -> None:
    from fonder.coach import rewrite

    kinder = rewrite("you never text me first anymore", ["criticism"])
    assert kinder is not None
    assert "text me first" in kinder
    assert "anymore" not in kinder
