r"""Tone rules as data: load ``rules/<lang>.json`` and compile its patterns for the engine.

A language's rules live in one JSON file (see ``docs/tone.md`` for the format). This module
turns the human-friendly pattern notation into Rust-regex syntax (what Polars runs), so rule
files stay short and readable:

- ``{NAME}`` expands a macro from the file's ``macros`` (texting forms: ``{YOU}`` is
  ``(?:you|u|ya|...)``); macros may use other macros.
- A space matches one or more whitespace characters.
- ``'`` is an optional apostrophe, straight or curly (``don't`` also matches ``dont`` and
  ``don’t``); ``’`` is a required one.
- Every literal letter may be stretched (``so`` matches ``soooo``, ``miss you`` matches
  ``misss youuu``); write ``k{1}`` to forbid it.
- Plain parentheses do not capture; an emoji's variation selector (U+FE0F) is optional.
- Each pattern must start and end at a word edge; ``emoji`` lists are matched anywhere.
  ``\b`` is an ASCII word boundary; ``\w``, ``\W`` and ``\d`` are ASCII classes too.

Everything else is Rust regex syntax: no look-around and no backreferences.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from fonder.errors import FonderError, UsageError
from fonder.tone import prefilter

RULES_DIR = Path(__file__).parent / "rules"

# ASCII word edges: Unicode word boundaries make the regex engine leave its fast DFA on
# emoji and accented text (several times slower); for English rules ASCII edges suffice.
# A pattern may not begin or end inside a word: at its start the previous character is not a
# word character, unless the pattern itself begins with a non-word character (then it may
# follow a word: "haha😂"); the same, mirrored, at its end.
START = r"(?-u:\b{start-half}|\b{end})"
END = r"(?-u:\b{end-half}|\b{start})"

# ``\w``, ``\W`` and ``\d`` mean their ASCII selves too. A Unicode ``\W`` is hundreds of
# ranges; a few dozen of them in one alternation outgrow the lazy DFA's cache, and the regex
# engine falls back to a far slower search (one rule's pass went from 0.03 s to 1.2 s). With
# ASCII edges an accented letter is not a word character anyway, so the two now agree.
_ASCII_CLASSES = {"b": r"(?-u:\b)", "w": r"(?-u:\w)", "W": "[^0-9A-Za-z_]", "d": "[0-9]"}

_MACRO = re.compile(r"(?<!\\[pP])\{([A-Z][A-Z0-9_]*)\}")


class RulesError(FonderError):
    """A tone rules file is malformed (a bug in the rules, not in the user's data)."""


class UnknownLanguage(UsageError):
    """No tone rules exist for the language asked for."""


@dataclass(frozen=True)
class Rule:
    """One way a label can fire: regexes per text variant, plus message-level conditions.

    ``masked``, ``plain`` and ``cased`` are each one alternation of all the rule's patterns
    for that text variant, to test a whole column with. ``parts`` are the regexes that locate
    the span in the rows that matched: the same alternation, or, for a rule marked
    ``"locate": "each"``, every pattern on its own (a few large alternations push the regex
    engine off its fast path when it has to report *where* it matched).
    """

    masked: str | None  # run on the lowered text with negation scopes masked
    plain: str | None  # run on the lowered text (patterns that carry their own negation)
    cased: str | None  # run on the original text (case matters)
    veto: str | None  # any match in the message cancels this rule
    requires: str | None  # the message must match this somewhere
    parts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: The whole-column test of each variant: its patterns in groups (:class:`Screen`); a row
    #: matches the variant when it matches a group.
    screens: dict[str, tuple[Screen, ...]] = field(default_factory=dict)
    #: Per variant, for each of ``parts``, literals every match of it contains (key form, see
    #: :mod:`fonder.tone.prefilter`), or None: a part is only looked for in rows that have one.
    part_literals: dict[str, tuple[frozenset[str] | None, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Screen:
    """Some of a variant's patterns, tested together against the column.

    ``tests`` are ORed alternations (a large group is cut in pieces, see ``SPLIT_OVER``).
    ``literals`` (key form, see :mod:`fonder.tone.prefilter`): every match of the group
    contains one of them, so only rows whose key text has one are tested; ``None`` for the
    patterns no such literal is known of, which are tested on every row.
    """

    tests: tuple[str, ...]
    literals: frozenset[str] | None = None


#: A variant with more patterns than this is tested in pieces of about ``SPLIT_SIZE``. Past some
#: size one alternation outgrows the regex engine's lazy-DFA cache and its pass gets slower than
#: two passes over the halves (three rules of 50-76 patterns: 0.2 s a pass on 130,000 texts,
#: 0.06-0.1 s in pieces). Every piece is one more pass, so small rules stay whole.
SPLIT_OVER = 40
SPLIT_SIZE = 25


def _pieces(items: list[str]) -> list[list[str]]:
    """``items`` cut into runs of about ``SPLIT_SIZE`` (one run when there are few)."""
    if len(items) <= SPLIT_OVER:
        return [items]
    n = -(-len(items) // SPLIT_SIZE)
    size = -(-len(items) // n)
    return [items[i : i + size] for i in range(0, len(items), size)]


@dataclass(frozen=True)
class LabelRules:
    name: str
    rules: tuple[Rule, ...]
    unless: tuple[str, ...] = ()
    implied_by: tuple[str, ...] = ()
    # (words, matches) pairs: the message needs at least that many words and pattern
    # matches for one of the pairs; empty means no such condition.
    thresholds: tuple[tuple[int, int], ...] = ()
    span: str = "match"  # or "message": the whole message is the span
    keep_in_quotes: bool = False  # laughter inside reported speech is still the writer's


@dataclass(frozen=True)
class Gate:
    markers: str  # English-ness: common function words and texting forms
    foreign: str  # function words of other languages that are not words of this one
    foreign_anywhere: str | None  # characters only other languages use ("¿", "¡")
    short_words: int  # a message this short with no foreign marker passes
    max_other_script: float  # largest share of letters outside the language's script


@dataclass(frozen=True)
class Negation:
    negators: str
    exceptions: str | None  # "can't wait": the negator does not scope over these
    breakers: str | None  # words that end a scope ("but", "and", ...)
    scope_words: int


@dataclass(frozen=True)
class Rules:
    lang: str
    version: int
    gate: Gate
    negation: Negation
    regions: str | None  # quoted or reported speech: not the writer's own voice
    labels: tuple[LabelRules, ...] = field(default_factory=tuple)


def available_languages() -> list[str]:
    """The languages that have a rules file."""
    return sorted(p.stem for p in RULES_DIR.glob("*.json"))


@cache
def load_rules(lang: str = "en") -> Rules:
    """Load and compile ``rules/<lang>.json``."""
    path = RULES_DIR / f"{lang}.json"
    if not path.is_file():
        raise UnknownLanguage(
            f"no tone rules for language {lang!r} — available: {', '.join(available_languages())}"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RulesError(f"tone rules {path.name} are not valid JSON: {exc}") from exc
    return compile_rules(data)


def compile_rules(data: dict) -> Rules:
    """Compile a rules document (the parsed JSON) into regexes."""
    macros: dict[str, str] = data.get("macros", {})

    @cache
    def pat(src: str) -> str:
        return transform(expand(src, macros))

    def words(items: list[str]) -> str | None:
        if not items:
            return None
        return START + "(?:" + "|".join(f"(?:{pat(i)})" for i in items) + ")" + END

    def anywhere(items: list[str]) -> str | None:
        if not items:
            return None
        return "(?:" + "|".join(f"(?:{pat(i)})" for i in items) + ")"

    def either(a: str | None, b: str | None) -> str | None:
        if a and b:
            return f"(?:{a})|(?:{b})"
        return a or b

    def each(items: list[str], edges: bool = True) -> tuple[str, ...]:
        if edges:
            return tuple(f"{START}(?:{pat(i)}){END}" for i in items)
        return tuple(f"(?:{pat(i)})" for i in items)

    def exact_words(items: list[str]) -> str:
        alts = "|".join(f"(?:{transform(expand(i, macros), stretch=False)})" for i in items)
        return START + "(?:" + alts + ")" + END

    g = data["gate"]
    gate = Gate(
        markers=exact_words(g["markers"]),
        foreign=exact_words(g["foreign"]),
        foreign_anywhere=anywhere(g.get("foreign_anywhere", [])),
        short_words=int(g.get("short_words", 5)),
        max_other_script=float(g.get("max_other_script", 0.2)),
    )
    n = data["negation"]
    exceptions = None
    if n.get("exceptions"):
        heads = "|".join(f"(?:{pat(h)})" for h in n["exceptions"])
        tails = "|".join(f"(?:{pat(t)})" for tails in n["exceptions"].values() for t in tails)
        # Group 1 is the negator, group 2 the word it does not negate; the space between
        # them is what the engine protects.
        exceptions = f"{START}({heads}) ({tails}){END}"
    negation = Negation(
        negators=START + "(?:" + "|".join(f"(?:{pat(x)})" for x in n["negators"]) + ")",
        exceptions=exceptions,
        breakers=(" (" + "|".join(f"(?:{pat(b)})" for b in n["breakers"]) + f"){END}")
        if n.get("breakers")
        else None,
        scope_words=int(n.get("scope_words", 3)),
    )

    # A pattern that names a negator itself ("not my fault", "can't wait to see you") must
    # run on the unmasked text, where its own negator is still visible.
    own_negation = re.compile(
        r"(?<![a-z'])(?:"
        + "|".join(re.escape(x).replace("'", "'?") for x in n["negators"])
        + r")(?![a-z])"
    )

    def tests(fixed: list[str], emoji: list[str]) -> tuple[str, ...]:
        pieces = _pieces(fixed)
        if len(pieces) > 1:
            return tuple(filter(None, [words(x) for x in pieces] + [anywhere(emoji)]))
        return tuple(filter(None, [either(words(fixed), anywhere(emoji))]))

    def screens(fixed: list[str], emoji: list[str] = ()) -> tuple[Screen, ...]:
        """The patterns with necessary literals in one group, the others in another."""
        known: tuple[list[str], list[str]] = ([], [])
        unknown: tuple[list[str], list[str]] = ([], [])
        literals: set[str] = set()
        for k, (items, edges) in enumerate(((fixed, True), (emoji, False))):
            for x, regex in zip(items, each(items, edges=edges)):
                found = prefilter.literals(regex)
                (known if found else unknown)[k].append(x)
                literals |= found or set()
        out = []
        if known[0] or known[1]:
            out.append(Screen(tests(*known), frozenset(literals)))
        if unknown[0] or unknown[1]:
            out.append(Screen(tests(*unknown)))
        return tuple(out)

    labels = []
    for name, spec in data["labels"].items():
        rules = []
        for r in spec["rules"]:
            unknown = set(r) - {"patterns", "fixed", "emoji", "cased", "veto", "requires", "note",
                                "locate"}
            if unknown:
                raise RulesError(f"label {name}: unknown rule keys {sorted(unknown)}")
            for key in ("patterns", "fixed", "cased", "veto", "requires"):
                for src in r.get(key, []):
                    if src.endswith(" ") or src.startswith(" "):
                        raise RulesError(f"label {name}: pattern {src!r} starts or ends with a space")
            masked = [x for x in r.get("patterns", []) if not own_negation.search(expand(x, macros))]
            fixed = r.get("fixed", []) + [x for x in r.get("patterns", []) if x not in masked]
            emoji = r.get("emoji", [])
            if r.get("locate", "together") not in ("together", "each"):
                raise RulesError(f"label {name}: locate must be 'together' or 'each'")
            each_one = r.get("locate") == "each"
            parts = {
                "masked": each(masked) if each_one else (words(masked),),
                "plain": each(fixed) + each(emoji, edges=False) if each_one
                else (either(words(fixed), anywhere(emoji)),),
                "cased": each(r.get("cased", [])) if each_one else (words(r.get("cased", [])),),
            }
            rules.append(
                Rule(
                    masked=words(masked),
                    plain=either(words(fixed), anywhere(emoji)),
                    cased=words(r.get("cased", [])),
                    veto=words(r.get("veto", [])),
                    requires=words(r.get("requires", [])),
                    parts=parts,
                    # The key text is of the lowered text; a cased pattern's literals are its
                    # lowercase letters, which the lowered text keeps where the original has them.
                    screens={
                        "masked": screens(masked),
                        "plain": screens(fixed, emoji),
                        "cased": screens(r.get("cased", [])),
                    },
                    part_literals={
                        k: tuple(prefilter.literals(x) if x else None for x in v)
                        for k, v in parts.items() if len(v) > 1
                    },
                )
            )
        labels.append(
            LabelRules(
                name=name,
                rules=tuple(rules),
                unless=tuple(spec.get("unless", ())),
                implied_by=tuple(spec.get("implied_by", ())),
                thresholds=tuple((int(w), int(m)) for w, m in spec.get("thresholds", ())),
                span=spec.get("span", "match"),
                keep_in_quotes=bool(spec.get("keep_in_quotes", False)),
            )
        )
    names = [lr.name for lr in labels]
    for lr in labels:
        for dep in lr.unless + lr.implied_by:
            if dep not in names:
                raise RulesError(f"label {lr.name} refers to unknown label {dep}")
    return Rules(
        lang=data["lang"],
        version=int(data["version"]),
        gate=gate,
        negation=negation,
        regions=anywhere(data.get("regions", [])),
        labels=tuple(labels),
    )


def expand(src: str, macros: dict[str, str], depth: int = 0) -> str:
    """Replace ``{NAME}`` with ``(?:macro)``, recursively."""
    if depth > 10:
        raise RulesError(f"macros nest too deeply in {src!r}")

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in macros:
            raise RulesError(f"unknown macro {{{name}}} in {src!r}")
        return "(?:" + expand(macros[name], macros, depth + 1) + ")"

    return _MACRO.sub(sub, src)


def transform(p: str, stretch: bool = True) -> str:
    """Rewrite the rule notation (see the module docstring) into Rust regex syntax.

    ``stretch=False`` leaves letters as they are (the language gate's word lists must match
    words exactly: Spanish "por" is not a stretched English "poor").
    """
    out: list[str] = []
    i, n = 0, len(p)
    while i < n:
        c = p[i]
        nxt = p[i + 1] if i + 1 < n else ""
        if c == "\\":
            if nxt in "pPxb" and i + 2 < n and p[i + 2] == "{":
                j = p.index("}", i) + 1
            elif nxt in _ASCII_CLASSES:
                # ASCII word boundaries and classes: the Unicode ones are slow (see START).
                out.append(_ASCII_CLASSES[nxt])
                i += 2
                continue
            elif nxt in "pP":
                j = i + 3
            elif nxt == "x":
                j = i + 4
            else:
                j = i + 2
            out.append(p[i:j])
            i = j
        elif c == "[":
            j = _class_end(p, i)
            body = p[i:j].replace("'", "'’")
            out.append(body.replace(r"\w", "0-9A-Za-z_").replace(r"\d", "0-9"))
            i = j
        elif c == "{":
            j = p.index("}", i) + 1
            out.append(p[i:j])
            i = j
        elif c == "(":
            if nxt == "?":
                j = i + 2
                while j < n and p[j] not in ":)":
                    j += 1
                out.append(p[i : j + 1])
                i = j + 1
            else:
                out.append("(?:")
                i += 1
        elif c == " ":
            while i < n and p[i] == " ":
                i += 1
            if i < n and p[i] == "?":
                out.append(r"\s*")
                i += 1
            else:
                out.append(r"\s+")
        elif c == "'":
            out.append("['’]" if (nxt != "" and nxt in "?*+{") else "['’]?")
            i += 1
        elif c == "’":
            out.append("['’]")
            i += 1
        elif c == "\ufe0f":
            out.append("\ufe0f?")
            i += 1
        elif c.isalpha():
            out.append(c if not stretch or (nxt != "" and nxt in "?*+{") else c + "+")
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _class_end(p: str, i: int) -> int:
    """Index just past the character class that opens at ``p[i] == '['``."""
    try:
        return prefilter.class_end(p, i)
    except ValueError as exc:
        raise RulesError(str(exc)) from None
