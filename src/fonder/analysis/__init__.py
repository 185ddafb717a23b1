"""Analysis: pure functions from a frame of messages (and optional tone labels) to typed
signals. No I/O, no printing; vectorized over messages.

Start with :func:`report_signals` (everything, JSON-ready) or the typed functions, which all
accept either a message frame or a prepared :class:`Timeline` (prepare once with
:func:`timeline` when calling several).
"""

from fonder.analysis.params import Params
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
from fonder.analysis.timeline import Timeline, timeline

__all__ = [
    "BALANCE_COMPONENTS",
    "Conversations",
    "EffortBalance",
    "FollowUpStats",
    "FollowUps",
    "LatencyStats",
    "Params",
    "ReplyLatencies",
    "Share",
    "Shares",
    "Timeline",
    "conversations",
    "effort_balance",
    "follow_ups",
    "reply_latencies",
    "report_signals",
    "shares",
    "timeline",
]
