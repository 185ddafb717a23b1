"""The coach: turns signals and tone labels into findings, a headline, a safety section, a
seven-day plan and verdicts on drafts.

Every function takes the normalized messages (``MESSAGE_SCHEMA``), the tone labels frame
(``msg_id, label, start, end, match``) and, where needed, the analysis ``signals`` dict
(:func:`fonder.analysis.report_signals`). Results are dataclasses with ``to_json()``.
Every word shown to a person comes from :mod:`fonder.coach.messages`; the rules and their
numbers are in ``docs/coach.md``::

    signals = analysis.report_signals(messages, labels)
    coach.headline(signals, messages, labels, me="Maya", them="Daniel").sentence
    found = coach.findings(signals, messages, labels, me="Maya", them="Daniel")
    coach.top_actions(found)
    coach.safety(messages, labels, them="Daniel")          # None, or the section that leads
    coach.plan(signals, messages, labels, me="Maya", them="Daniel", today=date.today())
    coach.check_draft("are you mad at me?", messages, labels, signals, me="Maya",
                      them="Daniel", at=datetime.now(UTC))
"""

from fonder.coach import messages
from fonder.coach.base import (
    EXIT_CODES,
    SEVERITIES,
    Check,
    Evidence,
    Finding,
    Headline,
    Plan,
    Rule,
    Safety,
)
from fonder.coach.check import check_draft, rewrite
from fonder.coach.findings import findings, headline, safety, top_actions
from fonder.coach.plan import date_ideas_catalogue, own_life_catalogue, plan, season_of

__all__ = [
    "EXIT_CODES",
    "SEVERITIES",
    "Check",
    "Evidence",
    "Finding",
    "Headline",
    "Plan",
    "Rule",
    "Safety",
    "check_draft",
    "date_ideas_catalogue",
    "findings",
    "headline",
    "messages",
    "own_life_catalogue",
    "plan",
    "rewrite",
    "safety",
    "season_of",
    "top_actions",
]
