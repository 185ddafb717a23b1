"""The tone engine's literal prefilter: sound (never drops a row a rule matches) and consistent."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from fonder.tone import engine, prefilter
from fonder.tone.rules import load_rules, transform

LABELED = Path(__file__).parent / "data" / "tone" / "labeled.jsonl"


def _texts() -> list[str]:
    lines = LABELED.read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines if line.strip()]
    # Stretched letters, doubled spaces, other whitespace and curly apostrophes, as in chats.
    return texts + [
        "misssss youuuu", "i  miss\tyou", "you’re  sooooooooooooooooooooooo  annoying",
        "dont\u00a0worry", "a\x1cb", "x" * 40 + " love you", "ok 👍", "❤\ufe0f ❤",
    ]


def test_key_text_is_the_key_of_every_text() -> None:
    texts = [t.lower() for t in _texts()]
    keys = engine.key_text(pl.Series(texts)).to_list()
    assert keys == [prefilter.key(t) for t in texts]
    assert prefilter.key("Misssss  you’re") == "Mis youre"


def test_literals_of_simple_patterns() -> None:
    assert prefilter.literals(transform("miss you")) == {"mis you"}
    assert prefilter.literals(transform("(so )?sorry")) == {"sory"}  # in every match
    assert prefilter.literals(transform("don't go")) == {"dont go"}
    # Case-insensitive groups, classes it cannot list, too-short literals: no literals.
    assert prefilter.literals("(?i:miss you)") is None
    assert prefilter.literals(transform(r"\w+ k")) is None
    assert prefilter.literals(transform("ty")) is None
    # Every match contains one: the longest pieces between unknowns are kept.
    assert prefilter.literals(transform(r"miss \w+ so much")) == {" so much"}


@pytest.fixture(scope="module")
def columns() -> dict[str, pl.Series]:
    rules = load_rules("en")
    orig = pl.Series(_texts())
    plain = orig.str.to_lowercase()
    return {
        "cased": orig,
        "plain": plain,
        "masked": engine.mask_negation(plain, rules.negation),
        "key": engine.key_text(plain),
    }


def test_no_row_a_rule_matches_lacks_its_literals(columns: dict[str, pl.Series]) -> None:
    """Every row that a group of patterns (or a part) matches has one of its literals."""
    rules = load_rules("en")
    key = columns["key"]
    checked = 0
    for lr in rules.labels:
        for rule in lr.rules:
            for name, screens in rule.screens.items():
                text = columns[name]
                groups = [(s.tests, s.literals) for s in screens]
                groups += list(zip(((p,) for p in rule.parts.get(name, ())),
                                   rule.part_literals.get(name, ())))
                for tests, literals in groups:
                    if not literals:
                        continue
                    matched = pl.DataFrame({"s": text}).select(
                        pl.any_horizontal(pl.col("s").str.contains(t) for t in tests)
                    ).to_series()
                    has = key.str.contains_any(sorted(literals))
                    missed = text.filter(matched & ~has).to_list()
                    assert not missed, (lr.name, name, missed[:3])
                    checked += 1
    assert checked > 500


def test_a_text_holding_the_locate_marker_is_located_the_usual_way() -> None:
    texts = pl.Series(["i miss you", "a\x00b i miss you", "\x00", "nothing here"])
    regex = transform("miss you")
    out = engine._locate(texts, regex)
    assert out["start"].to_list() == [2, 6, None, None]
    assert out["end"].to_list() == [10, 14, None, None]
    assert engine.label_text("a\x00b i miss you") == [engine.Label("longing", 4, 14, "i miss you")]


def test_labels_are_the_same_with_and_without_the_prefilter(monkeypatch: pytest.MonkeyPatch) -> None:
    """A few messages skip the prefilter (it costs more than it saves there): same labels."""
    lines = Path(__file__).parent / "data" / "tone" / "labeled.jsonl"
    texts = [json.loads(line)["text"] for line in lines.read_text(encoding="utf-8").splitlines()]
    frame = pl.DataFrame({"msg_id": [str(k) for k in range(len(texts))], "text": texts})
    assert len(texts) > engine.PREFILTER_MIN_ROWS
    filtered = engine.label_frame(frame)
    monkeypatch.setattr(engine, "PREFILTER_MIN_ROWS", len(texts) + 1)
    assert engine.label_frame(frame).equals(filtered)
