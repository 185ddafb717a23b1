"""Snapchat: ``chat_history.json`` from "My Data" (Settings › My Data), both schemas.

* Older: ``{"Received Saved Chat History": [{"From", "Media Type", "Created", "Text"}],
  "Sent Saved Chat History": [{"To", "Media Type", "Created", "Text"}]}`` (also the
  "Unsaved" lists some downloads carry). Own messages name only the friend they went to, so
  they are sent by "Me", and ``me`` is "Me".
* Newer: ``{"<conversation id>": [{"From", "Media Type", "Created", "Content",
  "Conversation Title", "IsSender", "Created(microseconds)", …}]}`` — the id is the friend's
  username for one-to-one chats; ``Conversation Title`` is set for groups. ``IsSender`` marks
  the owner's messages, whose ``From`` is the owner's username: that is ``me``.

Snapchat keeps only chats someone saved (and recent ones), so gaps are normal. Times are UTC.
"""

from __future__ import annotations

import html
import re
from typing import Any

import polars as pl

from ..model import conform
from .base import ParsedChat, ParseOptions, Source
from .meta import json_frame, load_json, source_error

_AGAIN = "download your data from Snapchat again (Settings › My Data, JSON) and import the new chat_history.json"
_NAME = re.compile(r"chat_history.*\.json", re.IGNORECASE)
_OLD_KEY = re.compile(r"(Received|Sent) (?:Saved |Unsaved )?Chat History")
_OLD_HEAD = re.compile(rb'"(?:Received|Sent) (?:Saved |Unsaved )?Chat History"\s*:')
_OPENS = re.compile(rb"^\s*\{")
_ENTITY = r"&(?:#\d+|#[xX][0-9a-fA-F]+|amp|lt|gt|quot|apos|nbsp);"
ME = "Me"

_MEDIA = {
    "MEDIA": "media", "PHOTO": "photo", "IMAGE": "photo", "VIDEO": "video", "SNAP": "snap",
    "GIF": "gif", "NOTE": "audio", "AUDIO": "audio", "SHARE": "share", "SHARESAVEDSTORY": "share",
    "SAVEDSTORY": "share", "STORY": "share", "LINK": "link", "FILE": "file",
}


def _unescape(series: pl.Series) -> pl.Series:
    """HTML entities (older downloads wrote "&#39;") decoded, only in strings that have them."""
    flagged = series.str.contains(_ENTITY).fill_null(False)
    if not flagged.any():
        return series
    mapping = {v: html.unescape(v) for v in series.filter(flagged).unique().to_list()}
    return series.replace(mapping)


def _diagnose(doc: Any, source: Source) -> None:
    if not isinstance(doc, dict):
        raise source_error(source, "", f"The JSON is not a Snapchat chat history (it is not an object of chats); {_AGAIN}")
    for n, (key, value) in enumerate(doc.items(), 1):
        where = key if _OLD_KEY.fullmatch(key) else f"chat {n}"
        if not isinstance(value, list):
            raise source_error(source, where, f"A chat is not a list of messages; {_AGAIN}")
        for i, m in enumerate(value, 1):
            if not isinstance(m, dict):
                raise source_error(source, f"{where}, record {i}", f"A message is not a JSON object; {_AGAIN}")
            for k in ("From", "To", "Media Type", "Created", "Content", "Text", "Conversation Title"):
                if m.get(k) is not None and not isinstance(m[k], str):
                    raise source_error(source, f"{where}, record {i}", f"A message's {k} is not text; {_AGAIN}")
            if m.get("IsSender") is not None and not isinstance(m["IsSender"], bool):
                raise source_error(source, f"{where}, record {i}", f"A message's IsSender is not true or false; {_AGAIN}")
            us = m.get("Created(microseconds)")
            if us is not None and (not isinstance(us, int) or isinstance(us, bool)):
                raise source_error(source, f"{where}, record {i}", f"A message's Created(microseconds) is not a number; {_AGAIN}")


def _field(schema: pl.Schema, name: str, dtype: pl.DataType, bad: Any) -> pl.Expr:
    have = schema.get(name, pl.Null)
    if have == pl.Null:
        return pl.lit(None, dtype=dtype)
    ok = have.is_integer() if dtype == pl.Int64 else have == dtype
    if not ok:
        bad()
    return pl.col(name).cast(dtype)


def _instants(created: pl.Expr, number: pl.Expr) -> pl.Expr:
    """The message's instant: ``Created(microseconds)`` (which holds milliseconds in many
    downloads, so read by size) else the ``Created`` text "2021-01-01 12:00:00 UTC"."""
    from_number = (
        pl.when(number > 100_000_000_000_000).then(pl.from_epoch(number, time_unit="us"))
        .when(number > 100_000_000_000).then(pl.from_epoch(number, time_unit="ms"))
        .when(number > 0).then(pl.from_epoch(number, time_unit="s"))
        .otherwise(None)
    )
    from_text = created.str.strip_chars().str.replace(r"\s*UTC$", "").str.strptime(
        pl.Datetime("us"), "%Y-%m-%d %H:%M:%S", strict=False
    )
    return pl.coalesce(from_number.cast(pl.Datetime("us")), from_text).dt.replace_time_zone("UTC")


class SnapchatImporter:
    """Snapchat's ``chat_history.json`` (older Received/Sent lists, or newer per-chat lists)."""

    name = "snapchat"
    label = "Snapchat (My Data, chat_history.json)"

    def sniff(self, source: Source) -> bool:
        if not _NAME.fullmatch(source.name):
            return False
        head = source.head()
        if not _OPENS.match(head):
            return False
        if _OLD_HEAD.search(head):
            return True
        return b'"Media Type"' in head and b'"Created"' in head and (
            b'"IsSender"' in head or b'"Conversation Title"' in head
        )

    def parse(self, source: Source, options: ParseOptions) -> list[ParsedChat]:
        data = source.read_bytes()

        def diagnose(doc: Any) -> None:
            _diagnose(doc, source)

        def bad() -> None:
            diagnose(load_json(source, data, _AGAIN))
            raise source_error(source, "", f"The JSON does not have the shape of a Snapchat chat history; {_AGAIN}")

        frame = json_frame(source, data, again=_AGAIN, diagnose=diagnose, what="a Snapchat chat history")
        if frame.height != 1:
            bad()
        old = [c for c in frame.columns if _OLD_KEY.fullmatch(c)]
        parts: list[pl.DataFrame] = []
        schema = frame.schema
        for n, (key, dtype) in enumerate(schema.items(), 1):
            if old and key not in old:
                continue
            if dtype == pl.Null:
                continue
            if not isinstance(dtype, pl.List):
                bad()
            inner = dtype.inner  # type: ignore[union-attr]
            column = frame.get_column(key)
            if inner == pl.Null or column.list.len()[0] == 0:
                continue
            if not isinstance(inner, pl.Struct):
                bad()
            raw = column.explode().struct.unnest().with_row_index("_j")
            fields = raw.schema
            where = key if old else f"chat {n}"
            if old:
                sent = key.startswith("Sent")
                other = _field(fields, "To" if sent else "From", pl.String, bad)
                part = raw.select(
                    pl.col("_j"),
                    other.alias("_chat"),
                    (pl.lit(ME) if sent else other).alias("_sender"),
                    pl.lit(sent).alias("_mine"),
                    _field(fields, "Media Type", pl.String, bad).alias("_type"),
                    _field(fields, "Text", pl.String, bad).alias("_text"),
                    _instants(_field(fields, "Created", pl.String, bad), pl.lit(None, pl.Int64)).alias("ts"),
                    pl.lit(None, pl.String).alias("_title"),
                )
            else:
                mine = _field(fields, "IsSender", pl.Boolean, bad).fill_null(False)
                part = raw.select(
                    pl.col("_j"),
                    pl.lit(key).alias("_chat"),
                    _field(fields, "From", pl.String, bad).alias("_sender"),
                    mine.alias("_mine"),
                    _field(fields, "Media Type", pl.String, bad).alias("_type"),
                    pl.coalesce(
                        _field(fields, "Content", pl.String, bad), _field(fields, "Text", pl.String, bad)
                    ).alias("_text"),
                    _instants(
                        _field(fields, "Created", pl.String, bad),
                        _field(fields, "Created(microseconds)", pl.Int64, bad),
                    ).alias("ts"),
                    _field(fields, "Conversation Title", pl.String, bad).alias("_title"),
                )
            missing = part.select(pl.arg_where(pl.col("ts").is_null()).first()).item()
            if missing is not None:
                raise source_error(
                    source, f"{where}, record {missing + 1}",
                    f"A message has no readable time (Created); {_AGAIN}",
                )
            nameless = part.select(pl.arg_where(pl.col("_chat").is_null() | (pl.col("_chat") == "")).first()).item()
            if nameless is not None:
                raise source_error(
                    source, f"{where}, record {nameless + 1}",
                    f"A message does not say who it is from or to; {_AGAIN}",
                )
            parts.append(part)
        if not parts:
            return []
        rows = pl.concat(parts, how="diagonal_relaxed").with_columns(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("seq")
        )
        rows = rows.with_columns(pl.Series("_text", _unescape(rows.get_column("_text"))))
        own = (
            rows.filter(pl.col("_mine") & pl.col("_sender").is_not_null() & (pl.col("_sender") != ""))
            .get_column("_sender").unique(maintain_order=True).to_list()
        )
        me = own[0] if len(own) == 1 and not old else ME
        rows = rows.with_columns(
            pl.when(pl.col("_mine") & (pl.col("_sender").is_null() | (pl.col("_sender") == "") | pl.lit(me == ME)))
            .then(pl.lit(me)).otherwise(pl.col("_sender")).alias("_sender")
        )
        t = pl.col("_type").str.to_uppercase().str.strip_chars()
        text = pl.col("_text")
        has_text = text.is_not_null() & (text != "")
        kind = (
            pl.when(t == "TEXT").then(pl.lit("text"))
            .when(t.is_in(list(_MEDIA))).then(pl.lit("media"))
            .when(t == "STICKER").then(pl.lit("sticker"))
            .when(t == "LOCATION").then(pl.lit("location"))
            .when(t == "CONTACT").then(pl.lit("contact"))
            .when(t.str.starts_with("STATUSERASED")).then(pl.lit("deleted"))
            .when(t.str.contains("CALLMISSED|MISSEDCALL")).then(pl.lit("missed_call"))
            .when(t.str.starts_with("STATUS")).then(pl.lit("system"))
            .when(has_text).then(pl.lit("text"))
            .otherwise(pl.lit("media"))
        )
        rows = rows.with_columns(kind.fill_null("text").alias("kind")).with_columns(
            pl.lit("UTC").alias("tz"),
            pl.when(pl.col("kind") == "system").then(None).otherwise(pl.col("_sender")).alias("sender"),
            pl.when(pl.col("kind").is_in(["text", "media", "location", "contact", "system"]) & has_text)
            .then(text).otherwise(None).alias("text"),
            pl.when(pl.col("kind") == "media")
            .then(t.replace_strict(_MEDIA, default=t.str.to_lowercase(), return_dtype=pl.String))
            .when(pl.col("kind") == "sticker").then(pl.lit("sticker"))
            .otherwise(None).alias("media"),
        )
        chats: list[ParsedChat] = []
        for (key,), chat in rows.partition_by("_chat", maintain_order=True, as_dict=True).items():
            titles = chat.get_column("_title").drop_nulls()
            title = titles[0] if titles.len() else None
            senders = chat.filter(pl.col("sender").is_not_null()).get_column("sender").unique(maintain_order=True).to_list()
            participants = list(senders)
            if title is None and key not in participants:
                participants.append(str(key))
            others = [p for p in participants if p != me]
            chats.append(
                ParsedChat(
                    platform="snapchat",
                    messages=conform(chat.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("seq"))),
                    participants=participants,
                    chat_key=str(key),
                    title=title or str(key),
                    me=me,
                    tz="UTC",
                    details={"schema": "older" if old else "newer"},
                    is_group=title is not None or len(others) > 1,
                )
            )
        return chats
