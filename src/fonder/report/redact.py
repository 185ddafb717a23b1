"""A shareable copy of the report document: no names, no message text, no chat id.

``redact(doc)`` walks the whole ``fonder.report/1`` document and returns a new one in which

- the two people's names become "You" and "Them" wherever they appear: the ``chat`` block,
  and inside every sentence, fact, title, advice, plan line and dictionary key ("Daniel's"
  becomes "Their", so sentences still read);
- every quoted message (any object with ``who`` and ``text``, and everything in an
  ``examples`` list) shows ``[message hidden]`` instead of its text, and loses the matched
  words and the message id, which is a hash of the text;
- the chat id is replaced by a one-way hash, so two shared copies of the same chat can be
  told apart from other chats but not traced back to it.

Dates, counts and the analysis numbers stay: they are what the person wants to show.
The input is not changed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any, Final

ME: Final[str] = "You"
THEM: Final[str] = "Them"
HIDDEN: Final[str] = "[message hidden]"

#: Keys of a quoted message that could give its words away: the text, the words a tone rule
#: matched (and where), and the id, which is derived from the text.
_MESSAGE_SECRETS: Final[tuple[str, ...]] = ("match", "span", "spans", "id", "msg_id", "reply_to")

_Sub = Callable[[str], str]


def redact(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with names, message texts and the chat id hidden (see the module docstring)."""
    chat = doc.get("chat") or {}
    sub = _name_substitution(chat.get("me"), chat.get("them"))
    out = _walk(doc, sub, in_examples=False)
    if isinstance(out.get("chat"), dict):
        c = out["chat"]
        if c.get("me") is not None:
            c["me"] = ME
        if c.get("them") is not None:
            c["them"] = THEM
        if c.get("id") is not None:
            c["id"] = hashed_chat_id(str(chat["id"]))
    out["redacted"] = True
    return out


def hashed_chat_id(chat_id: str) -> str:
    """A stable, one-way stand-in for a chat id."""
    return "chat:" + hashlib.sha256(("fonder-redact:" + chat_id).encode()).hexdigest()[:16]


def _walk(x: Any, sub: _Sub, *, in_examples: bool) -> Any:
    if isinstance(x, str):
        return sub(x)
    if isinstance(x, list):
        return [_walk(v, sub, in_examples=in_examples) for v in x]
    if isinstance(x, tuple):
        return [_walk(v, sub, in_examples=in_examples) for v in x]
    if isinstance(x, dict):
        if in_examples or ("who" in x and "text" in x):
            return _message(x, sub)
        return {
            (sub(k) if isinstance(k, str) else k): _walk(v, sub, in_examples=(k == "examples"))
            for k, v in x.items()
        }
    return x


def _message(m: dict[str, Any], sub: _Sub) -> dict[str, Any]:
    """A quoted message with its words hidden; its time, side and label kept."""
    out: dict[str, Any] = {}
    for k, v in m.items():
        if k in _MESSAGE_SECRETS:
            continue
        if k in ("text", "body", "content"):
            out[k] = None if v is None else HIDDEN
        elif k == "who" and v not in ("me", "them"):
            out[k] = sub(str(v))
        else:
            out[k] = _walk(v, sub, in_examples=False)
    return out


def _name_substitution(me: str | None, them: str | None) -> _Sub:
    """A function replacing every form of the two names in a text."""
    pairs: list[tuple[str, str]] = []
    for name, stand_in in ((me, ME), (them, THEM)):
        if not name or not name.strip():
            continue
        full = name.strip()
        pairs.append((full, stand_in))
        parts = [p for p in re.split(r"\s+", full) if p != full]
        # "Daniel Jones" is also "Daniel" in a sentence; parts without a letter ("+44") or
        # of one letter are too likely to be something else.
        pairs.extend((p, stand_in) for p in parts if len(p) >= 2 and re.search(r"[^\W\d_]", p))
    if not pairs:
        return lambda s: s
    # longest first, so "Daniel Jones" wins over "Daniel"
    pairs.sort(key=lambda p: len(p[0]), reverse=True)
    table = {p.casefold(): s for p, s in pairs}
    alternatives = "|".join(re.escape(p) for p, _ in pairs)
    pattern = re.compile(rf"(?<!\w)({alternatives})(?:(['’]s)(?!\w))?(?!\w)", re.IGNORECASE)
    possessive = {ME: "Your", THEM: "Their"}

    def replace(m: re.Match[str]) -> str:
        found = m.group(1)
        stand_in = table.get(found.casefold()) or next(
            s for p, s in pairs if re.fullmatch(re.escape(p), found, re.IGNORECASE)
        )
        return possessive[stand_in] if m.group(2) else stand_in

    return lambda s: pattern.sub(replace, s)
