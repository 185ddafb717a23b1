"""The vectorized tone engine: every message of a frame labelled in whole-column passes.

How one language's rules (``rules/<lang>.json``) are applied, without a Python loop per
message:

1. **Lowered copy.** The text is lowered once. Rows whose lowered form would change length
   (a few letters do, like Turkish "İ") are lowered in A-Z only, so a byte offset in the
   copy is always the same byte offset in the original.
2. **Language gate.** A message passes when it has the language's function words and few
   foreign ones, or is short and has no foreign ones ("ok", "lol", "❤️"). Other messages
   get no labels.
3. **Negation scopes.** A second copy replaces the space after a negator, and after each of
   the next few words, with ``_``: "i don't miss you" becomes "i don't_miss_you". Patterns
   must start at a word edge, so "miss you" no longer matches there. The copy has the same
   length, so offsets still hold. Exceptions ("can't wait", "don't worry") and scope
   breakers ("but", punctuation) are respected. Patterns that carry their own negation
   ("not my fault") run on the unmasked copy.
4. **Labels.** Each rule of each label is one regex per text variant. It runs only on the
   rows whose *key text* (apostrophes dropped, whitespace one space, repeated letters
   squeezed) holds one of its necessary literals (:mod:`fonder.tone.prefilter`), found for
   all rules at once by one Aho-Corasick pass; patterns with no known literals run on every
   row. Only the rows that matched are looked at again for the match's start and end,
   vetoes and required context.
5. **Quotes.** A match inside quoted or reported speech ("she said 'I miss you'") is not the
   writer's own voice and is dropped.
6. **Between labels.** ``unless`` drops a label when another fires (sarcastic "thanks a
   lot" is contempt, not appreciation); ``implied_by`` adds one (narration is own_life).
7. **Offsets.** Polars reports byte offsets; they are turned into Python ``str`` indices
   (code points), so ``text[start:end] == match``.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, TypeVar

import numpy as np
import polars as pl

from fonder.tone import words
from fonder.tone.rules import Gate, LabelRules, Negation, Rules, Screen, load_rules

_T = TypeVar("_T")

#: Output schema of :func:`label_frame`.
LABEL_SCHEMA: dict[str, pl.DataType] = {
    "msg_id": pl.String(),
    "label": pl.String(),
    "start": pl.Int32(),
    "end": pl.Int32(),
    "match": pl.String(),
}

#: Below this many distinct texts the literal prefilter is skipped (it is sound either way).
PREFILTER_MIN_ROWS = 2_000

_HITS_SCHEMA = {"i": pl.UInt32(), "start": pl.Int64(), "end": pl.Int64()}

# Replaces a space that must not be crossed while negation scopes are drawn; restored after.
_PROTECT = "\x1f"
# Put in place of a match to learn where it was (see _locate).
_MARK = "\x00"


@dataclass(frozen=True)
class Label:
    """One label on one message; ``text[start:end] == match`` (Python string indices)."""

    label: str
    start: int
    end: int
    match: str


def label_text(text: str, lang: str = "en") -> list[Label]:
    """Label one message. The same as :func:`label_frame` on a one-row frame."""
    frame = label_frame(pl.DataFrame({"msg_id": ["0"], "text": [text]}), lang)
    return [Label(r["label"], r["start"], r["end"], r["match"]) for r in frame.iter_rows(named=True)]


def label_frame(messages: pl.DataFrame, lang: str = "en") -> pl.DataFrame:
    """Label every message of ``messages`` (columns ``msg_id`` and ``text``, text may be null).

    Returns one row per (message, label) with the first span that triggered the label:
    ``msg_id``, ``label``, ``start``, ``end``, ``match``, ordered by input row, then start.
    """
    rules = load_rules(lang)
    frame = messages.select(pl.col("msg_id").cast(pl.String), pl.col("text").cast(pl.String))
    # Chats repeat themselves ("ok", "lol", "love you"): label each distinct text once.
    groups = (
        frame.with_row_index("row")
        .filter(pl.col("text").is_not_null())
        .group_by("text", maintain_order=True)
        .agg("row")
    )
    hits = label_hits(groups["text"], rules, words.load_model(lang))
    if hits.height == 0:
        return pl.DataFrame(schema=LABEL_SCHEMA)
    out = (
        hits.with_columns(pl.Series("rows", groups["row"].gather(hits["row"])))
        .explode("rows")
        .sort("rows", maintain_order=True)
    )
    return out.select(
        frame["msg_id"].gather(out["rows"]).alias("msg_id"),
        "label",
        pl.col("start").cast(pl.Int32),
        pl.col("end").cast(pl.Int32),
        "match",
    )


def label_hits(texts: pl.Series, rules: Rules, model: words.WordModel | None = None) -> pl.DataFrame:
    """Labels of a text column under ``rules`` (and the word ``model``, when given).

    Columns: ``row`` (position in ``texts``), ``label``, ``start``, ``end`` (code points),
    ``match``, and ``_k`` (the label's position in the rules, to order labels that start at
    the same place).
    """
    texts = texts.cast(pl.String).fill_null("")
    low = texts.str.to_lowercase()
    changed = (low.str.len_bytes() != texts.str.len_bytes()).arg_true()
    if len(changed):
        # A few letters lower to a different length (Turkish İ); lower only A-Z there so that
        # byte offsets stay the same as the original's.
        upper = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
        ascii_low = texts.gather(changed).str.replace_many(upper, [c.lower() for c in upper])
        low = low.scatter(changed, ascii_low)
    rows = (language_gate(low, rules.gate) & (texts.str.len_bytes() > 0)).arg_true()
    empty = pl.DataFrame(
        schema={"row": pl.UInt32(), "label": pl.String(), "start": pl.Int64(),
                "end": pl.Int64(), "match": pl.String(), "_k": pl.Int32()}
    )
    if len(rows) == 0:
        return empty
    # The labels' second passes are many small Polars calls, each too small to use every core:
    # running labels side by side in threads (Polars releases the GIL) keeps the cores busy.
    # The word model runs beside the rules from the moment the masked copy exists: it scores
    # every text while the rules' first passes run, then finds the spans of the labels it will
    # surely add (where no rule of the label even matched a first pass) while the labels'
    # second passes run.
    workers = max(2, pl.thread_pool_size()) + (model is not None)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        built: Future[_Context] = Future()
        model_pass: list[Future] = []
        if model is not None:
            def start(masked: pl.Series) -> None:
                model_pass.append(pool.submit(_model_pass, masked, model, built))
        try:
            ctx = _Context(texts.gather(rows), low.gather(rows), rules,
                           on_masked=start if model is not None else None)
            ctx.regions  # computed once, before the labels ask for it from several threads
        except BaseException as exc:
            built.set_exception(exc)
            raise
        built.set_result(ctx)
        labelled = dict(zip((lr.name for lr in rules.labels),
                            pool.map(lambda lr: _label(lr, ctx), rules.labels)))
        raw = {name: hits for name, (hits, _) in labelled.items()}
        if model_pass:
            vetoed = {name: rows for name, (_, rows) in labelled.items()}
            raw = _with_words(raw, vetoed, ctx, model, *model_pass[0].result())
    final: dict[str, pl.DataFrame] = {}
    by_name = {lr.name: lr for lr in rules.labels}
    for name in _dependency_order(rules):
        lr = by_name[name]
        hits = raw[name]
        for dep in lr.unless:
            hits = hits.join(final[dep].select("i"), on="i", how="anti")
        for dep in lr.implied_by:
            extra = final[dep].join(hits.select("i"), on="i", how="anti")
            hits = pl.concat([hits, extra]).sort("i")
        final[name] = hits

    order = {lr.name: k for k, lr in enumerate(rules.labels)}
    parts = [
        h.with_columns(pl.lit(name).alias("label"), pl.lit(order[name]).alias("_k"))
        for name, h in final.items()
        if h.height
    ]
    if not parts:
        return empty
    hits = pl.concat(parts).sort(["i", "start", "_k"])
    start, end = _char_offsets(ctx.orig, hits["i"], hits["start"], hits["end"])
    orig = ctx.orig.gather(hits["i"])
    return pl.DataFrame(
        {
            "row": rows.gather(hits["i"]),
            "label": hits["label"],
            "start": start,
            "end": end,
            "match": orig.str.slice(start, end - start),
            "_k": hits["_k"],
        }
    )


def language_gate(low: pl.Series, gate: Gate) -> pl.Series:
    """True where a (lowered) message looks like the rules' language, or is short and neutral."""
    marker = low.str.contains(gate.markers)
    foreign = low.str.contains(gate.foreign)
    if gate.foreign_anywhere:
        foreign = foreign | low.str.contains(gate.foreign_anywhere)
    ok = marker & ~foreign
    # Both kinds of function words: the language with more of them wins.
    both = (marker & foreign).arg_true()
    if len(both):
        sub = low.gather(both)
        wins = sub.str.count_matches(gate.markers) > sub.str.count_matches(gate.foreign)
        ok = ok.scatter(both, wins)
    # Neither: only short messages ("ok", "dinner friday?", "❤️") pass.
    neither = (~marker & ~foreign).arg_true()
    if len(neither):
        sub = low.gather(neither)
        short = sub.str.count_matches(r"\S+") <= gate.short_words
        ok = ok.scatter(neither, short)
    # Another script (Cyrillic, Han, Arabic, ...) carries the message: no labels.
    other = low.str.contains(r"[\p{L}--\p{Latin}]").arg_true()
    if len(other):
        sub = low.gather(other)
        letters = sub.str.count_matches(r"\p{L}")
        foreign_letters = sub.str.count_matches(r"[\p{L}--\p{Latin}]")
        latin_ok = (foreign_letters <= letters * gate.max_other_script) & ok.gather(other)
        ok = ok.scatter(other, latin_ok)
    return ok


def mask_negation(plain: pl.Series, neg: Negation) -> pl.Series:
    """Replace the spaces inside each negation scope with ``_`` (same length, same offsets)."""
    idx = plain.str.contains(f"(?:{neg.negators}) ").arg_true()
    if len(idx) == 0:
        return plain
    sub = plain.gather(idx)
    if neg.exceptions:
        sub = sub.str.replace_all(neg.exceptions, "${1}" + _PROTECT + "${2}")
    if neg.breakers:
        sub = sub.str.replace_all(neg.breakers, _PROTECT + "${1}")
    sub = sub.str.replace_all(f"({neg.negators}) ", "${1}_")
    for _ in range(neg.scope_words - 1):
        sub = sub.str.replace_all(r"_([\w'’]+) ", "_${1}_")
    sub = sub.str.replace_all(_PROTECT, " ", literal=True)
    return plain.clone().scatter(idx, sub)


class _Context:
    """The texts of the gated messages, and the first-pass matches of every rule.

    A rule variant with necessary literals (see :mod:`fonder.tone.prefilter`) is tested only
    on the rows whose key text contains one of them: one Aho-Corasick pass over the key text
    finds every literal of every rule at once. The other variants test the whole column. The
    tests run side by side in threads (Polars releases the GIL); where a match starts and
    ends is then asked of the matching rows only.
    """

    def __init__(self, orig: pl.Series, plain: pl.Series, rules: Rules,
                 on_masked: Callable[[pl.Series], None] | None = None) -> None:
        self.orig = orig
        self.plain = plain
        self.rules = rules
        # key -> (text variant, groups of patterns to test the column with, regexes to locate)
        self.queries: dict[str, tuple[str, tuple[Screen, ...], tuple[str, ...]]] = {}
        self.part_literals: dict[str, tuple[frozenset[str] | None, ...]] = {}
        for lr in rules.labels:
            for k, rule in enumerate(lr.rules):
                for name in ("masked", "plain", "cased"):
                    if rule.screens.get(name):
                        key = f"{lr.name}/{k}/{name}"
                        self.queries[key] = (name, rule.screens[name], rule.parts[name])
                        if rule.part_literals.get(name):
                            self.part_literals[key] = rule.part_literals[name]
        if rules.regions:
            self.queries["regions"] = ("plain", (Screen((rules.regions,)),), (rules.regions,))
        tasks = [(key, j) for key, (_, screens, _) in self.queries.items()
                 for j in range(len(screens))]
        literals = {t: self.queries[t[0]][1][t[1]].literals for t in tasks}
        literals = {t: lits for t, lits in literals.items() if lits}
        if len(plain) < PREFILTER_MIN_ROWS:
            # A few messages (``fonder tone "…"``, a draft to check): building the literals'
            # automaton costs more than testing every rule on every row. Same result.
            literals = {}
        with ThreadPoolExecutor(max_workers=max(2, pl.thread_pool_size())) as pool:
            # The negation scopes, the key text and the literals' scan side by side.
            masked = pool.submit(mask_negation, plain, rules.negation)
            cut = len(plain) // 2
            keys = pool.map(lambda b: key_text(plain.slice(b[0], b[1])),
                            [(0, cut), (cut, len(plain) - cut)])
            if on_masked is not None:
                on_masked(masked.result())
            self.key = pl.concat(list(keys))
            candidates = _candidates(self.key, literals, pool) if literals else {}
            self.masked = masked.result()

        def test(task: tuple[str, int]) -> pl.Series:
            name, screens, _ = self.queries[task[0]]
            rows = candidates.get(task)
            sub = self.variant(name) if rows is None else self.variant(name).gather(rows)
            hit = pl.DataFrame({"s": sub}).select(
                pl.any_horizontal(pl.col("s").str.contains(t) for t in screens[task[1]].tests)
            ).to_series()
            return hit.arg_true() if rows is None else rows.filter(hit)

        # Which rows match at all, one task per group of patterns, the largest first so that
        # the threads finish together.
        def cost(task: tuple[str, int]) -> int:
            rows = candidates.get(task)
            size = len(plain) if rows is None else len(rows)
            return -size * len(self.queries[task[0]][1][task[1]].tests)

        tasks.sort(key=cost)
        with ThreadPoolExecutor(max_workers=max(2, pl.thread_pool_size())) as pool:
            hits = dict(zip(tasks, pool.map(test, tasks)))
        self.found: dict[str, pl.Series] = {}
        for key, (_, screens, _) in self.queries.items():
            found = [hits[(key, j)] for j in range(len(screens))]
            self.found[key] = found[0] if len(found) == 1 else pl.concat(found).unique().sort()

    def variant(self, name: str) -> pl.Series:
        return {"masked": self.masked, "plain": self.plain, "cased": self.orig}[name]

    def first_matches(self, key: str) -> pl.DataFrame:
        """Rows where query ``key`` matched: index, byte start and end of the first match."""
        name, _, parts = self.queries[key]
        idx = self.found[key]
        if len(idx) == 0:
            return pl.DataFrame(schema=_HITS_SCHEMA)
        sub = self.variant(name).gather(idx)
        literals = self.part_literals.get(key)
        if len(parts) == 1 or (literals and all(literals)):
            # The alternation of the parts, on the rows that matched: its leftmost-first match is
            # the earliest start over the parts, the first part in order among those starting
            # there, which is what the parts one by one would say.
            regex = parts[0] if len(parts) == 1 else "|".join(f"(?:{p})" for p in parts)
            return _locate(sub, regex).select(i=idx, start="start", end="end").drop_nulls("start")
        # A part no literal is known of: the alternation may leave the regex engine's fast path
        # (one such rule took 4 s, against 0.3 s part by part). Each part on its own, only in the
        # rows whose key text has one of its literals; one call finds them all (a pattern per
        # row, the pairs grouped by pattern, so each regex is compiled once).
        rows: dict[int, pl.Series] = {}
        if literals and any(literals):
            rows = _candidates(self.key.gather(idx),
                               {j: lits for j, lits in enumerate(literals) if lits})
        every = pl.int_range(len(sub), dtype=pl.get_index_type(), eager=True)
        pairs = pl.concat([
            pl.DataFrame({"r": rows.get(j, every) if literals and literals[j] else every})
            .with_columns(j=pl.lit(j, dtype=pl.UInt32))
            for j in range(len(parts))
        ])
        starts = pl.DataFrame({
            "r": pairs["r"],
            "start": pl.DataFrame({"s": sub.gather(pairs["r"]),
                                   "p": pl.Series(parts).gather(pairs["j"])})
            .select(pl.col("s").str.find(pl.col("p"))).to_series(),
            "j": pairs["j"],
        })
        # The leftmost match of the alternation: the earliest start over its patterns, the
        # first pattern in order among those starting there (leftmost-first semantics).
        first = (
            starts.drop_nulls("start").sort(["r", "start", "j"])
            .unique("r", keep="first", maintain_order=True)
        )
        if first.height == 0:
            return pl.DataFrame(schema=_HITS_SCHEMA)
        # The match's end: its text, asked of each pattern's rows.
        ends = []
        for (j,), group in first.partition_by("j", as_dict=True).items():
            n = sub.gather(group["r"]).str.extract(parts[j], 0).str.len_bytes()
            ends.append(group.with_columns(n=n))
        first = pl.concat(ends).sort("r")
        start = first["start"].cast(pl.Int64)
        return pl.DataFrame({"i": idx.gather(first["r"]), "start": start,
                             "end": start + first["n"].cast(pl.Int64)})

    @cached_property
    def regions(self) -> pl.DataFrame:
        """First quoted or reported-speech region per row (byte offsets), rows that have one."""
        if "regions" not in self.queries:
            return pl.DataFrame(schema={"i": pl.UInt32(), "q0": pl.Int64(), "q1": pl.Int64()})
        return self.first_matches("regions").rename({"start": "q0", "end": "q1"})


#: Characters squeezed in the key text (see :func:`fonder.tone.prefilter.key`).
_SQUEEZE = "abcdefghijklmnopqrstuvwxyz "


def key_text(plain: pl.Series) -> pl.Series:
    """The key form of every (lowered) text: :func:`fonder.tone.prefilter.key`, vectorized.

    Apostrophes dropped, whitespace a single space, each run of one repeated ASCII letter
    squeezed to one letter ("sooo  sorry" -> "so sory").
    """
    text = plain.str.replace_many(["'", "’"], ["", ""]).str.replace_all(r"\s\s+|[^ \S]", " ")
    doubles = [c + c for c in _SQUEEZE]
    ones = list(_SQUEEZE)
    # Each pass halves a run ("aaaaa" -> "aaa"); the rows that still have one pass again.
    text = text.str.replace_many(doubles, ones)
    left = text.str.contains_any(doubles).arg_true()
    while len(left):
        sub = text.gather(left).str.replace_many(doubles, ones)
        text = text.scatter(left, sub)
        left = left.gather(sub.str.contains_any(doubles).arg_true())
    return text


def _candidates(
    key: pl.Series, literals: dict[_T, frozenset[str]], pool: ThreadPoolExecutor | None = None
) -> dict[_T, pl.Series]:
    """Per query, the rows whose key text contains one of its literals (sorted row indices).

    One Aho-Corasick pass finds every literal of every query in each row; each literal carries
    a bit per query that it belongs to, and a row's bits are ORed. With ``pool``, the column's
    two halves are scanned side by side.
    """
    names = list(literals)
    words = -(-len(names) // 64)
    masks: dict[str, list[int]] = {}
    for q, name in enumerate(names):
        for lit in literals[name]:
            masks.setdefault(lit, [0] * words)[q // 64] |= 1 << (q % 64)
    vocab = list(masks)
    cut = len(key) // 2 if pool is not None and len(key) >= 50_000 else 0
    if cut:
        halves = pool.map(lambda b: _occurrences(key.slice(b[0], b[1]), vocab, b[0]),  # type: ignore[union-attr]
                          [(0, cut), (cut, len(key) - cut)])
        found = pl.concat(list(halves))
    else:
        found = _occurrences(key, vocab, 0)
    bits = pl.DataFrame(
        {"i": found["i"]}
        | {f"w{w}": pl.Series([masks[x][w] for x in vocab], dtype=pl.UInt64).gather(found["id"])
           for w in range(words)}
    )
    rows = bits.group_by("i").agg(pl.all().bitwise_or()).sort("i")
    out = {}
    for q, name in enumerate(names):
        col = rows[f"w{q // 64}"]
        out[name] = rows["i"].filter((col & (1 << (q % 64))) != 0)
    return out


def _occurrences(key: pl.Series, vocab: list[str], offset: int) -> pl.DataFrame:
    """Every occurrence of every literal: row (``offset`` + position) and the literal's index.

    Overlapping: "love you so" has both "love you" and "you so".
    """
    found = (
        pl.DataFrame({"lit": key.str.extract_many(vocab, overlapping=True)})
        .with_row_index("i", offset=offset)
        .explode("lit")
        .drop_nulls()
    )
    return pl.DataFrame({"i": found["i"], "id": found["lit"].cast(pl.Enum(vocab)).to_physical()})


def _locate(texts: pl.Series, regex: str) -> pl.DataFrame:
    """Byte ``start`` and ``end`` of the first match of ``regex`` in each text (null: none).

    One pass, and one compilation of the regex (Polars compiles it at every call, which for the
    large alternations costs more than the search on a few thousand rows): the first match is
    replaced with a one-byte marker, whose position is the start; the length lost is the
    match's. The few texts that hold the marker themselves are asked the usual way.
    """
    marked = texts.str.replace(regex, _MARK, n=1)
    start = marked.str.find(_MARK, literal=True).cast(pl.Int64)
    end = start + (texts.str.len_bytes() - marked.str.len_bytes()).cast(pl.Int64) + 1
    odd = texts.str.contains(_MARK, literal=True).arg_true()
    if len(odd):
        sub = texts.gather(odd)
        s = sub.str.find(regex).cast(pl.Int64)
        start = start.scatter(odd, s)
        end = end.scatter(odd, s + sub.str.extract(regex, 0).str.len_bytes().cast(pl.Int64))
    return pl.DataFrame({"start": start, "end": end})


def _earliest(parts: list[pl.DataFrame]) -> pl.DataFrame:
    parts = [p for p in parts if p.height]
    if not parts:
        return pl.DataFrame(schema=_HITS_SCHEMA)
    if len(parts) == 1:
        return parts[0]
    # A stable sort: of two rules matching at the same start, the first one's span is kept,
    # whatever else is in the frame.
    return (pl.concat(parts).sort(["i", "start"], maintain_order=True)
            .unique("i", keep="first", maintain_order=True))


def _label(lr: LabelRules, ctx: _Context) -> tuple[pl.DataFrame, pl.Series]:
    """Rows where one label fires, with the first triggering span (bytes); and the rows where
    a rule matched but its veto said the message only looks like the label."""
    found = []
    vetoed = [pl.Series("i", [], dtype=pl.UInt32)]
    for k, rule in enumerate(lr.rules):
        parts = [
            ctx.first_matches(f"{lr.name}/{k}/{name}")
            for name in ("masked", "plain", "cased")
            if f"{lr.name}/{k}/{name}" in ctx.queries
        ]
        hits = _earliest(parts)
        if hits.height and rule.veto:
            look_alike = ctx.plain.gather(hits["i"]).str.contains(rule.veto)
            vetoed.append(hits["i"].filter(look_alike))
            hits = hits.filter(~look_alike)
        if hits.height and rule.requires:
            hits = hits.filter(ctx.plain.gather(hits["i"]).str.contains(rule.requires))
        found.append(hits)
    hits = _earliest(found)
    vetoed_rows = pl.concat(vetoed).cast(pl.UInt32)
    if hits.height == 0:
        return hits, vetoed_rows
    if lr.thresholds and hits.height:
        sub = ctx.plain.gather(hits["i"])
        msub = ctx.masked.gather(hits["i"])
        words = sub.str.count_matches(r"\S+")
        count = pl.Series([0] * hits.height, dtype=pl.UInt32)
        for rule in lr.rules:
            if rule.masked:
                count = count + msub.str.count_matches(rule.masked)
            if rule.plain:
                count = count + sub.str.count_matches(rule.plain)
        keep = pl.Series([False] * hits.height)
        for min_words, min_matches in lr.thresholds:
            keep = keep | ((words >= min_words) & (count >= min_matches))
        hits = hits.filter(keep)
    return _finish(lr, ctx, hits), vetoed_rows


def _finish(lr: LabelRules, ctx: _Context, hits: pl.DataFrame) -> pl.DataFrame:
    """The label's span rule and the quotes: what every hit goes through, rule or word model."""
    if lr.span == "message" and hits.height:
        sub = ctx.plain.gather(hits["i"])
        lead = sub.str.len_bytes() - sub.str.strip_chars_start().str.len_bytes()
        body = sub.str.strip_chars().str.len_bytes()
        hits = hits.with_columns(start=lead.cast(pl.Int64), end=(lead + body).cast(pl.Int64))
    if hits.height and not lr.keep_in_quotes:
        regions = ctx.regions
        if regions.height:
            inside = hits.join(regions, on="i", how="inner").filter(
                (pl.col("q0") <= pl.col("start")) & (pl.col("end") <= pl.col("q1"))
            )
            hits = hits.join(inside.select("i"), on="i", how="anti")
    return hits


def _matched(ctx: _Context, model: words.WordModel) -> dict[int, np.ndarray]:
    """Per label column of ``model``: the rows where any rule of the label matched its first
    pass. Every rule hit and every veto is among them."""
    rows: dict[int, list[pl.Series]] = {}
    column = {name: j for j, name in enumerate(model.labels)}
    for key, found in ctx.found.items():
        j = column.get(key.split("/", 1)[0])
        if j is not None:
            rows.setdefault(j, []).append(found)
    return {j: pl.concat(parts).unique().to_numpy() for j, parts in rows.items()}


def _over_threshold(score: np.ndarray, model: words.WordModel,
                    names: set[str]) -> dict[int, np.ndarray]:
    """Per label column (of the labels in ``names``): the rows whose score clears the label's
    add threshold."""
    return {j: np.flatnonzero(score[:, j] >= model.add[j])
            for j, name in enumerate(model.labels)
            if name in names and np.isfinite(model.add[j])}


def _pairs(rows: dict[int, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    i = [np.zeros(0, dtype=np.int64), *(r.astype(np.int64) for r in rows.values())]
    j = [np.zeros(0, dtype=np.int64), *(np.full(len(r), k, dtype=np.int64)
                                        for k, r in rows.items())]
    return np.concatenate(i), np.concatenate(j)


def _model_pass(masked: pl.Series, model: words.WordModel,
                built: Future[_Context]) -> tuple[np.ndarray, np.ndarray, pl.DataFrame,
                                                  dict[int, np.ndarray]]:
    """The word model's share of the work that needs no rule's second pass: the scores of
    every text, and (once the rules' first passes are done) the spans of the labels it adds
    where no rule of the label matched at all; with :func:`_matched`, which it needed."""
    score, known = words.scores(masked, model)
    ctx = built.result()
    matched = _matched(ctx, model)
    over = _over_threshold(score, model, {lr.name for lr in ctx.rules.labels})
    none = np.zeros(0, dtype=np.int64)
    early = {j: np.setdiff1d(rows, matched.get(j, none)) for j, rows in over.items()}
    return score, known, words.spans(masked, model, *_pairs(early)), matched


def _with_words(raw: dict[str, pl.DataFrame], vetoed: dict[str, pl.Series], ctx: _Context,
                model: words.WordModel, score: np.ndarray, known: np.ndarray,
                early: pl.DataFrame, matched: dict[int, np.ndarray]) -> dict[str, pl.DataFrame]:
    """The rules' hits, with the word model's additions and drops (see :mod:`fonder.tone.words`):
    ``score`` and ``known`` are :func:`fonder.tone.words.scores` of ``ctx.masked``. The model
    never adds a label to a message a rule's veto named a look-alike of that label. ``early``
    holds the spans of the additions where no rule of the label matched a first pass (see
    :func:`_model_pass`), and ``matched`` the rows where one did; the rest are found here."""
    column = {name: j for j, name in enumerate(model.labels)}
    out = dict(raw)
    doubt = []  # rule hits the model finds very unlikely: (i, j, start, end)
    for name, hits in raw.items():
        j = column.get(name)
        if j is None or not hits.height or not np.isfinite(model.drop[j]):
            continue
        rows = hits["i"].to_numpy()
        low = (score[rows, j] < model.drop[j]) & known[rows]
        if low.any():
            doubt.append(hits.filter(pl.Series(low)).with_columns(j=pl.lit(j, pl.Int64)))
    if doubt:
        d = pl.concat(doubt)
        # The model overrules a rule only where the sentence of the rule's match is unlike
        # the label and the words around the match speak against it, not merely where it has
        # too few words to go on or another sentence is about something else.
        jj = d["j"].to_numpy()
        sentence, against = words.in_sentence(ctx.masked, model, d["i"].to_numpy(), jj,
                                              d["start"].to_numpy(), d["end"].to_numpy())
        d = d.filter(pl.Series((sentence < model.drop[jj]) & (against < -words.CONTEXT_MARGIN)))
        for (j,), part in d.partition_by("j", as_dict=True).items():
            name = model.labels[j]
            out[name] = out[name].join(part.select("i"), on="i", how="anti")
    # Additions: the rows over the threshold that the label's rules neither labelled nor
    # vetoed. Those no rule of the label even matched a first pass of come in ``early``.
    none = np.zeros(0, dtype=np.int64)
    over = {j: np.intersect1d(rows, matched.get(j, none))
            for j, rows in _over_threshold(score, model, set(raw)).items()}
    late = {j: np.setdiff1d(rows, np.union1d(raw[model.labels[j]]["i"].to_numpy(),
                                             vetoed[model.labels[j]].to_numpy()))
            for j, rows in over.items()}
    found_spans = pl.concat([early, words.spans(ctx.masked, model, *_pairs(late))])
    if not found_spans.height:
        return out
    by_name = {lr.name: lr for lr in ctx.rules.labels}
    for (j,), part in found_spans.partition_by("j", as_dict=True).items():
        name = model.labels[j]
        lr = by_name[name]
        extra = _finish(lr, ctx, part.select("i", "start", "end"))
        if extra.height and not lr.keep_in_quotes and ctx.regions.height:
            # The model's span is a run of words; one that reaches into quoted or reported
            # speech is not counted as the writer's own.
            touching = extra.join(ctx.regions, on="i", how="inner").filter(
                (pl.col("start") < pl.col("q1")) & (pl.col("q0") < pl.col("end")))
            extra = extra.join(touching.select("i"), on="i", how="anti")
        out[name] = pl.concat([out[name], extra]).sort("i")
    return out


def _dependency_order(rules: Rules) -> list[str]:
    """Label names so that every label comes after those its ``unless``/``implied_by`` name."""
    deps = {lr.name: set(lr.unless) | set(lr.implied_by) for lr in rules.labels}
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            raise ValueError(f"tone rules: labels depend on each other in a cycle: {path}")
        state[name] = 1
        for dep in sorted(deps[name]):
            visit(dep, (*path, dep))
        state[name] = 2
        order.append(name)

    for lr in rules.labels:
        visit(lr.name, (lr.name,))
    return order


def _char_offsets(
    orig: pl.Series, i: pl.Series, start: pl.Series, end: pl.Series
) -> tuple[pl.Series, pl.Series]:
    """Byte offsets into ``orig[i]`` → code-point offsets (Python ``str`` indices)."""
    texts = orig.gather(i)
    start = start.cast(pl.Int64)
    end = end.cast(pl.Int64)
    wide = (texts.str.len_bytes() != texts.str.len_chars()).arg_true()
    if len(wide):
        raw = texts.gather(wide).cast(pl.Binary)
        s = start.gather(wide)
        e = end.gather(wide)
        cs = raw.bin.slice(0, s).cast(pl.String).str.len_chars().cast(pl.Int64)
        ce = raw.bin.slice(0, e).cast(pl.String).str.len_chars().cast(pl.Int64)
        start = start.clone().scatter(wide, cs)
        end = end.clone().scatter(wide, ce)
    return start, end


__all__ = ["LABEL_SCHEMA", "Label", "label_frame", "label_hits", "label_text", "language_gate",
           "mask_negation"]
