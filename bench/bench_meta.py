"""Benchmark: importing a whole Instagram download zip of about 2 GB, streaming.

Run ``python bench/bench_meta.py [--gigabytes G] [--threads T] [--messages-per-thread N]``.
A seeded generator writes a made-up "Download your information" zip the way Instagram lays
it out: per-conversation folders of ``message_N.json`` files (newest first, 10,000 messages a
file) and, making up most of the size, photos and videos (random bytes, stored as Instagram
stores them). The import runs in a child process so its peak memory (``ru_maxrss``) is its
own. Target on the 2-core machine: <= 1.5 GB peak. Media members are never read; JSON members
are read one at a time. The table goes to stdout, the numbers to ``bench/out/meta.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"

WORDS = (
    "hey so tonight maybe later sure coffee movie work home tired miss you love haha lol ok "
    "dinner where when what how was your day good great really the a and but then see soon"
).split()
OWNER = "Maya Chen"
PER_FILE = 10_000


def _thread_json(rng: random.Random, other: str, start_ms: int, n: int, thread: str) -> list[bytes]:
    """The message_N.json files of one thread, newest messages in message_1.json."""
    t = start_ms
    msgs = []
    for _ in range(n):
        t += int(rng.expovariate(1 / 600_000))
        who = OWNER if rng.random() < 0.5 else other
        msgs.append(
            {
                "sender_name": who,
                "timestamp_ms": t,
                "content": " ".join(rng.choices(WORDS, k=rng.randint(1, 12))),
                "is_geoblocked_for_viewer": False,
            }
        )
    msgs.reverse()  # Meta writes newest first
    files = []
    for i in range(0, n, PER_FILE):
        files.append(
            json.dumps(
                {
                    "participants": [{"name": other}, {"name": OWNER}],
                    "messages": msgs[i : i + PER_FILE],
                    "title": other,
                    "is_still_participant": True,
                    "thread_path": f"inbox/{thread}",
                    "magic_words": [],
                },
                ensure_ascii=True,
                indent=2,
            ).encode()
        )
    return files


def generate(path: Path, gigabytes: float, threads: int, per_thread: int, seed: int = 11) -> int:
    """Write the zip; returns how many messages it holds."""
    rng = random.Random(seed)
    base = "your_instagram_activity/messages/inbox"
    media_total = int(gigabytes * 2**30)
    media_each = 8 * 2**20
    total = 0
    with zipfile.ZipFile(path, "w") as zf:
        for k in range(threads):
            other = f"Friend {k:03d}"
            thread = f"friend{k:03d}_178414{k:011d}"
            for i, data in enumerate(_thread_json(rng, other, 1_600_000_000_000, per_thread, thread), 1):
                zf.writestr(f"{base}/{thread}/message_{i}.json", data, compress_type=zipfile.ZIP_DEFLATED)
            total += per_thread
        written = 0
        n = 0
        while written < media_total:
            zf.writestr(
                f"{base}/friend{n % threads:03d}_178414{n % threads:011d}/photos/{n:06d}.jpg",
                os.urandom(media_each),
                compress_type=zipfile.ZIP_STORED,
            )
            written += media_each
            n += 1
    return total


CHILD = r"""
import json, resource, sys, time
from pathlib import Path
import fonder
t0 = time.perf_counter()
result = fonder.import_path(Path(sys.argv[1]), db=Path(sys.argv[2]))
took = time.perf_counter() - t0
print(json.dumps({"seconds": took, "chats": len(result.chats), "messages": sum(c.messages for c in result.chats),
                  "peak_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gigabytes", type=float, default=1.9, help="media in the zip (default 1.9)")
    ap.add_argument("--threads", type=int, default=200)
    ap.add_argument("--messages-per-thread", type=int, default=5_000)
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        archive = Path(tmp) / "instagram-maya-2026-11-01.zip"
        t0 = time.perf_counter()
        total = generate(archive, args.gigabytes, args.threads, args.messages_per_thread)
        made = time.perf_counter() - t0
        size = archive.stat().st_size
        res = subprocess.run(
            [sys.executable, "-c", CHILD, str(archive), str(Path(tmp) / "bench.duckdb")],
            capture_output=True, text=True, check=False,
        )
        if res.returncode != 0:
            sys.exit(f"meta import benchmark failed:\n{res.stderr[-2000:]}")
        data = json.loads(res.stdout.strip().splitlines()[-1])
    print(f"Instagram download: {size / 2**30:.2f} GB zip, {args.threads} chats, {total:,} messages (made in {made:.0f} s)")
    print(f"{'import (read, ids, labels, store)':<36}{data['seconds']:>8.1f} s")
    print(f"{'chats imported':<36}{data['chats']:>8}")
    print(f"{'peak memory':<36}{data['peak_bytes'] / 2**20:>8.0f} MB")
    met = data["peak_bytes"] <= 1.5 * 2**30
    print(f"target: <= 1536 MB peak -> {'met' if met else 'NOT met'}")
    (OUT / "meta.json").write_text(json.dumps({"zip_bytes": size, "messages": total, **data}, indent=2))


if __name__ == "__main__":
    main()
