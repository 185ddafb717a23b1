"""Valence: one sentiment score per message from VADER's lexicon, a secondary signal.

VADER (Hutto & Gilbert 2014) ships its lexicon inside the ``vaderSentiment`` package, so it
works offline. Its scorer is Python, one call per text; identical texts (chats are full of
"ok", "lol", "haha") are scored once.
"""

from __future__ import annotations

from functools import cache

import polars as pl


@cache
def _analyzer():  # noqa: ANN202 - third-party type
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def valence(texts: pl.Series) -> pl.Series:
    """VADER compound score in [-1, 1] per text (Float32); null where the text is null."""
    texts = texts.cast(pl.String)
    uniq = texts.drop_nulls().unique()
    score = _analyzer().polarity_scores
    table = pl.DataFrame(
        {"text": uniq, "valence": pl.Series([score(t)["compound"] for t in uniq], dtype=pl.Float32)}
    )
    return (
        texts.to_frame("text")
        .join(table, on="text", how="left", maintain_order="left")
        .get_column("valence")
    )


def valence_frame(messages: pl.DataFrame) -> pl.DataFrame:
    """``msg_id`` and ``valence`` (VADER compound, Float32 in [-1, 1], null for null text)."""
    return pl.DataFrame(
        {"msg_id": messages["msg_id"].cast(pl.String), "valence": valence(messages["text"])}
    )
