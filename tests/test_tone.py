"""Tone labels: what a user would notice in a coaching report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from fonder.tone import (
    LABELS,
    SAFETY_LABELS,
    TONE_VERSION,
    Label,
    UnknownLanguage,
    label_frame,
    label_text,
    load_rules,
    valence_frame,
)
from fonder.tone.engine import label_hits
from fonder.tone.evaluate import evaluate, read_labeled
from fonder.tone.evaluate import main as evaluate_main
from fonder.tone.rules import compile_rules, transform

DATA = Path(__file__).parent / "data" / "tone"
LABELED = DATA / "labeled.jsonl"

# Texts the tests pass to labels()/span() directly (labelled in one batch).
_LITERALS: tuple[str, ...] = (
    "I don't know, I just miss you",
    "I don't say it enough but I love you",
    "I don't want to talk about it",
    "I wonder what time it is",
    "I'll kill you",
    "I'll kill you if you spoil the show 😂",
    "I'm not comfortable with that",
    "OMG I LOVE YOU",
    "are you cheating on me",
    "are you kidding me?!",
    "are you mad about the game?",
    "are you mad at me?",
    "can you pass the salt",
    "can't wait to see you",
    "dinner friday?",
    "don't worry, I love you",
    "haha very funny 🙄",
    "he said sorry but didn't mean it",
    "home now, then shower",
    "how was your day?",
    "it's not my fault",
    "k",
    "k.",
    "kk",
    "lol",
    "lol you're an idiot 😂",
    "not gonna lie, I miss you",
    "r u coming tonight",
    "she said \"I miss you\" and then left",
    "she said \"hi\" and honestly I miss you",
    "shut up idiot",
    "thanks a lot, great job ruining it",
    "the traffic 🙄",
    "what a day",
    "who were you with",
    "wyd",
    "you never listen to me",
    "❤️",
    "🥺",
)


_LABELLED: dict[str, list[Label]] = {}


def labelled(text: str) -> list[Label]:
    """``label_text(text)``, answered from one batched ``label_frame`` call when possible.

    Polars compiles the rules' regexes on every call, so labelling the test texts one by one
    would take most of a minute; that both give the same answer is tested below.
    """
    if text not in _LABELLED:
        _LABELLED[text] = label_text(text)
    return _LABELLED[text]


def labels(text: str) -> set[str]:
    return {lb.label for lb in labelled(text)}


def span(text: str, label: str) -> str | None:
    for lb in labelled(text):
        if lb.label == label:
            return lb.match
    return None


@pytest.fixture(scope="module", autouse=True)
def _label_all_test_texts(request: pytest.FixtureRequest) -> None:
    texts = sorted({
        arg
        for item in request.session.items
        if item.module is request.module and hasattr(item, "callspec")
        for arg in item.callspec.params.values()
        if isinstance(arg, str)
    } | set(_LITERALS))
    frame = pl.DataFrame({"msg_id": texts, "text": texts})
    found: dict[str, list[Label]] = {t: [] for t in texts}
    for msg_id, label, start, end, match in label_frame(frame).iter_rows():
        found[msg_id].append(Label(label, start, end, match))
    _LABELLED.update(found)


# --- spans -------------------------------------------------------------------------------


def test_span_points_at_the_words_that_triggered_the_label() -> None:
    text = "ugh long day. I miss you so much"
    (lb,) = [lb for lb in label_text(text) if lb.label == "longing"]
    assert lb == Label("longing", 14, 24, "I miss you")
    assert text[lb.start : lb.end] == lb.match


@pytest.mark.parametrize(
    "text",
    [
        "héllo 😂 I miss you ❤️ lol",
        "🥺🥺 miss u",
        "café first, then I'm so sorry about last night 🙈",
        "İstanbul was great, I MISS YOU 😭",
        "👩‍❤️‍👨 love you 💕 can't wait to see you",
        "日本 trip was fun lol",
    ],
)
def test_spans_index_the_original_text_even_after_emoji_and_accents(text: str) -> None:
    found = labelled(text)
    assert found
    for lb in found:
        assert text[lb.start : lb.end] == lb.match


def test_every_span_on_the_dev_set_indexes_its_message() -> None:
    texts = [t for t, _ in read_labeled(LABELED, "dev")]
    frame = pl.DataFrame({"msg_id": [str(k) for k in range(len(texts))], "text": texts})
    out = label_frame(frame)
    assert out.height > len(texts) // 2
    for msg_id, start, end, match in out.select("msg_id", "start", "end", "match").iter_rows():
        assert texts[int(msg_id)][start:end] == match


def test_the_match_keeps_the_writers_capitals() -> None:
    assert span("OMG I LOVE YOU", "affection") == "I LOVE YOU"


# --- negation, questions, quoting ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("I don't miss you", "longing"),
        ("i dont miss u at all", "longing"),
        ("I don’t love you anymore", "affection"),
        ("I'm not sorry", "apology"),
        ("I'm not mad at you, I promise", "reassurance_seeking"),
        ("I'll never miss you", "longing"),
        ("I don't think I'd miss you", "longing"),
    ],
)
def test_negation_cancels_the_label(text: str, label: str) -> None:
    assert label not in labels(text)


def test_negation_scope_ends_at_punctuation_and_but() -> None:
    assert "longing" in labels("I don't know, I just miss you")
    assert "longing" in labels("not gonna lie, I miss you")
    assert "affection" in labels("don't worry, I love you")
    assert "affection" in labels("I don't say it enough but I love you")


def test_phrases_that_carry_their_own_negation_still_count() -> None:
    assert "longing" in labels("can't wait to see you")
    assert "defensiveness" in labels("it's not my fault")
    assert "criticism" in labels("you never listen to me")
    assert "boundary" in labels("I'm not comfortable with that")
    assert "stonewall_reply" in labels("I don't want to talk about it")


def test_questions_and_statements() -> None:
    assert "question" in labels("how was your day?")
    assert "question" in labels("wyd")
    assert "question" in labels("r u coming tonight")
    assert "question" in labels("are you kidding me?!")
    assert "question" not in labels("I wonder what time it is")
    assert "question" not in labels("what a day")
    assert "reassurance_seeking" in labels("are you mad at me?")
    assert "reassurance_seeking" not in labels("are you mad about the game?")


def test_quoted_or_reported_words_are_not_the_writers_own() -> None:
    assert "longing" not in labels('she said "I miss you" and then left')
    assert "apology" not in labels("he said sorry but didn't mean it")
    assert "longing" in labels('she said "hi" and honestly I miss you')


# --- words that only look like a label -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("I missed the bus", "longing"),
        ("you missed a call from your mom", "longing"),
        ("can't wait for the weekend", "longing"),
        ("sorry for your loss", "apology"),
        ("sorry to hear that", "apology"),
        ("sorry, what?", "apology"),
        ("I love this song", "affection"),
        ("I'd love a coffee", "affection"),
        ("love that for you", "affection"),
        ("can you pass the salt", "help_request"),
        ("you have to try this cake", "demand"),
        ("I never eat breakfast", "criticism"),
        ("you always make me laugh", "criticism"),
        ("thanks but no thanks", "appreciation"),
        ("thank god it's friday", "appreciation"),
        ("I can't find my keys", "boundary"),
        ("this heat will kill me", "threat"),
        ("I'm jealous of your holiday lol", "jealousy"),
        ("where are you? I'm at the door", "control"),
        ("I'm such an idiot, I forgot my keys", "insult"),
        ("ok see you at 7", "stonewall_reply"),
        ("nothing new here", "novelty"),
        ("let's see how it goes", "plan_proposal"),
        ("my boss lets me leave early", "plan_proposal"),
        ("Lola says hi", "playful"),
        # rounds 11 and 12: look-alikes the blind writers showed
        ("morning love. kettle's on when you're back", "affection"),
        ("you're the best dad, she lights up when you come in", "affection"),
        ("I'm sorry your shift was so awful, babe", "apology"),
        ("Niamh says cheers for the card", "appreciation"),
        ("come home now, she won't stop screaming and I can't do it", "boundary"),
        ("why do you always smile like that when he texts", "criticism"),
        ("would you still love me if I went bald?", "reassurance_seeking"),
        ("who were you with at the footie? good game?", "control"),
        ("i've never seen a dog that big", "novelty"),
        ("you'll regret not bringing a jacket, it's freezing out", "threat"),
    ],
)
def test_look_alikes_get_no_label(text: str, label: str) -> None:
    assert label not in labels(text)


def test_can_you_pass_the_salt_is_just_a_question() -> None:
    assert labels("can you pass the salt") == {"question"}


# --- languages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "te extraño mucho ❤️",
        "¿me quieres?",
        "lo siento, llegué tarde",
        "ich vermisse dich so sehr",
        "kannst du mir helfen?",
        "tu me manques 😘",
        "ti amo tanto",
        "ik mis je",
        "Я скучаю по тебе ❤️",
        "我想你",
        "Akşam ne yiyoruz? Ben çok yorgunum bugün.",
    ],
)
def test_other_languages_get_no_labels(text: str) -> None:
    assert labelled(text) == []


def test_short_neutral_messages_are_not_taken_for_another_language() -> None:
    assert labels("❤️") == {"affection"}
    assert labels("lol") == {"playful"}
    assert labels("k") == {"stonewall_reply"}
    assert labels("dinner friday?") >= {"plan_proposal", "question"}


def test_unknown_language_is_a_usage_error() -> None:
    with pytest.raises(UnknownLanguage):
        label_text("hola", lang="xx")


# --- texting forms, stretched letters, emoji ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("miss u", "longing"),
        ("ily", "affection"),
        ("ty ❤️", "appreciation"),
        ("thx for the ride", "appreciation"),
        ("pls help me pick a couch", "help_request"),
        ("wyd", "question"),
        ("idk lol", "playful"),
        ("r u mad at me", "reassurance_seeking"),
        ("ur so selfish", "criticism"),
        ("im sorry", "apology"),
        ("sry running late", "apology"),
    ],
)
def test_texting_forms_count_as_their_full_forms(text: str, label: str) -> None:
    assert label in labels(text)


@pytest.mark.parametrize(
    ("text", "label", "match"),
    [
        ("soooo sorry", "apology", "soooo sorry"),
        ("miss youuuu", "longing", "miss youuuu"),
        ("love youuu", "affection", "love youuu"),
        ("thank youuuu", "appreciation", "thank youuuu"),
        ("hahahahaha", "playful", "hahahahaha"),
        ("pleaseeee don't call me at work", "boundary", "pleaseeee don't call"),
    ],
)
def test_stretched_letters_are_the_same_word(text: str, label: str, match: str) -> None:
    assert span(text, label) == match


def test_stretching_does_not_turn_one_word_into_another() -> None:
    # "kk" is a friendly ok; only a bare "k" is a curt reply.
    assert "stonewall_reply" not in labels("kk")
    assert "stonewall_reply" in labels("k.")


@pytest.mark.parametrize(
    ("text", "label"),
    [("❤️", "affection"), ("😘", "affection"), ("🙄", "contempt"), ("😂", "playful"),
     ("miss u 🥺", "longing"), ("sure 🙄", "contempt")],
)
def test_emoji_that_carry_tone(text: str, label: str) -> None:
    assert label in labels(text)


def test_an_eye_roll_at_the_traffic_is_not_contempt() -> None:
    assert "contempt" not in labels("the traffic 🙄")
    assert labels("🥺") == set()


def test_sarcasm_turns_thanks_and_laughter_into_contempt() -> None:
    assert labels("haha very funny 🙄") == {"contempt"}
    assert labels("thanks a lot, great job ruining it") == {"contempt"}


def test_a_joke_is_not_a_threat_or_an_insult() -> None:
    assert labels("I'll kill you if you spoil the show 😂") == {"playful"}
    assert labels("lol you're an idiot 😂") == {"playful"}
    assert "threat" in labels("I'll kill you")
    assert "insult" in labels("shut up idiot")


# --- several labels --------------------------------------------------------------------------


def test_a_message_can_carry_several_labels_in_text_order() -> None:
    found = label_text("sorry I was late. love you ❤️ dinner friday?")
    assert [lb.label for lb in found] == ["apology", "affection", "question", "plan_proposal"]
    assert [lb.match for lb in found] == ["sorry", "love you", "love you ❤️ dinner friday?",
                                          "dinner friday?"]


def test_safety_labels_are_labels() -> None:
    assert set(SAFETY_LABELS) <= set(LABELS)
    assert labels("who were you with") >= {"control", "question"}
    assert "jealousy" in labels("are you cheating on me")


def test_narration_is_a_long_play_by_play_and_is_also_own_life() -> None:
    text = ("so first i woke up late because my alarm didn't go off, then the bus was packed, "
            "then at lunch sam told me she's moving, and then my boss called a meeting at 4 "
            "that went until 6 and i missed yoga")
    found = {lb.label: lb for lb in label_text(text)}
    assert found["narration"].match == text
    assert "own_life" in found
    assert "narration" not in labels("home now, then shower")


# --- frames -----------------------------------------------------------------------------------


def test_label_frame_equals_label_text_per_row() -> None:
    # label_text compiles the rules on every call (~0.4 s), so a sample of 60 dev lines.
    dev = [t for t, _ in read_labeled(LABELED, "dev")]
    texts = dev[:: len(dev) // 60] + [
        "", "ok", "I don't miss you", "héllo 😂 I miss you ❤️ lol", "sorry I was late. love you ❤️"]
    frame = pl.DataFrame({"msg_id": [f"id{k}" for k in range(len(texts))], "text": texts})
    out = label_frame(frame)
    by_id: dict[str, list[Label]] = {}
    for msg_id, label, start, end, match in out.iter_rows():
        by_id.setdefault(msg_id, []).append(Label(label, start, end, match))
    for k, text in enumerate(texts):
        assert by_id.get(f"id{k}", []) == label_text(text), text


def test_label_frame_schema_nulls_duplicates_and_empty() -> None:
    frame = pl.DataFrame({"msg_id": ["a", "b", "c", "d"], "text": ["love you", None, "", "love you"]})
    out = label_frame(frame)
    assert out.schema == pl.Schema(
        {"msg_id": pl.String, "label": pl.String, "start": pl.Int32, "end": pl.Int32,
         "match": pl.String}
    )
    assert out.rows() == [("a", "affection", 0, 8, "love you"), ("d", "affection", 0, 8, "love you")]
    empty = label_frame(pl.DataFrame(schema={"msg_id": pl.String, "text": pl.String}))
    assert empty.height == 0 and empty.columns == out.columns
    nulls = label_frame(pl.DataFrame({"msg_id": ["x"], "text": [None]}, schema={"msg_id": pl.String, "text": pl.String}))
    assert nulls.height == 0


def test_label_frame_keeps_input_order() -> None:
    frame = pl.DataFrame({"msg_id": ["z", "y", "x"], "text": ["lol", "ok", "miss you"]})
    assert label_frame(frame)["msg_id"].to_list() == ["z", "x"]


# --- valence ----------------------------------------------------------------------------------


def test_valence_is_vaders_compound_score() -> None:
    frame = pl.DataFrame(
        {"msg_id": ["a", "b", "c", "d", "e"],
         "text": ["I love you so much", "I hate this, you ruined everything", None, "at the station", "I love you so much"]}
    )
    out = valence_frame(frame)
    assert out.schema == pl.Schema({"msg_id": pl.String, "valence": pl.Float32})
    v = dict(out.iter_rows())
    assert v["a"] > 0.5 and v["b"] < -0.5 and v["c"] is None and v["d"] == 0.0
    assert v["a"] == v["e"]
    assert out["msg_id"].to_list() == ["a", "b", "c", "d", "e"]


# --- rules as data -------------------------------------------------------------------------------


def test_rules_file_lists_every_label_in_order_and_matches_the_version() -> None:
    rules = load_rules("en")
    assert tuple(lr.name for lr in rules.labels) == LABELS
    assert rules.version == TONE_VERSION


def test_the_pattern_notation() -> None:
    assert transform("don't") == "d+o+n+['’]?t+"
    assert transform("k{1}") == "k{1}"
    assert transform("(a|b) c") == r"(?:a+|b+)\s+c+"


def test_word_classes_are_ascii_so_an_emoji_with_its_variation_selector_ends_a_message() -> None:
    # Unicode \W made the engine slow, and missed "❤️": its U+FE0F counts as a word mark.
    assert transform(r"\W*$") == "[^0-9A-Za-z_]*$"
    assert transform(r"[\w']+ \d") == r"[0-9A-Za-z_'’]+\s+[0-9]"
    rules = compile_rules({
        "lang": "en", "version": 1, "macros": {},
        "gate": {"markers": ["fine"], "foreign": ["porque"], "short_words": 3},
        "negation": {"negators": ["not"], "scope_words": 3},
        "labels": {"stonewall_reply": {"rules": [{"patterns": [r"^\W*fine\W*$"]}]}},
    })
    out = label_hits(pl.Series(["fine ❤\ufe0f", "fine 🙄", "fine by me", "…fine."]), rules)
    assert out["row"].to_list() == [0, 1, 3]


def test_a_rule_with_many_patterns_is_tested_in_pieces_and_finds_every_one() -> None:
    names = [f"zebra{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(60)]
    rules = compile_rules({
        "lang": "en", "version": 1, "macros": {},
        "gate": {"markers": ["i"], "foreign": ["porque"], "short_words": 3},
        "negation": {"negators": ["not"], "scope_words": 3},
        "labels": {"novelty": {"rules": [{"patterns": names, "locate": "each"}]}},
    })
    (screen,) = rules.labels[0].rules[0].screens["masked"]
    assert len(screen.tests) == 3
    texts = pl.Series([f"i saw a {n}" for n in names] + ["i saw a zebra"])
    assert label_hits(texts, rules)["match"].to_list() == names


def test_a_new_language_is_a_data_file_not_code() -> None:
    spanish = {
        "lang": "es",
        "version": 1,
        "macros": {"TE": "te|t"},
        "gate": {"markers": ["te", "que", "yo", "mucho", "de"], "foreign": ["you", "the", "and"],
                 "short_words": 3},
        "negation": {"negators": ["no", "nunca"], "scope_words": 3},
        "labels": {"longing": {"rules": [{"patterns": ["{TE} extraño", "{TE} echo de menos"]}]}},
    }
    rules = compile_rules(spanish)
    texts = pl.Series(["te extraño mucho", "no te extraño", "I miss you", "t echo de menos 🥺"])
    out = label_hits(texts, rules)
    assert out.select("row", "label", "match").rows() == [
        (0, "longing", "te extraño"),
        (3, "longing", "t echo de menos"),
    ]


# --- the spec ---------------------------------------------------------------------------------

SPEC = Path(__file__).parents[1] / "docs" / "tone-labels.md"
# Counter-examples the spec itself says still count: "lol no" is still playful, a rhetorical
# "are you kidding me?!" and a bare "?" are still questions.
STILL_COUNT = {("playful", "lol no"), ("question", "are you kidding me?!"), ("question", "?")}


def spec_examples() -> list[tuple[str, str, bool]]:
    """(label, text, expected) for every quoted example and counter-example in the spec table."""
    out = []
    for row in SPEC.read_text(encoding="utf-8").splitlines():
        if not row.startswith("| `"):
            continue
        cells = [c.strip() for c in row.strip("|").split("|")]
        label = cells[0].split("`")[1]
        out += [(label, t, True) for t in re.findall(r'"([^"]+)"', cells[2])]
        out += [(label, t, (label, t) in STILL_COUNT) for t in re.findall(r'"([^"]+)"', cells[3])]
    return out


def test_the_spec_table_holds() -> None:
    examples = spec_examples()
    assert len(examples) > 120
    texts = sorted({t for _, t, _ in examples})
    frame = pl.DataFrame({"msg_id": texts, "text": texts})
    found: dict[str, set[str]] = {t: set() for t in texts}
    for msg_id, label in label_frame(frame).select("msg_id", "label").iter_rows():
        found[msg_id].add(label)
    wrong = [(lb, t, want) for lb, t, want in examples if (lb in found[t]) != want]
    assert wrong == []


# --- the labeled set ----------------------------------------------------------------------------


def test_dev_set_is_large_and_covers_every_label() -> None:
    rows = read_labeled(LABELED, "dev")
    assert len(rows) >= 2500
    counts = {lb: sum(lb in gold for _, gold in rows) for lb in LABELS}
    assert min(counts.values()) >= 50, counts
    assert sum(not gold for _, gold in rows) >= 300  # hard negatives
    for line in LABELED.read_text(encoding="utf-8").splitlines():
        obj = json.loads(line)
        assert {"text", "labels", "split"} <= set(obj) <= {"text", "labels", "split", "source"}
        assert obj["split"] in ("dev", "test")
        assert len(set(obj["labels"])) == len(obj["labels"])


def test_read_labeled_picks_the_split(tmp_path: Path) -> None:
    path = tmp_path / "labeled.jsonl"
    path.write_text('{"text": "miss u", "labels": ["longing"], "split": "dev"}\n'
                    '{"text": "k.", "labels": ["stonewall_reply"], "split": "test"}\n'
                    '{"text": "lol", "labels": ["playful"]}\n', encoding="utf-8")
    assert [t for t, _ in read_labeled(path, "dev")] == ["miss u", "lol"]
    assert [t for t, _ in read_labeled(path, "test")] == ["k."]
    assert len(read_labeled(path, "all")) == 3


def test_evaluate_without_test_lines_says_so_and_exits_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "labeled.jsonl"
    path.write_text('{"text": "miss u", "labels": ["longing"], "split": "dev"}\n', encoding="utf-8")
    assert evaluate_main(["--data", str(path)]) == 2
    assert "no test lines" in capsys.readouterr().err
    assert evaluate_main(["--data", str(path), "--split", "dev"]) == 0


def test_dev_split_meets_the_targets() -> None:
    report = evaluate(read_labeled(LABELED, "dev"), "dev")
    assert report.failures == []
    # aimed high: held-out figures come out lower (round 4: every label >= 0.95, recall >= 0.90)
    assert report.macro_recall >= 0.90
    assert all(s.precision is None or s.precision >= 0.95 for s in report.scores)
