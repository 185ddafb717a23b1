"""``make bench``: every benchmark, one after the other, each in its own process.

Figures go to stdout and to ``bench/out/*.json``. Benchmarks report; they never fail a build
on a timing. Each runs at its default size; run one alone (``python bench/bench_parse.py
--help``) to choose another.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = [
    "bench_parse.py",
    "bench_import.py",
    "bench_tone.py",
    "bench_analysis.py",
    "bench_imessage.py",
    "bench_meta.py",
    "bench_web.py",
]


def main() -> int:
    failed = []
    for name in BENCHES:
        script = HERE / name
        if not script.exists():
            continue
        print(f"\n=== {name} " + "=" * (60 - len(name)), flush=True)
        if subprocess.run([sys.executable, str(script)], check=False).returncode:
            failed.append(name)
    if failed:
        print(f"\nbenchmarks that did not finish: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
