"""The word model: a small linear model over words and word pairs, beside the rules.

Hand-written rules find the phrasings their authors thought of; a new writer says the same
thing in other words. The word model is one logistic regression per label over the words and
word pairs of a message, trained on the labeled dev lines (``python -m fonder.tone.train``)
and shipped as data, ``models/<lang>.json``. The engine uses it in two ways, per label:

- **add**: a message the rules did not label gets the label when the model's score clears a
  threshold set, by cross-validation over writers, for high precision. Its span is the run
  of words that weighed most for the label, so the evidence is still a phrase of the message
  ("you only ever think about yourself" → criticism). It never adds a label a rule's veto
  named a look-alike of.
- **drop**: a rule's label is dropped when the model finds the sentence the rule matched in
  very unlike the label (a probability under a second, low threshold) *and* the rest of that
  sentence, outside the words the rule matched, speaks against the label ("gee, thanks for
  all the help, really"). A short message the model merely has too few words for ("I
  apologize") keeps its label, and so does a plan that follows an apology in another
  sentence ("sorry I was late. dinner friday?").

The features are read off the same lowered copy the rules see, with negation scopes marked:
in "i don't_miss_you" the words "miss" and "you" become ``_miss`` and ``_you``, so a negated
word is a different feature from the word itself. Letters stretched three times or more are
squeezed ("sooo" → "so"), and curly apostrophes are straight. Everything is vectorized: the
words of all messages are one exploded Polars frame, their features 64-bit keys looked up
in one pass, and the scores one sparse matrix product.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl
from scipy import sparse

MODELS_DIR = Path(__file__).parent / "models"

#: One word unit: a word (``_`` in front when it is inside a negation scope), a question or
#: exclamation mark, or one character outside ASCII (an emoji, an accented letter).
UNIT = r"_?[a-z0-9'’]+|[?!]|[^\x00-\x7f]|_"
#: A unit with everything before it that is not part of a unit, so that the pieces of a text
#: cover it from its start and their lengths add up to offsets.
_PIECE = r"[^a-z0-9'’?!_\x80-\x{10ffff}]*(?:" + UNIT + ")"
#: The characters of a piece before its unit (see :data:`_PIECE`).
_BEFORE_UNIT = "".join(c for c in map(chr, range(128))
                       if c not in "abcdefghijklmnopqrstuvwxyz0123456789'?!_")
#: Units that carry nothing: an emoji's variation selector, joiners, skin tones.
_SILENT = ["\ufe0f", "\u200d", "_", "\U0001f3fb", "\U0001f3fc", "\U0001f3fd", "\U0001f3fe",
           "\U0001f3ff"]
BOS, EOS = "<s>", "</s>"
#: How strongly the words around a rule's match must speak against its label (their summed
#: weight, in log-odds, must be below minus this) before the model may drop the label.
CONTEXT_MARGIN = 0.0


@dataclass(frozen=True)
class WordModel:
    """A trained word model: ``weights`` (features × labels), per-label thresholds as logits."""

    labels: tuple[str, ...]
    features: tuple[str, ...]
    weights: np.ndarray  # float32, len(features) × len(labels)
    bias: np.ndarray  # float32, one per label
    add: np.ndarray  # a score (logit) at or above this adds the label (inf: never)
    drop: np.ndarray  # a rule's label is dropped below this (-inf: never)
    meta: dict


@cache
def load_model(lang: str) -> WordModel | None:
    """The word model of ``lang``, or None when the language has rules only."""
    path = MODELS_DIR / f"{lang}.json"
    if not path.is_file():
        return None
    return model_from_dict(json.loads(path.read_text(encoding="utf-8")))


def model_from_dict(data: dict) -> WordModel:
    """A :class:`WordModel` from its JSON document (see :func:`model_to_dict`)."""
    labels = tuple(data["labels"])
    features = tuple(data["features"])
    weights = np.zeros((len(features), len(labels)), dtype=np.float32)
    for j, label in enumerate(labels):
        idx, w = data["weights"][label]
        weights[np.asarray(idx, dtype=np.int64), j] = np.asarray(w, dtype=np.float32)

    def logits(values: list[float | None], none: float) -> np.ndarray:
        return np.array([none if v is None else v for v in values], dtype=np.float32)

    return WordModel(labels, features, weights,
                     np.asarray(data["bias"], dtype=np.float32),
                     logits(data["add"], np.inf), logits(data["drop"], -np.inf),
                     data.get("meta", {}))


def model_to_dict(model: WordModel, digits: int = 4) -> dict:
    """The JSON document of a model: weights stored sparse, per label."""
    weights = {}
    for j, label in enumerate(model.labels):
        col = model.weights[:, j]
        idx = np.flatnonzero(col)
        weights[label] = [idx.tolist(), [round(float(x), digits) for x in col[idx]]]

    def plain(values: np.ndarray) -> list[float | None]:
        return [None if not np.isfinite(v) else round(float(v), digits) for v in values]

    return {"labels": list(model.labels), "meta": model.meta,
            "bias": [round(float(b), digits) for b in model.bias],
            "add": plain(model.add), "drop": plain(model.drop),
            "features": list(model.features), "weights": weights}


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
#: What :func:`_squeeze` changes: a curly apostrophe, or a letter three times in a row.
_STRETCHED = "’|" + "|".join(c * 3 for c in _LETTERS)
#: A run of three or more of one letter, the letter captured in its own group: replaced with
#: every group, the run leaves its one letter (the other groups take no part, and are empty).
_RUN = "|".join(f"({c}){c}{{2,}}" for c in _LETTERS)
_RUN_LETTER = "".join(f"${{{k}}}" for k in range(1, len(_LETTERS) + 1))


def _squeeze(s: pl.Series) -> pl.Series:
    """Runs of three or more of one letter become one ("sooo" → "so"); ’ becomes '.

    Only the rows that have either are rewritten, all runs in one pass."""
    rows = s.str.contains(_STRETCHED).arg_true()
    if len(rows):
        sub = s.gather(rows).str.replace_all("’", "'", literal=True)
        s = s.clone().scatter(rows, sub.str.replace_all(_RUN, _RUN_LETTER))
    return s


def _all_units(low: pl.Series) -> pl.DataFrame:
    """:func:`tokens` with the silent units still in."""
    return (pl.DataFrame({"tok": _squeeze(low).str.extract_all(UNIT)}).with_row_index("i")
            .explode("tok").drop_nulls("tok"))


def tokens(low: pl.Series) -> pl.DataFrame:
    """The word units of each (lowered, negation-masked) text, in order: ``i`` (row) and
    ``tok`` (``_`` in front of a negated word, stretched letters squeezed)."""
    return _all_units(low).filter(~pl.col("tok").is_in(_SILENT))


def units(low: pl.Series) -> pl.DataFrame:
    """:func:`tokens` with where each unit stands in the text: ``i``, ``tok``, ``start`` and
    ``end`` (byte offsets), and ``sentence`` (its sentence's number in the message). Slower;
    the engine asks it only of the messages it needs spans in."""
    frame = (pl.DataFrame({"s": low}).with_row_index("i")
             .select("i", pl.col("s").str.extract_all(_PIECE).alias("piece"))
             .explode("piece").drop_nulls("piece"))
    # A piece is its unit with what comes before it, which is all ASCII and all outside the
    # characters a unit can start with: stripped of those, it is the unit.
    frame = frame.with_columns(tok=pl.col("piece").str.strip_chars_start(_BEFORE_UNIT))
    # The units are in row order: running sums within each row are running sums over the
    # whole column less the sum before the row's first unit (no window over ``i``).
    first, _ = _bounds(frame["i"].to_numpy())
    end = _running_sum(frame["piece"].str.len_bytes().to_numpy().astype(np.int64), first)
    # A new sentence starts after . ; : or a line break, and after a ? or !.
    mark = frame["tok"].is_in(["?", "!"]).to_numpy()
    breaks = frame["piece"].str.contains_any([".", ";", ":", "\n"]).to_numpy()
    breaks[1:] |= mark[:-1] & ~first[1:]
    frame = frame.with_columns(
        end=pl.Series(end),
        start=pl.Series(end) - frame["tok"].str.len_bytes().cast(pl.Int64),
        sentence=pl.Series(_running_sum(breaks.astype(np.int64), first), dtype=pl.UInt32),
    )
    frame = frame.filter(~pl.col("tok").is_in(_SILENT)).select("i", "tok", "start", "end",
                                                               "sentence")
    negated = pl.col("tok").str.starts_with("_").cast(pl.Int64)
    return frame.with_columns(tok=_squeeze(frame["tok"]), start=pl.col("start") + negated)


def _bounds(i: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each run of equal values of ``i`` (a sorted row column) begins, and where it ends."""
    first = np.ones(len(i), dtype=bool)
    first[1:] = i[1:] != i[:-1]
    last = np.ones(len(i), dtype=bool)
    last[:-1] = first[1:]
    return first, last


def _running_sum(x: np.ndarray, first: np.ndarray) -> np.ndarray:
    """The running sum of ``x`` that starts again at each ``first``."""
    total = np.cumsum(x)
    begin = np.maximum.accumulate(np.where(first, np.arange(len(x)), 0))
    return total - (total - x)[begin]


def _grams(u: pl.DataFrame) -> pl.DataFrame:
    """Units, pairs of units in a row, and the pairs with the message's start and end, named
    as the model names them (``key``)."""
    first, last = (pl.Series(b) for b in _bounds(u["i"].to_numpy()))
    tok = u["tok"]
    prev = tok.shift(1).zip_with(~first, pl.Series([BOS] * u.height, dtype=pl.String))
    return pl.concat([pl.DataFrame({"i": u["i"], "key": tok}),
                      pl.DataFrame({"i": u["i"], "key": prev + " " + tok}),
                      pl.DataFrame({"i": u["i"].filter(last), "key": tok.filter(last) + " " + EOS})])


def features(low: pl.Series) -> pl.DataFrame:
    """Every feature of every text, as strings: ``i`` and ``feature``.

    A feature is a unit or two units in a row ("you never"); ``<s>`` and ``</s>`` stand for
    the message's start and end. The training script uses this; the engine uses the hashed
    equivalent, which finds the same features without building strings.
    """
    return _grams(tokens(low)).rename({"key": "feature"})


def _hash(s: pl.Series) -> np.ndarray:
    return s.hash(seed=0).to_numpy()


_MIX = np.uint64(0x9E3779B97F4A7C15)


def _pair(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The key of a pair of units from their hashes (wrapping 64-bit arithmetic)."""
    return a * _MIX + b


@cache
def _keys_of(features: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The features' 64-bit keys, and each key's index in ``features``."""
    parts = pl.Series(features).str.split(" ")
    one = (parts.list.len() == 1).to_numpy()
    a = _hash(parts.list.get(0))
    b = _hash(parts.list.get(1, null_on_oob=True).fill_null(""))
    return np.where(one, a, _pair(a, b)), np.arange(len(features), dtype=np.int64)


def _keys(model: WordModel) -> tuple[np.ndarray, np.ndarray]:
    return _keys_of(model.features)


#: The keys of the message's start and end, and of the units that carry nothing.
_BOS, _EOS = _hash(pl.Series([BOS, EOS]))
_SILENT_KEYS = _hash(pl.Series(_SILENT))


def _gram_keys(h: np.ndarray, first: np.ndarray,
               last: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The keys of the features :func:`_grams` names, from the hashes ``h`` of units in order
    (``first`` and ``last`` mark each message's, or sentence's, first and last unit): each
    unit, each unit's pair with the one before (``<s>`` for the first), and each last unit's
    pair with ``</s>``."""
    prev = np.roll(h, 1)
    prev[first] = _BOS
    return h, _pair(prev, h), _pair(h[last], _EOS)


def _lookup(keys: np.ndarray, model: WordModel) -> np.ndarray:
    """The row in the model's weights of each feature key (:func:`_pair` for a pair of
    units), the model's row count where it has no such feature."""
    known, index = _keys(model)
    return pl.Series(keys).replace_strict(known, index, default=len(model.features),
                                          return_dtype=pl.Int64).to_numpy()


def scores(low: pl.Series, model: WordModel) -> tuple[np.ndarray, np.ndarray]:
    """The model's scores (logits, rows × labels) of each (lowered, masked) text, and
    whether the model knows any of its words."""
    # The units of :func:`tokens`, the silent ones dropped by their hashes (cheaper than by
    # their strings).
    u = _all_units(low)
    h = _hash(u["tok"])
    said = ~np.isin(h, _SILENT_KEYS)
    h = h[said]
    i = u["i"].to_numpy()[said].astype(np.int64)
    first, last = _bounds(i)
    n = len(low)
    total = np.tile(model.bias, (n, 1)).astype(np.float32)
    known = np.zeros(n, dtype=bool)
    if not model.features:
        return total, known
    # Units, pairs with the unit before (or the start), pairs of the last unit with the end:
    # each block is in row order, so its sparse matrix is built without sorting.
    for rows, key in zip((i, i, i[last]), _gram_keys(h, first, last)):
        f = _lookup(key, model)
        hit = f < len(model.features)
        rows = rows[hit]
        indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=n))]
        x = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), f[hit], indptr),
                              shape=(n, len(model.features)))
        total += x @ model.weights
        known[rows] = True
    return total, known


def _word_features(low: pl.Series, rows: np.ndarray, model: WordModel) -> pl.DataFrame:
    """The words of ``low[rows]`` with where they stand and the model's features around them:
    ``i`` (the row in ``low``), ``start``, ``end``, ``first``, ``last``, and the feature
    indices (the model's row count where it has none) of the word itself (``fu``), of the pair
    with the word before (``fl``, ``<s>`` for the first word) and of the pair with the word
    after (``fr``, ``</s>`` for the last)."""
    u = units(low.gather(rows))
    first, last = _bounds(u["i"].to_numpy())
    # The features' keys, as :func:`scores` finds them: no strings are built.
    h = _hash(u["tok"])
    unit, left, _ = _gram_keys(h, first, last)
    right = np.roll(h, -1)
    right[last] = _EOS
    return pl.DataFrame({
        "i": pl.Series(rows[u["i"].to_numpy()], dtype=pl.UInt32),
        "start": u["start"], "end": u["end"], "first": first, "last": last,
        "fu": _lookup(unit, model), "fl": _lookup(left, model),
        "fr": _lookup(_pair(h, right), model)})


def spans(low: pl.Series, model: WordModel, i: np.ndarray, j: np.ndarray) -> pl.DataFrame:
    """For each (row ``i`` of ``low``, label ``j``), the stretch of words that weighs most for
    the label: ``i``, ``j``, ``start``, ``end`` (bytes).

    Each word gets the weight of its own feature and half of each word pair it is in (all of
    the pair with the message's start or end); the span is the run of consecutive words with
    the largest summed weight ("only ever think about yourself", not a lone "you").
    """
    if not len(i):
        return pl.DataFrame(schema={"i": pl.UInt32(), "j": pl.Int64(), "start": pl.Int64(),
                                    "end": pl.Int64()})
    order = np.lexsort((j, i))
    i, j = np.asarray(i)[order], np.asarray(j)[order]
    words = _word_features(low, np.unique(i), model)
    pairs = pl.DataFrame({"i": pl.Series(i, dtype=pl.UInt32), "j": pl.Series(j, dtype=pl.Int64)})
    pairs = pairs.with_row_index("g")
    w = pairs.join(words, on="i", how="inner", maintain_order="left_right")
    padded = np.vstack([model.weights, np.zeros((1, len(model.labels)), dtype=np.float32)])
    jj = w["j"].to_numpy()
    weight = (padded[w["fu"].to_numpy(), jj].astype(np.float64)
              + np.where(w["first"].to_numpy(), 1.0, 0.5) * padded[w["fl"].to_numpy(), jj]
              + np.where(w["last"].to_numpy(), 1.0, 0.5) * padded[w["fr"].to_numpy(), jj])
    # The largest sum over a run of consecutive words, per pair: at each word, the sum up to
    # it less the smallest sum before a word of the run (prefix sums, reset at each pair).
    g = w["g"].to_numpy().astype(np.int64)
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    total = np.cumsum(weight)
    base = np.repeat(np.r_[0.0, total][starts], np.diff(np.r_[starts, len(g)]))
    upto = total - base  # sum of the pair's words up to and including this one
    before = upto - weight
    before[starts] = 0.0
    # Running minimum of ``before`` within each pair, and where it was (last) reached: each
    # pair is shifted far below the one before it, so one running minimum restarts at every pair.
    shift = g * (2.0 * float(np.abs(before).max(initial=0.0)) + 1.0)
    least_shifted = np.minimum.accumulate(before - shift)
    least = least_shifted + shift
    idx = np.arange(len(g))
    where = np.maximum.accumulate(np.where(before - shift == least_shifted, idx, 0))
    best = upto - least
    # The best run's last word: per pair, the highest ``best`` (the earliest of equals).
    top = np.repeat(np.maximum.reduceat(best, starts), np.diff(np.r_[starts, len(g)]))
    end_at = np.minimum.reduceat(np.where(best == top, idx, len(g)), starts)
    start_at = where[end_at]
    return pl.DataFrame({"i": w["i"].gather(end_at), "j": w["j"].gather(end_at),
                         "start": w["start"].gather(start_at).cast(pl.Int64),
                         "end": w["end"].gather(end_at).cast(pl.Int64)})


def in_sentence(low: pl.Series, model: WordModel, i: np.ndarray, j: np.ndarray,
                start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each (row ``i``, label ``j``) and a rule's span in it (bytes), the model's view of
    the sentence the span is in, read as a message of its own: its score (logit) for label
    ``j``, and the summed weight of its features outside the span — what the rest of the
    sentence says for (positive) or against (negative) the label."""
    rows = np.unique(i)
    u = units(low.gather(rows))
    # Each sentence is read as a message of its own: ``v`` numbers the sentences of all the
    # rows in order (the units are sorted by row, then sentence).
    ui, sentence = u["i"].to_numpy(), u["sentence"].to_numpy()
    first = np.ones(len(ui), dtype=bool)
    first[1:] = (ui[1:] != ui[:-1]) | (sentence[1:] != sentence[:-1])
    v = np.cumsum(first) - 1
    u = u.with_columns(v=pl.Series(v, dtype=pl.UInt32))
    # The sentences' features (as :func:`_grams` names them, found by their keys as
    # :func:`scores` finds them): units, pairs with the unit before or the sentence's start,
    # and the last unit with the sentence's end, each with its byte span.
    _, last = _bounds(v)
    at, to = u["start"].to_numpy(), u["end"].to_numpy()
    begin = np.roll(at, 1)
    begin[first] = at[first]
    grams = pl.DataFrame({
        "v": pl.Series(np.concatenate([v, v, v[last]]), dtype=pl.UInt32),
        "f": _lookup(np.concatenate(_gram_keys(_hash(u["tok"]), first, last)), model),
        "start": np.concatenate([at, begin, at[last]]),
        "end": np.concatenate([to, to, to[last]]),
    })
    found = grams.filter(pl.col("f") < len(model.features))
    want = pl.DataFrame({"i": pl.Series(np.searchsorted(rows, i), dtype=pl.UInt32),
                         "j": pl.Series(j, dtype=pl.Int64), "s0": start,
                         "s1": end}).with_row_index("k")
    # The span's sentence: that of the first word ending after the span's start. The units
    # are sorted by (row, end): one binary search per span in those pairs, as one number.
    span_row = want["i"].to_numpy().astype(np.int64)
    place = (ui.astype(np.int64) << 32) + to
    unit = np.searchsorted(place, (span_row << 32) + np.asarray(start, dtype=np.int64),
                           side="right")
    some = unit < len(place)
    some[some] = ui[unit[some]] == span_row[some]
    where = want.filter(pl.Series(some)).with_columns(
        v=pl.Series(v[unit[some]], dtype=pl.UInt32))
    feats = where.join(found, on="v", how="inner")
    w = model.weights[feats["f"].to_numpy(), feats["j"].to_numpy()].astype(np.float64)
    outside = ((feats["start"] < feats["s0"]) | (feats["end"] > feats["s1"])).to_numpy()
    k = feats["k"].to_numpy()
    score = model.bias[np.asarray(j, dtype=np.int64)].astype(np.float64)
    np.add.at(score, k, w)
    context = np.zeros(len(i), dtype=np.float64)
    np.add.at(context, k[outside], w[outside])
    return score, context


__all__ = ["WordModel", "features", "in_sentence", "load_model", "model_from_dict",
           "model_to_dict", "scores", "spans", "tokens", "units"]
