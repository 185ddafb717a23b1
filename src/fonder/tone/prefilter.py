r"""Necessary literals of a compiled pattern: a cheap test of which rows a regex can match.

A rule's regex walks every byte of every row. Most rows cannot match it: "are you mad at
me" cannot match where the text has no "mad" and no "angry". This module reads a compiled
pattern (the Rust-regex syntax that :mod:`fonder.tone.rules` produces) and derives a set of
literal strings such that **every** match of the pattern contains one of them. A row whose text
contains none of them cannot match, and is not handed to the regex at all.

Letters are stretchable (``miss`` is compiled to ``m+i+s+s+`` and matches "misssss"),
apostrophes are optional and a space is ``\s+``, so literals are compared in a *key* form of
both sides (:func:`key`): apostrophes dropped, every whitespace character a space, and each
run of one repeated ASCII letter or space squeezed to one ("misssss you" and "miss you" both
key to "mis you"). Every match of a literal part of a pattern has the same key as the part,
and if a text contains a string, the text's key contains that string's key, so the test stays
sound: it may keep rows that do not match, never drop one that does.

Whatever this reader does not understand (a class it cannot list, a case-insensitive group, an
unknown escape) counts as "could be anything": a pattern whose every match cannot be pinned to
a literal of at least :data:`MIN_LEN` bytes gets no literals (``None``) and its rule is
not prefiltered.
"""

from __future__ import annotations

import re
from functools import cache

#: The largest set of strings tracked for one piece of a pattern (alternations multiply).
MAX_SET = 64
#: A literal shorter than this many bytes (after :func:`key`) filters too little to be worth
#: testing.
MIN_LEN = 3

_SQUEEZE = frozenset("abcdefghijklmnopqrstuvwxyz ")
_APOSTROPHES = "'’"
# What the regex engine's ``\s`` matches (Unicode White_Space; Python's also has U+001C-1F).
_WS = re.compile(r"[^\S\x1c-\x1f]")
_REPEAT = re.compile(r"\{(\d+)(?:(,)(\d*))?\}")
# Escapes of one literal character (Rust regex escapes punctuation with a backslash).
_ESCAPED_LITERAL = set(r"\.+*?()|[]{}^$#&-~/'\"!%,:;<=>@`_ ")
_ZERO_WIDTH_ESCAPES = set("bBAz")


class _Unknown(Exception):
    """Syntax this reader does not handle: the pattern gets no literals."""


def key(text: str) -> str:
    """The key form of a string: apostrophes dropped, whitespace a space, runs squeezed."""
    text = _WS.sub(" ", text.replace("'", "").replace("’", ""))
    out: list[str] = []
    for c in text:
        if out and c == out[-1] and c in _SQUEEZE:
            continue
        out.append(c)
    return "".join(out)


def _join(a: str, b: str) -> str:
    """``key(a + b)`` for two strings already in key form."""
    if a and b and a[-1] == b[0] and b[0] in _SQUEEZE:
        return a + b[1:]
    return a + b


def _times(a: frozenset[str], b: frozenset[str]) -> frozenset[str] | None:
    """Every string of ``a`` followed by every string of ``b`` (None past :data:`MAX_SET`)."""
    if len(a) * len(b) > MAX_SET:
        return None
    return frozenset(_join(x, y) for x in a for y in b)


@cache
def _score(s: frozenset[str] | None) -> tuple[int, int]:
    if not s:
        return (-1, 0)
    # Bytes, not characters: an emoji is a rare, selective literal.
    return (min(len(x.encode()) for x in s), -len(s))


def _best(*sets: frozenset[str] | None) -> frozenset[str] | None:
    return max(sets, key=_score)


# A node of the pattern is (exact, required):
#   exact: every string a match can be (in key form), or None when unknown or too many;
#   required: strings one of which every match contains, or None when there is no such set.
_Node = tuple[frozenset[str] | None, frozenset[str] | None]
_EMPTY: _Node = (frozenset({""}), None)
_ANY: _Node = (None, None)


def _char(c: str) -> _Node:
    """A literal character of the pattern."""
    if c in _APOSTROPHES:
        return _EMPTY
    if c == " ":
        return (frozenset({" "}), None)
    if c.isspace() or (c.isalpha() and c not in _SQUEEZE) or c == "_":
        # Other whitespace, capitals and accented letters: keep it simple, could be anything.
        # "_" too: the engine's masked text has it where the plain text has a space.
        return _ANY
    return (frozenset({c}), None)


# Letters, digits and spaces that no quantifier follows but the stretching "+".
_LETTERS = re.compile(r"(?:[a-z]\+(?![?*+{])|[a-z0-9](?![?*+{])|\\s\+(?![?*+{]))+")
_GROUP_OPEN = re.compile(r"\?(?:P?<\w+>|([a-zA-Z-]*):)")
# Groups already read, by their text: macros repeat across patterns ({YOU} in hundreds).
_GROUPS: dict[str, _Node] = {}


_SYNTAX = re.compile(r"\\.|[\[()]", re.S)


def _closing(p: str) -> dict[int, int]:
    """For each ``(`` of ``p`` (not escaped, not in a class), the index of its ``)``."""
    close: dict[int, int] = {}
    stack: list[int] = []
    m = _SYNTAX.search(p)
    while m:
        c, i = m.group(), m.start()
        nxt = m.end()
        if c == "[":
            nxt = _class_end(p, i)
        elif c == "(":
            stack.append(i)
        elif c == ")":
            if not stack:
                raise _Unknown(p)
            close[stack.pop()] = i
        m = _SYNTAX.search(p, nxt)
    if stack:
        raise _Unknown(p)
    return close


def class_end(p: str, i: int) -> int:
    """Index just past the character class that opens at ``p[i] == "["``; ValueError when it
    is never closed."""
    j = i + 1
    if p.startswith("^", j):
        j += 1
    if p.startswith("]", j):
        j += 1
    depth = 1
    while j < len(p):
        if p[j] == "\\":
            j += 2
            continue
        if p[j] == "[":
            depth += 1
        elif p[j] == "]":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    raise ValueError(f"unclosed character class in {p!r}")


def _class_end(p: str, i: int) -> int:
    try:
        return class_end(p, i)
    except ValueError:
        raise _Unknown(p) from None


class _Parser:
    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0
        self.close = _closing(pattern)

    def parse(self) -> _Node:
        node = self.alternation()
        if self.i != len(self.p):
            raise _Unknown(self.p[self.i :])
        return node

    def alternation(self) -> _Node:
        branches = [self.concat()]
        while self.i < len(self.p) and self.p[self.i] == "|":
            self.i += 1
            branches.append(self.concat())
        if len(branches) == 1:
            return branches[0]
        exact: frozenset[str] | None = frozenset()
        required: frozenset[str] | None = frozenset()
        for e, r in branches:
            exact = exact | e if exact is not None and e is not None else None
            need = _best(r, e)
            required = required | need if required is not None and need else None
        if exact is not None and len(exact) > MAX_SET:
            exact = None
        return exact, required

    def concat(self) -> _Node:
        items: list[_Node] = []
        while self.i < len(self.p) and self.p[self.i] not in "|)":
            run = _LETTERS.match(self.p, self.i)
            if run:
                # The common case, read at once: stretched letters and spaces ("m+i+s+s+\s+").
                self.i = run.end()
                text = run.group().replace("\\s+", " ").replace("+", "")
                items.append((frozenset({key(text)}), None))
                continue
            items.append(self.repeat(self.atom()))
        if not items:
            return _EMPTY
        candidates: list[frozenset[str] | None] = [r for _, r in items]
        candidates += [e for e, _ in items]
        # Runs of neighbours whose strings are known: every string of the run's product is
        # contiguous in the match.
        run: frozenset[str] | None = frozenset({""})
        whole = True  # the run so far is the whole sequence
        for e, _ in items:
            grown = _times(run, e) if run is not None and e is not None else None
            if grown is not None:
                run = grown
                continue
            whole = False
            candidates.append(run)
            run = e
        candidates.append(run)
        # Every string a match can be: known when no piece broke the run (a piece that is
        # unknown, or a product past MAX_SET, which the whole product would pass too).
        exact = run if whole else None
        return exact, _best(exact, *candidates)

    def repeat(self, node: _Node) -> _Node:
        p = self.p
        if self.i >= len(p):
            return node
        c = p[self.i]
        if c in "?*+":
            self.i += 1
            lo, hi = {"?": (0, 1), "*": (0, None), "+": (1, None)}[c]
        elif c == "{":
            m = _REPEAT.match(p, self.i)
            if not m:
                raise _Unknown(p[self.i :])
            self.i = m.end()
            lo = int(m.group(1))
            hi = None if m.group(2) and not m.group(3) else int(m.group(3) or m.group(1))
        else:
            return node
        if self.i < len(p) and p[self.i] == "?":  # lazy: the same strings
            self.i += 1
        exact, required = node
        single = exact is not None and len(exact) == 1 and len(next(iter(exact))) <= 1 and (
            next(iter(exact)) in _SQUEEZE or next(iter(exact)) == ""
        )
        if single:
            # A squeezed letter or space repeated keys to itself ("a+" is "a").
            if lo >= 1:
                return exact, None
            return exact | {""}, None  # type: ignore[operator]
        if lo == 0:
            if hi == 1 and exact is not None:
                return exact | {""}, None
            return _ANY
        if lo == 1 and hi == 1:
            return node
        return None, _best(required, exact)

    def atom(self) -> _Node:
        p = self.p
        c = p[self.i]
        if c == "(":
            return self.group()
        if c == "[":
            return self.char_class()
        if c == "\\":
            return self.escape()
        if c in "^$":
            self.i += 1
            return _EMPTY
        if c == ".":
            self.i += 1
            return _ANY
        if c in "*+?{)":
            raise _Unknown(p[self.i :])
        self.i += 1
        return _char(c)

    def group(self) -> _Node:
        p = self.p
        start, end = self.i, self.close[self.i] + 1
        text = p[start:end]
        if text not in _GROUPS:
            _GROUPS[text] = self._group()
            if self.i != end:
                raise _Unknown(text)
        self.i = end
        return _GROUPS[text]

    def _group(self) -> _Node:
        p = self.p
        self.i += 1
        case_insensitive = False
        if p.startswith("?", self.i):
            m = _GROUP_OPEN.match(p, self.i)
            if not m:
                raise _Unknown(p[self.i :])  # a bare flag group, or look-around
            flags = m.group(1) or ""
            case_insensitive = "i" in flags.split("-")[0] or "x" in flags
            self.i = m.end()
        node = self.alternation()
        if self.i >= len(p) or p[self.i] != ")":
            raise _Unknown(p)
        self.i += 1
        return _ANY if case_insensitive else node

    def escape(self) -> _Node:
        p = self.p
        if self.i + 1 >= len(p):
            raise _Unknown(p)
        c = p[self.i + 1]
        self.i += 2
        if c in "pPx":
            if p.startswith("{", self.i):
                end = p.index("}", self.i) + 1
                body = p[self.i + 1 : end - 1]
                self.i = end
            elif c == "x":
                body = p[self.i : self.i + 2]
                self.i += 2
            else:
                self.i += 1
                return _ANY
            if c == "x":
                return _char(chr(int(body, 16)))
            return _ANY
        if c == "s":
            return (frozenset({" "}), None)
        if c in _ZERO_WIDTH_ESCAPES:
            if c == "b" and p.startswith("{", self.i):
                self.i = p.index("}", self.i) + 1
            return _EMPTY
        if c in _ESCAPED_LITERAL:
            return _char(c)
        if c in "ntrfv":
            return (frozenset({" "}), None)
        return _ANY  # \d, \w, \W, \S and anything else: a class

    def char_class(self) -> _Node:
        p = self.p
        j = self.i + 1
        chars: set[str] = set()
        simple = True
        if p.startswith("^", j):
            simple = False
            j += 1
        if p.startswith("]", j):
            chars.add("]")
            j += 1
        depth = 1
        while j < len(p):
            ch = p[j]
            if ch == "\\":
                if j + 1 < len(p) and p[j + 1] in _ESCAPED_LITERAL:
                    chars.add(p[j + 1])
                else:
                    simple = False
                j += 2
                continue
            if ch == "[":
                depth += 1
                simple = False
            elif ch == "]":
                depth -= 1
                if depth == 0:
                    break
            elif ch in "-&~" and p.startswith(ch * 2, j):
                simple = False
            elif ch == "-" and chars and j + 1 < len(p) and p[j + 1] != "]":
                lo, hi = ord(p[j - 1]), ord(p[j + 1])
                if p[j + 1] == "\\" or p[j - 2] == "\\" or hi - lo > 30:
                    simple = False
                else:
                    chars.update(chr(x) for x in range(lo, hi + 1))
                j += 2
                continue
            else:
                chars.add(ch)
            j += 1
        if depth != 0:
            raise _Unknown(p)
        self.i = j + 1
        if not simple or not chars or len(chars) > 16:
            return _ANY
        nodes = [_char(ch) for ch in chars]
        if any(e is None for e, _ in nodes):
            return _ANY
        return frozenset(x for e, _ in nodes for x in e), None  # type: ignore[union-attr]


@cache
def literals(pattern: str) -> frozenset[str] | None:
    """Strings in key form, one of which is in the key of every text ``pattern`` matches.

    ``None`` when no such set of strings of :data:`MIN_LEN` bytes or more is known.
    """
    try:
        exact, required = _Parser(pattern).parse()
    except (_Unknown, ValueError, IndexError):
        return None
    best = _best(required, exact)
    if best is None or _score(best)[0] < MIN_LEN:
        return None
    return best
