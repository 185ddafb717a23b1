"""Every threshold the analysis uses, in one place, with its default and its meaning.

No study validates these numbers for texting (see ``docs/signals.md``); they are design
choices, shown with the numbers behind every result so a person can judge them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Params:
    """Named thresholds of every signal. Defaults are fonder's choices; pass your own to change them."""

    # --- conversations, turns, replies -----------------------------------------------------
    conversation_gap_h: float = 6.0
    """A conversation starts after this many hours with no message from either side."""

    follow_up_gap_min: float = 15.0
    """A new burst by the same person at least this many minutes after their previous message,
    with no reply in between, is an unanswered follow-up (a "double text")."""

    # --- local time -------------------------------------------------------------------------
    tz: str | None = None
    """Zone for local-time signals (late night, weeks, months). ``None``: each chat's own zone,
    the most common ``tz`` of its rows."""

    late_night_start_h: int = 0
    """Late night begins at this local hour (inclusive)."""

    late_night_end_h: int = 5
    """Late night ends at this local hour (exclusive)."""

    # --- effort balance -----------------------------------------------------------------------
    balance_min_events: int = 3
    """A balance component enters the composite only when both people together did it at least
    this many times in the span (or week): a share of 1 out of 1 says nothing."""

    one_sided_threshold: float = 0.65
    """A week whose composite (my share of the effort) is above this is one-sided."""

    # --- pull-away ------------------------------------------------------------------------------
    min_weeks: int = 6
    """Fewer weeks with messages than this: pull-away answers "not enough data"."""

    min_messages: int = 60
    """Fewer of his messages than this in the span: pull-away answers "not enough data"."""

    pull_horizon_weeks: int = 52
    """Pull-away looks at the last this many weeks only: it asks about now, and a change years
    ago is not pulling away today."""

    recent_weeks: int = 4
    """Without a change point, the recent window is this many last weeks."""

    baseline_weeks: int = 12
    """The baseline is at most this many weeks before the recent window."""

    min_recent_weeks: int = 2
    """A change point is only considered when at least this many weeks follow it."""

    min_baseline_weeks: int = 4
    """A change point is only considered when at least this many weeks precede it."""

    min_replies_per_week: int = 3
    """A week's reply latency counts only when it rests on at least this many replies."""

    min_week_days: int = 4
    """A week enters the weekly tests only with at least this many days inside the span (the
    first and last weeks are often partial)."""

    change_point_penalty: float = 3.0
    """Penalty of the ruptures PELT search: per change point, this × the number of series × ln(weeks),
    on the standardised weekly series (a BIC-like choice); higher finds fewer change points."""

    pull_latency_ratio: float = 1.5
    """His recent median reply latency must be at least this many times his baseline."""

    pull_volume_ratio: float = 0.75
    """...or his recent messages per day at most this fraction of his baseline."""

    pull_starts_delta: float = -0.15
    """...or his share of conversation starts down by at least this much (0–1 scale)."""

    pull_length_ratio: float = 0.75
    """...or his recent words per message at most this fraction of his baseline."""

    pull_strong_latency_ratio: float = 2.0
    """A latency rise this large (and larger than hers) is enough on its own to fire."""

    pull_strong_volume_ratio: float = 0.5
    """A volume drop this large (and larger than hers) is enough on its own to fire."""

    pull_min_signs: int = 2
    """How many of latency, volume, starts and length must move away (each significant at
    ``pull_alpha``) for pull-away to fire; one of them must be latency or volume. A strong
    latency or volume change alone also fires (see the ``pull_strong_*`` ratios)."""

    pull_relative_margin: float = 1.25
    """His change must exceed hers by this factor (latency up, volume down), so that her
    slowing down is not read as his pulling away."""

    pull_alpha: float = 0.05
    """One-sided significance level of each Mann–Whitney test (recent weeks vs baseline)."""

    pull_min_confidence: float = 0.9
    """The reported confidence must reach this for pull-away to fire."""

    # --- absence response -------------------------------------------------------------------------
    absence_min_h: float = 24.0
    """A silence of mine: at least this many hours between two of my messages."""

    # --- longing and affection -------------------------------------------------------------------
    rate_min_days: float = 28.0
    """Per-month rates are given only for spans at least this many days long."""

    # --- style ------------------------------------------------------------------------------------------
    lsm_min_words: int = 50
    """Language style matching for a week (or the span) needs this many words from each person."""

    # --- pursue–withdraw -----------------------------------------------------------------------------
    pursue_min_weeks: int = 8
    """Weeks with his latency (``min_replies_per_week`` replies) needed before a correlation is read."""

    pursue_strong_r: float = 0.5
    """Spearman correlation from which the link is read as clear."""

    pursue_some_r: float = 0.3
    """Spearman correlation from which the link is read as some."""

    def __post_init__(self) -> None:
        # Frozen dataclass: validate without assignment.
        if self.conversation_gap_h <= 0 or self.follow_up_gap_min <= 0 or self.absence_min_h <= 0:
            raise ValueError("time thresholds must be positive")
        if not 0 <= self.late_night_start_h < 24 or not 0 < self.late_night_end_h <= 24:
            raise ValueError("late-night hours must lie within 0–24")
        if not 0 < self.one_sided_threshold < 1:
            raise ValueError("one_sided_threshold must lie between 0 and 1")
