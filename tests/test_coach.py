"""Findings, headline and safety: what a person reading the report would notice."""

from __future__ import annotations

import ast
import inspect
import re
from datetime import datetime, timedelta

import pytest

from fonder import coach
from fonder.coach import messages as M
from test_coach_helpers import (
    ME,
    SPACE_WORDS,
    THEM,
    T0,
    add,
    all_text,
    analyse,
    demo,
    frame,
    rhythm,
    steady,
)


def run(messages, labels, signals):
    found = coach.findings(signals, messages, labels, me=ME, them=THEM)
    return {f.principle: f for f in found}, found


# --- the demo couple: his pull-away in August, her chasing, his "miss you" after her silence ---


def test_headline_answers_does_he_miss_you_with_trend_and_the_silence():
    m, lab, sig = demo()
    h = coach.headline(sig, m, lab, me=ME, them=THEM)
    assert h.trend == "down"
    assert h.sentence.startswith("Daniel still says he misses you, but less often")
    # the silence in late September that he broke with a "miss you"
    assert re.search(r"after your [\d.]+ days of quiet from 2\d Sep, he was the one who wrote", h.sentence)
    assert "missed you" in h.sentence
    assert h.sentence.endswith(".") and h.sentence.count(". ") == 0  # one sentence
    assert any("went quiet for a day or more" in f for f in h.facts)
    assert h.to_json()["trend"] == "down"


def test_pull_away_leads_the_findings_with_the_date_and_numbers():
    m, lab, sig = demo()
    by, found = run(m, lab, sig)
    p2 = by["P2"]
    assert found[0] is p2 and p2.rank == 1 and p2.severity == "high"
    assert p2.evidence.numbers["since"] in ("2026-07-27", "2026-08-03", "2026-08-10")
    assert p2.title.startswith("Daniel has pulled back since the week of")
    facts = " ".join(p2.evidence.facts)
    assert "as long" in facts and "fewer messages a day" in facts
    assert "match his pace" in p2.advice
    assert p2.research and "Templeton" in p2.research


def test_her_chasing_is_named_with_the_august_peak():
    m, lab, sig = demo()
    by, _ = run(m, lab, sig)
    p1 = by["P1"]
    assert p1.severity in ("medium", "high")
    peak = p1.evidence.numbers["follow_up_peak"]
    assert peak["start"].startswith("2026-08") and peak["times_usual"] >= 1.5
    assert any("unanswered follow-ups" in f for f in p1.evidence.facts)
    # the advice carries his own p75 reply time, in minutes
    p75_min = round(p1.evidence.numbers["his_p75_latency_s"] / 60)
    assert f"wait at least {p75_min} min" in p1.advice
    assert "at least half of your conversations" in p1.advice
    # reassurance seeking is shown with her own messages, never more than three
    assert 1 <= len(p1.evidence.examples) <= 3
    assert all(e["who"] == "me" for e in p1.evidence.examples)
    assert any(e["label"] == "reassurance_seeking" for e in p1.evidence.examples)


def test_he_said_it_less_and_she_says_it_more():
    m, lab, sig = demo()
    by, _ = run(m, lab, sig)
    assert by["P0"].evidence.numbers["trend"] == "down"
    assert all(e["who"] == "them" and e["label"] == "longing" for e in by["P0"].evidence.examples)
    p10 = by["P10"]
    assert p10.evidence.numbers["longing"]["me"] > p10.evidence.numbers["longing"]["them"]


def test_every_finding_shows_evidence_and_at_most_three_examples():
    m, lab, sig = demo()
    _, found = run(m, lab, sig)
    assert {f.principle for f in found} >= {"P0", "P1", "P2", "P3", "P5", "P6", "P7", "P8", "P9", "P10"}
    for f in found:
        assert f.evidence.facts, f.principle
        assert f.advice and f.title
        assert f.severity in coach.SEVERITIES
        assert len(f.evidence.examples) <= 3
        for e in f.evidence.examples:
            assert e["who"] in ("me", "them") and e["text"]
            ts = datetime.fromisoformat(e["ts"])
            assert ts.utcoffset() is not None
        j = f.to_json()
        assert {"principle", "severity", "title", "evidence", "advice", "research"} <= set(j)
        assert {"facts", "numbers", "examples"} <= set(j["evidence"])
    assert [f.rank for f in found] == list(range(1, len(found) + 1))


def test_top_actions_are_the_three_most_important():
    m, lab, sig = demo()
    _, found = run(m, lab, sig)
    actions = coach.top_actions(found)
    assert len(actions) == 3 and len(set(actions)) == 3
    assert actions[0] == found[0].advice  # the pull-away advice comes first


# --- a steady couple: nothing alarming ---------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_steady_couple_raises_no_alarm(seed):
    m, lab, sig = steady(seed)
    _, found = run(m, lab, sig)
    assert coach.safety(m, lab, them=THEM) is None
    assert not [f for f in found if f.severity in ("medium", "high")]
    assert not any(f.principle == "S1" for f in found)
    by = {f.principle: f for f in found}
    assert by["P2"].severity == "info" and "steady" in by["P2"].title
    h = coach.headline(sig, m, lab, me=ME, them=THEM)
    assert h.trend in ("steady", "up")
    assert h.sentence.startswith("Yes")


# --- safety: his insults, threats and control lead, and space advice stops ---------------------

ABUSE = [
    (timedelta(days=40, hours=21), "them", "where are you right now"),
    (timedelta(days=40, hours=21, minutes=2), "them", "who were you with"),
    (timedelta(days=41, hours=22), "them", "you're worthless"),
    (timedelta(days=42, hours=8), "them", "you'll regret this"),
]


def _abusive():
    base = frame(rhythm(44))
    m = add(base, [(T0 + d, who, text) for d, who, text in ABUSE])
    lab, sig = analyse(m)
    return m, lab, sig


def test_safety_section_names_what_was_seen_and_where_to_get_help():
    m, lab, _ = _abusive()
    s = coach.safety(m, lab, them=THEM)
    assert s is not None
    assert s.counts.get("insult", 0) >= 1 and s.counts.get("control", 0) >= 1
    assert 1 <= len(s.examples) <= 3 and all(e["who"] == "them" for e in s.examples)
    help_text = " ".join(s.help)
    assert "1-800-799-7233" in help_text and "0808 2000 247" in help_text
    assert "emergency number" in help_text
    assert "not your fault" in s.sentence
    assert s.to_json()["help"] == s.help


def test_safety_leads_and_no_space_advice_is_given():
    m, lab, sig = _abusive()
    _, found = run(m, lab, sig)
    assert found[0].principle == "S1" and found[0].severity == "high"
    advice = " ".join(f.advice for f in found).lower()
    for words in SPACE_WORDS:
        assert words not in advice, words
    actions = coach.top_actions(found)
    assert "1-800-799-7233" in actions[0] and "someone you trust" in actions[1]
    assert not any(w in all_text(actions) for w in SPACE_WORDS)
    # nothing coaches the relationship meanwhile: only her own life keeps its advice
    for f in found:
        if f.principle not in ("S1", "P5"):
            assert f.advice == coach.messages.SAFETY_OVERRIDE and f.severity in ("info", "low")


def test_one_jealous_question_alone_is_not_a_safety_alarm():
    base = frame(rhythm(44))
    m = add(base, [(T0 + timedelta(days=43, hours=20), "them", "who is he")])
    lab, _ = analyse(m)
    assert coach.safety(m, lab, them=THEM) is None


# --- short data and missing labels -------------------------------------------------------------


def test_short_chat_says_so_and_claims_nothing_confident():
    m = frame(rhythm(10))
    lab, sig = analyse(m)
    _, found = run(m, lab, sig)
    assert found
    for f in found:
        assert f.severity in ("info", "low")
        assert f.evidence.facts[0].startswith("Based on only")
    h = coach.headline(sig, m, lab, me=ME, them=THEM)
    assert h.trend == "unknown" and "too early" in h.sentence.lower()


def test_without_labels_the_headline_says_it_cannot_tell():
    from fonder.analysis import report_signals

    m, _, _ = demo()
    sig = report_signals(m)
    h = coach.headline(sig, m, None, me=ME, them=THEM)
    assert h.trend == "unknown" and "can't tell" in h.sentence
    found = coach.findings(sig, m, None, me=ME, them=THEM)
    assert {f.principle for f in found} >= {"P1", "P2", "P3"}


def test_empty_chat_has_no_findings():
    m = frame([])
    lab, sig = analyse(m)
    assert coach.findings(sig, m, lab, me=ME, them=THEM) == []
    assert coach.safety(m, lab, them=THEM) is None
    h = coach.headline(sig, m, lab, me=ME, them=THEM)
    assert h.trend == "unknown" and "nothing in this chat yet" in h.sentence


# --- words: one place, and never shaming ----------------------------------------------------------

SHAMING = ("needy", "clingy", "desperate", "pathetic", "make him jealous", "play hard to get",
           "ignore him", "high-value", "the chase")


def _strings(module) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.append(node.value)
    return out


def test_the_coach_words_never_shame_or_teach_games():
    text = " ".join(_strings(M)).lower()
    for word in SHAMING:
        assert word not in text, word


def test_the_coach_modules_hold_no_sentences_of_their_own():
    """User-facing words live in messages.py: other modules have no long English literals."""
    import fonder.coach.check as check
    import fonder.coach.findings as findings
    import fonder.coach.plan as plan

    for module in (findings, plan, check):
        tree = ast.parse(inspect.getsource(module))
        docstrings = {
            id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
            and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                words = node.value.split()
                assert len(words) < 4 or not node.value[0].isupper(), (module.__name__, node.value)
