"""The WhatsApp importer: round trips, date order, time zones, sniffing, errors.

Byte-for-byte behaviour on real-looking exports lives in the golden files
(``tests/data/whatsapp``, checked by ``test_golden.py``); these tests cover what golden files
cannot: generated exports in every layout, and the rules around them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fonder.errors import DateOrderUnknown, ParseError, UsageError
from fonder.ingest.base import ParseOptions, Source, localize
from fonder.ingest.whatsapp import WhatsAppImporter, _to_utc
from fonder.model import MESSAGE_SCHEMA

DATA = Path(__file__).parent / "data"
IMPORTER = WhatsAppImporter()
LRM, NNBSP, NBSP = "\u200e", "\u202f", "\u00a0"


def source(text: str | bytes, name: str = "WhatsApp Chat with Daniel.txt") -> Source:
    """An in-memory source, as if the file were a member of ``Chat.zip``."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return Source(Path("Chat.zip"), member=name, data=data)


def parse(text: str | bytes, tz: str = "UTC", date_order: str | None = None, **kw: object):
    return IMPORTER.parse(source(text, **kw), ParseOptions(tz=tz, date_order=date_order))[0]


def rows(text: str, **kw: object) -> list[tuple]:
    chat = parse(text, **kw)
    return list(chat.messages.select("sender", "kind", "text").iter_rows())


# --------------------------------------------------------------------------------------
# Round trips: generated messages rendered in a random layout come back unchanged
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    ios: bool
    order: str
    date_sep: str
    year4: bool
    comma: bool
    clock: str  # "24", "AM", "am" or "a. m."
    ampm_space: str
    seconds: bool
    time_sep: str
    klo: bool
    crlf: bool
    bom: bool

    def stamp(self, when: datetime) -> str:
        year = f"{when.year:04d}" if self.year4 else f"{when.year % 100:02d}"
        day, month = f"{when.day}", f"{when.month:02d}"
        parts = {"dmy": (day, month, year), "mdy": (month, day, year), "ymd": (year, month, day)}
        date = self.date_sep.join(parts[self.order])
        if self.clock == "24":
            hour, marker = f"{when.hour:02d}", ""
        else:
            hour = str(when.hour % 12 or 12)
            pm = when.hour >= 12
            marker = {
                "AM": "PM" if pm else "AM",
                "am": "pm" if pm else "am",
                "a. m.": f"p.{NBSP}m." if pm else f"a.{NBSP}m.",
            }[self.clock]
            marker = self.ampm_space + marker
        time = f"{hour}{self.time_sep}{when.minute:02d}"
        if self.seconds:
            time += f"{self.time_sep}{when.second:02d}"
        between = " klo " if self.klo else (", " if self.comma else " ")
        return f"{date}{between}{time}{marker}"

    def line(self, when: datetime, sender: str | None, body: str) -> str:
        stamp = self.stamp(when)
        if self.ios:
            return f"[{stamp}] {sender}: {body}" if sender else f"[{stamp}] {body}"
        return f"{stamp} - {sender}: {body}" if sender else f"{stamp} - {body}"


layouts = st.builds(
    Layout,
    ios=st.booleans(),
    order=st.sampled_from(["dmy", "mdy", "ymd"]),
    date_sep=st.sampled_from(["/", ".", "-"]),
    year4=st.booleans(),
    comma=st.booleans(),
    clock=st.sampled_from(["24", "AM", "am", "a. m."]),
    ampm_space=st.sampled_from([" ", NNBSP, NBSP]),
    seconds=st.booleans(),
    time_sep=st.sampled_from([":", "."]),
    klo=st.booleans(),
    crlf=st.booleans(),
    bom=st.booleans(),
)

NAMES = ("Maya", "Daniel", "Maya 🌸", "+49 151 23456789", "Ana-María O'Neil")
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZäöüßñçé"
_ANY = _LETTERS + "0123456789 .,!?'😀❤️🎉"
line_text = st.builds(
    lambda first, rest: (first + rest).strip(),
    st.sampled_from(_LETTERS),
    st.text(alphabet=_ANY, max_size=40),
)
texts = st.lists(st.one_of(line_text, st.just("")), min_size=1, max_size=4).map(
    lambda lines: "\n".join(lines).strip("\n")
).filter(lambda t: t != "" and not t.startswith("\n"))


@st.composite
def messages(draw: st.DrawFn, layout: Layout) -> list[dict]:
    count = draw(st.integers(1, 12))
    when = draw(st.datetimes(datetime(2009, 1, 1), datetime(2098, 12, 1)))
    when = when.replace(microsecond=0, second=when.second if layout.seconds else 0)
    out = []
    for _ in range(count):
        kind = draw(st.sampled_from(["text", "text", "text", "media", "deleted", "system"]))
        sender = draw(st.sampled_from(NAMES))
        edited = kind == "text" and draw(st.booleans())
        text = draw(texts) if kind == "text" else None
        out.append({"when": when, "sender": sender, "kind": kind, "text": text, "edited": edited})
        step = draw(st.integers(0, 3 * 24 * 3600))
        when += timedelta(seconds=step if layout.seconds else step - step % 60)
    return out


def render(layout: Layout, items: list[dict]) -> bytes:
    lines = []
    for item in items:
        kind, sender = item["kind"], item["sender"]
        if kind == "text":
            body = item["text"] + (" <This message was edited>" if item["edited"] else "")
        elif kind == "media":
            body = f"{LRM}image omitted" if layout.ios else "<Media omitted>"
        elif kind == "deleted":
            body = "This message was deleted"
        else:
            body = (
                "Messages and calls are end-to-end encrypted. No one outside of this chat, "
                "not even WhatsApp, can read or listen to them."
            )
            sender = "Daniel" if layout.ios else None  # iOS names the chat as the sender
        lines.append(layout.line(item["when"], sender, body))
    newline = "\r\n" if layout.crlf else "\n"
    text = newline.join(lines) + newline
    return (("\ufeff" if layout.bom else "") + text).encode("utf-8")


def expected_rows(items: list[dict]) -> list[tuple]:
    out = []
    for item in items:
        kind = item["kind"]
        sender = None if kind == "system" else item["sender"]
        text = {
            "text": item["text"],
            "media": None,
            "deleted": None,
            "system": (
                "Messages and calls are end-to-end encrypted. No one outside of this chat, "
                "not even WhatsApp, can read or listen to them."
            ),
        }[kind]
        when = item["when"].replace(tzinfo=timezone.utc)
        out.append((when, sender, kind, text, item["edited"]))
    return out


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=st.data())
def test_round_trip_in_every_layout(data: st.DataObject) -> None:
    layout = data.draw(layouts)
    if layout.klo and (layout.date_sep != "." or layout.ios):
        layout = Layout(**{**layout.__dict__, "klo": False})
    items = data.draw(messages(layout))
    chat = parse(render(layout, items), date_order=layout.order)
    got = list(chat.messages.select("ts", "sender", "kind", "text", "edited").iter_rows())
    assert got == expected_rows(items)
    assert chat.messages.get_column("seq").to_list() == list(range(len(items)))
    senders = [i["sender"] for i in items if i["kind"] != "system"]
    assert chat.participants == list(dict.fromkeys(senders))
    assert chat.details["layout"] == ("ios" if layout.ios else "android")


def test_frame_has_exactly_the_message_schema() -> None:
    chat = parse("31/12/2023, 21:41 - Maya: Hi\n31/12/2023, 21:42 - Daniel: Hi\n")
    assert chat.messages.schema == pl.Schema(MESSAGE_SCHEMA)
    assert chat.platform == "whatsapp"
    for column in ("chat_id", "msg_id", "is_me", "reply_to"):
        assert chat.messages.get_column(column).null_count() == 2


# --------------------------------------------------------------------------------------
# Date order
# --------------------------------------------------------------------------------------


def order_of(lines: list[str], date_order: str | None = None) -> str:
    return parse("\n".join(lines) + "\n", date_order=date_order).details["date_order"]


def test_a_first_field_above_twelve_means_day_first() -> None:
    assert order_of(["05/06/2023, 10:00 - Maya: a", "13/06/2023, 10:00 - Daniel: b"]) == "dmy"


def test_a_second_field_above_twelve_means_month_first() -> None:
    assert order_of(["06/05/2023, 10:00 - Maya: a", "06/13/2023, 10:00 - Daniel: b"]) == "mdy"


def test_a_four_digit_first_field_means_year_first() -> None:
    assert order_of(["2023/06/05, 10:00 - Maya: a", "2023/06/07, 10:00 - Daniel: b"]) == "ymd"


def test_days_change_more_often_than_months() -> None:
    day_first = ["01/03/24, 10:00 - Maya: a", "02/03/24, 10:00 - Daniel: b",
                 "04/03/24, 10:00 - Maya: c", "07/03/24, 10:00 - Daniel: d"]
    assert order_of(day_first) == "dmy"
    month_first = ["3/1/24, 10:00 - Maya: a", "3/2/24, 10:00 - Daniel: b",
                   "3/4/24, 10:00 - Maya: c", "3/7/24, 10:00 - Daniel: d"]
    assert order_of(month_first) == "mdy"


def test_dates_do_not_run_backwards() -> None:
    # Day-first: 12 May, 1 Jun, 2 Jun, 3 Jun. Month-first: 5 Dec, then 6 Jan of the same
    # year, which runs backwards; no field is above 12, so that step decides.
    lines = ["12/05/23, 10:00 - Maya: a", "01/06/23, 10:00 - Daniel: b",
             "02/06/23, 10:00 - Maya: c", "03/06/23, 10:00 - Daniel: d"]
    assert order_of(lines) == "dmy"


def test_an_us_clock_settles_what_the_dates_leave_open() -> None:
    # Android writes "M/d/yy, h:mm AM" for US English; day-first English locales write "am".
    us = [f"3/2/26, 9:01{NNBSP}AM - Maya: a", f"3/2/26, 9:20{NNBSP}AM - Daniel: b"]
    chat = parse("\n".join(us) + "\n")
    assert chat.details["date_order"] == "mdy"
    assert chat.details["date_order_from"] == "clock style"
    assert chat.messages.get_column("ts")[0] == datetime(2026, 3, 2, 9, 1, tzinfo=timezone.utc)
    for lines in (
        [f"3/2/26, 9:01{NNBSP}am - Maya: a", f"3/2/26, 9:20{NNBSP}am - Daniel: b"],
        [f"[3/2/26, 9:01:00{NNBSP}AM] Maya: a", f"[3/2/26, 9:20:00{NNBSP}AM] Daniel: b"],
        [f"3/2/2026, 9:01{NNBSP}AM - Maya: a", f"3/2/2026, 9:20{NNBSP}AM - Daniel: b"],
    ):
        with pytest.raises(DateOrderUnknown):
            parse("\n".join(lines) + "\n")


def test_the_dates_outweigh_the_clock_style() -> None:
    lines = [f"13/2/26, 9:01{NNBSP}AM - Maya: a", f"14/2/26, 9:20{NNBSP}AM - Daniel: b"]
    assert order_of(lines) == "dmy"


def test_given_date_order_wins() -> None:
    lines = ["01/03/24, 10:00 - Maya: a", "02/03/24, 10:00 - Daniel: b",
             "04/03/24, 10:00 - Maya: c"]
    assert order_of(lines, date_order="mdy") == "mdy"
    chat = parse("\n".join(lines) + "\n", date_order="mdy")
    assert chat.messages.get_column("ts")[0] == datetime(2024, 1, 3, 10, tzinfo=timezone.utc)
    assert chat.details["date_order_from"] == "given"


def test_an_undecidable_date_order_asks_for_one() -> None:
    text = "03/04/2024, 09:00 - Maya: Morning\n03/04/2024, 21:30 - Daniel: Night\n"
    with pytest.raises(DateOrderUnknown) as caught:
        parse(text)
    assert caught.value.candidates == ["dmy", "mdy"]
    message = str(caught.value)
    assert "WhatsApp Chat with Daniel.txt" in message
    assert "--date-order dmy or mdy" in message
    assert "Morning" not in message and "Night" not in message
    assert caught.value.exit_code == 2


def test_a_wrong_date_order_is_reported_with_its_line() -> None:
    text = "13/04/2024, 09:00 - Maya: Morning\n14/04/2024, 21:30 - Daniel: Night\n"
    with pytest.raises(ParseError) as caught:
        parse(text, date_order="mdy")
    assert caught.value.position.endswith("line 1")
    assert "--date-order dmy" in str(caught.value)
    assert "Morning" not in str(caught.value)


def test_unknown_date_order_option_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        parse("13/04/2024, 09:00 - Maya: a\n", date_order="ydm")


# --------------------------------------------------------------------------------------
# Time zones
# --------------------------------------------------------------------------------------


def test_local_times_become_utc_across_daylight_saving_changes() -> None:
    text = (
        "26/03/2023, 01:59 - Maya: before spring forward\n"
        "26/03/2023, 03:00 - Daniel: after spring forward\n"
        "29/10/2023, 02:30 - Maya: the hour that happens twice\n"
        "29/10/2023, 03:30 - Daniel: after fall back\n"
    )
    chat = parse(text, tz="Europe/Berlin")
    utc = timezone.utc
    assert chat.messages.get_column("ts").to_list() == [
        datetime(2023, 3, 26, 0, 59, tzinfo=utc),
        datetime(2023, 3, 26, 1, 0, tzinfo=utc),
        datetime(2023, 10, 29, 0, 30, tzinfo=utc),  # the first of the two 02:30s
        datetime(2023, 10, 29, 2, 30, tzinfo=utc),
    ]
    assert set(chat.messages.get_column("tz")) == {"Europe/Berlin"}
    assert chat.tz == "Europe/Berlin"


@settings(max_examples=40, deadline=None)
@given(
    zone=st.sampled_from(
        ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata",
         "America/St_Johns", "Pacific/Chatham", "Asia/Kathmandu", "UTC"]
    ),
    times=st.lists(st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31)), max_size=200),
)
def test_hourly_offsets_agree_with_localize(zone: str, times: list[datetime]) -> None:
    # Every hour around each time, plus the times, with minutes in the transition hours.
    wall = pl.Series("t", times, dtype=pl.Datetime("us")).dt.truncate("1s")
    wall = pl.concat([wall, wall.dt.offset_by("30m"), wall.dt.offset_by("1h")])
    exact = wall.to_frame().select(localize(pl.col("t"), zone)).to_series()
    fast = _to_utc(wall.cast(pl.Int64), zone)
    assert fast.to_list() == exact.to_list()


def test_hourly_offsets_around_half_hour_shifts() -> None:
    # Lord Howe Island moves its clocks by 30 minutes at 02:00.
    wall = pl.datetime_range(
        datetime(2023, 9, 30, 23), datetime(2023, 10, 1, 4), "1m", eager=True
    ).append(pl.datetime_range(datetime(2023, 4, 1, 23), datetime(2023, 4, 2, 4), "1m", eager=True))
    wall = wall.cast(pl.Datetime("us")).alias("t")
    exact = wall.to_frame().select(localize(pl.col("t"), "Australia/Lord_Howe")).to_series()
    assert _to_utc(wall.cast(pl.Int64), "Australia/Lord_Howe").to_list() == exact.to_list()


def test_no_zone_given_means_this_machines_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    chat = IMPORTER.parse(source("31/12/2023, 21:41 - Maya: Hi\n"), ParseOptions())[0]
    assert chat.tz == "Asia/Tokyo"
    assert chat.messages.get_column("ts")[0] == datetime(2023, 12, 31, 12, 41, tzinfo=timezone.utc)


def test_an_unknown_zone_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="Mars/Olympus"):
        parse("31/12/2023, 21:41 - Maya: Hi\n", tz="Mars/Olympus")


# --------------------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------------------


def test_identical_messages_in_the_same_minute_stay_separate() -> None:
    text = "31/12/2023, 21:41 - Maya: ok\n" * 3
    chat = parse(text)
    assert chat.messages.height == 3
    assert chat.messages.get_column("seq").to_list() == [0, 1, 2]


def test_out_of_order_lines_are_sorted_and_keep_their_file_position() -> None:
    text = (
        "31/12/2023, 21:45 - Maya: third\n"
        "31/12/2023, 21:41 - Daniel: first\n"
        "31/12/2023, 21:41 - Maya: second\n"
    )
    chat = parse(text)
    assert chat.messages.get_column("text").to_list() == ["first", "second", "third"]
    assert chat.messages.get_column("seq").to_list() == [1, 2, 0]
    assert chat.participants == ["Maya", "Daniel"]


def test_bodies_keep_colons_and_lines() -> None:
    text = "31/12/2023, 21:41 - Maya: Note: this\nthat: too\n\nend\n31/12/2023, 21:42 - Daniel: ok\n"
    assert rows(text) == [("Maya", "text", "Note: this\nthat: too\n\nend"), ("Daniel", "text", "ok")]


def test_a_continuation_line_that_only_looks_odd_is_still_text() -> None:
    text = "31/12/2023, 21:41 - Maya: list\n31/12 is new year's eve\n[x] done\n"
    assert rows(text) == [("Maya", "text", "list\n31/12 is new year's eve\n[x] done")]


def test_typed_words_that_resemble_notices_stay_text() -> None:
    text = (
        f"[31/12/2023, 21:41:00] Maya: I added salt\n"
        f"[31/12/2023, 21:42:00] Daniel: Video call?\n"
        f"[31/12/2023, 21:43:00] Maya: She changed her phone number\n"
        f"[31/12/2023, 21:44:00] Daniel: {LRM}Maya added Daniel\n"
        f"[31/12/2023, 21:45:00] Maya: Video call 2\n"
        f"[31/12/2023, 21:46:00] Maya: Video call, 2 min\n"
    )
    assert [k for _, k, _ in rows(text)] == ["text", "text", "text", "system", "text", "call"]


def test_system_lines_have_no_sender_and_do_not_count_as_participants() -> None:
    text = (
        f"[31/12/2023, 21:41:00] Daniel: {LRM}Messages and calls are end-to-end encrypted.\n"
        "[31/12/2023, 21:42:00] Maya: Hi\n"
    )
    chat = parse(text)
    assert chat.participants == ["Maya"]
    assert chat.messages.get_column("sender").to_list() == [None, "Maya"]


# --------------------------------------------------------------------------------------
# Titles
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "archive", "title"),
    [
        ("WhatsApp Chat with Daniel.txt", None, "Daniel"),
        ("WhatsApp Chat mit Daniel.txt", None, "Daniel"),
        ("Chat de WhatsApp con Daniel.txt", None, "Daniel"),
        ("Conversa do WhatsApp com Daniel.txt", None, "Daniel"),
        ("Чат WhatsApp с Daniel.txt", None, "Daniel"),
        ("WhatsApp Chat with Daniel (1).txt", None, "Daniel"),
        ("_chat.txt", "WhatsApp Chat - Daniel 🌸", "Daniel 🌸"),
        ("_chat.txt", None, None),
    ],
)
def test_title_comes_from_the_file_or_archive_name(
    name: str, archive: str | None, title: str | None
) -> None:
    zip_path = Path(f"{archive}.zip") if archive else Path("export.zip")
    src = Source(zip_path, member=name, data=b"31/12/2023, 21:41 - Maya: Hi\n")
    assert IMPORTER.parse(src, ParseOptions(tz="UTC"))[0].title == title


# --------------------------------------------------------------------------------------
# Sniffing
# --------------------------------------------------------------------------------------

NOT_WHATSAPP = {
    "empty": b"",
    "blank": b"\n\n  \n",
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
    "prose": b"Dear diary,\nToday we met at 7. It was 31/12/2023, a cold night - lovely.\n",
    "json": json.dumps({"name": "Daniel", "messages": [{"date": "2023-12-31T21:41:00",
                        "from": "Maya", "text": "31/12/2023, 21:41 - Maya: hi"}]}).encode(),
    "telegram": b'{\n "name": "Daniel",\n "type": "personal_chat",\n "id": 1,\n "messages": []\n}',
    "csv": b"date,sender,text\n2023-12-31 21:41,Maya,hi\n2023-12-31 21:42,Daniel,hey\n",
    "csv_no_header": b"31/12/2023, 21:41, Maya, hi\n31/12/2023, 21:42, Daniel, hey\n",
    "xml": b'<?xml version="1.0"?>\n<smses count="1"><sms date="1704055260000" body="hi"/></smses>',
    "line": (
        "[LINE] Chat history with Daniel\nSaved on: 2023/12/31 21:41\n\n"
        "2023/12/31(Sun)\n21:41\tMaya\thi\n21:42\tDaniel\they\n"
    ).encode(),
    "html": b"<html><body><div class='message'>31/12/2023, 21:41 - Maya: hi</div></body></html>",
    "log": b"INFO starting\n31/12/2023, 21:41 - Maya: hi\n",
}


@pytest.mark.parametrize("name", sorted(NOT_WHATSAPP))
def test_sniff_refuses_what_is_not_a_whatsapp_export(name: str) -> None:
    assert IMPORTER.sniff(source(NOT_WHATSAPP[name], name=f"{name}.txt")) is False


def test_sniff_never_raises_on_a_missing_file_or_a_folder(tmp_path: Path) -> None:
    assert IMPORTER.sniff(Source(tmp_path / "gone.txt")) is False
    assert IMPORTER.sniff(Source(tmp_path)) is False


def test_sniff_reads_content_not_names() -> None:
    android = b"31/12/2023, 21:41 - Maya: Hi\n"
    assert IMPORTER.sniff(source(android, name="notes.txt"))
    assert not IMPORTER.sniff(source(b"Hello there\n", name="WhatsApp Chat with Daniel.txt"))


def test_sniff_only_looks_at_the_head() -> None:
    big = b"31/12/2023, 21:41 - Maya: Hi\n" + b"x" * 10_000_000 + b"\n\x00\x00"
    assert IMPORTER.sniff(source(big))


def test_sniff_claims_no_other_formats_test_data() -> None:
    others = [
        path
        for path in DATA.rglob("*")
        if path.is_file() and path.relative_to(DATA).parts[0] != "whatsapp"
    ]
    claimed = [str(p.relative_to(DATA)) for p in others if IMPORTER.sniff(Source(p))]
    assert claimed == []


# --------------------------------------------------------------------------------------
# Errors: one sentence, a position, no message text
# --------------------------------------------------------------------------------------

SECRET = "our little secret"


def test_an_empty_file_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="empty"):
        parse(b"")


def test_a_file_without_messages_is_a_parse_error() -> None:
    with pytest.raises(ParseError) as caught:
        parse(f"{SECRET}\nand more of it\n")
    assert "WhatsApp" in caught.value.reason
    assert SECRET not in str(caught.value)


def test_a_broken_first_message_is_reported_at_its_line() -> None:
    text = f"\n{SECRET}\n31/12/2023, 21:41 - Maya: {SECRET}\n31/12/2023, 21:42 - Daniel: ok\n"
    with pytest.raises(ParseError) as caught:
        parse(text)
    assert caught.value.position == "WhatsApp Chat with Daniel.txt, line 2"
    assert SECRET not in str(caught.value)
    assert "Chat.zip" in str(caught.value)


def test_an_impossible_date_is_reported_without_text() -> None:
    text = f"30/12/2023, 21:41 - Maya: hi\n31/02/2024, 10:00 - Daniel: {SECRET}\n"
    with pytest.raises(ParseError) as caught:
        parse(text)
    assert caught.value.position.endswith("line 2")
    assert SECRET not in str(caught.value)


def test_a_file_without_a_final_newline_is_whole() -> None:
    assert rows("\n\n31/12/2023, 21:41 - Maya: Hi") == [("Maya", "text", "Hi")]
    assert IMPORTER.sniff(source("31/12/2023, 21:41 - Maya: Hi"))


def test_invalid_utf8_is_read_not_refused() -> None:
    chat = parse(b"31/12/2023, 21:41 - Maya: caf\xe9\n")
    assert chat.messages.get_column("text")[0] == "caf\ufffd"


def test_a_unit_separator_in_the_text_is_dropped_not_fatal() -> None:
    chat = parse("31/12/2023, 21:41 - Maya: a\x1fb\n31/12/2023, 21:42 - Daniel: ok\n")
    assert chat.messages.get_column("text").to_list() == ["ab", "ok"]


def test_progress_is_reported() -> None:
    calls: list[tuple] = []
    options = ParseOptions(tz="UTC", progress=lambda d, t, w: calls.append((d, t)))
    IMPORTER.parse(source("31/12/2023, 21:41 - Maya: Hi\n"), options)
    assert calls[0] == (0, 3) and calls[-1] == (3, 3)
