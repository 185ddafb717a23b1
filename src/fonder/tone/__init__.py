"""Tone labels: what each message does (apologises, asks for reassurance, proposes a plan…).

Rules are data, one file per language (``rules/<lang>.json``); the engine applies them to a
whole Polars column at once and attaches to every label the span of text that triggered it.
Definitions of the labels: ``docs/tone.md``.

    >>> from fonder.tone import label_text
    >>> [(l.label, l.match) for l in label_text("I don't miss you")]
    []
    >>> [(l.label, l.match) for l in label_text("miss u 🥺")]
    [('longing', 'miss u')]
"""

from __future__ import annotations

from fonder.tone.engine import LABEL_SCHEMA, Label, label_frame, label_text
from fonder.tone.rules import UnknownLanguage, available_languages, load_rules
from fonder.tone.valence import valence_frame

#: Every label, in the order of the definitions.
LABELS: tuple[str, ...] = (
    "reassurance_seeking",
    "compliment_fishing",
    "apology",
    "criticism",
    "contempt",
    "defensiveness",
    "demand",
    "stonewall_reply",
    "appreciation",
    "help_request",
    "affection",
    "longing",
    "plan_proposal",
    "novelty",
    "own_life",
    "narration",
    "playful",
    "boundary",
    "question",
    "insult",
    "threat",
    "control",
    "jealousy",
)

#: Labels that signal an unsafe relationship (principle S1): reported without coaching tone.
SAFETY_LABELS: tuple[str, ...] = ("insult", "threat", "control", "jealousy")

#: Version of the labelling: bump it whenever the engine or any rules file changes, so stored
#: labels are recomputed on the next report. Equal to the ``version`` of ``rules/en.json``.
TONE_VERSION: int = 11

__all__ = [
    "LABELS",
    "LABEL_SCHEMA",
    "SAFETY_LABELS",
    "TONE_VERSION",
    "Label",
    "UnknownLanguage",
    "available_languages",
    "label_frame",
    "label_text",
    "load_rules",
    "valence_frame",
]
