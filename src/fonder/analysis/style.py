"""Style: language style matching (LSM) per week and overall, and we-talk / I-talk.

LSM (Ireland et al. 2011) compares how often two people use nine kinds of function words. Per
category ``c``, with ``p`` the share of a person's words in ``c``::

    LSM_c = 1 - |p_me - p_them| / (p_me + p_them + 0.0001)

and LSM is the mean over the nine categories (0–1, higher = more alike). LIWC's dictionaries
are proprietary; the lists below are fonder's own, open, and include texting forms (u, ur, im,
idk, bc, cuz, tho…). A word may belong to more than one category ("don't" is an auxiliary verb
and a negation), as in LIWC.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import polars as pl

from fonder.analysis.params import Params
from fonder.analysis.timeline import WORD_RE, Timeline, timeline
from fonder.analysis.weekly import week_grid

#: The nine function-word categories of LSM, fonder's own open lists (lower case).
LSM_CATEGORIES: Final[dict[str, tuple[str, ...]]] = {
    "personal_pronouns": (
        "i", "me", "my", "mine", "myself", "im", "i'm", "ive", "i've", "i'll", "i'd", "imma", "ima",
        "we", "us", "our", "ours", "ourselves", "we're", "we've", "we'll", "we'd", "let's",
        "you", "your", "yours", "yourself", "yourselves", "you're", "youre", "you've", "youve",
        "you'll", "youll", "you'd", "u", "ur", "urs", "ya", "yall", "y'all", "ya'll",
        "he", "him", "his", "himself", "he's", "he'll", "he'd",
        "she", "her", "hers", "herself", "she's", "she'll", "she'd",
        "they", "them", "their", "theirs", "themselves", "they're", "theyre", "they've",
        "they'll", "they'd", "em", "lemme", "gimme",
    ),
    "impersonal_pronouns": (
        "it", "its", "it's", "itself", "that", "that's", "thats", "this", "these", "those",
        "something", "anything", "everything", "nothing", "someone", "anyone", "everyone",
        "somebody", "anybody", "everybody", "nobody", "what", "what's", "whats", "whatever",
        "which", "whichever", "whoever", "whom", "another", "sth", "smth", "thing", "things",
    ),
    "articles": ("a", "an", "the", "da"),
    "conjunctions": (
        "and", "but", "or", "so", "because", "cause", "cuz", "coz", "cos", "bc", "bcz", "if",
        "although", "though", "tho", "while", "whereas", "unless", "until", "till", "til",
        "as", "nor", "also", "whether", "then", "n",
    ),
    "prepositions": (
        "to", "of", "in", "for", "on", "with", "at", "by", "from", "about", "abt", "bout",
        "into", "onto", "over", "after", "before", "under", "between", "through", "thru",
        "during", "without", "within", "around", "among", "against", "toward", "towards",
        "upon", "across", "behind", "beyond", "near", "off", "since", "like", "per", "via",
        "w", "inside", "outside", "above", "below", "beside", "besides", "past",
    ),
    "auxiliary_verbs": (
        "am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had", "having",
        "do", "does", "did", "will", "would", "shall", "should", "can", "could", "may", "might",
        "must", "r", "gonna", "gotta", "im", "i'm", "ive", "i've", "i'll", "i'd",
        "you're", "youre", "you've", "youve", "you'll", "youll", "you'd",
        "we're", "we've", "we'll", "we'd", "they're", "theyre", "they've", "they'll", "they'd",
        "he's", "she's", "it's", "that's", "thats", "what's", "whats", "there's", "theres",
        "he'll", "she'll", "he'd", "she'd", "isn't", "isnt", "aren't", "arent", "wasn't", "wasnt",
        "weren't", "werent", "don't", "dont", "doesn't", "doesnt", "didn't", "didnt", "won't",
        "wont", "wouldn't", "wouldnt", "can't", "cant", "cannot", "couldn't", "couldnt",
        "shouldn't", "shouldnt", "haven't", "havent", "hasn't", "hasnt", "hadn't", "hadnt",
        "ain't", "aint", "mustn't", "should've", "shoulda", "would've", "woulda", "could've",
        "coulda", "idk",
    ),
    "adverbs": (
        "very", "really", "rly", "rlly", "just", "jus", "too", "now", "rn", "here", "there",
        "only", "even", "still", "already", "always", "ever", "maybe", "quite", "pretty",
        "rather", "almost", "again", "often", "sometimes", "soon", "yet", "actually", "probably",
        "prob", "prolly", "totally", "literally", "lit", "definitely", "def", "seriously",
        "srsly", "basically", "anyway", "anyways", "later", "today", "tonight", "finally",
        "usually", "especially", "exactly", "absolutely", "certainly", "honestly", "tbh",
        "super", "sooo", "somewhat", "perhaps", "instead", "else", "once", "together",
    ),
    "negations": (
        "no", "not", "never", "none", "nothing", "nobody", "nowhere", "neither", "nor",
        "nope", "nah", "naw", "cannot", "isn't", "isnt", "aren't", "arent", "wasn't", "wasnt",
        "weren't", "werent", "don't", "dont", "doesn't", "doesnt", "didn't", "didnt", "won't",
        "wont", "wouldn't", "wouldnt", "can't", "cant", "couldn't", "couldnt", "shouldn't",
        "shouldnt", "haven't", "havent", "hasn't", "hasnt", "hadn't", "hadnt", "ain't", "aint",
        "mustn't", "idk", "without",
    ),
    "quantifiers": (
        "all", "some", "any", "many", "much", "more", "most", "few", "fewer", "less", "least",
        "lot", "lots", "alot", "several", "each", "every", "both", "enough", "half", "bit",
        "plenty", "whole", "tons", "loads", "couple", "little", "extra", "either", "various",
        "numerous", "entire", "single", "double", "twice",
    ),
}

#: We-talk (Karan et al. 2019): first-person plural.
WE_WORDS: Final[tuple[str, ...]] = (
    "we", "us", "our", "ours", "ourselves", "we're", "we've", "we'll", "we'd", "let's",
)
#: I-talk: first-person singular, with texting forms.
I_WORDS: Final[tuple[str, ...]] = (
    "i", "me", "my", "mine", "myself", "im", "i'm", "ive", "i've", "i'll", "i'd", "imma", "ima",
    "lemme", "gimme",
)


#: Every category a token counts in, as bits of one integer (LSM categories, then we, then I).
_CATEGORIES: Final[tuple[str, ...]] = (*LSM_CATEGORIES, "we", "i")


def _lexicon() -> pl.DataFrame:
    masks: dict[str, int] = {}
    groups = [*LSM_CATEGORIES.values(), WE_WORDS, I_WORDS]
    for bit, words in enumerate(groups):
        for w in words:
            masks[w] = masks.get(w, 0) | (1 << bit)
    return pl.DataFrame(
        {"tok": list(masks), "mask": list(masks.values())}, schema={"tok": pl.String, "mask": pl.Int64}
    )


_LEXICON: Final[pl.DataFrame] = _lexicon()


def style_counts(tl: Timeline, by: list[str]) -> pl.DataFrame:
    """Per ``by`` and side: ``words`` and each category's count (``c_<category>``, ``c_we``,
    ``c_i``), as ``<column>_me`` / ``<column>_them``.

    Texts are split into words once (the same words as the word counts), exploded, and looked
    up in one lexicon table: one pass over the text instead of one regex per category.
    """
    keys = by or ["_all"]
    msgs = tl.msgs if by else tl.msgs.with_columns(_all=pl.lit(0))
    words = msgs.group_by([*keys, "me"]).agg(pl.col("words").sum())
    tokens = (
        msgs.filter(pl.col("text").is_not_null())
        .select(
            *keys,
            "me",
            tok=pl.col("text").str.to_lowercase().str.replace_all("’", "'", literal=True)
            .str.extract_all(WORD_RE),
        )
        .explode("tok")
        .join(_LEXICON, on="tok", how="inner")
    )
    cats = tokens.group_by([*keys, "me"]).agg(
        [((pl.col("mask") & (1 << bit)) > 0).sum().cast(pl.Int64).alias(f"c_{name}")
         for bit, name in enumerate(_CATEGORIES)]
    )
    per = words.join(cats, on=[*keys, "me"], how="left")
    names = ["words", *(f"c_{n}" for n in _CATEGORIES)]
    mine = per.filter(pl.col("me")).drop("me").rename({n: f"{n}_me" for n in names})
    theirs = per.filter(~pl.col("me")).drop("me").rename({n: f"{n}_them" for n in names})
    out = mine.join(theirs, on=keys, how="full", coalesce=True).with_columns(
        pl.exclude(keys).fill_null(0).cast(pl.Int64)
    )
    return out.drop("_all") if not by else out


def lsm_expr(min_words: int) -> pl.Expr:
    """Row-wise LSM from ``style_counts`` columns; null when either side has fewer than
    ``min_words`` words."""
    parts = []
    for name in LSM_CATEGORIES:
        p1 = pl.col(f"c_{name}_me") / pl.col("words_me")
        p2 = pl.col(f"c_{name}_them") / pl.col("words_them")
        parts.append(1.0 - (p1 - p2).abs() / (p1 + p2 + 0.0001))
    enough = (pl.col("words_me") >= max(min_words, 1)) & (pl.col("words_them") >= max(min_words, 1))
    return pl.when(enough).then(pl.mean_horizontal(parts))


@dataclass(frozen=True)
class Style:
    """Language style matching and we-/I-talk."""

    lsm: float | None
    """Over the whole span; None when either side wrote fewer than ``lsm_min_words`` words."""
    lsm_by_category: dict[str, float | None]
    we_per_100_me: float | None
    we_per_100_them: float | None
    i_per_100_me: float | None
    i_per_100_them: float | None
    words_me: int
    words_them: int
    weekly: pl.DataFrame
    """``week``, ``lsm`` (null in weeks below ``lsm_min_words`` per side), ``words_me``,
    ``words_them``."""


def style(
    messages: pl.DataFrame | Timeline, params: Params = Params()
) -> Style:
    """LSM over the span and per local week; we-talk and I-talk per 100 words per person."""
    tl = timeline(messages, params=params)
    per_week = style_counts(tl, ["week"])  # the regex passes run once; the total sums weeks
    w = week_grid(tl).select("week").join(
        per_week.with_columns(lsm=lsm_expr(params.lsm_min_words)), on="week", how="left"
    ).select(
        "week", "lsm", pl.col("words_me").fill_null(0), pl.col("words_them").fill_null(0)
    ).sort("week")
    if per_week.height == 0:
        return Style(None, {c: None for c in LSM_CATEGORIES}, None, None, None, None, 0, 0, w)
    row = per_week.drop("week").sum().row(0, named=True)
    wm, wt = row["words_me"], row["words_them"]
    enough = wm >= max(params.lsm_min_words, 1) and wt >= max(params.lsm_min_words, 1)
    by_cat: dict[str, float | None] = {}
    for name in LSM_CATEGORIES:
        if not enough:
            by_cat[name] = None
            continue
        p1, p2 = row[f"c_{name}_me"] / wm, row[f"c_{name}_them"] / wt
        by_cat[name] = 1.0 - abs(p1 - p2) / (p1 + p2 + 0.0001)
    lsm = sum(by_cat.values()) / len(by_cat) if enough else None  # type: ignore[arg-type]

    def per100(count: int, words: int) -> float | None:
        return 100.0 * count / words if words else None

    return Style(
        lsm=lsm,
        lsm_by_category=by_cat,
        we_per_100_me=per100(row["c_we_me"], wm),
        we_per_100_them=per100(row["c_we_them"], wt),
        i_per_100_me=per100(row["c_i_me"], wm),
        i_per_100_them=per100(row["c_i_them"], wt),
        words_me=wm,
        words_them=wt,
        weekly=w,
    )
