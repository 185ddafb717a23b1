"""Instagram and Messenger: Meta's "Download your information" (JSON) and Messenger's
end-to-end encrypted chats download.

Meta's download holds one folder per conversation, ``messages/inbox/<thread>/message_1.json``
… ``message_N.json`` (under ``your_instagram_activity/`` or ``your_facebook_activity/`` in
newer downloads), each file newest first. Every file is parsed on its own; the parts of one
thread share its folder name as ``chat_key`` and fonder joins them. Two quirks stay here:

* Meta writes each UTF-8 byte of a string as its own ``\\u00XX`` escape, so "é" arrives as
  "Ã©" and "😂" as "ð\\x9f\\x98\\x82". A string is repaired only when it *is* such mojibake:
  every character in U+0000–U+00FF and the bytes decode as UTF-8. Genuine Latin-1 text
  ("café") fails that test and is left alone.
* Meta has no message ids; reactions live inside the message they react to and become rows
  of their own (sender = the reactor; ``reply_to`` stays null, as the target has no id).

Who "me" is: the owner of the download is the one person present in every thread of it, so
when a thread file sits in a download (a folder or a zip), the first file of every sibling
thread is peeked at (its ``participants``, within the first KB) and the one name they all
share is "me". A thread file on its own names two people and cannot say which one is you.

Messenger's separate end-to-end encrypted chats download (one ``<Name>_<n>.json`` per chat:
``participants`` as plain names, ``threadName``, messages with ``senderName``, ``timestamp``,
``text``, ``type``, ``media``, ``reactions``, ``isUnsent``) is read by
:class:`MessengerImporter` too, as platform ``messenger``.

The helpers at the top (``source_error``, ``load_json``, ``json_frame``, ``repair_mojibake``,
``read_near``) are shared with the other JSON importers (Snapchat, Google Chat).
"""

from __future__ import annotations

import functools
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable
from typing import Any

import orjson
import polars as pl

from ..errors import ParseError
from ..model import conform, empty_messages
from .base import ParsedChat, ParseOptions, Source

# ---------------------------------------------------------------------------------------------
# Shared by the JSON importers
# ---------------------------------------------------------------------------------------------

#: How much of a neighbouring file is read to learn who is in it.
PEEK_BYTES = 16 * 1024
#: Largest neighbouring file read whole (group_info.json, user_info.json).
NEAR_MAX_BYTES = 4 * 1024 * 1024
#: Most neighbouring threads peeked at to settle who owns a download.
MAX_PEEKS = 50_000


def source_error(source: Source, position: str, reason: str) -> ParseError:
    """A :class:`ParseError` naming the file (and, inside an archive, the member) and where."""
    if source.member is not None:
        where = source.member if not position else f"{source.member}, {position}"
        return ParseError(source.path, where, reason)
    return ParseError(source.path, position, reason)


def load_json(source: Source, data: bytes, again: str) -> Any:
    """The document in ``data``; a :class:`ParseError` saying where and why it is not JSON.

    ``again`` ends every reason: what to do (e.g. "download your information again").
    """
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        msg = str(exc).lower()
        if "recursion" in msg or "depth" in msg:
            raise source_error(
                source, "", f"The JSON is nested far deeper than any chat export; {again}"
            ) from exc
        if "utf-8" in msg or "surrogate" in msg:
            raise source_error(
                source, f"line {exc.lineno}", f"The file is not valid UTF-8 text; {again}"
            ) from exc
        if "end of data" in msg or "eof" in msg:
            raise source_error(
                source, f"line {exc.lineno}", f"The file ends in the middle of its JSON (it was cut short); {again}"
            ) from exc
        raise source_error(source, f"line {exc.lineno}", f"The file is not valid JSON; {again}") from exc


def json_frame(
    source: Source,
    data: bytes,
    *,
    again: str,
    diagnose: Callable[[Any], None],
    what: str,
) -> pl.DataFrame:
    """Read a JSON document into a one-row (object) or many-row (array) frame, in Polars.

    When Polars cannot read it, the document is loaded again with orjson and ``diagnose``
    (which raises a :class:`ParseError` naming the record at fault) looks for the reason.
    """
    data = data.removeprefix(b"\xef\xbb\xbf")
    if not data.strip():
        raise source_error(source, "", f"The file is empty; {again}")
    try:
        return pl.read_json(io.BytesIO(data), infer_schema_length=None)
    except (pl.exceptions.PolarsError, ValueError, OverflowError) as exc:
        doc = load_json(source, data, again)
        diagnose(doc)
        raise source_error(
            source, "", f"The JSON does not have the shape of {what}; {again}"
        ) from exc


def repair_mojibake(series: pl.Series) -> pl.Series:
    """Undo Meta's Latin-1/UTF-8 mix-up, only in the strings that are such mojibake.

    A candidate has only characters U+0000–U+00FF and at least one of U+0080–U+00FF; it is
    repaired when its Latin-1 bytes decode as UTF-8 (genuine "café" does not, and stays).
    Only the distinct candidate strings go through Python.
    """
    if series.dtype != pl.String or series.len() == 0:
        return series
    candidate = series.str.contains(r"[\x{80}-\x{ff}]") & ~series.str.contains(r"[^\x{00}-\x{ff}]")
    if not candidate.fill_null(False).any():
        return series
    mapping: dict[str, str] = {}
    for value in series.filter(candidate).unique().to_list():
        try:
            fixed = value.encode("latin-1").decode("utf-8")
        except UnicodeError:
            continue
        if fixed != value:
            mapping[value] = fixed
    return series.replace(mapping) if mapping else series


def fix_text(value: str | None) -> str | None:
    """:func:`repair_mojibake` for one string."""
    if value is None:
        return None
    return repair_mojibake(pl.Series([value], dtype=pl.String))[0]


def _parts(source: Source) -> list[str]:
    return (source.member or source.path.as_posix()).replace("\\", "/").split("/")


@functools.lru_cache(maxsize=4)
def _zip_names(path: str, stamp: tuple[int, int]) -> tuple[str, ...]:
    with zipfile.ZipFile(path) as zf:
        return tuple(zf.namelist())


def _zip_listing(source: Source) -> tuple[str, ...]:
    try:
        st = source.path.stat()
        return _zip_names(str(source.path), (st.st_mtime_ns, st.st_size))
    except (OSError, zipfile.BadZipFile, ValueError, EOFError):
        return ()


def read_near(source: Source, relative: Iterable[str], limit: int) -> bytes | None:
    """The first ``limit`` bytes of a file near ``source``: ``relative`` is its path from the
    folder ``source`` sits in (``".."`` climbs). ``None`` when it is not there or unreadable.

    Works on disk and inside the archive ``source`` came from.
    """
    rel = list(relative)
    if source.member is None:
        target = source.path.parent.joinpath(*rel)
        try:
            with open(target, "rb") as fh:
                return fh.read(limit)
        except OSError:
            return None
    parts = source.member.replace("\\", "/").split("/")[:-1]
    for step in rel:
        if step == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(step)
    name = "/".join(parts)
    if name not in _zip_listing(source):
        return None
    try:
        with zipfile.ZipFile(source.path) as zf, zf.open(name) as fh:
            return fh.read(limit)
    except (OSError, zipfile.BadZipFile, ValueError, EOFError, NotImplementedError, RuntimeError):
        return None


def list_near(source: Source, levels_up: int, pattern: re.Pattern[str], depth: int) -> list[str]:
    """Paths (relative to the folder ``levels_up`` above ``source``'s own folder, "/"-joined)
    of the files ``depth`` levels below it (1: in it) whose relative path matches ``pattern``,
    on disk or in the archive.
    """
    if source.member is None:
        base = source.path.parent
        for _ in range(levels_up):
            base = base.parent
        found: list[str] = []
        try:
            level = [base]
            for _ in range(depth - 1):
                level = [d for p in level for d in sorted(p.iterdir()) if d.is_dir()]
                if len(level) > MAX_PEEKS:
                    return []
            for d in level:
                for f in sorted(d.iterdir()):
                    rel = f.relative_to(base).as_posix()
                    if pattern.fullmatch(rel):
                        found.append(rel)
        except OSError:
            return []
        return found
    parts = source.member.replace("\\", "/").split("/")[:-1]
    if levels_up > len(parts):
        return []
    prefix = "/".join(parts[: len(parts) - levels_up])
    prefix = prefix + "/" if prefix else ""
    return [
        n[len(prefix):]
        for n in _zip_listing(source)
        if n.startswith(prefix) and pattern.fullmatch(n[len(prefix):])
    ]


def read_near_many(source: Source, levels_up: int, names: list[str], limit: int) -> list[bytes]:
    """The first ``limit`` bytes of each of ``names`` (from :func:`list_near`), in order."""
    if source.member is None:
        base = source.path.parent
        for _ in range(levels_up):
            base = base.parent
        out = []
        for n in names:
            try:
                with open(base / n, "rb") as fh:
                    out.append(fh.read(limit))
            except OSError:
                continue
        return out
    parts = source.member.replace("\\", "/").split("/")[:-1]
    prefix = "/".join(parts[: len(parts) - levels_up])
    prefix = prefix + "/" if prefix else ""
    out = []
    try:
        with zipfile.ZipFile(source.path) as zf:
            for n in names:
                try:
                    with zf.open(prefix + n) as fh:
                        out.append(fh.read(limit))
                except (KeyError, OSError, zipfile.BadZipFile, ValueError, EOFError,
                        NotImplementedError, RuntimeError):
                    continue
    except (OSError, zipfile.BadZipFile, ValueError, EOFError):
        return []
    return out


def _tail(source: Source, size: int = 4096) -> bytes:
    """The last bytes of a file on disk (archive members: nothing, reading them is not cheap)."""
    if source.data is not None:
        return source.data[-size:]
    if source.member is not None:
        return b""
    try:
        with open(source.path, "rb") as fh:
            fh.seek(0, 2)
            end = fh.tell()
            fh.seek(max(0, end - size))
            return fh.read(size)
    except OSError:
        return b""


# ---------------------------------------------------------------------------------------------
# Meta: what a file is
# ---------------------------------------------------------------------------------------------

_MAIN_NAME = re.compile(r"message_(\d+)(?: ?\(\d+\))?\.json", re.IGNORECASE)
_OPENS_OBJECT = re.compile(rb"^\s*\{")
_E2EE_PARTICIPANTS = re.compile(rb'"participants"\s*:\s*\[\s*(?:"|\])')

_IG_PATH = ("your_instagram_activity",)
_FB_PATH = ("your_facebook_activity",)
_IG_MARKERS = (
    b"your_instagram_activity/",
    b"instagram.com/",
    b'"original_content_owner"',
    b'"Liked a message"',
    b" to your message",
    b"Replied to your story",
    b"Mentioned you in their story",
)
_FB_MARKERS = (
    b"your_facebook_activity/",
    b"facebook.com/",
    b"messenger.com/",
    b'"thread_type"',
    b'"joinable_mode"',
    b"You are now connected on Messenger",
    b"Say hi to your new Facebook friend",
)


def _is_main(source: Source) -> bool:
    if not _MAIN_NAME.fullmatch(source.name):
        return False
    head = source.head()
    return bool(_OPENS_OBJECT.match(head)) and all(
        key in head for key in (b'"participants"', b'"messages"', b'"sender_name"', b'"timestamp_ms"')
    )


def _is_e2ee(source: Source) -> bool:
    if not source.name.lower().endswith(".json"):
        return False
    head = source.head()
    return (
        bool(_OPENS_OBJECT.match(head))
        and bool(_E2EE_PARTICIPANTS.search(head))
        and b'"senderName"' in head
        and b'"timestamp"' in head
        and b'"sender_name"' not in head
    )


def meta_platform(source: Source) -> str:
    """``"instagram"`` or ``"messenger"`` for a Meta thread file, from where it sits, then
    what it holds (Instagram's own words and links); Messenger when nothing tells."""
    parts = [p.lower() for p in _parts(source)]
    if source.member is not None:
        parts = [p.lower() for p in source.path.parts] + parts
    if any(p in _IG_PATH or p.startswith("instagram-") or p.startswith("instagram_") for p in parts):
        return "instagram"
    if any(p in _FB_PATH or p.startswith("facebook-") or p.startswith("facebook_") for p in parts):
        return "messenger"
    text = source.head() + _tail(source)
    if any(m in text for m in _FB_MARKERS):
        return "messenger"
    if any(m in text for m in _IG_MARKERS):
        return "instagram"
    return "messenger"


# ---------------------------------------------------------------------------------------------
# Meta: who owns the download
# ---------------------------------------------------------------------------------------------

_THREAD_FILE = re.compile(r"[^/]+/[^/]+/message_(\d+)\.json", re.IGNORECASE)


def _peek_participants(head: bytes, *, plain: bool) -> list[str] | None:
    """The ``participants`` array at the top of a thread file, from its first bytes."""
    m = re.search(rb'"participants"\s*:\s*\[', head)
    if not m:
        return None
    text = head.decode("utf-8", errors="replace")
    start = len(head[: m.end() - 1].decode("utf-8", errors="replace"))
    try:
        value, _ = json.JSONDecoder().raw_decode(text, start)
    except ValueError:
        return None
    if not isinstance(value, list):
        return None
    names: list[str] = []
    for p in value:
        name = p if plain else (p.get("name") if isinstance(p, dict) else None)
        if isinstance(name, str):
            names.append(fix_text(name) or name)
    return names


def _owner(thread_names: list[list[str]]) -> str | None:
    """The one name present in every thread; else in every two-person thread; else None."""
    sets = [set(n) for n in thread_names if n]
    if len(sets) < 2:
        return None
    common = set.intersection(*sets)
    if len(common) == 1:
        return next(iter(common))
    pairs = [s for s in sets if len(s) == 2]
    if len(pairs) >= 2 and not common:
        common = set.intersection(*pairs)
        if len(common) == 1:
            return next(iter(common))
    return None


_OWNERS: dict[tuple[Any, ...], str | None] = {}


def _scan_owner(layout: str, source: Source) -> str | None:
    if layout == "main":
        names = list_near(source, 2, _THREAD_FILE, 3)
        first: dict[str, tuple[int, str]] = {}
        for n in names:
            thread = n.rsplit("/", 1)[0]
            num = int(_THREAD_FILE.fullmatch(n).group(1))  # type: ignore[union-attr]
            if thread not in first or num < first[thread][0]:
                first[thread] = (num, n)
        picked = [v[1] for v in sorted(first.values(), key=lambda v: v[1])][:MAX_PEEKS]
        heads = read_near_many(source, 2, picked, PEEK_BYTES)
        return _owner([p for h in heads if (p := _peek_participants(h, plain=False))])
    names = list_near(source, 0, re.compile(r"[^/]+\.json", re.IGNORECASE), 1)[:MAX_PEEKS]
    heads = read_near_many(source, 0, names, PEEK_BYTES)
    threads = [
        p
        for h in heads
        if b'"senderName"' in h and (p := _peek_participants(h, plain=True))
    ]
    return _owner(threads)


def download_owner(source: Source, layout: str) -> str | None:
    """Who owns the download ``source`` is part of (``layout``: "main" or "e2ee"), or None."""
    parts = _parts(source)
    if layout == "main" and (len(parts) < 4 or parts[-4].lower() != "messages"):
        return None
    keep = 3 if layout == "main" else 1
    if source.member is not None:
        holder = source.path
        where = "/".join(parts[:-keep])
    else:
        holder = source.path.parents[keep - 1]
        where = ""
    try:
        st = holder.stat()
    except OSError:
        return None
    key = (layout, str(holder), where, st.st_mtime_ns, st.st_size)
    if key not in _OWNERS:
        if len(_OWNERS) > 64:
            _OWNERS.clear()
        try:
            _OWNERS[key] = _scan_owner(layout, source)
        except (OSError, ValueError, zipfile.BadZipFile):
            _OWNERS[key] = None
    return _OWNERS[key]


# ---------------------------------------------------------------------------------------------
# Meta: reading a thread
# ---------------------------------------------------------------------------------------------

_AGAIN = "download your information from Meta again (format: JSON) and import the new copy"
_AGAIN_E2EE = "download your end-to-end encrypted chats from Messenger again and import the new copy"

_MEDIA_LISTS = (("photos", "photo"), ("videos", "video"), ("audio_files", "audio"),
                ("gifs", "gif"), ("files", "file"))

# Meta's own notices, after the actor's name (or "You ") is taken off the front.
_R_UNSENT = r"^unsent an? (?:message|attachment)\.?$"
_R_MISSED = r"^(?:missed your (?:video |audio |voice )?call|missed an? (?:video |audio |voice )?call from .+)\.?$"
_R_CALL_YOU = r"^(?:called you|started an? (?:video |audio |voice )?(?:call|chat)|joined the (?:video |audio |voice )?(?:call|chat))\.?$"
_R_BOILER = r"^sent an? (?:attachment|photo|video|link|voice message|gif|sticker|live location)\.?$"
_R_SYSTEM = (
    r"^(?:named the group .+|changed the group (?:photo|name).*|set (?:the|your|his|her|their) nickname.*"
    r"|set the nickname .*|cleared (?:the|your|his|her|their) nickname.*|changed the (?:chat )?theme.*"
    r"|set the (?:quick reaction|emoji) .*|changed the (?:quick reaction|emoji).*|added .+ to the group\.?"
    r"|removed .+ from the group\.?|left the group\.?|created the group.*"
    r"|turned (?:on|off) (?:disappearing messages|vanish mode).*|(?:un)?pinned a message\.?"
    r"|changed (?:his|her|their|your) (?:profile )?(?:photo|picture).*)$"
)
# Whole-content notices that carry no name.
_C_MISSED = r"(?i)^missed (?:video|audio|voice) (?:call|chat)\.?$"
_C_CALL = r"(?i)^(?:the )?(?:video |audio |voice )?(?:call|chat) ended\.?$"
_C_SYSTEM = r"(?i)^(?:you are now connected on messenger\.?|say hi to your new facebook friend.*|you can now message and call each other.*)$"
_C_LIKED = r"(?i)^liked a message\.?$"
_C_REACTED = r"^Reacted (.+) to your message\s*$"

#: The heart Instagram's "Liked a message" stands for.
LIKE = "\u2764"


def _is_int(dtype: pl.DataType) -> bool:
    return dtype.is_integer() or dtype == pl.Null


class _Fields:
    """The columns of the exploded messages, checked against the types expected."""

    def __init__(self, frame: pl.DataFrame, bad: Callable[[], None]) -> None:
        self.frame = frame
        self.bad = bad

    def get(self, name: str, ok: Callable[[pl.DataType], bool], null: pl.DataType) -> pl.Expr:
        if name not in self.frame.columns:
            return pl.lit(None, dtype=null)
        dtype = self.frame.schema[name]
        if dtype == pl.Null:
            return pl.lit(None, dtype=null)
        if not ok(dtype):
            self.bad()
        return pl.col(name)


def _list_len(expr: pl.Expr) -> pl.Expr:
    return expr.list.len().fill_null(0)


def _first_bad(frame: pl.DataFrame, mask: pl.Expr) -> int | None:
    idx = frame.select(pl.arg_where(mask).first()).item()
    return None if idx is None else int(idx)


def _messages_frame(frame: pl.DataFrame, bad: Callable[[], None]) -> pl.DataFrame:
    if frame.height != 1 or "messages" not in frame.columns:
        bad()
    dtype = frame.schema["messages"]
    if not isinstance(dtype, pl.List):
        bad()
    inner = dtype.inner  # type: ignore[union-attr]
    if inner == pl.Null:
        return pl.DataFrame()
    if not isinstance(inner, pl.Struct):
        bad()
    raw = frame.select(pl.col("messages").explode()).unnest("messages")
    if frame.select(pl.col("messages").list.len()).item() == 0:
        return raw.clear()
    return raw


def _diagnose_main(doc: Any, source: Source, again: str) -> None:
    """Say which record of a Meta thread file is broken (only run when Polars failed)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("messages"), list):
        raise source_error(source, "", f"The JSON is not a Meta messages file (it has no list of messages); {again}")
    parts = doc.get("participants")
    if parts is not None and not (
        isinstance(parts, list) and all(isinstance(p, dict) and isinstance(p.get("name"), str) for p in parts)
    ):
        raise source_error(source, "participants", f"The list of participants is not a list of names; {again}")
    for i, m in enumerate(doc["messages"], 1):
        where = f"record {i}"
        if not isinstance(m, dict):
            raise source_error(source, where, f"A message is not a JSON object; {again}")
        ts = m.get("timestamp_ms")
        if not isinstance(ts, int) or isinstance(ts, bool):
            raise source_error(source, where, f"A message has no valid time (timestamp_ms); {again}")
        for key in ("sender_name", "content", "type"):
            if m.get(key) is not None and not isinstance(m[key], str):
                raise source_error(source, where, f"A message's {key} is not text; {again}")
        for key, _ in (*_MEDIA_LISTS, ("reactions", "")):
            v = m.get(key)
            if v is not None and not (isinstance(v, list) and all(isinstance(x, dict) for x in v)):
                raise source_error(source, where, f"A message's {key} is not a list of objects; {again}")
        for r in m.get("reactions") or []:
            if not all(isinstance(r.get(k), (str, type(None))) for k in ("reaction", "actor")):
                raise source_error(source, where, f"A reaction is not an emoji and a name; {again}")
            if not isinstance(r.get("timestamp"), (int, float, type(None))) or isinstance(r.get("timestamp"), bool):
                raise source_error(source, where, f"A reaction's time is not a number; {again}")
        for key in ("share", "sticker"):
            if m.get(key) is not None and not isinstance(m[key], dict):
                raise source_error(source, where, f"A message's {key} is not an object; {again}")
        for key in ("call_duration",):
            v = m.get(key)
            if v is not None and (not isinstance(v, int) or isinstance(v, bool)):
                raise source_error(source, where, f"A call's length is not a number; {again}")
        if m.get("is_unsent") is not None and not isinstance(m["is_unsent"], bool):
            raise source_error(source, where, f"A message's is_unsent is not true or false; {again}")


def _diagnose_e2ee(doc: Any, source: Source, again: str) -> None:
    if not isinstance(doc, dict) or not isinstance(doc.get("messages"), list):
        raise source_error(source, "", f"The JSON is not a Messenger chat (it has no list of messages); {again}")
    parts = doc.get("participants")
    if parts is not None and not (isinstance(parts, list) and all(isinstance(p, str) for p in parts)):
        raise source_error(source, "participants", f"The list of participants is not a list of names; {again}")
    for i, m in enumerate(doc["messages"], 1):
        where = f"record {i}"
        if not isinstance(m, dict):
            raise source_error(source, where, f"A message is not a JSON object; {again}")
        ts = m.get("timestamp")
        if not isinstance(ts, int) or isinstance(ts, bool):
            raise source_error(source, where, f"A message has no valid time (timestamp); {again}")
        for key in ("senderName", "text", "type"):
            if m.get(key) is not None and not isinstance(m[key], str):
                raise source_error(source, where, f"A message's {key} is not text; {again}")
        for key in ("media", "reactions"):
            v = m.get(key)
            if v is not None and not (isinstance(v, list) and all(isinstance(x, dict) for x in v)):
                raise source_error(source, where, f"A message's {key} is not a list of objects; {again}")
        for r in m.get("reactions") or []:
            if not all(isinstance(r.get(k), (str, type(None))) for k in ("reaction", "actor")):
                raise source_error(source, where, f"A reaction is not an emoji and a name; {again}")
        for x in m.get("media") or []:
            if not isinstance(x.get("uri"), (str, type(None))):
                raise source_error(source, where, f"An attachment's uri is not text; {again}")
        if m.get("isUnsent") is not None and not isinstance(m["isUnsent"], bool):
            raise source_error(source, where, f"A message's isUnsent is not true or false; {again}")


def _names_from(frame: pl.DataFrame, column: str, *, plain: bool, bad: Callable[[], None]) -> list[str]:
    if column not in frame.columns or frame.schema[column] == pl.Null:
        return []
    dtype = frame.schema[column]
    if not isinstance(dtype, pl.List):
        bad()
    inner = dtype.inner  # type: ignore[union-attr]
    if inner == pl.Null:
        return []
    s = frame.select(pl.col(column).explode()).to_series()
    if plain:
        if inner != pl.String:
            bad()
    else:
        if not isinstance(inner, pl.Struct) or "name" not in [f.name for f in inner.fields]:
            bad()
        s = s.struct.field("name")
        if s.dtype != pl.String:
            bad()
    names = repair_mojibake(s.drop_nulls().cast(pl.String))
    return list(dict.fromkeys(names.to_list()))


def _scalar(frame: pl.DataFrame, column: str) -> str | None:
    if column not in frame.columns or frame.schema[column] != pl.String:
        return None
    value = frame.get_column(column)[0]
    return value if isinstance(value, str) else None


def _esc(text: str) -> str:
    """Escape ``text`` for Rust's regex (used by Polars), which rejects needless escapes."""
    return re.sub(r"([\\.+*?()|\[\]{}^$#&~-])", r"\\\1", text)


def _rest(content: pl.Expr, names: list[str]) -> pl.Expr:
    """What follows the actor in Meta's notices ("<participant> …" or "You …"), lowercased;
    null when the content does not start with one of them."""
    alts = "|".join(_esc(n) for n in sorted({*names, "You"}, key=len, reverse=True) if n)
    return content.str.extract(f"^(?:{alts}) (.+)$", 1).str.to_lowercase()


def _matches(expr: pl.Expr, pattern: str) -> pl.Expr:
    return expr.str.contains(pattern).fill_null(False)


def _you_called(content: pl.Expr, participants: list[str]) -> pl.Expr:
    """"You called <a participant>." — Meta's line for a call the owner made."""
    who = content.str.strip_chars_end(".").str.strip_prefix("You called ").str.to_lowercase()
    return (
        content.str.starts_with("You called ").fill_null(False)
        & who.is_in([p.lower() for p in participants]).fill_null(False)
    )


def _finish(
    base: pl.DataFrame, reactions: pl.DataFrame | None, descending: bool
) -> pl.DataFrame:
    """Order rows from the oldest (Meta lists newest first), reactions after their message."""
    n = base.height
    order = (pl.lit(n - 1, dtype=pl.Int64) - pl.col("_i")) if descending else pl.col("_i")
    base = base.with_columns(order.alias("_o"), pl.lit(0, dtype=pl.Int64).alias("_r"))
    frames = [base]
    if reactions is not None and reactions.height:
        frames.append(reactions.with_columns(order.alias("_o")))
    keep = ["_i", "_o", "_r", "ts", "tz", "sender", "kind", "text", "media", "call_s"]
    frames = [fr.select([c for c in keep if c in fr.columns]) for fr in frames]
    out = pl.concat(frames, how="diagonal_relaxed").sort(["_o", "_r"])
    out = out.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("seq"))
    return conform(out.drop(["_i", "_o", "_r"], strict=False))


def _reaction_rows(
    raw: pl.DataFrame, column: str, actor: str, emoji: str, parent_ts: str, bad: Callable[[], None]
) -> pl.DataFrame | None:
    """One row per reaction: sender = who reacted, text = the emoji, at the reaction's own
    time when given (Instagram), else at the message's."""
    dtype = raw.schema.get(column, pl.Null)
    if dtype == pl.Null:
        return None
    if not isinstance(dtype, pl.List):
        bad()
    inner = dtype.inner  # type: ignore[union-attr]
    if inner == pl.Null:
        return None
    if not isinstance(inner, pl.Struct):
        bad()
    fields = {f.name: f.dtype for f in inner.fields}
    r = (
        raw.select(pl.col("_i"), pl.col(parent_ts).alias("_pts"), pl.col(column).alias("_re"))
        .filter(_list_len(pl.col("_re")) > 0)
        .explode("_re")
        .filter(pl.col("_re").is_not_null())
    )
    if r.height == 0:
        return None
    r = r.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over("_i").alias("_r"))
    def field(name: str, dtype: pl.DataType) -> pl.Expr:
        have = fields.get(name, pl.Null)
        if have == pl.Null:
            return pl.lit(None, dtype=dtype)
        if have != dtype and not (dtype == pl.Int64 and (have.is_integer() or have.is_float())):
            bad()
        return pl.col("_re").struct.field(name).cast(dtype, strict=False)
    ts_s = field("timestamp", pl.Int64)
    # Reactions carry seconds; anything larger is milliseconds.
    ts = pl.when(ts_s > 100_000_000_000).then(pl.from_epoch(ts_s, time_unit="ms")).otherwise(
        pl.from_epoch(ts_s, time_unit="s")
    ).dt.replace_time_zone("UTC")
    out = r.select(
        pl.col("_i"),
        pl.col("_r"),
        pl.coalesce(ts.cast(pl.Datetime("us", "UTC")), pl.col("_pts")).alias("ts"),
        field(actor, pl.String).alias("sender"),
        pl.lit("reaction").alias("kind"),
        field(emoji, pl.String).alias("text"),
    )
    return out.with_columns(
        pl.Series("sender", repair_mojibake(out.get_column("sender"))),
        pl.Series("text", repair_mojibake(out.get_column("text"))),
        pl.lit("UTC").alias("tz"),
    )


def _chat_key_from_path(source: Source, thread_path: str | None) -> str:
    if thread_path:
        key = thread_path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
        if key:
            return key
    parts = _parts(source)
    if len(parts) >= 2 and "_" in parts[-2]:
        return parts[-2]
    return ""


def _parse_main(source: Source, platform: str) -> ParsedChat:
    again = _AGAIN
    data = source.read_bytes()

    def diagnose(doc: Any) -> None:
        _diagnose_main(doc, source, again)

    def bad() -> None:
        diagnose(load_json(source, data, again))
        raise source_error(source, "", f"The JSON does not have the shape of a Meta messages file; {again}")

    frame = json_frame(source, data, again=again, diagnose=diagnose, what="a Meta messages file")
    raw = _messages_frame(frame, bad)
    participants = _names_from(frame, "participants", plain=False, bad=bad)
    title = fix_text(_scalar(frame, "title"))
    thread_path = _scalar(frame, "thread_path")
    thread_type = _scalar(frame, "thread_type")

    f = _Fields(raw, bad)
    is_str = lambda d: d == pl.String  # noqa: E731
    is_list = lambda d: isinstance(d, pl.List)  # noqa: E731
    is_struct = lambda d: isinstance(d, pl.Struct)  # noqa: E731
    is_bool = lambda d: d == pl.Boolean  # noqa: E731
    if raw.height == 0:
        messages = empty_messages()
    else:
        raw = raw.with_row_index("_i").with_columns(pl.col("_i").cast(pl.Int64))
        ts_ms = f.get("timestamp_ms", _is_int, pl.Int64)
        bad_row = _first_bad(raw, ts_ms.is_null())
        if bad_row is not None:
            raise source_error(source, f"record {bad_row + 1}", f"A message has no time (timestamp_ms); {again}")
        sender = pl.Series("sender", repair_mojibake(raw.select(f.get("sender_name", is_str, pl.String)).to_series()))
        content = pl.Series("content", repair_mojibake(raw.select(f.get("content", is_str, pl.String)).to_series()))
        raw = raw.with_columns(
            pl.from_epoch(ts_ms, time_unit="ms").dt.replace_time_zone("UTC").cast(pl.Datetime("us", "UTC")).alias("ts"),
            sender.alias("_sender"),
            content.alias("_content"),
        )
        c = pl.col("_content")
        s = pl.col("_sender")
        rest = _rest(c, [*participants, *raw.get_column("_sender").drop_nulls().unique().to_list()])
        media_name: pl.Expr = pl.lit(None, dtype=pl.String)
        has_media = pl.lit(False)
        for col, label in reversed(_MEDIA_LISTS):
            present = _list_len(f.get(col, is_list, pl.List(pl.Null))) > 0
            media_name = pl.when(present).then(pl.lit(label)).otherwise(media_name)
            has_media = has_media | present
        share = f.get("share", is_struct, pl.Struct({"link": pl.String}))
        sticker = f.get("sticker", is_struct, pl.Struct({"uri": pl.String}))
        duration = f.get("call_duration", _is_int, pl.Int64).cast(pl.Int64)
        unsent = f.get("is_unsent", is_bool, pl.Boolean).fill_null(False)
        missed_flag = f.get("missed", is_bool, pl.Boolean).fill_null(False)
        mtype = f.get("type", is_str, pl.String)
        reacted = c.str.extract(_C_REACTED, 1)
        boiler = _matches(rest, _R_BOILER)
        kind = (
            pl.when(unsent | _matches(rest, _R_UNSENT)).then(pl.lit("deleted"))
            .when(duration.is_not_null() & ((duration <= 0) | missed_flag)).then(pl.lit("missed_call"))
            .when(duration.is_not_null()).then(pl.lit("call"))
            .when(_matches(rest, _R_MISSED) | _matches(c, _C_MISSED)).then(pl.lit("missed_call"))
            .when(_matches(rest, _R_CALL_YOU) | _you_called(c, participants) | _matches(c, _C_CALL))
            .then(pl.lit("call"))
            .when(sticker.is_not_null()).then(pl.lit("sticker"))
            .when(has_media | share.is_not_null()).then(pl.lit("media"))
            .when(_matches(c, _C_LIKED) | reacted.is_not_null()).then(pl.lit("reaction"))
            .when(mtype.is_in(["Subscribe", "Unsubscribe"]).fill_null(False)
                  | _matches(rest, _R_SYSTEM) | _matches(c, _C_SYSTEM)).then(pl.lit("system"))
            .when(c.is_not_null() & (c != "")).then(pl.lit("text"))
            .otherwise(pl.lit("media"))
        )
        base = raw.with_columns(kind.alias("kind")).with_columns(
            pl.col("_i"),
            pl.lit("UTC").alias("tz"),
            pl.when(pl.col("kind") == "system").then(None).otherwise(s).alias("sender"),
            pl.when(pl.col("kind").is_in(["text", "system"])).then(c)
            .when((pl.col("kind") == "media") & ~boiler).then(pl.when(c != "").then(c))
            .when(pl.col("kind") == "reaction").then(pl.coalesce(reacted.str.strip_chars(), pl.lit(LIKE)))
            .otherwise(None).alias("text"),
            pl.when(pl.col("kind") == "sticker").then(pl.lit("sticker"))
            .when(pl.col("kind") == "media")
            .then(pl.coalesce(media_name, pl.when(share.is_not_null()).then(pl.lit("link")), pl.lit("unavailable")))
            .otherwise(None).alias("media"),
            pl.when((pl.col("kind") == "call") & (duration > 0)).then(duration).otherwise(None).alias("call_s"),
        )
        reactions = _reaction_rows(raw, "reactions", "actor", "reaction", "ts", bad)
        ts_col = raw.get_column("ts")
        descending = ts_col.len() > 1 and ts_col[0] > ts_col[-1]
        messages = _finish(base, reactions, descending)
    senders = messages.filter(pl.col("sender").is_not_null()).get_column("sender").unique(maintain_order=True)
    everyone = list(dict.fromkeys([*participants, *senders.to_list()]))
    owner = download_owner(source, "main")
    return ParsedChat(
        platform=platform,
        messages=messages,
        participants=everyone,
        chat_key=_chat_key_from_path(source, thread_path),
        title=title,
        me=owner if owner in everyone else None,
        tz="UTC",
        details={"layout": "download"},
        is_group=len(everyone) > 2 or thread_type == "RegularGroup",
    )


def _media_kind(uri: pl.Expr) -> pl.Expr:
    ext = uri.str.to_lowercase().str.extract(r"\.([a-z0-9]+)$", 1)
    return (
        pl.when(uri.is_null()).then(None)
        .when(~uri.str.contains("/")).then(pl.lit("unavailable"))
        .when(ext.is_in(["jpg", "jpeg", "png", "webp", "heic", "bmp"])).then(pl.lit("photo"))
        .when(ext == "gif").then(pl.lit("gif"))
        .when(ext.is_in(["mp4", "mov", "webm", "m4v", "avi"])).then(pl.lit("video"))
        .when(ext.is_in(["ogg", "oga", "opus", "aac", "m4a", "mp3", "wav", "amr"])).then(pl.lit("audio"))
        .otherwise(pl.lit("file"))
    )


def _parse_e2ee(source: Source) -> ParsedChat:
    again = _AGAIN_E2EE
    data = source.read_bytes()

    def diagnose(doc: Any) -> None:
        _diagnose_e2ee(doc, source, again)

    def bad() -> None:
        diagnose(load_json(source, data, again))
        raise source_error(source, "", f"The JSON does not have the shape of a Messenger chat; {again}")

    frame = json_frame(source, data, again=again, diagnose=diagnose, what="a Messenger chat")
    raw = _messages_frame(frame, bad)
    participants = _names_from(frame, "participants", plain=True, bad=bad)
    thread = fix_text(_scalar(frame, "threadName"))
    f = _Fields(raw, bad)
    is_str = lambda d: d == pl.String  # noqa: E731
    is_list = lambda d: isinstance(d, pl.List)  # noqa: E731
    if raw.height == 0:
        messages = empty_messages()
    else:
        raw = raw.with_row_index("_i").with_columns(pl.col("_i").cast(pl.Int64))
        ts_ms = f.get("timestamp", _is_int, pl.Int64)
        bad_row = _first_bad(raw, ts_ms.is_null())
        if bad_row is not None:
            raise source_error(source, f"record {bad_row + 1}", f"A message has no time (timestamp); {again}")
        sender = repair_mojibake(raw.select(f.get("senderName", is_str, pl.String)).to_series())
        text = repair_mojibake(raw.select(f.get("text", is_str, pl.String)).to_series())
        media_list = f.get("media", is_list, pl.List(pl.Struct({"uri": pl.String})))
        raw = raw.with_columns(
            pl.from_epoch(ts_ms, time_unit="ms").dt.replace_time_zone("UTC").cast(pl.Datetime("us", "UTC")).alias("ts"),
            pl.Series("_sender", sender),
            pl.Series("_content", text),
        )
        first_uri = pl.lit(None, dtype=pl.String)
        media_dtype = raw.schema.get("media", pl.Null)
        if isinstance(media_dtype, pl.List) and media_dtype.inner != pl.Null:
            inner = media_dtype.inner
            uri = {x.name: x.dtype for x in inner.fields}.get("uri") if isinstance(inner, pl.Struct) else None
            if not isinstance(inner, pl.Struct) or uri not in (None, pl.Null, pl.String):
                bad()
            if uri == pl.String:
                first_uri = media_list.list.first().struct.field("uri")
        c = pl.col("_content")
        s = pl.col("_sender")
        rest = _rest(c, [*participants, *raw.get_column("_sender").drop_nulls().unique().to_list()])
        mtype = f.get("type", is_str, pl.String).str.to_lowercase()
        unsent = f.get("isUnsent", lambda d: d == pl.Boolean, pl.Boolean).fill_null(False)
        has_media = _list_len(media_list) > 0
        kind = (
            pl.when(unsent | _matches(rest, _R_UNSENT)).then(pl.lit("deleted"))
            .when(_matches(rest, _R_MISSED) | _matches(c, _C_MISSED)).then(pl.lit("missed_call"))
            .when(_matches(rest, _R_CALL_YOU) | _you_called(c, participants) | _matches(c, _C_CALL))
            .then(pl.lit("call"))
            .when(has_media | (mtype == "media").fill_null(False)).then(pl.lit("media"))
            .when((mtype == "link").fill_null(False)).then(pl.lit("media"))
            .when(_matches(rest, _R_SYSTEM) | _matches(c, _C_SYSTEM)
                  | (mtype == "placeholder").fill_null(False)).then(pl.lit("system"))
            .when(c.is_not_null() & (c != "")).then(pl.lit("text"))
            .otherwise(pl.lit("media"))
        )
        base = raw.with_columns(kind.alias("kind")).with_columns(
            pl.lit("UTC").alias("tz"),
            pl.when(pl.col("kind") == "system").then(None).otherwise(s).alias("sender"),
            pl.when(pl.col("kind").is_in(["text", "system"])).then(c)
            .when((pl.col("kind") == "media") & ~_matches(rest, _R_BOILER)).then(pl.when(c != "").then(c))
            .otherwise(None).alias("text"),
            pl.when(pl.col("kind") == "media")
            .then(pl.coalesce(_media_kind(first_uri), pl.when(mtype == "link").then(pl.lit("link")), pl.lit("unavailable")))
            .otherwise(None).alias("media"),
        )
        reactions = _reaction_rows(raw, "reactions", "actor", "reaction", "ts", bad)
        ts_col = raw.get_column("ts")
        descending = ts_col.len() > 1 and ts_col[0] > ts_col[-1]
        messages = _finish(base, reactions, descending)
    senders = messages.filter(pl.col("sender").is_not_null()).get_column("sender").unique(maintain_order=True)
    everyone = list(dict.fromkeys([*participants, *senders.to_list()]))
    owner = download_owner(source, "e2ee")
    key = thread or re.sub(r"\.json$", "", source.name, flags=re.IGNORECASE)
    title = re.sub(r"_\d+$", "", key) if key else None
    return ParsedChat(
        platform="messenger",
        messages=messages,
        participants=everyone,
        chat_key=f"e2ee/{key}" if key else "",
        title=title,
        me=owner if owner in everyone else None,
        tz="UTC",
        details={"layout": "end-to-end encrypted chats"},
        is_group=len(everyone) > 2,
    )


class InstagramImporter:
    """Instagram's "Download your information" in JSON: ``messages/inbox/<thread>/message_N.json``."""

    name = "instagram"
    label = "Instagram (Download your information, JSON)"

    def sniff(self, source: Source) -> bool:
        return _is_main(source) and meta_platform(source) == "instagram"

    def parse(self, source: Source, options: ParseOptions) -> list[ParsedChat]:
        return [_parse_main(source, "instagram")]


class MessengerImporter:
    """Facebook Messenger: "Download your information" in JSON, and the separate download of
    end-to-end encrypted chats."""

    name = "messenger"
    label = "Messenger (Download your information, JSON)"

    def sniff(self, source: Source) -> bool:
        if _is_main(source):
            return meta_platform(source) == "messenger"
        return _is_e2ee(source)

    def parse(self, source: Source, options: ParseOptions) -> list[ParsedChat]:
        head = source.head()
        if b'"sender_name"' not in head and (
            b'"senderName"' in head or b'"threadName"' in head or _E2EE_PARTICIPANTS.search(head)
        ):
            return [_parse_e2ee(source)]
        return [_parse_main(source, "messenger")]
