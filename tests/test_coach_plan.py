"""``plan``: seven days of space rules from his baseline, her own life, new date ideas; and the
catalogues behind them."""

from __future__ import annotations

import re
from datetime import date, timedelta

import polars as pl
import pytest

from fonder import coach
from fonder.coach.base import prepare
from fonder.coach.plan import pick_date_ideas, season_of
from test_coach_helpers import (
    HIS_P75_S,
    ME,
    THEM,
    T0,
    add,
    all_text,
    analyse,
    demo,
    frame,
    rhythm,
)

TODAY = date(2026, 11, 2)


def _words_in_chat(messages: pl.DataFrame, words: list[str]) -> list[str]:
    low = " \n ".join(t.lower() for t in messages["text"].drop_nulls().to_list())
    return [w for w in words if re.search(r"\b" + re.escape(w.lower()) + r"\b", low)]


def test_demo_plan_has_space_rules_from_his_own_numbers():
    m, lab, sig = demo()
    p = coach.plan(sig, m, lab, me=ME, them=THEM, today=TODAY)
    j = p.to_json()
    assert j["days"] == 7 and j["start"] == "2026-11-02" and j["end"] == "2026-11-08"
    assert j["safety_first"] is False
    rules = {r["id"]: r for r in j["space"]}
    assert {"starts", "follow_up", "reassurance", "mirror"} <= set(rules)
    p75 = rules["follow_up"]["numbers"]["his_p75_latency_s"]
    assert f"No follow-up before {round(p75 / 60)} min" in rules["follow_up"]["text"]
    assert "at least half" in rules["starts"]["text"] or "about half" in rules["starts"]["text"]
    # the plan reads the pull-away: he's slower, so mirror his pace
    assert sig["pull_away"]["detected"] and "match his pace" in rules["mirror"]["text"]


def test_demo_date_ideas_are_five_new_ones_the_chat_never_mentions():
    m, lab, sig = demo()
    p = coach.plan(sig, m, lab, me=ME, them=THEM, today=TODAY)
    ideas = p.date_ideas
    assert len(ideas) == 5 and len({i["id"] for i in ideas}) == 5
    catalogue = {i["id"]: i for i in coach.date_ideas_catalogue()}
    for idea in ideas:
        assert not _words_in_chat(m, catalogue[idea["id"]]["keywords"]), idea["id"]
        assert "autumn" in catalogue[idea["id"]]["seasons"]
    # the demo talks about climbing, an escape room and pottery: none of them comes back
    assert not {"indoor-climbing", "escape-room", "pottery-taster"} & {i["id"] for i in ideas}
    # novelty and a little adrenaline first, with a spread of costs
    assert sum(i["adrenaline"] >= 2 for i in ideas) >= 3
    assert any(i["cost"] in ("free", "low") for i in ideas)
    assert sum(i["cost"] == "high" for i in ideas) <= 1


def test_bowling_in_the_chat_means_no_bowling_idea():
    base = frame(rhythm(42))
    lab, _ = analyse(base)
    before = {i["id"] for i in pick_date_ideas(prepare(base, lab), TODAY, k=500)}
    assert "bowling" in before and "karaoke" in before
    went = add(base, [(T0 + timedelta(days=20, hours=22), "me", "that was so fun, we should go bowling more often"),
                      (T0 + timedelta(days=30, hours=22), "them", "Karaoke was hilarious last night")])
    lab2, _ = analyse(went)
    after = {i["id"] for i in pick_date_ideas(prepare(went, lab2), TODAY, k=500)}
    assert "bowling" not in after and "karaoke" not in after
    assert before - after == {"bowling", "karaoke"}


def test_own_life_starts_with_what_she_already_does_then_her_interests():
    m, lab, sig = demo()
    p = coach.plan(sig, m, lab, me=ME, them=THEM, interests=["photography", "underwater hockey"], today=TODAY)
    sources = [i["source"] for i in p.own_life]
    assert sources[:2] == ["chat", "chat"]
    assert "you mention" in p.own_life[0]["why"].lower()
    mine = [i for i in p.own_life if i["source"] == "interests"]
    assert [i["id"] for i in mine] == ["photography", None]
    assert mine[1]["title"] == "Make time for underwater hockey"
    assert len(p.own_life) >= 5
    assert len({i["title"] for i in p.own_life}) == len(p.own_life)


def test_rhythm_plan_reads_his_p75_and_his_quiet_hours():
    m = frame(rhythm(42))
    lab, sig = analyse(m)
    p = coach.plan(sig, m, lab, me=ME, them=THEM, today=date(2025, 2, 17))
    rules = {r.id: r for r in p.space}
    assert rules["follow_up"].numbers["his_p75_latency_s"] == HIS_P75_S
    assert "20 min" in rules["follow_up"].text
    quiet = rules["quiet_hours"].numbers
    # he writes only around 09:00 and 19:00: his quiet hours run from the evening to the morning
    assert quiet["end_hour"] == 9 and quiet["start_hour"] in (20, 21)
    assert "mirror" not in rules  # no pull-away, nothing to mirror
    assert p.date_ideas and all("winter" == i["season"] for i in p.date_ideas)


def test_safety_plan_leads_with_safety_and_gives_no_space_rules():
    base = frame(rhythm(42))
    m = add(base, [(T0 + timedelta(days=41, hours=21), "them", "you're worthless"),
                   (T0 + timedelta(days=41, hours=22), "them", "who were you with")])
    lab, sig = analyse(m)
    p = coach.plan(sig, m, lab, me=ME, them=THEM, today=date(2025, 2, 17))
    assert p.safety_first is True and p.space == []
    assert "safety" in p.notes[0].lower()
    assert "match his pace" not in all_text(p.to_json())


def test_seasons_follow_the_hemisphere():
    assert season_of(date(2026, 1, 10)) == "winter"
    assert season_of(date(2026, 7, 10)) == "summer"
    assert season_of(date(2026, 7, 10), "Australia/Sydney") == "winter"
    assert season_of(date(2026, 10, 10), "America/Argentina/Buenos_Aires") == "spring"


def test_the_week_changes_the_ideas_but_the_same_day_gives_the_same_plan():
    m, lab, sig = demo()
    a = coach.plan(sig, m, lab, me=ME, them=THEM, today=TODAY).date_ideas
    b = coach.plan(sig, m, lab, me=ME, them=THEM, today=TODAY).date_ideas
    assert a == b
    weeks = {tuple(i["id"] for i in coach.plan(sig, m, lab, me=ME, them=THEM,
                                               today=TODAY + timedelta(weeks=w)).date_ideas) for w in range(4)}
    assert len(weeks) > 1


# --- the catalogues ------------------------------------------------------------------------------

SEASONS = {"spring", "summer", "autumn", "winter"}


def test_date_idea_catalogue_has_at_least_100_well_formed_ideas():
    ideas = coach.date_ideas_catalogue()
    assert len(ideas) >= 100
    assert len({i["id"] for i in ideas}) == len(ideas)
    assert len({i["title"] for i in ideas}) == len(ideas)
    for i in ideas:
        assert set(i) == {"id", "title", "novelty", "adrenaline", "cost", "setting", "seasons", "keywords"}
        assert re.fullmatch(r"[a-z0-9-]+", i["id"])
        assert i["novelty"] in (1, 2, 3) and i["adrenaline"] in (1, 2, 3)
        assert i["cost"] in ("free", "low", "mid", "high")
        assert i["setting"] in ("indoor", "outdoor", "either")
        assert i["seasons"] and set(i["seasons"]) <= SEASONS
        assert i["keywords"] and all(k == k.lower().strip() and k for k in i["keywords"])
    # enough to choose from in every season, with thrills and cheap ones among them
    for season in SEASONS:
        fit = [i for i in ideas if season in i["seasons"]]
        assert len(fit) >= 60
        assert sum(i["adrenaline"] == 3 for i in fit) >= 10
        assert sum(i["cost"] in ("free", "low") for i in fit) >= 20


def test_own_life_catalogue_is_well_formed():
    items = coach.own_life_catalogue()
    assert len(items) >= 40
    assert len({i["id"] for i in items}) == len(items)
    assert len({i["mention"] for i in items}) == len(items)
    tags = set(coach.messages.OWN_LIFE_WHY_TAGS)
    for i in items:
        assert {"id", "title", "mention", "tags", "cost", "seasons", "keywords"} <= set(i)
        assert i["tags"] and set(i["tags"]) <= tags
        assert set(i["seasons"]) <= SEASONS and i["keywords"]


@pytest.mark.parametrize("word", ["bowl", "fair", "course", "play", "fish", "sup"])
def test_everyday_words_do_not_hide_ideas(word):
    """Keywords are specific: "my bowl is wonky" or "fair enough" skip nothing."""
    for catalogue in (coach.date_ideas_catalogue(), coach.own_life_catalogue()):
        assert all(word not in i["keywords"] for i in catalogue)
