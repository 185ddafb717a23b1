"""Benchmark: fonder's WhatsApp parser against reading the file and against whatstk.

Run ``python bench/bench_parse.py [--messages N] [--whatstk-messages M]``. A seeded generator
writes a realistic Android export (two people, mixed lengths, multi-line messages, media,
deleted and edited messages, system lines, a year and more of dates) to ``bench/out/``;
each contender then runs in its own subprocess so that peak memory (``ru_maxrss``) is its
own. The table goes to stdout and the numbers to ``bench/out/parse.json``.

Contenders:

* ``read+splitlines`` — read the file as UTF-8 and ``str.splitlines()``: the floor any
  line-based parser stands on.
* ``fonder`` — :class:`fonder.ingest.whatsapp.WhatsAppImporter` ``parse``, end to end
  (decode, header detection, date order, kinds, time zone, the schema frame).
* ``whatstk`` — ``WhatsAppChat.from_source(filepath, hformat=..., max_size=None)`` with the
  header format given explicitly, so it does no detection. whatstk is slow at a million
  messages, so by default it runs on a smaller export (``--whatstk-messages``) and every
  contender is also measured on that same export; rates are per message.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
ROOT = HERE.parent

#: The header format of the generated export, in whatstk's notation.
WHATSTK_HFORMAT = "%d/%m/%Y, %H:%M - %name:"

_WORDS = (
    "hey hi ok okay yes no maybe tonight tomorrow later soon love miss you me we are is was "
    "coffee dinner movie work home tired sleep call text back really haha lol sure sounds good "
    "great what when where why how today weekend plans fun nice sorry thanks thank see think "
    "know want need could would should the a an and but so just also very too much little "
    "train late early morning night walk park beach rain sun cold warm book music song day"
).split()
_EMOJI = ("😂", "❤️", "😘", "👍", "🙈", "😊", "🥺", "🎉", "😴", "☕")
_SPECIAL = (
    "<Media omitted>",
    "This message was deleted",
    "You deleted this message",
    "location: https://maps.google.com/?q=52.520008,13.404954",
    "IMG-20230405-WA0012.jpg (file attached)",
)


def _sentence(rng: random.Random) -> str:
    length = rng.choice((1, 2, 3, 4, 5, 6, 8, 10, 14, 20, 30))
    words = rng.choices(_WORDS, k=length)
    text = " ".join(words)
    if rng.random() < 0.2:
        text += " " + rng.choice(_EMOJI)
    if rng.random() < 0.1:
        text += "?"
    return text.capitalize()


def generate(path: Path, messages: int, seed: int = 20240101) -> None:
    """Write a made-up two-person Android export (en-GB, 24 h) with ``messages`` messages."""
    rng = random.Random(seed)
    people = ("Maya", "Daniel")
    when = datetime(2022, 3, 1, 8, 0)
    # About 1.4 years whatever N is: spread the messages evenly, in bursts.
    span = timedelta(days=520).total_seconds()
    mean_gap = span / max(messages, 1)
    who = 0
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        stamp = when.strftime("%d/%m/%Y, %H:%M")
        out.write(
            f"{stamp} - Messages and calls are end-to-end encrypted. No one outside of this "
            "chat, not even WhatsApp, can read or listen to them. Tap to learn more.\n"
        )
        for i in range(messages - 1):
            when += timedelta(seconds=rng.expovariate(1.0 / mean_gap))
            if rng.random() < 0.45:
                who = 1 - who
            stamp = when.strftime("%d/%m/%Y, %H:%M")
            roll = rng.random()
            if roll < 0.001:
                out.write(
                    f"{stamp} - Your security code with {people[1]} changed. "
                    "Tap to learn more.\n"
                )
                continue
            if roll < 0.06:
                body = rng.choice(_SPECIAL)
            else:
                body = _sentence(rng)
                if roll > 0.95:
                    extra = rng.randint(1, 4)
                    body += "".join("\n" + _sentence(rng) for _ in range(extra))
                elif roll > 0.94:
                    body += " <This message was edited>"
            out.write(f"{stamp} - {people[who]}: {body}\n")


# --------------------------------------------------------------------------------------
# Contenders: each runs once in a fresh interpreter and prints one JSON line.
# --------------------------------------------------------------------------------------


def _rss_mb() -> float:
    import resource

    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def _cpu_s() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _run_contender(name: str, path: Path) -> dict:
    """Run one contender on ``path`` in this process; return time, count and memory."""
    import time

    if name == "read+splitlines":
        start_rss, c0 = _rss_mb(), _cpu_s()
        t0 = time.perf_counter()
        with open(path, encoding="utf-8") as fh:
            count = len(fh.read().splitlines())
        seconds = time.perf_counter() - t0
    elif name == "fonder":
        try:
            import fonder.ingest.whatsapp  # noqa: F401
        except ImportError:
            sys.path.insert(0, str(ROOT / "src"))
        from fonder.ingest.base import ParseOptions, Source
        from fonder.ingest.whatsapp import WhatsAppImporter

        start_rss, c0 = _rss_mb(), _cpu_s()
        t0 = time.perf_counter()
        chats = WhatsAppImporter().parse(Source(path), ParseOptions(tz="Europe/Berlin"))
        seconds = time.perf_counter() - t0
        count = chats[0].messages.height
    elif name == "whatstk":
        from whatstk.whatsapp.objects import WhatsAppChat

        start_rss, c0 = _rss_mb(), _cpu_s()
        t0 = time.perf_counter()
        chat = WhatsAppChat.from_source(
            filepath=str(path), hformat=WHATSTK_HFORMAT, max_size=None
        )
        seconds = time.perf_counter() - t0
        count = len(chat.df)
    else:
        raise SystemExit(f"unknown contender {name!r}")
    return {
        "seconds": seconds,
        "cpu_seconds": _cpu_s() - c0,
        "count": count,
        "peak_mb": _rss_mb(),
        "start_mb": start_rss,
    }


def _measure(name: str, path: Path, repeat: int) -> dict:
    """Best of ``repeat`` fresh-process runs (memory from that run)."""
    runs = []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, __file__, "--run", name, "--file", str(path)],
            check=True,
            capture_output=True,
            text=True,
        )
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    best = min(runs, key=lambda r: r["seconds"])
    best["runs"] = [round(r["seconds"], 3) for r in runs]
    return best


def _export(messages: int, seed: int) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"chat_{messages}_{seed}.txt"
    if not path.exists():
        tmp = path.with_suffix(".part")
        generate(tmp, messages, seed)
        tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1_000_000,
                        help="messages in the main export (default 1,000,000)")
    parser.add_argument("--whatstk-messages", type=int, default=200_000,
                        help="messages in the export all three contenders share "
                             "(whatstk is slow; default 200,000)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="fresh-process runs per contender; the best counts (default 3)")
    parser.add_argument("--seed", type=int, default=20240101)
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.run:  # a child process: one contender, one file
        print(json.dumps(_run_contender(args.run, args.file)))
        return 0

    import importlib.util

    have_whatstk = importlib.util.find_spec("whatstk") is not None
    sizes = sorted({args.messages, min(args.whatstk_messages, args.messages)}, reverse=True)
    exports = {n: _export(n, args.seed) for n in sizes}
    small = min(sizes)

    results = []
    for n in sizes:
        contenders = ["read+splitlines", "fonder"]
        if n == small:
            if have_whatstk:
                contenders.append("whatstk")
        for name in contenders:
            repeat = 1 if name == "whatstk" else args.repeat
            print(f"  {name:16s} {n:>10,} messages …", file=sys.stderr, flush=True)
            r = _measure(name, exports[n], repeat)
            r.update(contender=name, messages=n, file=exports[n].name,
                     size_mb=round(exports[n].stat().st_size / 1e6, 1))
            results.append(r)

    def pick(name: str, n: int) -> dict | None:
        return next((r for r in results if r["contender"] == name and r["messages"] == n), None)

    ratios = {}
    base, ours = pick("read+splitlines", args.messages), pick("fonder", args.messages)
    ratios["fonder_over_read_split"] = {
        "messages": args.messages, "ratio": ours["seconds"] / base["seconds"], "target": "<= 2"
    }
    theirs, ours_small = pick("whatstk", small), pick("fonder", small)
    if theirs:
        ratios["whatstk_over_fonder"] = {
            "messages": small, "ratio": theirs["seconds"] / ours_small["seconds"],
            "target": ">= 4",
        }

    print()
    print(f"{'contender':16s} {'messages':>10s} {'file MB':>8s} {'seconds':>8s} "
          f"{'cpu s':>6s} {'µs/msg':>7s} {'msgs/s':>10s} {'peak MB':>8s} {'Δ MB':>7s}  runs")
    for r in results:
        print(
            f"{r['contender']:16s} {r['messages']:>10,} {r['size_mb']:>8.1f} "
            f"{r['seconds']:>8.3f} {r['cpu_seconds']:>6.2f} "
            f"{r['seconds'] / r['messages'] * 1e6:>7.2f} "
            f"{r['messages'] / r['seconds']:>10,.0f} {r['peak_mb']:>8.0f} "
            f"{r['peak_mb'] - r['start_mb']:>7.0f}  {r['runs']}"
        )
    print()
    fr = ratios["fonder_over_read_split"]
    print(f"fonder / read+splitlines at {fr['messages']:,} messages: {fr['ratio']:.2f}× "
          f"(target ≤ 2×: {'met' if fr['ratio'] <= 2 else 'NOT met'})")
    if "whatstk_over_fonder" in ratios:
        wr = ratios["whatstk_over_fonder"]
        print(f"whatstk / fonder at {wr['messages']:,} messages: {wr['ratio']:.1f}× "
              f"(target ≥ 4×: {'met' if wr['ratio'] >= 4 else 'NOT met'})")
    else:
        print("whatstk is not installed (pip install whatstk): skipped")
    print("seconds: wall time, best of the runs listed, each in a fresh process, parse only "
          "(imports excluded); cpu s: CPU time of that run over all threads (fonder uses every "
          "core, the others one); peak MB: the process's max RSS; Δ MB: peak minus RSS "
          "before parsing.")

    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    if load is not None:
        print(f"load average at the end: {load[0]:.1f} (1 min) on {os.cpu_count()} CPUs — "
              "other work on the machine slows every contender")
    out = OUT / "parse.json"
    out.write_text(json.dumps({
        "load_average": load,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "seed": args.seed,
        "whatstk": "measured" if have_whatstk else "not installed",
        "results": results,
        "ratios": ratios,
    }, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
