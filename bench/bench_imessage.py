"""Benchmark: importing a 5,000,000-message iMessage ``chat.db``, streaming.

Run ``python bench/bench_imessage.py [--messages N] [--chats N]``. A seeded generator builds a
database with the real table and column names (kept in ``bench/out/``, rebuilt when missing;
the 5M database takes several minutes to build once): one-to-one and group chats, texts,
text only in ``attributedBody``, tapbacks, attachments and edits in the proportions of a real
Mac. Two children, each with its own peak memory (``ru_maxrss``): the parse alone (chats
streamed and let go), and the whole ``fonder.import_path`` into a new store (parse, ids, store
write, tone labels), then the same import again (nothing new). The issue's target is
<= 1.5 GB peak for the import. Figures go to stdout and to ``bench/out/imessage.json``;
nothing fails on a timing.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
SCRIPT = HERE.parent / "tests" / "data" / "imessage" / "basic.sql"

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from fonder.ingest.base import ParseOptions, Source
from fonder.ingest.imessage import IMessageImporter

path = Path(sys.argv[1])
t0 = time.perf_counter()
rows = chats = groups = 0
kinds = {}
for c in IMessageImporter().stream(Source(path), ParseOptions()):
    rows += c.messages.height
    chats += 1
    groups += c.is_group
    for k, n in c.messages.get_column("kind").value_counts().iter_rows():
        kinds[k] = kinds.get(k, 0) + n
seconds = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"rows": rows, "chats": chats, "groups": groups,
                  "seconds": seconds, "peak_bytes": peak, "kinds": kinds}))
"""

IMPORT_CHILD = r"""
import json, resource, sys, tempfile, time
from pathlib import Path
import fonder

with tempfile.TemporaryDirectory() as tmp:
    store = Path(tmp) / "store.duckdb"
    t0 = time.perf_counter()
    first = fonder.import_path(Path(sys.argv[1]), db=store)
    seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = fonder.import_path(Path(sys.argv[1]), db=store)
    again_s = time.perf_counter() - t0
    store_bytes = store.stat().st_size
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"chats": len(first.chats), "skipped_groups": first.skipped_groups,
                  "added": sum(c.added for c in first.chats), "seconds": seconds,
                  "again_added": sum(c.added for c in again.chats), "again_seconds": again_s,
                  "peak_bytes": peak, "store_bytes": store_bytes}))
"""

WORDS = (
    "ok sure see you soon tonight tomorrow love that haha no way are we still on for dinner "
    "running late sorry just got home miss you call me later what time works the movie was "
    "great thanks for today good morning sleep well on my way"
).split()


def typedstream(text: str) -> bytes:
    """An attributedBody blob as Messages writes one."""
    data = text.encode()
    n = len(data)
    size = bytes([n]) if n < 0x80 else b"\x81" + n.to_bytes(2, "little")
    return (
        b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x12NSAttributedString\x00"
        b"\x84\x84\x08NSObject\x00\x85\x92\x84\x84\x84\x08NSString\x01\x94\x84\x01+" + size + data
        + b"\x86\x84\x02iI\x01\x05\x92\x84\x84\x84\x0cNSDictionary\x00\x94\x84\x01i\x01\x92\x84"
        b"\x96\x96\x1d__kIMMessagePartAttributeName\x86\x92\x84\x84\x84\x08NSNumber\x00\x84\x84"
        b"\x07NSValue\x00\x94\x84\x01*\x84\x99\x99\x00\x86\x86\x86"
    )


def generate(path: Path, messages: int, chats: int, seed: int = 7) -> None:
    """A chat.db with ``messages`` rows over ``chats`` chats (one in ten a group)."""
    rnd = random.Random(seed)
    schema = SCRIPT.read_text(encoding="utf-8").split("INSERT", 1)[0]
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    con.executescript(schema)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("CREATE UNIQUE INDEX IF NOT EXISTS maj_idx ON message_attachment_join(message_id, attachment_id)")
    handles = [(i, f"+1555{i:07d}", "iMessage") for i in range(1, chats + 1)]
    con.executemany("INSERT INTO handle (ROWID, id, service) VALUES (?, ?, ?)", handles)
    chat_rows, join_rows = [], []
    for c in range(1, chats + 1):
        if c % 10 == 0:
            chat_rows.append((c, f"iMessage;+;chat{c:012d}", 43, f"chat{c:012d}", "iMessage", f"Group {c}"))
            join_rows += [(c, h) for h in rnd.sample(range(1, chats + 1), 4)]
        else:
            chat_rows.append((c, f"iMessage;-;+1555{c:07d}", 45, f"+1555{c:07d}", "iMessage", None))
            join_rows.append((c, c))
    con.executemany(
        "INSERT INTO chat (ROWID, guid, style, chat_identifier, service_name, display_name) VALUES (?, ?, ?, ?, ?, ?)",
        chat_rows,
    )
    con.executemany("INSERT INTO chat_handle_join (chat_id, handle_id) VALUES (?, ?)", join_rows)
    start = 700_000_000 * 1_000_000_000  # 2023 in Apple nanoseconds
    batch: list[tuple] = []
    joins: list[tuple] = []
    att: list[tuple] = []
    matt: list[tuple] = []
    sql = (
        "INSERT INTO message (ROWID, guid, text, attributedBody, handle_id, service, date, is_from_me, "
        "associated_message_guid, associated_message_type, cache_has_attachments, date_edited) "
        "VALUES (?, ?, ?, ?, ?, 'iMessage', ?, ?, ?, ?, ?, ?)"
    )
    t = start
    for i in range(1, messages + 1):
        chat = rnd.randint(1, chats)
        t += rnd.randint(1, 600) * 1_000_000_000
        me = rnd.random() < 0.5
        handle = 0 if me else (chat if chat % 10 else rnd.randint(1, chats))
        text = " ".join(rnd.choices(WORDS, k=rnd.randint(1, 14)))
        r = rnd.random()
        body = None
        amg, amt, has_att, edited = None, 0, 0, 0
        if r < 0.15:  # macOS 13+: text only in attributedBody
            body, text = typedstream(text), None
        elif r < 0.23:  # a tapback on an earlier message
            amg, amt = f"p:0/M{max(1, i - rnd.randint(1, 50)):09d}", rnd.choice((2000, 2001, 2003, 3000))
        elif r < 0.28:  # a photo
            text, has_att = "\ufffc", 1
            att.append((i, f"at_{i}", "image/jpeg", f"IMG_{i}.JPG"))
            matt.append((i, i))
        elif r < 0.30:
            edited = t + 60_000_000_000
        batch.append((i, f"M{i:09d}", text, body, handle, t, int(me), amg, amt, has_att, edited))
        joins.append((chat, i, t))
        if len(batch) >= 50_000:
            con.executemany(sql, batch)
            con.executemany("INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?, ?, ?)", joins)
            con.executemany("INSERT INTO attachment (ROWID, guid, mime_type, transfer_name) VALUES (?, ?, ?, ?)", att)
            con.executemany("INSERT INTO message_attachment_join (message_id, attachment_id) VALUES (?, ?)", matt)
            batch, joins, att, matt = [], [], [], []
    con.executemany(sql, batch)
    con.executemany("INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?, ?, ?)", joins)
    con.executemany("INSERT INTO attachment (ROWID, guid, mime_type, transfer_name) VALUES (?, ?, ?, ?)", att)
    con.executemany("INSERT INTO message_attachment_join (message_id, attachment_id) VALUES (?, ?)", matt)
    con.commit()
    con.close()
    tmp.replace(path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=5_000_000)
    ap.add_argument("--chats", type=int, default=1000)
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    db = OUT / f"chat-{args.messages}-{args.chats}.db"
    if not db.exists():
        t0 = time.perf_counter()
        generate(db, args.messages, args.chats)
        print(f"generated {db.name} in {time.perf_counter() - t0:.1f} s", flush=True)
    data = _child(CHILD, db)
    data["db_bytes"] = db.stat().st_size
    data["import"] = full = _child(IMPORT_CHILD, db)
    print(
        f"iMessage chat.db: {args.messages:,} messages in {args.chats} chats "
        f"({data['db_bytes'] / 1e6:.0f} MB database)\n"
        f"  parse only: {data['rows']:,} rows into {data['chats']} chats ({data['groups']} groups) "
        f"in {data['seconds']:.1f} s — {data['rows'] / data['seconds'] / 1e6:.2f} M rows/s; "
        f"peak {data['peak_bytes'] / 2**20:.0f} MiB\n"
        f"  full import: {full['added']:,} messages of {full['chats']} one-to-one chats "
        f"({full['skipped_groups']} groups skipped), labels included, in {full['seconds']:.1f} s\n"
        f"  same import again: {full['again_added']:,} added in {full['again_seconds']:.1f} s\n"
        f"  import peak memory {full['peak_bytes'] / 2**20:.0f} MiB (target <= 1,536 MiB); "
        f"store {full['store_bytes'] / 1e6:.0f} MB"
    )
    (OUT / "imessage.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def _child(code: str, db: Path) -> dict:
    """Run one measurement in its own process; its last line is the JSON result."""
    res = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True, check=False)
    if res.returncode != 0:
        sys.exit(f"iMessage benchmark failed:\n{res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
