"""The demo couple: Maya and Daniel, six made-up months of texting, as a real WhatsApp export.

The storyline (Europe/London, 1 May → 29 October 2026; fixed dates, so every run makes the
same bytes — nothing depends on today's date):

1. **May–July, balanced.** Both start conversations, reply at similar speeds, say "love you"
   and "miss you"; her own life (pottery, run club, work, friends) and plans run throughout.
2. **From 1 August, he pulls away.** His replies come three times slower, he sends 40 % fewer
   messages, starts half as many conversations and writes shorter messages.
3. **From 10 August, she chases.** More unanswered double texts, more "are we ok?".
4. **Late September, she goes quiet** for three and a half days. He breaks the silence with a
   "miss you" message. Afterwards she stops chasing and he warms up a little (not all the way).

:func:`render_whatsapp` writes any message frame as an Android WhatsApp export in English
(``M/D/YY, H:MM AM - Name: text``), vectorized so that a million messages take seconds.
"""

from __future__ import annotations

import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

import polars as pl

from fonder.simulate import Change, Silence, couple

__all__ = [
    "DEMO_ME",
    "DEMO_THEM",
    "DEMO_TZ",
    "ENCRYPTION_NOTICE",
    "demo_messages",
    "demo_storyline",
    "render_whatsapp",
    "write_demo_export",
]

DEMO_ME: Final[str] = "Maya"
DEMO_THEM: Final[str] = "Daniel"
DEMO_TZ: Final[str] = "Europe/London"

_ZONE = ZoneInfo(DEMO_TZ)
DEMO_START: Final[datetime] = datetime(2026, 5, 1, tzinfo=_ZONE)
DEMO_WEEKS: Final[int] = 26  # to 30 October 2026, 00:00
PULL_AWAY_AT: Final[datetime] = datetime(2026, 8, 1, tzinfo=_ZONE)
CHASE_AT: Final[datetime] = datetime(2026, 8, 10, tzinfo=_ZONE)
SILENCE: Final[Silence] = Silence(
    start=datetime(2026, 9, 25, 21, 30, tzinfo=_ZONE), hours=84.0, who="me",
    broken_with_longing=True,
)  # fmt: skip
AFTER_SILENCE: Final[datetime] = SILENCE.start + timedelta(hours=SILENCE.hours)

#: When the export was "made" (the zip entry's time): a few days after the last message.
EXPORT_TIME: Final[tuple[int, int, int, int, int, int]] = (2026, 11, 2, 9, 41, 0)

ENCRYPTION_NOTICE: Final[str] = (
    "Messages and calls are end-to-end encrypted. No one outside of this chat, not even "
    "WhatsApp, can read or listen to them. Tap to learn more."
)

#: ``strftime`` of an Android English timestamp: 12-hour clock, U+202F before AM/PM.
_STAMP: Final[str] = "%-m/%-d/%y, %-I:%M\u202f%p"


def demo_storyline() -> tuple[tuple[Change, ...], tuple[Silence, ...]]:
    """The demo's changes and silences (the truth behind the demo's findings)."""
    changes = (
        Change(
            at=PULL_AWAY_AT, who="them", latency_factor=3.0, volume_factor=0.6,
            starts_factor=0.5, length_factor=0.6,
        ),
        Change(at=CHASE_AT, who="me", followup_factor=3.0),
        # after her silence: she stops chasing; he warms a little
        Change(at=AFTER_SILENCE, who="me", followup_factor=0.4),
        Change(
            at=AFTER_SILENCE, who="them", latency_factor=0.8, volume_factor=1.15,
            starts_factor=1.5,
        ),
    )  # fmt: skip
    return changes, (SILENCE,)


def demo_messages(seed: int = 7) -> pl.DataFrame:
    """Six months of Maya (me) and Daniel texting, along the demo storyline (MESSAGE_SCHEMA)."""
    changes, silences = demo_storyline()
    return couple(
        seed,
        start=DEMO_START,
        weeks=DEMO_WEEKS,
        me=DEMO_ME,
        them=DEMO_THEM,
        tz=DEMO_TZ,
        changes=changes,
        silences=silences,
        texts=True,
    )


def _local(frame: pl.DataFrame) -> pl.Expr:
    """Naive local time per row in the row's ``tz`` (UTC when it has none)."""
    ts = pl.col("ts")
    zones = frame.get_column("tz").drop_nulls().unique().sort().to_list()
    if not zones:
        return ts.dt.replace_time_zone(None)
    if len(zones) == 1 and frame.get_column("tz").null_count() == 0:
        return ts.dt.convert_time_zone(zones[0]).dt.replace_time_zone(None)
    expr = pl.when(pl.col("tz") == zones[0]).then(
        ts.dt.convert_time_zone(zones[0]).dt.replace_time_zone(None)
    )
    for zone in zones[1:]:
        expr = expr.when(pl.col("tz") == zone).then(
            ts.dt.convert_time_zone(zone).dt.replace_time_zone(None)
        )
    return expr.otherwise(ts.dt.replace_time_zone(None))


def render_whatsapp(messages: pl.DataFrame, *, encryption_notice: bool = True) -> str:
    """``messages`` (MESSAGE_SCHEMA) as the text of an Android WhatsApp export in English.

    One line per message, ``M/D/YY, H:MM AM - Name: text`` in the local time of each row's
    ``tz``; lines of a multi-line text follow as continuation lines; media, stickers and other
    attachments as ``<Media omitted>``; system rows (``kind == "system"``) without a sender.
    Unless the frame starts with a system row, the encryption notice comes first, at the first
    message's minute, as WhatsApp writes it. Ends with a newline.
    """
    if messages.height == 0:
        return ""
    order = ["ts", "seq"] if "seq" in messages.columns else ["ts"]
    frame = messages.sort(order, maintain_order=True)
    kind = pl.col("kind")
    body = (
        pl.when(kind.is_in(["media", "sticker"]))
        .then(pl.lit("<Media omitted>"))
        .when(kind == "deleted")
        .then(
            pl.when(pl.col("is_me"))
            .then(pl.lit("You deleted this message"))
            .otherwise(pl.lit("This message was deleted"))
        )
        .when(kind == "missed_call")
        .then(pl.lit("Missed voice call"))
        .otherwise(pl.col("text").fill_null(""))
    )
    lines = frame.select(
        stamp=_local(frame).dt.strftime(_STAMP),
        system=(kind == "system") | pl.col("sender").is_null(),
        sender=pl.col("sender"),
        body=body,
    ).select(
        pl.when(pl.col("system"))
        .then(pl.concat_str(pl.col("stamp"), pl.lit(" - "), pl.col("body")))
        .otherwise(
            pl.concat_str(
                pl.col("stamp"), pl.lit(" - "), pl.col("sender"), pl.lit(": "), pl.col("body")
            )
        )
        .alias("line"),
        pl.col("stamp"),
        pl.col("system"),
    )
    text = lines.get_column("line").str.join("\n").item()
    if encryption_notice and not lines.get_column("system")[0]:
        text = f"{lines.get_column('stamp')[0]} - {ENCRYPTION_NOTICE}\n{text}"
    return text + "\n"


def write_demo_export(folder: Path, seed: int = 7) -> Path:
    """Write ``folder/"WhatsApp Chat with Daniel.zip"`` holding only the chat's ``.txt``.

    The same ``seed`` gives the same bytes (fixed entry time and attributes). Returns the path.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"WhatsApp Chat with {DEMO_THEM}"
    data = render_whatsapp(demo_messages(seed)).encode("utf-8")
    info = zipfile.ZipInfo(f"{name}.txt", date_time=EXPORT_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, whatever machine writes it
    info.external_attr = 0o644 << 16
    path = folder / f"{name}.zip"
    tmp = path.with_name(path.name + ".part")
    with zipfile.ZipFile(tmp, "w") as zf:
        zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    tmp.replace(path)
    return path
