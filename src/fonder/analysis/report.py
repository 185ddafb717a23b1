"""The ``signals`` object of ``fonder report --json``: every signal, JSON-ready.

Numbers only (ints, floats, ISO dates as strings, null); never NaN. The shape is documented in
``docs/signals.md``; keys are only ever added.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import polars as pl

from fonder.analysis.absence import absence_response
from fonder.analysis.longing import Expressions, longing
from fonder.analysis.params import Params
from fonder.analysis.pull_away import pull_away
from fonder.analysis.pursue import pursue_withdraw
from fonder.analysis.signals import (
    conversations,
    effort_balance,
    follow_ups,
    reply_latencies,
    shares,
)
from fonder.analysis.style import style
from fonder.analysis.timeline import Timeline, timeline
from fonder.analysis.weekly import WEEKLY_LABELS, WEEKLY_METRICS, balance_over_time, weekly


def num(x: float | None, digits: int = 3) -> float | None:
    """A finite float rounded to ``digits``, or None (NaN and infinities become None)."""
    if x is None:
        return None
    x = float(x)
    if not math.isfinite(x):
        return None
    return round(x, digits)


def iso(x: date | datetime | None) -> str | None:
    """ISO 8601 text of a date or an aware datetime, or None."""
    return None if x is None else x.isoformat()


def _column(frame: pl.DataFrame, col: str, digits: int | None) -> list[Any]:
    values = frame.get_column(col).to_list()
    if digits is None:
        return values
    return [num(v, digits) for v in values]


def _weekly_json(w: pl.DataFrame, has_labels: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"weeks": [iso(d) for d in w.get_column("week").to_list()],
                           "days": w.get_column("days").to_list()}
    for side in ("me", "them"):
        series: dict[str, Any] = {}
        for name in WEEKLY_METRICS:
            if name in WEEKLY_LABELS and not has_labels:
                series[name] = None
                continue
            digits = None if name not in ("latency_median_s", "latency_p75_s", "late_night_share") else (
                1 if name.startswith("latency") else 3
            )
            series[name] = _column(w, f"{name}_{side}", digits)
        out[side] = series
    return out


def _expressions_json(e: Expressions) -> dict[str, Any]:
    return {
        "me": e.me,
        "them": e.them,
        "first_by": {"me": e.first_by_me, "them": e.first_by_them},
        "per_month_rate": {"me": num(e.me_per_month, 2), "them": num(e.them_per_month, 2)},
        "per_month": [
            {"month": iso(r["month"]), "me": r["me"], "them": r["them"]}
            for r in e.per_month.iter_rows(named=True)
        ],
    }


def _span(tl: Timeline, w: pl.DataFrame) -> dict[str, Any]:
    if tl.empty:
        return {"first": None, "last": None, "days": 0.0, "weeks": 0}
    ts = tl.msgs.get_column("ts")
    first, last = ts.min(), ts.max()
    return {
        "first": iso(first),  # type: ignore[arg-type]
        "last": iso(last),  # type: ignore[arg-type]
        "days": num((last - first).total_seconds() / 86400.0, 1),  # type: ignore[operator]
        "weeks": w.height,
    }


def report_signals(
    messages: pl.DataFrame | Timeline,
    labels: pl.DataFrame | None = None,
    params: Params = Params(),
) -> dict[str, Any]:
    """Every signal of ``messages`` (and tone ``labels`` when given) as the JSON-ready
    ``signals`` object of the report (shape in ``docs/signals.md``; keys are only added).

    ``messages`` may be a prepared :class:`Timeline`; its own labels and params then apply.
    """
    tl = timeline(messages, labels, params)
    conv = conversations(tl, params)
    lat = reply_latencies(tl, params)
    fu = follow_ups(tl, params)
    sh = shares(tl, params)
    bal = effort_balance(tl, params=params)
    w = weekly(tl, params=params)
    pa = pull_away(tl, params, weeks=w)
    ab = absence_response(tl, params=params)
    lo = longing(tl, params=params)
    bt = balance_over_time(tl, params=params)
    st = style(tl, params)
    pw = pursue_withdraw(tl, params, weeks=w)
    unavailable = "needs tone labels"
    return {
        "span": _span(tl, w),
        "labels": tl.has_labels,
        "conversations": {
            "total": conv.total,
            "started_by": {"me": conv.started_by_me, "them": conv.started_by_them},
        },
        "latency_s": {
            side: {"median": num(s.median, 1), "p75": num(s.p75, 1), "replies": s.replies}
            for side, s in (("me", lat.me), ("them", lat.them))
        },
        "follow_ups": {
            side: {"count": s.count, "longest_streak": s.longest_streak}
            for side, s in (("me", fu.me), ("them", fu.them))
        },
        "shares": {
            "messages": num(sh.messages.share),
            "words": num(sh.words.share),
            "questions": num(sh.questions.share),
        },
        "counts": {
            "messages": {"me": sh.messages.me, "them": sh.messages.them},
            "words": {"me": sh.words.me, "them": sh.words.them},
            "questions": {"me": sh.questions.me, "them": sh.questions.them},
            "questions_from": sh.questions_from,
        },
        "balance": {
            "composite": num(bal.composite),
            "components": {
                name: (num(c.share) if c is not None else None)
                for name, c in bal.components.items()
            },
            "component_counts": {
                name: ({"me": c.me, "them": c.them} if c is not None else None)
                for name, c in bal.components.items()
            },
            "used": list(bal.used),
            "threshold": bt.threshold,
            "weeks_over_threshold": bt.weeks_over_threshold,
            "longest_over_threshold": bt.longest_over_threshold,
            "weekly": [
                {"week": iso(r["week"]), "composite": num(r["composite"])}
                for r in bt.weeks.select("week", "composite").iter_rows(named=True)
            ],
        },
        "pull_away": _pull_away_json(pa),
        "absence": {
            "silences": len(ab.silences),
            "they_reached_out": ab.they_reached_out,
            "median_hours_to_reach_out": num(ab.median_hours_to_reach_out, 1),
            "usual_latency_s": num(ab.usual_latency_s, 1),
            "min_hours": params.absence_min_h,
            "per_silence": [
                {
                    "start": iso(x.start),
                    "end": iso(x.end),
                    "hours": num(x.hours, 1),
                    "they_reached_out": x.they_reached_out,
                    "hours_to_reach_out": num(x.hours_to_reach_out, 1),
                    "vs_usual_latency": num(x.vs_usual_latency, 1),
                    "longing": x.longing,
                }
                for x in ab.silences
            ],
        },
        "longing": (
            {"status": "ok", "reason": None, **_expressions_json(lo.longing),
             "affection": _expressions_json(lo.affection)}  # type: ignore[arg-type]
            if lo.longing is not None
            else {"status": "unavailable", "reason": unavailable if not tl.has_labels else "no messages",
                  "me": None, "them": None, "first_by": {"me": None, "them": None},
                  "per_month_rate": {"me": None, "them": None}, "per_month": None, "affection": None}
        ),
        "style": {
            "lsm": num(st.lsm),
            "lsm_by_category": {k: num(v) for k, v in st.lsm_by_category.items()},
            "we_per_100": {"me": num(st.we_per_100_me, 2), "them": num(st.we_per_100_them, 2)},
            "i_per_100": {"me": num(st.i_per_100_me, 2), "them": num(st.i_per_100_them, 2)},
            "words": {"me": st.words_me, "them": st.words_them},
            "weekly": [
                {"week": iso(r["week"]), "lsm": num(r["lsm"])}
                for r in st.weekly.select("week", "lsm").iter_rows(named=True)
            ],
        },
        "pursue_withdraw": {
            "status": pw.status,
            "r": num(pw.r),
            "reading": pw.reading,
            "weeks_used": pw.weeks_used,
            "weeks": [iso(d) for d in pw.weeks],
        },
        "weekly": _weekly_json(w, tl.has_labels),
    }


def _pull_away_json(pa: Any) -> dict[str, Any]:
    ch = pa.changes
    return {
        "status": pa.status,
        "reason": pa.reason,
        "detected": pa.detected,
        "since": iso(pa.since),
        "confidence": num(pa.confidence),
        "changes": {
            "latency_ratio": num(ch.latency_ratio, 2) if ch else None,
            "volume_ratio": num(ch.volume_ratio, 2) if ch else None,
            "length_ratio": num(ch.length_ratio, 2) if ch else None,
            "starts_share_delta": num(ch.starts_share_delta) if ch else None,
            "questions_ratio": num(ch.questions_ratio, 2) if ch else None,
            "her_latency_ratio": num(ch.her_latency_ratio, 2) if ch else None,
            "her_volume_ratio": num(ch.her_volume_ratio, 2) if ch else None,
        },
        "p_values": {k: num(v, 4) for k, v in ch.p_values.items()} if ch else None,
        "signs": list(ch.signs) if ch else [],
        "baseline": {"from": iso(pa.baseline[0]), "to": iso(pa.baseline[1])} if pa.baseline else None,
        "recent": {"from": iso(pa.recent[0]), "to": iso(pa.recent[1])} if pa.recent else None,
        "change_points": [iso(d) for d in pa.change_points],
        "weeks": pa.weeks,
    }
