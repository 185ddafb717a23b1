"""Pursue–withdraw (P2): do my follow-ups rise in the weeks his replies slow down?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from fonder.analysis.params import Params
from fonder.analysis.timeline import Timeline, timeline
from fonder.analysis.weekly import weekly


@dataclass(frozen=True)
class PursueWithdraw:
    """Spearman correlation, over weeks, between his median reply latency and my follow-ups."""

    status: str
    """``"ok"`` or ``"not_enough_data"``."""
    weeks_used: int
    """Weeks with enough of his replies (``min_replies_per_week``) to have a latency."""
    r: float | None
    """Spearman's rho; None when not enough weeks or when either series never varies."""
    reading: str
    """``"clear"``, ``"some"``, ``"none"``, ``"opposite"`` or ``"not_enough_data"``."""
    weeks: tuple[date, ...]
    """Weeks that show the loop: his latency above his weekly median and my follow-ups above
    mine (and above zero)."""


def pursue_withdraw(
    messages: pl.DataFrame | Timeline,
    params: Params = Params(),
    *,
    weeks: pl.DataFrame | None = None,
) -> PursueWithdraw:
    """Correlate his weekly median reply latency with my weekly unanswered follow-ups.

    ``weeks``: the output of :func:`fonder.analysis.weekly`, to reuse it.
    """
    w = weeks if weeks is not None else weekly(timeline(messages, params=params), params=params)
    w = w.filter(pl.col("replies_them") >= params.min_replies_per_week).select(
        "week", lat="latency_median_s_them", fu="follow_ups_me"
    )
    n = w.height
    if n < params.pursue_min_weeks:
        return PursueWithdraw("not_enough_data", n, None, "not_enough_data", ())
    r = None
    if w.get_column("lat").n_unique() > 1 and w.get_column("fu").n_unique() > 1:
        r = w.select(pl.corr("lat", "fu", method="spearman")).item()
    if r is None or r != r:  # NaN
        return PursueWithdraw("ok", n, None, "none", ())
    if r >= params.pursue_strong_r:
        reading = "clear"
    elif r >= params.pursue_some_r:
        reading = "some"
    elif r <= -params.pursue_some_r:
        reading = "opposite"
    else:
        reading = "none"
    lat_med = w.get_column("lat").median()
    fu_med = w.get_column("fu").median()
    shown = w.filter(
        (pl.col("lat") > lat_med) & (pl.col("fu") > fu_med) & (pl.col("fu") > 0)
    ).get_column("week")
    return PursueWithdraw("ok", n, float(r), reading, tuple(shown.to_list()) if reading in ("clear", "some") else ())
