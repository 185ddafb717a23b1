"""Pull-away (P2): has he become slower, quieter, shorter, less often the one who starts —
against his own earlier weeks, and more than she has?

1. His weekly series: median reply latency (log), messages per day (log), share of
   conversation starts, words per message (log), questions per message.
2. Change points in those series (standardised) with ``ruptures`` (PELT, l2 cost).
3. For each change point leaving enough weeks on both sides, and for the plain "last
   ``recent_weeks`` vs the ``baseline_weeks`` before" split: the recent weeks against his
   baseline, per series, with a one-sided Mann–Whitney test on the weekly values (robust to
   a few odd weeks), plus the pooled ratios.
4. It fires when the confidence reaches ``pull_min_confidence`` and either at least
   ``pull_min_signs`` of latency / volume / starts / length moved away (each past its effect
   threshold and significant), one of them latency or volume, or latency or volume alone moved
   strongly (``pull_strong_*``). His latency and volume changes must exceed hers
   (``pull_relative_margin``), so that her slowing down is not read as his; a latency rise
   still counts as his when she had not slowed in the first ``min_recent_weeks`` after it
   (she is mirroring him).

Confidence = 1 − the Fisher-combined p-value of the four one-sided tests (latency and volume
count only when his change outruns hers), multiplied by the number of splits tried
(Bonferroni), floored at 0. It is a measure of how unlike his baseline
the recent weeks are, not a probability that he has lost interest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import polars as pl
import ruptures
from scipy import stats

from fonder.analysis.params import Params
from fonder.analysis.timeline import Timeline, timeline
from fonder.analysis.weekly import weekly

_SERIES = ("latency", "volume", "starts", "length", "questions")


@dataclass(frozen=True)
class PullAwayChanges:
    """Recent weeks against the baseline, pooled."""

    latency_ratio: float | None
    """His median reply latency, recent / baseline."""
    volume_ratio: float | None
    """His messages per day, recent / baseline."""
    length_ratio: float | None
    """His words per message, recent / baseline."""
    starts_share_delta: float | None
    """His share of conversation starts, recent − baseline (−0.2 = 20 points fewer)."""
    questions_ratio: float | None
    """His questions per message, recent / baseline."""
    her_latency_ratio: float | None
    """The same ratios for me, to tell his change from a shared one."""
    her_volume_ratio: float | None
    p_values: dict[str, float | None] = field(default_factory=dict)
    """One-sided Mann–Whitney p-value per series (weekly values), in the pull-away direction."""
    signs: tuple[str, ...] = ()
    """Series that moved away: past their threshold, significant, and (latency, volume) more
    than hers."""
    strong: bool = False
    """A latency or volume sign past its ``pull_strong_*`` ratio: enough on its own."""


@dataclass(frozen=True)
class PullAway:
    """The pull-away verdict with the numbers behind it."""

    status: str
    """``"ok"`` or ``"not_enough_data"``."""
    reason: str | None
    """Why there is not enough data, in plain words."""
    detected: bool
    since: date | None
    """First day of the recent window when detected (Monday of the week of the change)."""
    confidence: float | None
    changes: PullAwayChanges | None
    baseline: tuple[date, date] | None
    """First and last day of the baseline window."""
    recent: tuple[date, date] | None
    """First and last day of the recent window."""
    change_points: tuple[date, ...] = ()
    """Weeks where ruptures found a change in his series (any direction)."""
    weeks: int = 0
    """Weeks looked at (the span, at most ``pull_horizon_weeks``)."""


def _not_enough(reason: str, weeks: int) -> PullAway:
    return PullAway("not_enough_data", reason, False, None, None, None, None, None, (), weeks)


def _mw(recent: np.ndarray, base: np.ndarray, alternative: str) -> float | None:
    recent = recent[np.isfinite(recent)]
    base = base[np.isfinite(base)]
    if recent.size < 2 or base.size < 2:
        return None
    if np.ptp(np.concatenate([recent, base])) == 0:
        return 1.0
    return float(stats.mannwhitneyu(recent, base, alternative=alternative).pvalue)


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or not math.isfinite(a) or not math.isfinite(b) or b <= 0:
        return None
    return a / b


def _robust_scale(x: np.ndarray) -> np.ndarray:
    """Centre on the median, scale by the spread of week-to-week differences (robust to the
    level shift we are looking for)."""
    out = np.empty_like(x)
    for j in range(x.shape[1]):  # a loop per series
        col = x[:, j]
        d = np.abs(np.diff(col))
        s = 1.4826 * np.median(d) / math.sqrt(2) if d.size else 0.0
        if not s > 0:
            s = float(np.std(col)) or 1.0
        out[:, j] = (col - np.median(col)) / s
    return out


def _fill(col: np.ndarray) -> np.ndarray:
    """Missing weeks take the previous week's value (the first ones the next known)."""
    col = col.copy()
    ok = np.isfinite(col)
    if not ok.any():
        return np.zeros_like(col)
    idx = np.where(ok, np.arange(col.size), 0)
    np.maximum.accumulate(idx, out=idx)
    col = col[idx]
    first = int(np.argmax(ok))
    col[:first] = col[first]
    return col


def _pooled_latency(lat: pl.DataFrame, lo: date, hi: date, me: bool) -> float | None:
    lat = lat.filter(
        (pl.col("week") >= lo) & (pl.col("week") < hi) & (pl.col("me") == me)
    ).get_column("lat_s").median()
    return float(lat) if lat is not None else None  # type: ignore[arg-type]


def _compare(lat: pl.DataFrame, w: pl.DataFrame, k: int, params: Params) -> tuple[PullAwayChanges, float]:
    """Weeks ``[k, end)`` against ``[k - baseline_weeks, k)``: changes and the combined p."""
    lo = max(0, k - params.baseline_weeks)
    base, rec = w.slice(lo, k - lo), w.slice(k)
    wk = w.get_column("week")
    b0, r0 = wk[lo], wk[k]
    end = wk[-1] + timedelta(days=7)

    def s(frame: pl.DataFrame, col: str) -> float:
        return float(frame.get_column(col).sum())

    def full(frame: pl.DataFrame) -> pl.DataFrame:  # weeks whole enough to compare
        return frame.filter(pl.col("days") >= params.min_week_days)

    lat_them = _ratio(_pooled_latency(lat, r0, end, False), _pooled_latency(lat, b0, r0, False))
    lat_me = _ratio(_pooled_latency(lat, r0, end, True), _pooled_latency(lat, b0, r0, True))
    vol_them = _ratio(s(rec, "messages_them") / s(rec, "days"), s(base, "messages_them") / s(base, "days"))
    vol_me = _ratio(s(rec, "messages_me") / s(rec, "days"), s(base, "messages_me") / s(base, "days"))
    len_them = _ratio(
        s(rec, "words_them") / max(s(rec, "messages_them"), 1.0),
        s(base, "words_them") / max(s(base, "messages_them"), 1.0),
    ) if s(rec, "messages_them") and s(base, "messages_them") else None
    q_them = _ratio(
        s(rec, "questions_them") / max(s(rec, "messages_them"), 1.0),
        s(base, "questions_them") / max(s(base, "messages_them"), 1.0),
    ) if s(rec, "messages_them") and s(base, "messages_them") else None
    st_r = s(rec, "starts_me") + s(rec, "starts_them")
    st_b = s(base, "starts_me") + s(base, "starts_them")
    starts_delta = (s(rec, "starts_them") / st_r - s(base, "starts_them") / st_b) if st_r and st_b else None

    fb, fr = full(base), full(rec)

    def col(frame: pl.DataFrame, expr: pl.Expr) -> np.ndarray:
        return frame.select(expr.cast(pl.Float64)).to_series().to_numpy()

    enough = pl.col("replies_them") >= params.min_replies_per_week
    lat_e = pl.when(enough).then(pl.col("latency_median_s_them").clip(lower_bound=1.0).log())
    vol_e = pl.col("messages_them") / pl.col("days")
    st_e = pl.col("starts_them") / (pl.col("starts_me") + pl.col("starts_them"))
    len_e = pl.col("words_them") / pl.col("messages_them")
    q_e = pl.col("questions_them") / pl.col("messages_them")
    p = {
        "latency": _mw(col(fr, lat_e), col(fb, lat_e), "greater"),
        "volume": _mw(col(fr, vol_e), col(fb, vol_e), "less"),
        "starts": _mw(col(fr, st_e), col(fb, st_e), "less"),
        "length": _mw(col(fr, len_e), col(fb, len_e), "less"),
        "questions": _mw(col(fr, q_e), col(fb, q_e), "less"),
    }
    a = params.pull_alpha
    m = params.pull_relative_margin
    # His change must outrun hers; otherwise it is hers (or shared) and weighs nothing.
    # Her latency just after the change: if she slowed only later, she is mirroring him.
    early_end = wk[min(k + params.min_recent_weeks, w.height - 1)] if k + params.min_recent_weeks < w.height else end
    lat_me_early = _ratio(_pooled_latency(lat, r0, early_end, True), _pooled_latency(lat, b0, r0, True))
    lat_his = lat_them is not None and (
        lat_me is None
        or lat_them >= lat_me * m
        or (
            lat_me_early is not None
            and lat_me_early < params.pull_latency_ratio
            and lat_them >= lat_me_early * m
        )
    )
    vol_his = vol_them is not None and (vol_me is None or vol_them * m <= vol_me)
    signs = []
    if lat_his and lat_them >= params.pull_latency_ratio and (p["latency"] or 1) < a:  # type: ignore[operator]
        signs.append("latency")
    if vol_his and vol_them <= params.pull_volume_ratio and (p["volume"] or 1) < a:  # type: ignore[operator]
        signs.append("volume")
    if starts_delta is not None and starts_delta <= params.pull_starts_delta and (p["starts"] or 1) < a:
        signs.append("starts")
    if len_them is not None and len_them <= params.pull_length_ratio and (p["length"] or 1) < a:
        signs.append("length")
    # Fisher over the four main series (questions are reported, not voted).
    counted = {"latency": lat_his, "volume": vol_his, "starts": True, "length": True}
    ps = [v if counted[kk] else 1.0 for kk, v in p.items() if kk in counted and v is not None]
    if ps:
        chi = -2.0 * sum(math.log(max(v, 1e-300)) for v in ps)
        p_comb = float(stats.chi2.sf(chi, 2 * len(ps)))
    else:
        p_comb = 1.0
    strong = ("latency" in signs and lat_them >= params.pull_strong_latency_ratio) or (  # type: ignore[operator]
        "volume" in signs and vol_them <= params.pull_strong_volume_ratio  # type: ignore[operator]
    )
    changes = PullAwayChanges(
        latency_ratio=lat_them,
        volume_ratio=vol_them,
        length_ratio=len_them,
        starts_share_delta=starts_delta,
        questions_ratio=q_them,
        her_latency_ratio=lat_me,
        her_volume_ratio=vol_me,
        p_values=p,
        signs=tuple(signs),
        strong=bool(strong),
    )
    return changes, p_comb


def _features(w: pl.DataFrame, params: Params) -> np.ndarray:
    enough = pl.col("replies_them") >= params.min_replies_per_week
    x = w.select(
        # Clipped and shifted so that instant replies and word-less weeks stay finite.
        pl.when(enough).then(pl.col("latency_median_s_them").clip(lower_bound=1.0).log()).alias("lat"),
        (pl.col("messages_them") / pl.col("days") * 7 + 1).log().alias("vol"),
        (pl.col("starts_them") / (pl.col("starts_me") + pl.col("starts_them"))).alias("starts"),
        (pl.col("words_them") / pl.col("messages_them") + 1).log().alias("len"),
    ).with_columns(pl.all().cast(pl.Float64).fill_nan(None)).to_numpy().astype(float)
    x[~np.isfinite(x)] = np.nan
    x = np.column_stack([_fill(x[:, j]) for j in range(x.shape[1])])
    return _robust_scale(x)


def pull_away(
    messages: pl.DataFrame | Timeline,
    params: Params = Params(),
    *,
    weeks: pl.DataFrame | None = None,
) -> PullAway:
    """Is he pulling away? Change points in his weekly series, the recent weeks against his own
    baseline, with confidence and ratios; ``not_enough_data`` for short or sparse spans.

    ``weeks``: the output of :func:`fonder.analysis.weekly` for the same timeline, to reuse it.
    """
    tl = timeline(messages, params=params)
    w = weeks if weeks is not None else weekly(tl, params=params)
    if w.height > params.pull_horizon_weeks:
        w = w.tail(params.pull_horizon_weeks)
    n_weeks = w.height
    active = int((w.get_column("messages_me") + w.get_column("messages_them") > 0).sum()) if n_weeks else 0
    his = int(w.get_column("messages_them").sum()) if n_weeks else 0
    if active < params.min_weeks:
        return _not_enough(
            f"{active} week(s) with messages; pull-away needs at least {params.min_weeks}", n_weeks
        )
    if his < params.min_messages:
        return _not_enough(
            f"{his} message(s) from them; pull-away needs at least {params.min_messages}", n_weeks
        )
    min_b, min_r = max(params.min_baseline_weeks, 1), max(params.min_recent_weeks, 1)
    if n_weeks < min_b + min_r:
        return _not_enough(f"{n_weeks} weeks; pull-away needs {min_b + min_r}", n_weeks)

    x = _features(w, params)
    algo = ruptures.Pelt(model="l2", min_size=min_r, jump=1).fit(x)
    bkps = [b for b in algo.predict(pen=params.change_point_penalty * x.shape[1] * math.log(n_weeks)) if b < n_weeks]
    wk = w.get_column("week")
    default_k = max(min_b, n_weeks - params.recent_weeks)
    candidates = sorted({b for b in bkps if b >= min_b and n_weeks - b >= min_r} | {default_k})

    lat = tl.msgs.filter(
        pl.col("lat_s").is_not_null() & (pl.col("week") >= w.get_column("week")[0])
    ).select("week", "me", "lat_s")
    results = [(k, *_compare(lat, w, k, params)) for k in candidates]  # a loop per change point
    tried = len(results)
    best = None
    for k, ch, p_comb in results:
        conf = max(0.0, 1.0 - min(1.0, p_comb * tried))
        fires = conf >= params.pull_min_confidence and (
            (len(ch.signs) >= params.pull_min_signs and ("latency" in ch.signs or "volume" in ch.signs))
            or ch.strong
        )
        key = (fires, conf, k)
        if best is None or key > best[0]:
            best = (key, k, ch, conf)
    assert best is not None  # candidates always hold default_k
    (fires, conf, _), k, ch, _ = best
    if not fires:
        # Report the plain recent-vs-baseline comparison when nothing fired.
        k = default_k
        ch, p_comb = next((c, pc) for kk, c, pc in results if kk == k)
        conf = max(0.0, 1.0 - min(1.0, p_comb * tried))
    lo = max(0, k - params.baseline_weeks)
    end = wk[-1] + timedelta(days=6)
    return PullAway(
        status="ok",
        reason=None,
        detected=bool(fires),
        since=wk[k] if fires else None,
        confidence=conf,
        changes=ch,
        baseline=(wk[lo], wk[k] - timedelta(days=1)),
        recent=(wk[k], end),
        change_points=tuple(wk[b] for b in bkps),
        weeks=n_weeks,
    )
