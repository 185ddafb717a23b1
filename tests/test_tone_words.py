"""The word model beside the rules: what it adds, what it drops, and that it stays explainable."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from fonder.tone import LABELS, TONE_VERSION, label_text, load_rules
from fonder.tone import words as W
from fonder.tone.engine import label_hits, mask_negation

LABELED = Path(__file__).parent / "data" / "tone" / "labeled.jsonl"


def lowered(texts: list[str]) -> pl.Series:
    return mask_negation(pl.Series(texts, dtype=pl.String).str.to_lowercase(),
                         load_rules("en").negation)


def toy_model(weights: dict[str, dict[str, float]], bias: float = -4.0,
              add: float = 0.0, drop: float | None = None) -> W.WordModel:
    """A model over a few features, for one or more labels."""
    labels = tuple(weights)
    feats = tuple(sorted({f for w in weights.values() for f in w}))
    matrix = np.zeros((len(feats), len(labels)), dtype=np.float32)
    for j, label in enumerate(labels):
        for f, w in weights[label].items():
            matrix[feats.index(f), j] = w
    return W.WordModel(labels, feats, matrix, np.full(len(labels), bias, dtype=np.float32),
                       np.full(len(labels), add, dtype=np.float32),
                       np.full(len(labels), -np.inf if drop is None else drop, dtype=np.float32),
                       {})


def test_words_are_read_as_the_rules_read_them() -> None:
    tokens = W.units(lowered(["I don't miss you, sooo bored 🥺❤️ ok?", "café’s fine"]))
    assert tokens.filter(pl.col("i") == 0)["tok"].to_list() == [
        "i", "don't", "_miss", "_you", "so", "bored", "🥺", "❤", "ok", "?"]
    assert tokens.filter(pl.col("i") == 1)["tok"].to_list() == ["caf", "é", "'s", "fine"]


def test_negated_words_are_other_features_than_the_words() -> None:
    feats = W.features(lowered(["i miss you", "i don't miss you"]))
    plain = set(feats.filter(pl.col("i") == 0)["feature"])
    negated = set(feats.filter(pl.col("i") == 1)["feature"])
    assert "miss you" in plain and "miss you" not in negated
    assert "_miss _you" in negated


def test_the_fast_and_the_located_reading_agree() -> None:
    texts = [json.loads(line)["text"] for line in LABELED.read_text(encoding="utf-8").splitlines()]
    low = lowered(texts)
    fast = W.tokens(low)
    located = W.units(low)
    assert fast["tok"].to_list() == located["tok"].to_list()
    assert fast["i"].to_list() == located["i"].to_list()
    # Every located unit points at its own text (squeezed letters and apostrophes aside).
    sample = located.filter(~pl.col("tok").str.contains("[’']|^_"))
    raw = low.cast(pl.Binary).gather(sample["i"])
    cut = raw.bin.slice(sample["start"], sample["end"] - sample["start"]).cast(pl.String)
    squeezed = W._squeeze(cut)
    assert (squeezed == sample["tok"]).all()


def test_hashed_features_score_as_the_named_features_would() -> None:
    """The engine finds features by hash; the model names them. Both must agree."""
    model = W.load_model("en")
    texts = [json.loads(line)["text"] for line in LABELED.read_text(encoding="utf-8").splitlines()]
    texts = texts[::7]
    low = lowered(texts)
    got, _ = W.scores(low, model)
    index = {f: k for k, f in enumerate(model.features)}
    feats = W.features(low)
    want = np.tile(model.bias, (len(texts), 1)).astype(np.float64)
    for i, f in feats.iter_rows():
        k = index.get(f)
        if k is not None:
            want[i] += model.weights[k]
    assert np.allclose(got, want, atol=1e-3)


def test_a_label_the_rules_miss_is_added_with_the_words_that_weighed_most() -> None:
    model = toy_model({"novelty": {"zorbing": 5.0, "went": -0.5, "<s> we": 0.2}}, add=0.0)
    rules = load_rules("en")
    texts = pl.Series(["We went ZORBING on saturday", "we went home", "we haven't been zorbing"])
    assert "novelty" not in label_hits(texts, rules)["label"].to_list()
    hits = label_hits(texts, rules, model).filter(pl.col("label") == "novelty")
    assert hits["row"].to_list() == [0]
    start, end = hits["start"][0], hits["end"][0]
    # The run of words that weighs most: "went" weighs against, so it is left out.
    assert texts[0][start:end] == hits["match"][0] == "ZORBING"
    model = toy_model({"novelty": {"zorbing": 5.0, "went": 0.5, "<s> we": 0.2}}, add=0.0)
    hits = label_hits(texts, rules, model).filter(pl.col("label") == "novelty")
    assert hits["match"].to_list() == ["We went ZORBING"]


def test_a_rule_label_is_dropped_only_when_the_rest_of_the_message_speaks_against_it() -> None:
    rules = load_rules("en")
    texts = pl.Series(["sorry I was late", "so sorry lmao", "sorry"])
    before = label_hits(texts, rules)
    assert set(before.filter(pl.col("label") == "apology")["row"]) == {0, 1, 2}
    model = toy_model({"apology": {"lmao": -9.0, "sorry": 0.5, "late": 0.0}}, bias=-3.0,
                      add=99.0, drop=float(np.log(0.1 / 0.9)))
    after = label_hits(texts, rules, model)
    # All three score under 10 %; only in "so sorry lmao" do the words around the match
    # speak against an apology. "sorry" alone keeps it: too few words is not evidence.
    assert set(after.filter(pl.col("label") == "apology")["row"]) == {0, 2}


def test_the_model_never_adds_what_a_rule_vetoed_as_a_look_alike() -> None:
    # "sorry about your grandma" matches an apology rule and its sympathy veto.
    model = toy_model({"apology": {"sorry": 5.0, "grandma": 5.0}}, add=0.0)
    rules = load_rules("en")
    texts = pl.Series(["sorry about your grandma", "thinking of your grandma"])
    assert label_hits(texts, rules).filter(pl.col("label") == "apology").height == 0
    # The model scores both high; only the one no veto spoke about gets the label.
    hits = label_hits(texts, rules, model).filter(pl.col("label") == "apology")
    assert hits["row"].to_list() == [1]


def test_added_labels_respect_quotes_and_the_language_gate() -> None:
    model = toy_model({"longing": {"ache": 5.0, "left": 1.0}}, add=0.0)
    rules = load_rules("en")
    texts = pl.Series(['she said "I ache" and left', "ache ache que tal, me duele la cabeza"])
    hits = label_hits(texts, rules, model).filter(pl.col("label") == "longing")
    assert hits.height == 0


def test_the_shipped_model_was_trained_on_todays_dev_lines_only() -> None:
    model = W.load_model("en")
    assert model is not None and model.labels == LABELS
    dev = [json.loads(line) for line in LABELED.read_text(encoding="utf-8").splitlines()]
    sources = sorted({o.get("source", "dev") for o in dev if o.get("split", "dev") == "dev"})
    assert model.meta["lines"] == sum(o.get("split", "dev") == "dev" for o in dev), (
        "the labeled dev lines changed: retrain with python -m fonder.tone.train")
    assert model.meta["groups"] == sources
    # Nothing held out was trained on: no test line's source, no sealed blind set.
    held = {o.get("source") for o in dev if o.get("split") == "test"}
    held |= {p.name.split(".")[0] for p in (LABELED.parent / "sealed").glob("*.jsonl.gz")}
    assert held and not held & set(model.meta["groups"])
    cv = model.meta["cross_validation"]
    for label in LABELS:
        # Each add threshold kept the cross-validated precision it was set for.
        if cv[label]["precision"] is not None:
            assert cv[label]["precision"] >= model.meta["precision_target"]


def test_model_round_trips_through_its_json() -> None:
    model = W.load_model("en")
    again = W.model_from_dict(json.loads(json.dumps(W.model_to_dict(model))))
    assert again.features == model.features
    assert np.allclose(again.weights, model.weights, atol=1e-4)
    assert np.array_equal(np.isfinite(again.add), np.isfinite(model.add))


def test_a_language_without_a_model_has_rules_only() -> None:
    assert W.load_model("xx") is None


@pytest.mark.parametrize(
    ("text", "label", "match"),
    [
        # Phrasings no rule was written for, that the word model learned from other lines.
        ("you only ever think about yourself", "criticism", "you only ever think about yourself"),
        ("ok noted", "stonewall_reply", "ok noted"),
        ("i take it back, that was out of order of me", "apology",
         "i take it back, that was out of order of me"),
    ],
)
def test_the_model_finds_what_the_rules_were_not_written_for(text: str, label: str,
                                                             match: str) -> None:
    assert label not in label_hits(pl.Series([text]), load_rules("en"))["label"].to_list()
    found = [lb for lb in label_text(text) if lb.label == label]
    assert [lb.match for lb in found] == [match]
    assert text[found[0].start:found[0].end] == match


def test_the_model_overrules_a_rule_the_rest_of_the_message_contradicts() -> None:
    text = "bet you cant even remember our anniversary"
    assert "playful" in label_hits(pl.Series([text]), load_rules("en"))["label"].to_list()
    assert "playful" not in [lb.label for lb in label_text(text)]


def test_the_model_belongs_to_this_tone_version() -> None:
    """Stored labels are recomputed when TONE_VERSION changes: a retrained model must bump it."""
    assert W.load_model("en").meta["tone_version"] == TONE_VERSION == load_rules("en").version


def test_training_sets_thresholds_from_writers_it_did_not_train_on(tmp_path: Path) -> None:
    """``python -m fonder.tone.train`` on a small labeled file: a model fonder can load."""
    pytest.importorskip("sklearn")
    from fonder.tone.train import main as train_main

    lines = [json.loads(line) for line in LABELED.read_text(encoding="utf-8").splitlines()]
    picked = [o for o in lines if o.get("source") in ("dev-8a", "dev-8b", "dev-8c", "dev-5")]
    data = tmp_path / "small.jsonl"
    data.write_text("".join(json.dumps(o) + "\n" for o in picked)
                    + json.dumps({"text": "never read", "labels": ["apology"], "split": "test",
                                  "source": "held"}) + "\n", encoding="utf-8")
    out = tmp_path / "model.json"
    assert train_main(["--data", str(data), "--out", str(out)]) == 0
    model = W.model_from_dict(json.loads(out.read_text(encoding="utf-8")))
    assert model.meta["lines"] == len(picked)  # the test line was never read
    assert model.meta["groups"] == ["dev-5", "dev-8a", "dev-8b", "dev-8c"]
    assert model.labels == LABELS and len(model.features) > 100
    # Where cross-validation found no threshold that precise, the label is never added.
    for j, label in enumerate(LABELS):
        cv = model.meta["cross_validation"][label]
        assert np.isfinite(model.add[j]) == (cv["threshold"] is not None)


def test_the_model_never_adds_a_question() -> None:
    """A question is a matter of form the rules read in full: "u have to ask me first" starts
    like "u up?" but orders. The model may still drop a rule's question, never add one."""
    model = W.load_model("en")
    assert model.meta["rules_only"] == ["question"]
    assert not np.isfinite(model.add[LABELS.index("question")])
    text = "u have to ask me before u spend anything over 20 bucks"
    assert "question" not in [lb.label for lb in label_text(text)]


def test_training_refuses_an_unknown_rules_only_label(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("sklearn")
    from fonder.tone.train import main as train_main

    assert train_main(["--rules-only", "questions", "--out", str(tmp_path / "m.json")]) == 2
    assert "questions" in capsys.readouterr().err
    assert not (tmp_path / "m.json").exists()
