"""Absence response (P0): after each silence of mine, did he reach out first, and how fast?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from fonder.analysis.params import Params
from fonder.analysis.timeline import Timeline, timeline


@dataclass(frozen=True)
class Silence:
    """One silence of mine and what he did during it."""

    start: datetime
    """My last message before the silence (UTC)."""

    end: datetime | None
    """My next message; ``None`` when the span ends before I wrote again (an open silence)."""

    hours: float
    """Length of the silence (to the end of the span when open)."""

    they_reached_out: bool
    """He opened a new conversation (after ``conversation_gap_h`` of quiet) during it."""

    hours_to_reach_out: float | None
    """From my last message to his first such message."""

    vs_usual_latency: float | None
    """``hours_to_reach_out`` over his median reply latency in the span: how many of his usual
    reply times passed before he wrote."""

    longing: bool | None
    """One of his messages during the silence carried the ``longing`` label (None without labels)."""


@dataclass(frozen=True)
class AbsenceResponse:
    """Every silence of mine of ``absence_min_h`` or more, with a summary."""

    silences: tuple[Silence, ...]
    usual_latency_s: float | None
    """His median reply latency in the span, the yardstick of ``vs_usual_latency``."""

    @property
    def they_reached_out(self) -> int:
        return sum(s.they_reached_out for s in self.silences)

    @property
    def median_hours_to_reach_out(self) -> float | None:
        hours = sorted(s.hours_to_reach_out for s in self.silences if s.hours_to_reach_out is not None)
        if not hours:
            return None
        mid = len(hours) // 2
        return hours[mid] if len(hours) % 2 else (hours[mid - 1] + hours[mid]) / 2


def absence_response(
    messages: pl.DataFrame | Timeline,
    labels: pl.DataFrame | None = None,
    params: Params = Params(),
) -> AbsenceResponse:
    """For each gap of at least ``absence_min_h`` between two of my messages (or from my last
    message to the end of the span), whether he opened a conversation during it, after how long,
    and how that compares with his median reply latency."""
    tl = timeline(messages, labels, params)
    m = tl.msgs
    if m.height == 0:
        return AbsenceResponse(silences=(), usual_latency_s=None)
    span_end = m.get_column("ts").max()
    theirs = m.filter(~pl.col("me"))
    usual = theirs.get_column("lat_s").median()
    usual_s = float(usual) if usual is not None else None  # type: ignore[arg-type]
    min_s = params.absence_min_h * 3600.0

    mine = m.filter(pl.col("me")).select(t0="ts", t1=pl.col("ts").shift(-1))
    sil = mine.with_columns(
        until=pl.coalesce("t1", pl.lit(span_end)),
    ).with_columns(
        secs=(pl.col("until") - pl.col("t0")).dt.total_seconds(fractional=True)
    ).filter(pl.col("secs") >= min_s)
    if sil.height == 0:
        return AbsenceResponse(silences=(), usual_latency_s=usual_s)

    starts = theirs.filter(pl.col("start")).select(reach="ts").sort("reach")
    sil = sil.sort("t0").join_asof(
        starts, left_on="t0", right_on="reach", strategy="forward", allow_exact_matches=False
    ).with_columns(
        reach=pl.when(pl.col("reach") < pl.col("until")).then(pl.col("reach"))
    )
    if tl.has_labels:
        # His longing messages counted up to each instant, then differenced over the silence.
        lon = theirs.filter(pl.col("l_longing")).select("ts").with_row_index("k", offset=1)
        lon = lon.with_columns(pl.col("k").cast(pl.Int64))
        sil = (
            sil.join_asof(lon.rename({"ts": "a", "k": "k0"}), left_on="t0", right_on="a", strategy="backward")
            .join_asof(
                lon.rename({"ts": "b", "k": "k1"}), left_on="until", right_on="b",
                strategy="backward", allow_exact_matches=False,
            )
            .with_columns(longing=(pl.col("k1").fill_null(0) - pl.col("k0").fill_null(0)) > 0)
        )
    else:
        sil = sil.with_columns(longing=pl.lit(None, pl.Boolean))
    sil = sil.with_columns(
        to_reach_h=(pl.col("reach") - pl.col("t0")).dt.total_seconds(fractional=True) / 3600.0
    )
    out = []
    for row in sil.iter_rows(named=True):  # one row per silence, not per message
        h = row["to_reach_h"]
        out.append(
            Silence(
                start=row["t0"],
                end=row["t1"],
                hours=row["secs"] / 3600.0,
                they_reached_out=row["reach"] is not None,
                hours_to_reach_out=h,
                vs_usual_latency=(h * 3600.0 / usual_s) if h is not None and usual_s else None,
                longing=row["longing"],
            )
        )
    return AbsenceResponse(silences=tuple(out), usual_latency_s=usual_s)
