"""Longing and affection (P0, P10): who says "miss you" and "love you", how often, who first."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from fonder.analysis.params import Params
from fonder.analysis.timeline import Timeline, timeline


@dataclass(frozen=True)
class Expressions:
    """Messages carrying one tone label, per side, and who said it first in each conversation."""

    label: str
    me: int
    them: int
    first_by_me: int
    """Conversations with the label where I said it first."""
    first_by_them: int
    per_month: pl.DataFrame
    """``month`` (first day, local), ``me``, ``them``: every month of the span, zeros kept."""
    months: float | None
    """Length of the span in months (days / 30.44), the denominator of the rates; ``None`` when
    the span is shorter than ``rate_min_days``."""

    @property
    def me_per_month(self) -> float | None:
        return self.me / self.months if self.months else None

    @property
    def them_per_month(self) -> float | None:
        return self.them / self.months if self.months else None


@dataclass(frozen=True)
class Longing:
    """Longing ("miss you", "can't wait to see you") and affection ("love you") from both sides;
    ``None`` members when no tone labels were given."""

    longing: Expressions | None
    affection: Expressions | None


def _expressions(tl: Timeline, label: str) -> Expressions:
    m = tl.msgs
    flag = f"l_{label}"
    hits = m.filter(pl.col(flag))
    me = int(hits.get_column("me").sum())
    them = hits.height - me
    firsts = hits.group_by("conv").agg(pl.col("me").first()).get_column("me")
    first_me = int(firsts.sum())
    months = pl.DataFrame(
        {"month": pl.date_range(m.get_column("month").min(), m.get_column("month").max(), "1mo", eager=True)}
    )
    per = hits.group_by("month").agg(
        me=pl.col("me").sum().cast(pl.Int64), them=(~pl.col("me")).sum().cast(pl.Int64)
    )
    per_month = months.join(per, on="month", how="left").with_columns(
        pl.col("me", "them").fill_null(0)
    ).sort("month")
    span_days = (m.get_column("ts").max() - m.get_column("ts").min()).total_seconds() / 86400.0  # type: ignore[operator, union-attr]
    return Expressions(
        label=label,
        me=me,
        them=them,
        first_by_me=first_me,
        first_by_them=firsts.len() - first_me,
        per_month=per_month,
        months=span_days / 30.44 if span_days >= tl.params.rate_min_days else None,
    )


def longing(
    messages: pl.DataFrame | Timeline,
    labels: pl.DataFrame | None = None,
    params: Params = Params(),
) -> Longing:
    """Messages with the ``longing`` and ``affection`` labels per side, per month, and who said
    it first in each conversation that has one. Unavailable (None) without tone labels."""
    tl = timeline(messages, labels, params)
    if not tl.has_labels or tl.empty:
        return Longing(longing=None, affection=None)
    return Longing(longing=_expressions(tl, "longing"), affection=_expressions(tl, "affection"))
