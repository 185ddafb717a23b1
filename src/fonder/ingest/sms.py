"""SMS Backup & Restore (Android): the ``sms-….xml`` and ``calls-….xml`` files it writes.

The messages file::

    <smses count="2">
      <sms protocol="0" address="+15551234567" date="1709370060000" type="1" body="hi"
           read="1" readable_date="…" contact_name="Daniel" … />
      <mms date="1709370120000" msg_box="2" address="+15551234567" m_id="…" ct_t="…" …>
        <parts><part seq="0" ct="image/jpeg" cl="IMG_1.jpg" data="…base64…"/>
               <part seq="0" ct="text/plain" text="look!"/></parts>
        <addrs><addr address="+15551234567" type="151"/><addr address="…" type="137"/></addrs>
      </mms>
    </smses>

and the calls file ``<calls><call number duration date type contact_name …/></calls>``. One
importer (:class:`SmsBackupImporter`) reads both: its ``sniff`` recognises either root, and
both give chats keyed by the other side's number, so fonder merges a person's calls into
their messages when both files are imported together (a folder or a zip).

How rows are read:

- Direction: ``sms/@type`` 1 received, 2 sent, 4 outbox and 6 queued (on their way out: sent);
  3 drafts and 5 failed were never delivered and are skipped (counted in ``details``). MMS
  ``msg_box`` uses the same numbers. Sent rows are from ``"Me"`` (``me="Me"``); received ones
  from the contact's ``contact_name``, or the number when the phone had no name for it.
- ``date`` is epoch milliseconds (UTC). The literal ``null`` means "no value".
- MMS parts: ``text/plain`` parts are the text, the first other part (SMIL layout aside) makes
  the row ``media`` (its MIME type) or ``contact`` (a vCard). An MMS with several addresses
  is a group (``is_group``); its incoming rows are from the ``type="137"`` (from) address.
- Calls: type 1 incoming and 7 answered elsewhere are ``call`` from the contact, 2 outgoing a
  ``call`` from "Me" (a ``missed_call`` when it lasted 0 s), 3 missed, 4 voicemail, 5 rejected
  and 6 blocked are ``missed_call`` from the contact; ``duration`` goes in ``call_s``.
- Numbers are keyed by their last 8 digits, so ``+1 (555) 123-4567`` and ``5551234567`` are
  the same person; e-mail addresses and short codes are keyed as written.

The app writes emoji as pairs of UTF-16 surrogate character references (``&#55357;&#56832;``),
which XML forbids; :class:`RepairedXml` rewrites them (and other references XML forbids) into
real characters while the file streams into the parser, so a file of any size is read in
constant memory besides its rows.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import polars as pl

from ..errors import ParseError
from ..model import conform
from .base import ParsedChat, ParseOptions, Source

PLATFORM = "sms"
ME = "Me"
#: Bytes read from the file at a time.
READ_BYTES = 1024 * 1024
#: Rows gathered in Python lists before they become a Polars frame.
FRAME_ROWS = 100_000
#: Dates past this (the year 2500, in milliseconds) are not dates a phone wrote.
MAX_DATE_MS = 16_725_225_600_000
#: How deep elements nest in a real backup (``smses › mms › parts › part``).
MAX_DEPTH = 6

_ROOT = re.compile(
    r"\A\ufeff?\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*)*<(smses|calls)[\s>/]", re.DOTALL
)

# --- repairing the XML while it streams -----------------------------------------------------------

#: Character references XML forbids or that need pairing: UTF-16 surrogates and FFFE/FFFF
#: (decimal 55xxx-57xxx and 65534-5), control characters, and any hexadecimal reference.
_SUSPECT_REF = re.compile(
    rb"&#(?:(5[5-7]\d{3}|6553[45])|0*([0-8]|1[124-9]|2\d|3[01])|[xX]([0-9a-fA-F]{1,6}));"
)
#: A high surrogate written as a reference, at the end of a piece of text.
_HIGH_AT_END = re.compile(rb"&#(?:5529[6-9]|55[3-9]\d\d|56[0-2]\d\d|563[01]\d|[xX][dD][89abAB][0-9a-fA-F]{2});\Z")
#: Raw control bytes XML forbids (tab, newline and carriage return are allowed).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13))
_REPLACEMENT = "\ufffd".encode()


def _code_point(m: re.Match[bytes]) -> int:
    if m.group(1) is not None:
        return int(m.group(1))
    if m.group(2) is not None:
        return int(m.group(2))
    return int(m.group(3), 16)


def repair_references(data: bytes) -> bytes:
    """Rewrite character references XML rejects: surrogate pairs become the character they
    encode (as UTF-8), lone surrogates and non-characters become U+FFFD, control characters
    are dropped; raw control bytes are dropped too."""
    data = data.translate(None, _CONTROL_BYTES)
    if b"&#" not in data:
        return data
    out: list[bytes] = []
    last = 0
    pending: re.Match[bytes] | None = None  # a high surrogate waiting for its low half
    for m in _SUSPECT_REF.finditer(data):
        cp = _code_point(m)
        if pending is not None:
            if m.start() == pending.end() and 0xDC00 <= cp <= 0xDFFF:
                high = _code_point(pending)
                char = 0x10000 + ((high - 0xD800) << 10) + (cp - 0xDC00)
                out.append(chr(char).encode())
                last = m.end()
                pending = None
                continue
            out.append(_REPLACEMENT)
            last = pending.end()
            pending = None
        out.append(data[last : m.start()])
        last = m.start()
        if 0xD800 <= cp <= 0xDBFF:
            pending = m
            last = m.end()
        elif 0xDC00 <= cp <= 0xDFFF or cp in (0xFFFE, 0xFFFF) or cp > 0x10FFFF:
            out.append(_REPLACEMENT)
            last = m.end()
        elif cp < 32 and cp not in (9, 10, 13):
            last = m.end()  # dropped
        # else: a valid reference; it stays as written
    if pending is not None:
        out.append(_REPLACEMENT)
        last = pending.end()
    out.append(data[last:])
    return b"".join(out)


class RepairedXml:
    """A file-like reader that yields the bytes of ``raw`` with :func:`repair_references` applied.

    Chunks are cut before a reference that may continue in the next chunk (an ``&`` near the
    end, and a high surrogate just before it), so a pair split by a chunk boundary is still
    joined.
    """

    def __init__(self, raw: BinaryIO, chunk: int | None = None) -> None:
        self.raw = raw
        self.chunk = chunk or READ_BYTES
        self.carry = b""
        self.done = False
        self.consumed = 0

    def read(self, size: int = -1) -> bytes:
        while not self.done:
            block = self.raw.read(self.chunk)
            self.consumed += len(block)
            data = self.carry + block
            if not block:
                self.done = True
                self.carry = b""
                return repair_references(data)
            cut = len(data)
            amp = data.rfind(b"&", max(0, len(data) - 16))
            if amp != -1:
                cut = amp
                high = _HIGH_AT_END.search(data, max(0, cut - 16), cut)
                if high is not None:
                    cut = high.start()
            self.carry = data[cut:]
            if cut:
                return repair_references(data[:cut])
        return b""


# --- rows -------------------------------------------------------------------------------------------


@dataclass
class _Person:
    """What the file says about one address."""

    names: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)

    def display(self) -> str:
        if self.names:
            return self.names[0]
        # The most complete way the number was written (with its country code when seen).
        return max(self.numbers, key=lambda n: (n.startswith("+"), len(n)))


@dataclass
class _Rows:
    """Rows gathered while the XML streams, flushed to Polars frames every FRAME_ROWS."""

    chat: list[str] = field(default_factory=list)
    sender: list[str | None] = field(default_factory=list)  # an address key, or ME
    date: list[int] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    text: list[str | None] = field(default_factory=list)
    media: list[str | None] = field(default_factory=list)
    call_s: list[int | None] = field(default_factory=list)
    msg_id: list[str | None] = field(default_factory=list)
    seq: list[int] = field(default_factory=list)
    frames: list[pl.DataFrame] = field(default_factory=list)

    def add(self, chat: str, sender: str | None, date: int, kind: str, text: str | None,
            media: str | None, call_s: int | None, msg_id: str | None, seq: int) -> None:
        self.chat.append(chat)
        self.sender.append(sender)
        self.date.append(date)
        self.kind.append(kind)
        self.text.append(text)
        self.media.append(media)
        self.call_s.append(call_s)
        self.msg_id.append(msg_id)
        self.seq.append(seq)
        if len(self.seq) >= FRAME_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.seq:
            return
        self.frames.append(
            pl.DataFrame(
                {
                    "chat": self.chat,
                    "sender": self.sender,
                    "date": self.date,
                    "kind": self.kind,
                    "text": self.text,
                    "media": self.media,
                    "call_s": self.call_s,
                    "msg_id": self.msg_id,
                    "seq": self.seq,
                },
                schema={
                    "chat": pl.String, "sender": pl.String, "date": pl.Int64, "kind": pl.String,
                    "text": pl.String, "media": pl.String, "call_s": pl.Int32,
                    "msg_id": pl.String, "seq": pl.Int64,
                },
            )
        )
        for name in ("chat", "sender", "date", "kind", "text", "media", "call_s", "msg_id", "seq"):
            getattr(self, name).clear()


def _value(v: str | None) -> str | None:
    """An attribute's value; ``None`` for missing, empty or the literal ``null``."""
    if v is None or v == "" or v == "null":
        return None
    return v


_NOT_DIGIT = re.compile(r"\D")
_SEPARATORS = re.compile(r"[\s\-().]")


def address_key(address: str) -> str:
    """The key a number is known by: its last 8 digits, so that ``+1 555-123-4567`` and
    ``5551234567`` match; e-mail addresses and names (``VERIZON``) lowercased as written."""
    a = address.strip()
    if "@" in a or any(c.isalpha() for c in a):
        return a.lower()
    digits = _NOT_DIGIT.sub("", a)
    if not digits:
        return a
    return digits[-8:]


def _clean_number(address: str) -> str:
    """``+1 (555) 123-4567`` → ``+15551234567``."""
    return _SEPARATORS.sub("", address.strip())


class SmsBackupImporter:
    """Reads SMS Backup & Restore's messages (``<smses>``) and calls (``<calls>``) files."""

    name = "sms"
    label = "SMS Backup & Restore (Android XML)"

    def sniff(self, source: Source) -> bool:
        head = source.head(8192)
        if b"<smses" not in head and b"<calls" not in head:
            return False
        try:
            text = head.decode("utf-8", "ignore")
        except Exception:  # noqa: BLE001 - sniffing never raises
            return False
        return _ROOT.match(text) is not None

    def parse(self, source: Source, options: ParseOptions) -> list[ParsedChat]:
        where = source.path if source.member is None else Path(source.member)
        if source.member is None:
            try:
                raw: BinaryIO = open(source.path, "rb")  # noqa: SIM115 - closed below
            except OSError as exc:
                raise ParseError(where, "", f"The file cannot be read ({exc.strerror}) — check it and try again") from exc
            total = source.path.stat().st_size
        else:
            data = source.read_bytes()
            raw = io.BytesIO(data)
            total = len(data)
        try:
            return _Parser(where, source.name, options, total).run(RepairedXml(raw))
        finally:
            raw.close()


class _Parser:
    """One pass over one file."""

    def __init__(self, where: Path, name: str, options: ParseOptions, total: int) -> None:
        self.where = where
        self.name = name
        self.options = options
        self.total = total
        self.rows = _Rows()
        self.people: dict[str, _Person] = {}
        self.seen: dict[tuple[str, str | None], str] = {}
        self.groups: dict[str, list[str]] = {}  # chat key → member keys, for group MMS
        self.skipped: dict[str, int] = {}
        self.record = 0
        self.root: str | None = None

    def fail(self, position: str, reason: str) -> ParseError:
        return ParseError(self.where, position, reason)

    def skip(self, why: str) -> None:
        self.skipped[why] = self.skipped.get(why, 0) + 1

    def person(self, address: str, name: str | None) -> str:
        """The key of ``address``, noting the name and spelling the file gives it."""
        seen = self.seen.get((address, name))
        if seen is not None:  # most rows repeat an address and name already noted
            return seen
        key = self.seen[(address, name)] = address_key(address)
        p = self.people.setdefault(key, _Person())
        if name and name != "(Unknown)" and name not in p.names:
            p.names.append(name)
        number = _clean_number(address)
        if number not in p.numbers:
            p.numbers.append(number)
        return key

    def events(self, stream: RepairedXml) -> Iterator[tuple[str, ET.Element]]:
        parser = ET.XMLPullParser(events=("start", "end"))
        first = True
        while True:
            data = stream.read()
            if first:
                first = False
                if not data.strip():
                    raise self.fail("", "The file is empty — export the backup again from SMS Backup & Restore")
                self.check_prolog(data)
            if not data:
                break
            try:
                parser.feed(data)
                yield from parser.read_events()
            except ET.ParseError as exc:
                raise self.xml_error(exc) from exc
            self.options.progress(stream.consumed, self.total, f"reading {self.name}")
        try:
            parser.close()
            yield from parser.read_events()
        except ET.ParseError as exc:
            raise self.xml_error(exc) from exc

    def check_prolog(self, data: bytes) -> None:
        text = data[:65536].decode("utf-8", "ignore")
        root = re.search(r"<(smses|calls)[\s>/]", text)
        before = text[: root.start()] if root else text
        if "<!DOCTYPE" in before or "<!ENTITY" in before:
            raise self.fail(
                "line 1",
                "The file declares a DTD, which SMS Backup & Restore never writes — export the "
                "backup again from the app",
            )

    def xml_error(self, exc: ET.ParseError) -> ParseError:
        line = exc.position[0] if getattr(exc, "position", None) else 0
        if "no element found" in str(exc) or "unclosed token" in str(exc):
            reason = "The file ends in the middle of the XML (it was cut short) — copy or export the backup again"
        else:
            reason = "The XML is broken at this point — export the backup again from SMS Backup & Restore"
        return self.fail(f"line {line}" if line else "", reason)

    def run(self, stream: RepairedXml) -> list[ParsedChat]:
        depth = 0
        root: ET.Element | None = None
        for event, elem in self.events(stream):
            if event == "start":
                depth += 1
                if depth > MAX_DEPTH:
                    raise self.fail(
                        f"record {self.record + 1}",
                        "The XML nests deeper than an SMS backup does — this is not a file SMS "
                        "Backup & Restore wrote; export the backup again",
                    )
                if root is None:
                    root = elem
                    if elem.tag not in ("smses", "calls"):
                        raise self.fail(
                            "line 1",
                            f"The XML's root is <{elem.tag[:40]}>, not <smses> or <calls>, so it is "
                            "not an SMS Backup & Restore backup — import the sms-….xml or calls-….xml file",
                        )
                    self.root = elem.tag
                continue
            depth -= 1
            if depth != 1:
                continue
            self.record += 1
            tag = elem.tag
            if self.root == "smses" and tag == "sms":
                self.sms(elem)
            elif self.root == "smses" and tag == "mms":
                self.mms(elem)
            elif self.root == "calls" and tag == "call":
                self.call(elem)
            else:
                self.skip("other_elements")
            if root is not None:
                root.clear()  # keep memory flat: each record is done with once read
        if root is None:
            raise self.fail("", "The file is empty — export the backup again from SMS Backup & Restore")
        self.rows.flush()
        return self.chats()

    # --- records ------------------------------------------------------------------------------

    def date_of(self, elem: ET.Element) -> int | None:
        raw = _value(elem.get("date"))
        if raw is None:
            self.skip("undated")
            return None
        try:
            value = int(raw)
        except ValueError:
            value = -1
        if not 0 <= value < MAX_DATE_MS:
            raise self.fail(
                f"record {self.record}",
                "A date is not a number of milliseconds as SMS Backup & Restore writes it — "
                "export the backup again",
            )
        return value

    def number_of(self, elem: ET.Element, attr: str, what: str) -> int | None:
        raw = _value(elem.get(attr))
        if raw is None:
            return None
        try:
            return int(raw)
        except ValueError:
            raise self.fail(
                f"record {self.record}",
                f"The {what} is not a number as SMS Backup & Restore writes it — export the backup again",
            ) from None

    def sms(self, elem: ET.Element) -> None:
        kind_code = self.number_of(elem, "type", "message type")
        address = _value(elem.get("address"))
        if kind_code in (3, 5):
            self.skip("drafts" if kind_code == 3 else "failed")
            return
        if kind_code not in (1, 2, 4, 6):
            self.skip("unknown_type")
            return
        if address is None:
            self.skip("no_address")
            return
        date = self.date_of(elem)
        if date is None:
            return
        key = self.person(address, _value(elem.get("contact_name")))
        body = _value(elem.get("body"))
        if body is None:
            self.skip("empty")
            return
        sender = key if kind_code == 1 else ME
        self.rows.add(key, sender, date, "text", body, None, None, None, self.record)

    def mms(self, elem: ET.Element) -> None:
        box = self.number_of(elem, "msg_box", "message box")
        if box in (3, 5):
            self.skip("drafts" if box == 3 else "failed")
            return
        if box not in (1, 2, 4, 6):
            self.skip("unknown_type")
            return
        date = self.date_of(elem)
        if date is None:
            return
        incoming = box == 1
        addrs = [(a.get("address") or "", _value(a.get("type"))) for a in elem.iter("addr")]
        listed = _value(elem.get("address"))
        names = _value(elem.get("contact_name"))
        if listed is not None:
            others = [a for a in listed.split("~") if _value(a.strip())]
        elif incoming:
            others = [a for a, t in addrs if t == "137"]
        else:
            others = [a for a, t in addrs if t in ("151", "130", "129")]
        others = [a for a in others if a != "insert-address-token"]
        if not others:
            self.skip("no_address")
            return
        # A group's contact_name lists its names in the order of its addresses.
        name_list: list[str | None] = list(names.split(", ")) if names else []
        if len(name_list) != len(others):
            name_list = [names if len(others) == 1 else None] * len(others)
        keys = list(dict.fromkeys(self.person(a, n) for a, n in zip(others, name_list)))
        chat = "~".join(sorted(keys))
        if len(keys) > 1:
            self.groups[chat] = keys
        if not incoming:
            sender: str | None = ME
        else:
            frm = [a for a, t in addrs if t == "137" and a != "insert-address-token"]
            sender = address_key(frm[0]) if frm else keys[0]
            if sender not in self.people:
                self.person(frm[0], None)
        texts: list[str] = []
        media: str | None = None
        kind = "text"
        for part in elem.iter("part"):
            ct = (part.get("ct") or "").lower()
            if ct == "application/smil":
                continue
            if ct == "text/plain":
                t = _value(part.get("text"))
                if t is not None:
                    texts.append(t)
                continue
            if media is None and ct:
                media = ct
                kind = "contact" if "vcard" in ct else "media"
        text = "\n".join(texts) if texts else None
        if kind == "text" and text is None:
            self.skip("empty")
            return
        msg_id = _value(elem.get("m_id"))
        self.rows.add(chat, sender, date, kind, text, media, None, msg_id, self.record)

    def call(self, elem: ET.Element) -> None:
        number = _value(elem.get("number"))
        kind_code = self.number_of(elem, "type", "call type")
        if number is None or number.lstrip("-").isdigit() and int(number) < 0:
            self.skip("private_number")  # withheld numbers are -1, -2 … and belong to no chat
            return
        date = self.date_of(elem)
        if date is None:
            return
        duration = self.number_of(elem, "duration", "call duration") or 0
        key = self.person(number, _value(elem.get("contact_name")))
        if kind_code in (1, 7):
            self.rows.add(key, key, date, "call", None, None, duration, None, self.record)
        elif kind_code == 2:
            kind = "call" if duration > 0 else "missed_call"
            self.rows.add(key, ME, date, kind, None, None, duration if duration > 0 else None, None, self.record)
        elif kind_code in (3, 4, 5, 6):
            self.rows.add(key, key, date, "missed_call", None, None, None, None, self.record)
        else:
            self.skip("unknown_type")

    # --- chats --------------------------------------------------------------------------------

    def chats(self) -> list[ParsedChat]:
        if not self.rows.frames:
            what = "messages" if self.root == "smses" else "calls"
            raise self.fail(
                "",
                f"The backup holds no {what} fonder can read — check that SMS Backup & Restore "
                f"backed up {what}, and export again",
            )
        names = {k: p.display() for k, p in self.people.items()}
        names[ME] = ME
        frame = pl.concat(self.rows.frames, how="vertical")
        self.rows.frames.clear()
        frame = frame.with_columns(
            (pl.col("date") * 1000).cast(pl.Datetime("us", "UTC")).alias("ts"),
            pl.col("sender").replace_strict(names, default=None, return_dtype=pl.String),
            pl.lit("UTC").alias("tz"),
        )
        details: dict[str, str] = {"file": "calls" if self.root == "calls" else "messages"}
        for why, n in sorted(self.skipped.items()):
            details[f"skipped_{why}"] = str(n)
        out = []
        for (key,), part in frame.partition_by("chat", maintain_order=True, as_dict=True).items():
            members = self.groups.get(key, [key])
            messages = conform(part.sort(["ts", "seq"]))
            senders = messages.get_column("sender").drop_nulls().unique(maintain_order=True).to_list()
            everyone = [ME, *(names[m] for m in members)]
            participants = senders + [p for p in everyone if p not in senders]
            title = ", ".join(names[m] for m in members)
            out.append(
                ParsedChat(
                    platform=PLATFORM,
                    messages=messages,
                    participants=participants,
                    chat_key=str(key),
                    title=title,
                    me=ME,
                    tz="UTC",
                    details=dict(details),
                    is_group=len(members) > 1,
                )
            )
        return out
