"""Google Chat from Google Takeout: ``Google Chat/Groups/<DM|Space> <id>/messages.json``.

Each conversation is a folder: ``messages.json`` (``{"messages": [{"creator": {"name",
"email", "user_type"}, "created_date", "text", "attached_files", "annotations",
"message_id", "topic_id", "reactions", "updated_date", "quoted_message_metadata",
"message_state", "deleted_date"}]}``) with ``group_info.json`` beside it (``{"members": [...],
"name"?}``). "DM " folders are one-to-one, "Space " folders are groups. When the whole Takeout
is imported, ``Google Chat/Users/User <id>/user_info.json`` (``{"user": {"name", "email"}}``)
says who "me" is; it is found next to the conversation, on disk or in the same archive.

Dates are Takeout's English prose, in two orders: "Sunday, December 31, 2023 at 9:41:05 PM
UTC" (newer exports put U+202F before AM/PM) and "Sunday, 31 December 2023 at 21:41:05 UTC".
"""

from __future__ import annotations

import re
from typing import Any

import orjson
import polars as pl

from ..model import conform, empty_messages
from .base import ParsedChat, ParseOptions, Source
from .meta import NEAR_MAX_BYTES, json_frame, list_near, load_json, read_near, read_near_many, source_error

_AGAIN = "export Google Chat from Google Takeout again (with your account language set to English) and import the new copy"
_OPENS = re.compile(rb'^\s*\{\s*"messages"\s*:\s*\[')
_EMPTY = re.compile(rb'^\s*\{\s*"messages"\s*:\s*\[\s*\]\s*\}\s*$')
_FOLDER = re.compile(r"(DM|Space|Group) \S+")
_USER_INFO = re.compile(r"Users/[^/]+/user_info\.json", re.IGNORECASE)
_ZONE = r"\s(UTC|GMT)(?:([+-])(\d{1,2})(?::?(\d{2}))?)?$"

_PHOTO = ("jpg", "jpeg", "png", "gif", "webp", "heic", "bmp")
_VIDEO = ("mp4", "mov", "webm", "m4v", "avi", "3gp")
_AUDIO = ("m4a", "mp3", "ogg", "opus", "aac", "wav", "amr")


def _in_takeout(source: Source) -> bool:
    parts = (source.member or source.path.as_posix()).replace("\\", "/").split("/")
    return len(parts) >= 4 and parts[-3].lower() == "groups" and parts[-4].lower() == "google chat"


def takeout_dates(expr: pl.Expr) -> pl.Expr:
    """Takeout's English date prose as UTC instants; null where it is not one."""
    s = (
        expr.str.replace_all("[\u202f\u00a0]", " ")
        .str.strip_chars()
        .str.replace(r"^[A-Za-z]+,\s*", "")
        .str.replace(" at ", " ", literal=True)
    )
    sign = s.str.extract(_ZONE, 2)
    hours = s.str.extract(_ZONE, 3).cast(pl.Int64).fill_null(0)
    minutes = s.str.extract(_ZONE, 4).cast(pl.Int64).fill_null(0)
    offset = (hours * 60 + minutes) * pl.when(sign == "-").then(-1).otherwise(1)
    body = s.str.replace(_ZONE, "")
    month_first = body.str.strptime(pl.Datetime("us"), "%B %d, %Y %I:%M:%S %p", strict=False)
    day_first = body.str.strptime(pl.Datetime("us"), "%d %B %Y %H:%M:%S", strict=False)
    naive = pl.coalesce(month_first, day_first)
    return (
        pl.when(s.str.contains(_ZONE))
        .then(naive - pl.duration(minutes=offset))
        .otherwise(None)
        .dt.replace_time_zone("UTC")
    )


def _diagnose(doc: Any, source: Source) -> None:
    if not isinstance(doc, dict) or not isinstance(doc.get("messages"), list):
        raise source_error(source, "", f"The JSON is not a Google Chat messages file (it has no list of messages); {_AGAIN}")
    for i, m in enumerate(doc["messages"], 1):
        where = f"record {i}"
        if not isinstance(m, dict):
            raise source_error(source, where, f"A message is not a JSON object; {_AGAIN}")
        creator = m.get("creator")
        if creator is not None and not (isinstance(creator, dict) and all(
            isinstance(creator.get(k), (str, type(None))) for k in ("name", "email")
        )):
            raise source_error(source, where, f"A message's creator is not a name and an email; {_AGAIN}")
        for key in ("created_date", "text", "message_id", "topic_id", "updated_date", "message_state", "deleted_date"):
            if m.get(key) is not None and not isinstance(m[key], str):
                raise source_error(source, where, f"A message's {key} is not text; {_AGAIN}")
        for key in ("attached_files", "annotations", "reactions"):
            v = m.get(key)
            if v is not None and not (isinstance(v, list) and all(isinstance(x, dict) for x in v)):
                raise source_error(source, where, f"A message's {key} is not a list of objects; {_AGAIN}")
        for r in m.get("reactions") or []:
            emails = r.get("reactor_emails")
            if emails is not None and not (isinstance(emails, list) and all(isinstance(e, str) for e in emails)):
                raise source_error(source, where, f"A reaction's reactor_emails is not a list of addresses; {_AGAIN}")
            emoji = r.get("emoji")
            if emoji is not None and not (isinstance(emoji, dict) and isinstance(emoji.get("unicode"), (str, type(None)))):
                raise source_error(source, where, f"A reaction's emoji is not text; {_AGAIN}")
        for f in m.get("attached_files") or []:
            if not all(isinstance(f.get(k), (str, type(None))) for k in ("export_name", "original_name")):
                raise source_error(source, where, f"An attachment's name is not text; {_AGAIN}")
        quoted = m.get("quoted_message_metadata")
        if quoted is not None and not (isinstance(quoted, dict) and isinstance(quoted.get("message_id"), (str, type(None)))):
            raise source_error(source, where, f"A reply's quoted message is not an object with an id; {_AGAIN}")


def _json_object(raw: bytes | None) -> dict[str, Any] | None:
    if not raw:
        return None
    try:
        doc = orjson.loads(raw.removeprefix(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError:
        return None
    return doc if isinstance(doc, dict) else None


def _people(value: Any) -> list[tuple[str, str | None]]:
    """(name, email) of each member in a group_info ``members`` list."""
    out: list[tuple[str, str | None]] = []
    if isinstance(value, list):
        for m in value:
            if isinstance(m, dict) and isinstance(m.get("name"), str) and m["name"]:
                email = m.get("email")
                out.append((m["name"], email.lower() if isinstance(email, str) and email else None))
    return out


def _owner(source: Source) -> tuple[str | None, str | None]:
    """(name, email) from ``Users/*/user_info.json`` of the Takeout holding ``source``."""
    if not _in_takeout(source):
        return None, None
    names = list_near(source, 2, _USER_INFO, 3)
    if len(names) != 1:
        return None, None
    heads = read_near_many(source, 2, names, NEAR_MAX_BYTES)
    doc = _json_object(heads[0] if heads else None)
    user = doc.get("user") if doc else None
    if not isinstance(user, dict):
        return None, None
    name = user.get("name") if isinstance(user.get("name"), str) else None
    email = user.get("email").lower() if isinstance(user.get("email"), str) else None
    return name, email


class GoogleChatImporter:
    """Google Chat conversations from Google Takeout (``messages.json``)."""

    name = "googlechat"
    label = "Google Chat (Google Takeout)"

    def sniff(self, source: Source) -> bool:
        if source.name.lower() != "messages.json":
            return False
        head = source.head()
        if not _OPENS.match(head):
            return False
        if b'"creator"' in head and (b'"created_date"' in head or b'"message_id"' in head):
            return True
        return bool(_EMPTY.match(head)) and _in_takeout(source)

    def parse(self, source: Source, options: ParseOptions) -> list[ParsedChat]:
        data = source.read_bytes()

        def diagnose(doc: Any) -> None:
            _diagnose(doc, source)

        def bad() -> None:
            diagnose(load_json(source, data, _AGAIN))
            raise source_error(source, "", f"The JSON does not have the shape of a Google Chat messages file; {_AGAIN}")

        frame = json_frame(source, data, again=_AGAIN, diagnose=diagnose, what="a Google Chat messages file")
        if frame.height != 1 or "messages" not in frame.columns or not isinstance(frame.schema["messages"], pl.List):
            bad()
        inner = frame.schema["messages"].inner  # type: ignore[union-attr]

        info = _json_object(read_near(source, ["group_info.json"], NEAR_MAX_BYTES)) or {}
        members = _people(info.get("members"))
        by_email = {e: n for n, e in members if e}
        group_name = info.get("name") if isinstance(info.get("name"), str) else None
        parts = (source.member or source.path.as_posix()).replace("\\", "/").split("/")
        folder = parts[-2] if len(parts) >= 2 else ""
        chat_key = folder if _FOLDER.fullmatch(folder) else ""

        if inner == pl.Null or frame.select(pl.col("messages").list.len()).item() == 0:
            messages = empty_messages()
            creators: list[tuple[str, str | None]] = []
        else:
            if not isinstance(inner, pl.Struct):
                bad()
            messages, creators = self._messages(frame, source, by_email, bad)
        for name, email in creators:
            if email and email not in by_email:
                by_email[email] = name
        participants = list(dict.fromkeys(
            [n for n, _ in members]
            + messages.filter(pl.col("sender").is_not_null() & (pl.col("kind") != "reaction"))
            .get_column("sender").unique(maintain_order=True).to_list()
        ))
        owner_name, owner_email = _owner(source)
        me = by_email.get(owner_email) if owner_email else None
        if me is None and owner_name in participants:
            me = owner_name
        is_group = folder.startswith("Space ") or group_name is not None or len(participants) > 2
        title = group_name or (next((p for p in participants if p != me), None) if me else None)
        return [
            ParsedChat(
                platform="googlechat",
                messages=messages,
                participants=participants,
                chat_key=chat_key,
                title=title,
                me=me if me in participants else None,
                tz="UTC",
                details={"folder": folder} if chat_key else {},
                is_group=is_group,
            )
        ]

    def _messages(
        self,
        frame: pl.DataFrame,
        source: Source,
        by_email: dict[str, str],
        bad: Any,
    ) -> tuple[pl.DataFrame, list[tuple[str, str | None]]]:
        raw = frame.select(pl.col("messages").explode()).unnest("messages")
        raw = raw.with_row_index("_i").with_columns(pl.col("_i").cast(pl.Int64))
        schema = raw.schema

        def col(name: str, ok: Any, null: pl.DataType) -> pl.Expr:
            if name not in schema or schema[name] == pl.Null:
                return pl.lit(None, dtype=null)
            if not ok(schema[name]):
                bad()
            return pl.col(name)

        is_str = lambda d: d == pl.String  # noqa: E731
        is_list = lambda d: isinstance(d, pl.List)  # noqa: E731

        def nested(column: str, *path: str, want: pl.DataType = pl.String) -> bool:
            """True when ``column`` holds ``path`` with values of type ``want``; a wrongly typed
            value anywhere on the way is a broken file."""
            top = schema.get(column, pl.Null)
            if top == pl.Null:
                return False
            dtype = top
            for step in path:
                if dtype == pl.Null:
                    return False
                if step == "[]":
                    if not isinstance(dtype, pl.List):
                        bad()
                    dtype = dtype.inner  # type: ignore[union-attr]
                    continue
                if not isinstance(dtype, pl.Struct):
                    bad()
                fields = {f.name: f.dtype for f in dtype.fields}
                if step not in fields:
                    return False
                dtype = fields[step]
            if dtype == pl.Null:
                return False
            if dtype != want:
                bad()
            return True

        cname = pl.col("creator").struct.field("name") if nested("creator", "name") else pl.lit(None, pl.String)
        cemail = pl.col("creator").struct.field("email") if nested("creator", "email") else pl.lit(None, pl.String)
        created = col("created_date", is_str, pl.String)
        raw = raw.with_columns(
            takeout_dates(created).alias("ts"),
            cname.alias("_name"),
            cemail.str.to_lowercase().alias("_email"),
        )
        missing = raw.select(pl.arg_where(pl.col("ts").is_null()).first()).item()
        if missing is not None:
            raise source_error(
                source, f"record {missing + 1}",
                f"A message's date is missing or not in Takeout's English form; {_AGAIN}",
            )
        creators = [
            (n, e) for n, e in raw.select("_name", "_email").unique(maintain_order=True).iter_rows()
            if isinstance(n, str) and n
        ]
        emails = {**{e: n for n, e in creators if e}, **by_email}
        sender = pl.coalesce(
            pl.col("_email").replace_strict(emails, default=None, return_dtype=pl.String),
            pl.col("_name"),
            pl.col("_email"),
        )
        text = col("text", is_str, pl.String)
        files = col("attached_files", is_list, pl.List(pl.Struct({"export_name": pl.String})))
        names = [n for n in ("export_name", "original_name") if nested("attached_files", "[]", n)]
        first_file = (
            pl.coalesce([files.list.first().struct.field(n) for n in names]) if names else pl.lit(None, pl.String)
        )
        ext = first_file.str.to_lowercase().str.extract(r"\.([a-z0-9]+)$", 1)
        media_kind = (
            pl.when(ext.is_in(_PHOTO)).then(pl.lit("photo"))
            .when(ext.is_in(_VIDEO)).then(pl.lit("video"))
            .when(ext.is_in(_AUDIO)).then(pl.lit("audio"))
            .otherwise(pl.lit("file"))
        )
        deleted = (col("message_state", is_str, pl.String) == "DELETED").fill_null(False) | col(
            "deleted_date", is_str, pl.String
        ).is_not_null()
        if schema.get("deletion_metadata", pl.Null) != pl.Null:
            deleted = deleted | pl.col("deletion_metadata").is_not_null()
        call_status = pl.lit(None, pl.String)
        if nested("annotations", "[]", "gsuite_integration_metadata", "call_data", "call_status"):
            call_status = pl.col("annotations").list.eval(
                pl.element().struct.field("gsuite_integration_metadata")
                .struct.field("call_data").struct.field("call_status")
            ).list.drop_nulls().list.first()
        quoted = pl.lit(None, pl.String)
        if nested("quoted_message_metadata", "message_id"):
            quoted = pl.col("quoted_message_metadata").struct.field("message_id")
        edited = col("updated_date", is_str, pl.String)
        has_files = files.list.len().fill_null(0) > 0
        kind = (
            pl.when(deleted).then(pl.lit("deleted"))
            .when(call_status.str.contains("(?i)miss").fill_null(False)).then(pl.lit("missed_call"))
            .when(call_status.is_not_null()).then(pl.lit("call"))
            .when(has_files).then(pl.lit("media"))
            .when(text.is_not_null() & (text != "")).then(pl.lit("text"))
            .otherwise(pl.lit("system"))
        )
        base = raw.with_columns(kind.alias("kind")).select(
            pl.col("_i"),
            pl.lit(0, dtype=pl.Int64).alias("_r"),
            pl.col("ts"),
            pl.lit("UTC").alias("tz"),
            pl.when(pl.col("kind") == "system").then(None).otherwise(sender).alias("sender"),
            pl.col("kind"),
            pl.when(pl.col("kind").is_in(["text", "media"]) & (text != "")).then(text).otherwise(None).alias("text"),
            pl.when(pl.col("kind") == "media").then(media_kind).otherwise(None).alias("media"),
            col("message_id", is_str, pl.String).alias("msg_id"),
            quoted.alias("reply_to"),
            (edited.is_not_null() & (edited != created)).fill_null(False).alias("edited"),
        )
        frames = [base]
        if nested("reactions", "[]", "reactor_emails", "[]"):
            emoji = (
                pl.col("_re").struct.field("emoji").struct.field("unicode")
                if nested("reactions", "[]", "emoji", "unicode") else pl.lit(None, pl.String)
            )
            r = (
                raw.select("_i", "ts", col("message_id", is_str, pl.String).alias("_target"), pl.col("reactions").alias("_re"))
                .explode("_re")
                .filter(pl.col("_re").is_not_null())
                .with_columns(emoji.alias("_emoji"), pl.col("_re").struct.field("reactor_emails").alias("_who"))
                .explode("_who")
                .filter(pl.col("_who").is_not_null())
            )
            if r.height:
                who = pl.col("_who").str.to_lowercase()
                frames.append(
                    r.select(
                        pl.col("_i"),
                        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over("_i").alias("_r"),
                        pl.col("ts"),
                        pl.lit("UTC").alias("tz"),
                        pl.coalesce(who.replace_strict(emails, default=None, return_dtype=pl.String), who).alias("sender"),
                        pl.lit("reaction").alias("kind"),
                        pl.col("_emoji").alias("text"),
                        pl.col("_target").alias("reply_to"),
                        pl.lit(False).alias("edited"),
                    )
                )
        out = pl.concat(frames, how="diagonal_relaxed").sort(["_i", "_r"])
        out = out.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("seq")).drop(["_i", "_r"])
        return conform(out), creators
