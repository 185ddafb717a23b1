"""Analysis: pure functions from a frame of messages (and optional tone labels) to typed
signals. No I/O, no printing; vectorized over messages.

Start with :func:`report_signals` (everything, JSON-ready) or the typed functions, which all
accept either a message frame or a prepared :class:`Timeline` (prepare once with
:func:`timeline` when calling several). Definitions and research: ``docs/signals.md``.
"""

from fonder.analysis.absence import AbsenceResponse, Silence, absence_response
from fonder.analysis.longing import Expressions, Longing, longing
from fonder.analysis.params import Params
from fonder.analysis.pull_away import PullAway, PullAwayChanges, pull_away
from fonder.analysis.pursue import PursueWithdraw, pursue_withdraw
from fonder.analysis.report import report_signals
from fonder.analysis.signals import (
    BALANCE_COMPONENTS,
    Conversations,
    EffortBalance,
    FollowUps,
    FollowUpStats,
    LatencyStats,
    ReplyLatencies,
    Share,
    Shares,
    conversations,
    effort_balance,
    follow_ups,
    reply_latencies,
    shares,
)
from fonder.analysis.style import LSM_CATEGORIES, Style, style
from fonder.analysis.timeline import Timeline, timeline
from fonder.analysis.weekly import BalanceOverTime, balance_over_time, weekly

__all__ = [
    "BALANCE_COMPONENTS",
    "LSM_CATEGORIES",
    "AbsenceResponse",
    "BalanceOverTime",
    "Conversations",
    "EffortBalance",
    "Expressions",
    "FollowUpStats",
    "FollowUps",
    "LatencyStats",
    "Longing",
    "Params",
    "PullAway",
    "PullAwayChanges",
    "PursueWithdraw",
    "ReplyLatencies",
    "Share",
    "Shares",
    "Silence",
    "Style",
    "Timeline",
    "absence_response",
    "balance_over_time",
    "conversations",
    "effort_balance",
    "follow_ups",
    "longing",
    "pull_away",
    "pursue_withdraw",
    "reply_latencies",
    "report_signals",
    "shares",
    "style",
    "timeline",
    "weekly",
]
