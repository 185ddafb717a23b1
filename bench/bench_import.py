"""Benchmark: a full import of a 1,000,000-message WhatsApp export into a fresh store.

Run ``python bench/bench_import.py [--messages N]``. The export comes from the seeded
generator of ``bench_parse.py``. The import runs in a child process, so its peak memory
(``ru_maxrss``) is its own, and reports each phase as ``fonder.import_path`` runs it: read
and parse, ids and "me", tone labels, writing the store. A second import of the same file
(which must add nothing) is timed too. The foundation's target on the 2-core machine: the
import (parse, ids, store) in <= 6 s at <= 1.5 GB peak; tone labels, added later, are timed
on their own line and in the full import. The table goes to stdout, the numbers to ``bench/out/import.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

from bench_parse import generate  # noqa: E402

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
import polars as pl
from fonder import tone
from fonder.ingest import ParseOptions, finalize, read
from fonder.store import ChatWrite, open_store
from fonder.api import _label_chats
import fonder

path, db = Path(sys.argv[1]), Path(sys.argv[2])
t = {}
t0 = time.perf_counter()
found = read(path, ParseOptions(tz="Europe/London"))
t["read+parse"] = time.perf_counter() - t0
t1 = time.perf_counter()
final = finalize(found[0].parsed, source_name=path.name, me="Maya")
t["ids+me"] = time.perf_counter() - t1
labelled = {}

def labeler(frames):
    t2 = time.perf_counter()
    out = _label_chats(frames)
    labelled["seconds"] = time.perf_counter() - t2
    labelled["rows"] = sum(f.height for f in out)
    return out

t3 = time.perf_counter()
with open_store(db) as store:
    store.write([ChatWrite(final.chat_id, final.platform, final.title, final.participants, final.me,
                           final.them, final.tz, final.messages, "whatsapp", path.name,
                           found[0].sha256)], labeler=labeler, tone_version=tone.TONE_VERSION)
t["tone labels (new messages)"] = labelled["seconds"]
t["store write"] = time.perf_counter() - t3 - labelled["seconds"]
t["full import"] = time.perf_counter() - t0
t["full import without labels"] = t["full import"] - t["tone labels (new messages)"]
rows = final.messages.height
t4 = time.perf_counter()
again = fonder.import_path(path, db=db, me="Maya", tz="Europe/London")
t["re-import (adds nothing)"] = time.perf_counter() - t4
assert again.chats[0].added == 0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"rows": rows, "seconds": t, "peak_bytes": peak, "labels": labelled["rows"]}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=1_000_000)
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    export = OUT / f"import-{args.messages}.txt"
    if not export.exists():
        generate(export, args.messages)
    with tempfile.TemporaryDirectory() as tmp:
        res = subprocess.run(
            [sys.executable, "-c", CHILD, str(export), str(Path(tmp) / "bench.duckdb")],
            capture_output=True, text=True, check=False,
        )
    if res.returncode != 0:
        sys.exit(f"import benchmark failed:\n{res.stderr}")
    data = json.loads(res.stdout.strip().splitlines()[-1])
    size_mb = export.stat().st_size / 1e6
    print(f"Import of {data['rows']:,} rows ({size_mb:.0f} MB export, {data['labels']:,} tone labels)")
    print(f"{'phase':<28}{'seconds':>10}")
    for phase, secs in data["seconds"].items():
        print(f"{phase:<28}{secs:>10.2f}")
    print(f"{'peak memory':<28}{data['peak_bytes'] / 2**20:>9.0f} MB")
    plain = data["seconds"]["full import without labels"]
    met = plain <= 6 and data["peak_bytes"] <= 1.5 * 2**30
    print(f"target: import without labels <= 6 s at <= 1536 MB -> {'met' if met else 'NOT met'}")
    (OUT / "import.json").write_text(json.dumps({"messages": args.messages, **data}, indent=2))


if __name__ == "__main__":
    main()
