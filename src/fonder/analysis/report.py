"""The ``signals`` object of ``fonder report --json``: every signal, JSON-ready.

Numbers only (ints, floats, ISO dates as strings, null); never NaN. The shape is documented in
``docs/signals.md``; keys are only ever added.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from fonder.analysis.params import Params
from fonder.analysis.signals import (
    BALANCE_COMPONENTS,
    conversations,
    effort_balance,
    follow_ups,
    reply_latencies,
    shares,
)
from fonder.analysis.timeline import Timeline, timeline


def num(x: float | None, digits: int = 3) -> float | None:
    """A finite float rounded to ``digits``, or None (NaN and infinities become None)."""
    if x is None:
        return None
    x = float(x)
    if not math.isfinite(x):
        return None
    return round(x, digits)


def report_signals(
    messages: pl.DataFrame | Timeline,
    labels: pl.DataFrame | None = None,
    params: Params = Params(),
) -> dict[str, Any]:
    """Every signal of ``messages`` (and tone ``labels`` when given) as the JSON-ready
    ``signals`` object of the report."""
    tl = timeline(messages, labels, params)
    conv = conversations(tl, params)
    lat = reply_latencies(tl, params)
    fu = follow_ups(tl, params)
    sh = shares(tl, params)
    bal = effort_balance(tl, params=params)
    return {
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
        },
    }
