"""Evaluate the tone engine on the labeled sets: precision, recall and F1 per label.

Run as ``python -m fonder.tone.evaluate [--split dev|test|all]`` (``make eval-tone`` runs
``--split test``, the default). The labeled set is one file, ``tests/data/tone/labeled.jsonl``;
each line is ``{"text": ..., "labels": [...], "split": "dev" | "test"}`` (optionally a
``"source"``). ``dev`` lines may be read and tuned on; ``test`` lines are held out, written
separately from the definitions and never used to tune. A line without ``"split"`` is dev.
The exit status is 1 when a target is missed (precision below 0.90 for any label that occurs
in the split, or macro recall below 0.75) and 2 when the split has no lines or the file is
missing.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import orjson
import polars as pl

from fonder.tone import LABELS, label_frame

PRECISION_TARGET = 0.90
MACRO_RECALL_TARGET = 0.75

#: The labeled set, from a source checkout.
DATA = Path(__file__).resolve().parents[3] / "tests" / "data" / "tone" / "labeled.jsonl"
SPLITS = ("dev", "test", "all")


@dataclass(frozen=True)
class Scores:
    label: str
    support: int  # gold positives
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / self.support if self.support else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if not p or not r:
            return 0.0 if p is not None and r is not None else None
        return 2 * p * r / (p + r)


@dataclass(frozen=True)
class Report:
    split: str
    messages: int
    scores: list[Scores]
    false_positives: Counter  # (label, text) predicted but not gold
    false_negatives: Counter  # (label, text) gold but not predicted
    confusions: Counter  # (gold label, wrongly predicted label) on the same message

    @property
    def macro_recall(self) -> float:
        rs = [s.recall for s in self.scores if s.recall is not None]
        return sum(rs) / len(rs) if rs else 0.0

    @property
    def macro_precision(self) -> float:
        ps = [s.precision for s in self.scores if s.precision is not None]
        return sum(ps) / len(ps) if ps else 0.0

    @property
    def failures(self) -> list[str]:
        out = [
            f"precision of {s.label} is {s.precision:.2f} (< {PRECISION_TARGET})"
            for s in self.scores
            if s.precision is not None and s.precision < PRECISION_TARGET
        ]
        if self.macro_recall < MACRO_RECALL_TARGET:
            out.append(f"macro recall is {self.macro_recall:.2f} (< {MACRO_RECALL_TARGET})")
        return out


def read_labeled(path: Path = DATA, split: str = "all") -> list[tuple[str, frozenset[str]]]:
    """The (text, gold labels) pairs of a labeled JSONL file, those of ``split`` only
    (``"dev"``, ``"test"`` or ``"all"``)."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; pick one of {', '.join(SPLITS)}")
    rows = []
    for n, line in enumerate(path.read_bytes().splitlines(), 1):
        if not line.strip():
            continue
        obj = orjson.loads(line)
        unknown = set(obj["labels"]) - set(LABELS)
        if unknown:
            raise ValueError(f"{path.name}:{n}: unknown labels {sorted(unknown)}")
        line_split = obj.get("split", "dev")
        if line_split not in ("dev", "test"):
            raise ValueError(f"{path.name}:{n}: unknown split {line_split!r}")
        if split in ("all", line_split):
            rows.append((obj["text"], frozenset(obj["labels"])))
    return rows


def evaluate(rows: list[tuple[str, frozenset[str]]], split: str = "") -> Report:
    """Score the engine on (text, gold labels) pairs."""
    frame = pl.DataFrame({"msg_id": [str(k) for k in range(len(rows))],
                          "text": [t for t, _ in rows]})
    predicted: dict[int, set[str]] = {}
    for msg_id, label in label_frame(frame).select("msg_id", "label").iter_rows():
        predicted.setdefault(int(msg_id), set()).add(label)
    tp, fp, fn, support = Counter(), Counter(), Counter(), Counter()
    fps, fns, confusions = Counter(), Counter(), Counter()
    for k, (text, gold) in enumerate(rows):
        pred = predicted.get(k, set())
        support.update(gold)
        tp.update(gold & pred)
        for label in pred - gold:
            fp[label] += 1
            fps[(label, text)] += 1
            for g in gold - pred:
                confusions[(g, label)] += 1
        for label in gold - pred:
            fn[label] += 1
            fns[(label, text)] += 1
    scores = [Scores(lb, support[lb], tp[lb], fp[lb], fn[lb]) for lb in LABELS]
    return Report(split, len(rows), scores, fps, fns, confusions)


def render(report: Report, examples: int = 0) -> str:
    """The report as a plain-text table."""
    def f(x: float | None) -> str:
        return "   -" if x is None else f"{x:.2f}"

    lines = [f"tone evaluation — split {report.split}: {report.messages} messages", "",
             f"{'label':22s} {'gold':>5s} {'tp':>4s} {'fp':>4s} {'fn':>4s} {'prec':>5s} {'rec':>5s} {'f1':>5s}"]
    for s in report.scores:
        mark = "  <" if s.precision is not None and s.precision < PRECISION_TARGET else ""
        lines.append(f"{s.label:22s} {s.support:5d} {s.tp:4d} {s.fp:4d} {s.fn:4d} "
                     f"{f(s.precision):>5s} {f(s.recall):>5s} {f(s.f1):>5s}{mark}")
    lines += ["", f"macro precision {report.macro_precision:.3f}   macro recall "
              f"{report.macro_recall:.3f}   (targets: precision >= {PRECISION_TARGET} per label, "
              f"macro recall >= {MACRO_RECALL_TARGET})"]
    fp_by = Counter(lb for lb, _ in report.false_positives.elements())
    fn_by = Counter(lb for lb, _ in report.false_negatives.elements())
    lines += ["", "most common confusions (a label predicted that was not gold, or missed):"]
    for lb, c in fp_by.most_common(8):
        lines.append(f"  predicted {lb} wrongly: {c}")
    for lb, c in fn_by.most_common(8):
        lines.append(f"  missed {lb}: {c}")
    if report.confusions:
        lines.append("  on the same message, gold → predicted instead:")
        for (g, p), c in report.confusions.most_common(8):
            lines.append(f"    {g} → {p}: {c}")
    if examples:
        lines += ["", "false positives:"]
        lines += [f"  {lb:20s} {t!r}" for (lb, t) in list(report.false_positives)[:examples]]
        lines += ["", "false negatives:"]
        lines += [f"  {lb:20s} {t!r}" for (lb, t) in list(report.false_negatives)[:examples]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fonder.tone.evaluate",
                                     description="Precision, recall and F1 of the tone labels.")
    parser.add_argument("--split", choices=SPLITS, default="test",
                        help="which lines to score (default: test, the held-out lines)")
    parser.add_argument("--data", type=Path, default=DATA, help="the labeled JSONL file")
    parser.add_argument("--examples", type=int, default=0,
                        help="also list this many wrong predictions and misses")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"Error: labeled set {args.data} does not exist", file=sys.stderr)
        return 2
    rows = read_labeled(args.data, args.split)
    if not rows:
        print(f"Error: {args.data} has no {args.split} lines yet — nothing to score "
              "(held-out lines are added with \"split\": \"test\"; try --split dev)",
              file=sys.stderr)
        return 2
    report = evaluate(rows, args.split)
    print(render(report, args.examples))
    if report.failures:
        print("\nTARGETS MISSED: " + "; ".join(report.failures))
        return 1
    print("\ntargets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
