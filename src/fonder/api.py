"""The library's actions: everything the CLI and the web page do is one call here.

The library never prints and never configures logging; long work reports through a
``progress(done, total, what)`` callback.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import polars as pl

from . import analysis, coach, tone
from .errors import GroupChatError, MeUnknown, UsageError
from .ingest import FinalChat, ParseOptions, ReadChat, finalize, iter_read, match_name
from .ingest.base import Progress, no_progress
from .model import COUNTED_KINDS
from .store import ChatInfo, ChatWrite, WriteCounts, open_store

REPORT_SCHEMA = "fonder.report/1"

DbPath = Path | str | None


@dataclass(frozen=True)
class ImportedChat:
    """What one import did to one chat."""

    chat_id: str
    platform: str
    title: str | None
    participants: list[str]
    me: str
    them: str | None
    messages: int
    by_sender: dict[str, int]
    kinds: dict[str, int]
    first: datetime | None
    last: datetime | None
    added: int
    already_known: int
    source: str

    def to_json(self) -> dict[str, Any]:
        """The object of ``fonder import --json``."""
        return {
            "chat_id": self.chat_id,
            "platform": self.platform,
            "participants": self.participants,
            "me": self.me,
            "messages": self.messages,
            "by_sender": self.by_sender,
            "kinds": self.kinds,
            "first": iso(self.first),
            "last": iso(self.last),
            "added": self.added,
            "already_known": self.already_known,
        }


@dataclass(frozen=True)
class ImportResult:
    """Every chat one ``import_path`` call wrote."""

    chats: list[ImportedChat] = field(default_factory=list)
    #: Group chats found in a many-chat source (a whole account's export) and left out.
    skipped_groups: int = 0

    def to_json(self) -> dict[str, Any]:
        """The document of ``fonder import --json``."""
        return {"chats": [c.to_json() for c in self.chats], "skipped_groups": self.skipped_groups}


def iso(ts: datetime | None) -> str | None:
    """ISO 8601 with an offset, or ``None``."""
    if ts is None:
        return None
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=timezone.utc)
    return ts.isoformat()


def import_path(
    path: Path | str,
    *,
    db: DbPath = None,
    me: str | None = None,
    with_: str | None = None,
    fmt: str | None = None,
    tz: str | None = None,
    date_order: str | None = None,
    ask_me: Callable[[list[str]], str] | None = None,
    progress: Progress = no_progress,
) -> ImportResult:
    """Import every chat found at ``path`` into the store, in one transaction.

    Chats are written as they are read (a big ``chat.db`` streams), but nothing is kept unless
    every chat at ``path`` was read and settled: any error rolls the whole import back.
    Re-importing adds only messages the store does not have yet.
    """
    if date_order is not None and date_order not in ("dmy", "mdy", "ymd"):
        raise UsageError(
            f"'{date_order}' is not a date order — --date-order — use dmy, mdy or ymd."
        )
    if tz is not None:
        _check_zone(tz)
    options = ParseOptions(tz=tz, date_order=date_order, progress=progress)
    found = iter_read(Path(path), options, fmt)
    # Two chats tell "a source with many chats" from a single export; the rest stream.
    head = list(itertools.islice(found, 2))
    many = len(head) > 1
    result: list[ImportedChat] = []
    skipped_groups = 0
    with open_store(db) as store:

        def remembered(chat_id: str) -> str | None:
            rec = store.chat_record(chat_id)
            return rec.me if rec else None

        # Each chat is settled, written and summed up as it comes, then let go: a source of
        # millions of messages is never held whole. One transaction: an error rolls back all.
        with store.writing(labeler=_label_chats, tone_version=tone.TONE_VERSION) as add:
            for rc in _drain(head, found):
                parsed = rc.parsed
                if many and (parsed.is_group or len(parsed.participants) > 2):
                    # A source with many chats: coach the one-to-one ones, count the groups.
                    skipped_groups += 1
                    continue
                if many and with_ is not None and match_name(with_, parsed.participants) is None:
                    continue
                final = finalize(
                    parsed,
                    source_name=rc.display,
                    me=me,
                    with_=with_ if not many else None,
                    remembered_me=remembered,
                    ask_me=ask_me,
                )
                count = add(
                    ChatWrite(
                        chat_id=final.chat_id,
                        platform=final.platform,
                        title=final.title,
                        participants=final.participants,
                        me=final.me,
                        them=final.them,
                        tz=final.tz,
                        messages=final.messages,
                        importer=rc.importer,
                        file_name=rc.display,
                        file_sha256=rc.sha256,
                        details=final.details,
                    )
                )
                result.append(_imported(final, rc.display, count))
            if not result:
                where = Path(path).name
                if with_ is not None:
                    raise MeUnknown(
                        f"No one-to-one chat with '{with_}' was found — {where} — check the name "
                        "with 'fonder import PATH' (without --with) to see every chat it holds.",
                        [],
                    )
                raise GroupChatError(
                    f"It holds only group chats ({skipped_groups}) — {where} — fonder coaches "
                    "one-to-one chats; export a chat with one person."
                )
            progress(0, None, "saving and labelling new messages")
    return ImportResult(result, skipped_groups)


def _drain(head: list[ReadChat], rest: Iterator[ReadChat]) -> Iterator[ReadChat]:
    """``head`` then ``rest``, letting go of each chat of ``head`` as it is handed on."""
    while head:
        yield head.pop(0)
    yield from rest


def _imported(final: FinalChat, display: str, count: WriteCounts) -> ImportedChat:
    """What the user is told about one imported chat."""
    msgs = final.messages.filter(pl.col("kind").is_in(COUNTED_KINDS))
    by_sender = Counter(msgs.get_column("sender").drop_nulls().to_list())
    kinds = Counter(final.messages.get_column("kind").to_list())
    ts = final.messages.get_column("ts")
    return ImportedChat(
        chat_id=final.chat_id,
        platform=final.platform,
        title=final.title,
        participants=final.participants,
        me=final.me,
        them=final.them,
        messages=msgs.height,
        by_sender=dict(sorted(by_sender.items())),
        kinds=dict(sorted(kinds.items())),
        first=ts.min() if ts.len() else None,
        last=ts.max() if ts.len() else None,
        added=count.added_counted,
        already_known=count.known_counted,
        source=display,
    )


def _label_chats(frames: Sequence[pl.DataFrame]) -> list[pl.DataFrame]:
    """Tone labels of several chats' text messages, labelled in one pass (labelling has a
    fixed cost per call that a download of hundreds of chats should pay once)."""
    texts = pl.concat(
        [
            f.filter(pl.col("kind") == "text").select(
                pl.lit(i, pl.UInt32).alias("_chat"), "msg_id", "text"
            )
            if "kind" in f.columns
            else f.select(pl.lit(i, pl.UInt32).alias("_chat"), "msg_id", "text")
            for i, f in enumerate(frames)
        ]
    ).with_row_index("_key")
    keyed = texts.select(pl.col("_key").cast(pl.String).alias("msg_id"), "text")
    labels = tone.label_frame(keyed).with_columns(pl.col("msg_id").cast(pl.UInt32).alias("_key"))
    labels = labels.drop("msg_id").join(texts.select("_key", "_chat", "msg_id"), on="_key")
    return [
        labels.filter(pl.col("_chat") == i).select("msg_id", "label", "start", "end", "match")
        for i in range(len(frames))
    ]


def _check_zone(tz: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UsageError(
            f"'{tz}' is not a time zone fonder knows — --tz — use a name like Europe/Berlin "
            "or America/New_York."
        ) from exc


def chats(*, db: DbPath = None) -> list[ChatInfo]:
    """Every stored chat with its size and span."""
    with open_store(db, read_only=True) as store:
        return store.chats()


@dataclass(frozen=True)
class Loaded:
    """A chat's record, messages and tone labels, for one window of time."""

    chat: ChatInfo
    messages: pl.DataFrame
    labels: pl.DataFrame
    since: datetime | None = None
    until: datetime | None = None
    #: Every platform on this person's timeline (several when chats were linked).
    platforms: list[str] = field(default_factory=list)


Bound = date | datetime | None


def _bound(value: Bound, tz: str, *, end: bool) -> datetime | None:
    """An instant from a bound: a datetime as is; a day at midnight in the chat's zone.

    An end day is inclusive: the window runs to the midnight after it.
    """
    if value is None or isinstance(value, datetime):
        return value
    from zoneinfo import ZoneInfo

    day = value + timedelta(days=1) if end else value
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz)).astimezone(timezone.utc)


def load(
    chat: str | None = None,
    *,
    db: DbPath = None,
    since: Bound = None,
    until: Bound = None,
) -> Loaded:
    """A stored chat's messages (and tone labels), optionally within a window.

    ``since`` and ``until`` are instants, or days in the chat's own zone (``until`` inclusive).
    Labels computed with older rules are recomputed and stored first.
    """
    with open_store(db) as store:
        info = store.find_chat(chat)
        since, until = _bound(since, info.tz, end=False), _bound(until, info.tz, end=True)
        if since is not None and until is not None and since >= until:
            raise UsageError(
                "The window is empty — --since is after --until — check the dates and try again."
            )
        timeline = store.linked(info.chat_id)
        for chat_id in timeline:
            if store.label_version(chat_id) != tone.TONE_VERSION:
                everything = store.messages([chat_id])
                store.replace_labels(
                    chat_id,
                    tone.label_frame(everything.filter(pl.col("kind") == "text")),
                    tone.TONE_VERSION,
                )
        messages = store.messages(timeline, since, until)
        if len(timeline) > 1:
            messages = _seen_once(messages)
            platforms = sorted({c.platform for c in store.chats() if c.chat_id in timeline})
        else:
            platforms = [info.platform]
        labels = store.labels(timeline).join(messages.select("msg_id"), on="msg_id", how="semi")
    return Loaded(info, messages, labels, since, until, platforms)


#: Two rows of a joined timeline are one message seen twice (an SMS that is also an
#: iMessage, say) when the same side wrote the same text this close in time.
SAME_MESSAGE_WITHIN_S = 120


def _seen_once(messages: pl.DataFrame, within_s: int = SAME_MESSAGE_WITHIN_S) -> pl.DataFrame:
    """A joined timeline with each message that two platforms both recorded kept once."""
    order = messages.with_row_index("_row").with_columns(
        # what a row says: its text, or for a photo, call, … its kind and what it carries
        pl.coalesce(
            pl.col("text"),
            pl.concat_str([pl.lit("\x1f"), pl.col("kind"), pl.col("media").fill_null("")]),
        ).alias("_says")
    )
    keyed = order.filter(pl.col("kind") != "system").sort(["is_me", "_says", "ts"])
    same = (
        (pl.col("is_me") == pl.col("is_me").shift())
        & (pl.col("_says") == pl.col("_says").shift())
        & (pl.col("chat_id") != pl.col("chat_id").shift())
        & ((pl.col("ts") - pl.col("ts").shift()).dt.total_seconds() <= within_s)
    )
    dropped = keyed.filter(same.fill_null(False)).select("_row")
    return order.join(dropped, on="_row", how="anti").sort("_row").drop("_row", "_says")


def report_for(
    chat: str | None = None,
    *,
    db: DbPath = None,
    since: Bound = None,
    until: Bound = None,
) -> dict[str, Any]:
    """The report of a chat as the versioned JSON document ``fonder.report/1``."""
    loaded = load(chat, db=db, since=since, until=until)
    return report_document(loaded)


def _today(tz: str) -> date:
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(tz)).date()


def report_document(loaded: Loaded, *, today: date | None = None) -> dict[str, Any]:
    """Assemble ``fonder.report/1`` from loaded messages: the chat, its signals, and the
    coach's headline, top actions, findings, safety section and plan for the next 7 days."""
    msgs = loaded.messages
    counted = msgs.filter(pl.col("kind").is_in(COUNTED_KINDS))
    ts = msgs.get_column("ts")
    chat = loaded.chat
    signals = analysis.report_signals(msgs, loaded.labels)
    me, them = chat.me or "me", chat.them or "them"
    found = coach.findings(signals, msgs, loaded.labels, me=me, them=them)
    seen = coach.safety(msgs, loaded.labels, them=them, me=me)
    week = coach.plan(
        signals, msgs, loaded.labels, me=me, them=them, today=today or _today(chat.tz)
    )
    return {
        "schema": REPORT_SCHEMA,
        "chat": {
            "id": chat.chat_id,
            "platforms": loaded.platforms or [chat.platform],
            "me": chat.me,
            "them": chat.them,
            "first": iso(ts.min()) if ts.len() else None,
            "last": iso(ts.max()) if ts.len() else None,
            "messages": {
                "me": counted.filter(pl.col("is_me") == True).height,  # noqa: E712
                "them": counted.filter(pl.col("is_me") == False).height,  # noqa: E712
            },
            "tz": chat.tz,
            "window": {"since": iso(loaded.since), "until": iso(loaded.until)},
        },
        "headline": coach.headline(signals, msgs, loaded.labels, me=me, them=them).to_json(),
        "safety": seen.to_json() if seen is not None else None,
        "top_actions": coach.top_actions(found),
        "findings": [f.to_json() for f in found],
        "plan": week.to_json(),
        "signals": signals,
    }


def plan_for(
    chat: str | None = None,
    *,
    db: DbPath = None,
    interests: Sequence[str] = (),
    today: date | None = None,
) -> dict[str, Any]:
    """The next seven days for a chat: space rules from his own baseline, things for your
    own life, and five date ideas new to you both."""
    loaded = load(chat, db=db)
    info = loaded.chat
    signals = analysis.report_signals(loaded.messages, loaded.labels)
    week = coach.plan(
        signals,
        loaded.messages,
        loaded.labels,
        me=info.me or "me",
        them=info.them or "them",
        interests=list(interests),
        today=today or _today(info.tz),
    )
    return {"chat": {"id": info.chat_id, "me": info.me, "them": info.them}, **week.to_json()}


def check(
    draft: str,
    chat: str | None = None,
    *,
    db: DbPath = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """Should I send this? A verdict (send, wait or rethink) on a draft, read in the chat's
    context at ``at`` (default: now), with reasons and a kinder rewrite where one helps."""
    if not draft.strip():
        raise UsageError("There is nothing to check — the draft is empty — type the message you want to send.")
    loaded = load(chat, db=db)
    info = loaded.chat
    when = at or datetime.now(timezone.utc)
    if when.tzinfo is None:
        from zoneinfo import ZoneInfo

        when = when.replace(tzinfo=ZoneInfo(info.tz))
    when = when.astimezone(timezone.utc)
    signals = analysis.report_signals(loaded.messages, loaded.labels)
    verdict = coach.check_draft(
        draft,
        loaded.messages,
        loaded.labels,
        signals,
        me=info.me or "me",
        them=info.them or "them",
        at=when,
    )
    return {**verdict.to_json(), "exit_code": verdict.exit_code}


def link(chats_: Sequence[str], *, db: DbPath = None) -> dict[str, Any]:
    """Join chats with the same person (on several platforms) into one timeline.

    Reports, plans and checks of any of them then read the joined timeline, with a message
    that two platforms both recorded counted once.
    """
    if len(chats_) < 2:
        raise UsageError("Name at least two chats to join — fonder link — e.g. fonder link CHAT_ID CHAT_ID.")
    with open_store(db) as store:
        infos = [store.find_chat(c) for c in chats_]
        ids = list(dict.fromkeys(i.chat_id for i in infos))
        if len(ids) < 2:
            raise UsageError(f"Those names are all the same chat — {', '.join(chats_)} — name two different chats.")
        link_id = store.link(ids)
        members = store.linked(ids[0])
        found = {c.chat_id: c for c in store.chats()}
    return {
        "link_id": link_id,
        "chats": [
            {"chat_id": c, "platform": found[c].platform, "them": found[c].them, "messages": found[c].messages}
            for c in members
        ],
    }


def unlink(chat: str, *, db: DbPath = None) -> list[str]:
    """Take a chat back out of a joined timeline; returns the chats it was joined with."""
    with open_store(db) as store:
        return store.unlink(store.find_chat(chat).chat_id)


def _who(name: str | None) -> str:
    """A name or number reduced to what identifies it: letters and digits, lower case; for a
    phone number, its last nine digits (country codes and leading zeros differ)."""
    raw = (name or "").casefold()
    digits = "".join(ch for ch in raw if ch.isdigit())
    if len(digits) >= 7 and len(digits) >= len([ch for ch in raw if ch.isalnum()]) - 1:
        return "tel:" + digits[-9:]
    return "".join(ch for ch in raw if ch.isalnum())


def link_suggestions(*, db: DbPath = None) -> list[list[ChatInfo]]:
    """Chats on different platforms whose other person has the same name or number, not yet
    joined: each a candidate for ``fonder link``."""
    with open_store(db, read_only=True) as store:
        found = store.chats()
        groups: dict[str, list[ChatInfo]] = {}
        for c in found:
            key = _who(c.them)
            if key:
                groups.setdefault(key, []).append(c)
        out = []
        for group in groups.values():
            if len({c.platform for c in group}) < 2:
                continue
            timelines = {frozenset(store.linked(c.chat_id)) for c in group}
            if len(timelines) == 1:
                continue  # already one timeline
            out.append(group)
    return out


EXPORT_FORMATS = ("parquet", "csv", "sqlite")


def export(
    chat: str | None,
    output: Path | str,
    *,
    fmt: str | None = None,
    db: DbPath = None,
) -> int:
    """Write a chat's normalized messages (its whole timeline) to Parquet, CSV or SQLite, for
    your own tools; returns the rows written. The format follows the file's ending unless
    ``fmt`` names it."""
    out = Path(output).expanduser()
    kind = (fmt or out.suffix.lstrip(".")).lower()
    kind = {"db": "sqlite", "sqlite3": "sqlite", "pq": "parquet"}.get(kind, kind)
    if kind not in EXPORT_FORMATS:
        raise UsageError(
            f"fonder cannot write '{kind or out.name}' — --format — choose parquet, csv or sqlite "
            "(or end the file name in .parquet, .csv or .sqlite)."
        )
    if out.exists() and out.is_dir():
        raise UsageError(f"That is a folder — {out} — give a file name, e.g. {out / 'messages.' + kind}.")
    loaded = load(chat, db=db)
    frame = loaded.messages
    tmp = out.with_name(out.name + ".partial")
    try:
        if kind == "parquet":
            frame.write_parquet(tmp)
        elif kind == "csv":
            frame.with_columns(pl.col("ts").dt.to_string("%Y-%m-%dT%H:%M:%S%.6f%z")).write_csv(tmp)
        else:
            _write_sqlite(frame, tmp)
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UsageError(f"The file cannot be written ({exc.strerror}) — {out} — choose another place.") from exc
    return frame.height


def _write_sqlite(frame: pl.DataFrame, path: Path) -> None:
    import sqlite3

    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    try:
        cols = ", ".join(f'"{c}"' for c in frame.columns)
        con.execute(f"CREATE TABLE messages ({cols})")
        rows = frame.with_columns(pl.col("ts").dt.to_string("%Y-%m-%dT%H:%M:%S%.6f%z")).iter_rows()
        con.executemany(f"INSERT INTO messages VALUES ({', '.join('?' * len(frame.columns))})", rows)
        con.commit()
    finally:
        con.close()


def forget(chat: str, *, db: DbPath = None) -> tuple[ChatInfo, int]:
    """Remove a chat and everything derived from it; returns the chat and rows removed."""
    with open_store(db) as store:
        info = store.find_chat(chat)
        removed = store.forget(info.chat_id)
    return info, removed


def ledger(chat: str | None = None, *, db: DbPath = None) -> list[dict[str, Any]]:
    """The import ledger (every import: file hash, importer, counts, when)."""
    with open_store(db, read_only=True) as store:
        chat_id = store.find_chat(chat).chat_id if chat else None
        return store.ledger(chat_id)


def demo_export(folder: Path) -> Path:
    """Write the made-up demo couple's WhatsApp export into ``folder``; returns the zip."""
    from .demo import write_demo_export

    return write_demo_export(Path(folder))


def tone_of(texts: Sequence[str]) -> list[dict[str, Any]]:
    """Tone labels and valence of free texts, as ``fonder tone --json`` prints them."""
    frame = pl.DataFrame(
        {"msg_id": [str(i) for i in range(len(texts))], "text": list(texts)},
        schema={"msg_id": pl.String, "text": pl.String},
    )
    labels = tone.label_frame(frame)
    valence = tone.valence_frame(frame)
    by_msg: dict[str, list[dict[str, Any]]] = {}
    for row in labels.sort(["msg_id", "start"]).iter_rows(named=True):
        by_msg.setdefault(row["msg_id"], []).append(
            {"label": row["label"], "span": [row["start"], row["end"]], "match": row["match"]}
        )
    vals = dict(zip(valence["msg_id"].to_list(), valence["valence"].to_list(), strict=True))
    return [
        {
            "text": text,
            "labels": by_msg.get(str(i), []),
            "valence": None if vals.get(str(i)) is None else round(float(vals[str(i)]), 4),
        }
        for i, text in enumerate(texts)
    ]
