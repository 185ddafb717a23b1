"""Benchmark of the tone engine: label a seeded frame of chat messages and time it.

    python bench/bench_tone.py [--messages N] [--seed S] [--valence-messages M]

The frame mixes three kinds of text, like a real chat:

- labeled messages from ``tests/data/tone/labeled.jsonl``, each varied (a greeting in
  front, a tail such as "lol" or an emoji, a name, a number, stretched letters, capitals) so
  that most are distinct;
- everyday filler built from templates with random names, places, foods and times;
- short replies that repeat a lot ("ok", "lol", "👍").

It times :func:`fonder.tone.label_frame` (the target: 1,000,000 messages in 8 s or less on a
2-core machine) and, separately, :func:`fonder.tone.valence_frame` (VADER, scored per distinct
text in Python; measured on ``--valence-messages`` messages and extrapolated when fewer than
the whole frame). Prints a table and writes ``bench/out/tone.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from fonder.tone import TONE_VERSION, label_frame, valence_frame  # noqa: E402

LABELED = ROOT / "tests" / "data" / "tone" / "labeled.jsonl"
OUT = ROOT / "bench" / "out" / "tone.json"
TARGET_S = 8.0

NAMES = ["Sam", "Jess", "Mark", "Dana", "Priya", "Leo", "Maya", "Tom", "Ana", "Chris", "Noor", "Ben"]
PLACES = ["the gym", "work", "the store", "mom's", "the station", "the office", "the park",
          "Trader Joe's", "the library", "the dentist", "the airport", "campus"]
FOODS = ["pizza", "tacos", "sushi", "pad thai", "ramen", "salad", "burgers", "pho", "curry"]
ADJS = ["insane", "so slow", "fine", "packed", "weird", "chill", "a mess", "quiet", "busy"]
TEMPLATES = [
    "at {place}, back around {h}",
    "{name} says hi",
    "grabbing {food} on the way, want some?",
    "traffic near {place} is {adj}",
    "the meeting moved to {h}:{m:02d}",
    "leaving {place} now",
    "did you see what {name} posted",
    "ok I'll be there at {h}",
    "{food} for dinner?",
    "just got to {place}",
    "the package from {name} came",
    "can you send me {name}'s number",
    "my phone is at {n}%",
    "{place} was {adj} today",
    "bus is {n} min late",
    "remind me to call {name} tomorrow",
    "{name} and I are getting {food}",
    "it's {n} degrees here",
    "omw, {n} min",
    "where did you put the charger",
]
SHORT = ["ok", "lol", "k", "👍", "haha", "yeah", "ok!", "omw", "sure", "yes", "no", "😂", "❤️",
         "good night", "love you", "kk", "nice", "same", "idk", "lmao", "yep", "ok 👍"]
HEADS = ["", "", "", "hey ", "omg ", "babe ", "ok so ", "also ", "honestly ", "wait "]
TAILS = ["", "", "", " lol", " 😂", " ❤️", "!!", " tbh", " haha", " 🥺", " 🙄", "..", " x"]


def build_texts(n: int, seed: int) -> list[str]:
    """``n`` chat messages, seeded: about 45% varied labeled texts, 35% filler, 20% short."""
    rng = random.Random(seed)
    labeled = [json.loads(line)["text"] for line in LABELED.read_text(encoding="utf-8").splitlines()
               if line.strip()]
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.45:
            text = rng.choice(HEADS) + rng.choice(labeled) + rng.choice(TAILS)
            roll = rng.random()
            if roll < 0.15:
                text = text.replace("o", "ooo", 1)
            elif roll < 0.25:
                text = text.upper()
            elif roll < 0.55:
                text = f"{text} {rng.choice(NAMES)}"
            elif roll < 0.75:
                text = f"{text} {rng.randint(1, 99)}"
            out.append(text)
        elif r < 0.80:
            out.append(rng.choice(TEMPLATES).format(
                name=rng.choice(NAMES), place=rng.choice(PLACES), food=rng.choice(FOODS),
                adj=rng.choice(ADJS), h=rng.randint(1, 12), m=rng.randint(0, 59),
                n=rng.randint(1, 99)))
        else:
            out.append(rng.choice(SHORT))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20240101)
    parser.add_argument("--valence-messages", type=int, default=100_000,
                        help="time VADER on this many messages (it is Python; extrapolated)")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    texts = build_texts(args.messages, args.seed)
    frame = pl.DataFrame({"msg_id": [f"m{k}" for k in range(len(texts))], "text": texts})
    build_s = time.perf_counter() - t0
    distinct = frame["text"].n_unique()

    label_frame(frame.head(1000))  # load and compile the rules outside the timing
    wall, cpu = time.perf_counter(), time.process_time()
    labels = label_frame(frame)
    label_s, label_cpu = time.perf_counter() - wall, time.process_time() - cpu

    vn = min(args.valence_messages, frame.height)
    wall = time.perf_counter()
    valence = valence_frame(frame.head(vn))
    valence_s = time.perf_counter() - wall
    valence_distinct = frame.head(vn)["text"].n_unique()
    valence_full_s = valence_s * frame.height / vn if vn else 0.0

    per_label = labels.group_by("label").len().sort("len", descending=True)
    result = {
        "tone_version": TONE_VERSION,
        "messages": frame.height,
        "distinct_texts": distinct,
        "labels": labels.height,
        "labelled_messages": labels["msg_id"].n_unique(),
        "label_frame_s": round(label_s, 3),
        "label_frame_cpu_s": round(label_cpu, 3),
        "target_s": TARGET_S,
        "meets_target": label_s <= TARGET_S,
        "valence_messages": vn,
        "valence_distinct_texts": valence_distinct,
        "valence_s": round(valence_s, 3),
        "valence_extrapolated_s": round(valence_full_s, 1),
        "valence_nulls": valence["valence"].null_count(),
        "build_s": round(build_s, 1),
        "per_label": dict(per_label.iter_rows()),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "polars": pl.__version__, "platform": platform.platform(),
                    "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None},
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")

    rows = [
        ("messages", f"{frame.height:,}"),
        ("distinct texts", f"{distinct:,} ({distinct / frame.height:.0%})"),
        ("labels found", f"{labels.height:,} on {result['labelled_messages']:,} messages"),
        ("label_frame", f"{label_s:.2f} s wall, {label_cpu:.2f} s CPU "
                        f"(target <= {TARGET_S:.0f} s: {'met' if label_s <= TARGET_S else 'MISSED'})"),
        ("valence_frame", f"{valence_s:.2f} s on {vn:,} messages ({valence_distinct:,} distinct)"
                          + (f", ~{valence_full_s:.0f} s for all" if vn < frame.height else "")),
        ("load average", " ".join(f"{x:.1f}" for x in result["machine"]["load_average"] or ())),
    ]
    width = max(len(k) for k, _ in rows)
    print("tone benchmark")
    for k, v in rows:
        print(f"  {k:<{width}}  {v}")
    print(f"  written to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
