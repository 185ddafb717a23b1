"""Train the word model (``models/<lang>.json``) on the dev lines of a labeled set.

    python -m fonder.tone.train [--data FILE] [--lang en] [--precision 0.97]
                                [--rules-only LABEL ...] [--out FILE]

Needs the ``train`` extra (scikit-learn); fonder itself only reads the trained file. For each
label it fits a logistic regression over the words and word pairs of the dev lines
(:func:`fonder.tone.words.features`). The thresholds are chosen without ever scoring a line
with a model that saw it: the dev lines are grouped by ``source`` (one writer or round each),
each group is scored by a model trained on the other groups, and the **add** threshold is the
lowest score at which those out-of-group predictions are still at least ``--precision``
precise. Labels named by ``--rules-only`` (by default ``question``, a matter of form — a "?"
or a question form — that the rules read in full, where words like "u" start questions and
orders alike) get no add threshold: the model may drop them but never adds them. The
**drop** threshold is a fixed low probability (``--drop``). Test lines (held out)
are never read. The figures of the cross-validation are printed and kept in the model's
``meta``.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

import numpy as np
import orjson
import polars as pl
from scipy import sparse

from fonder.tone import LABELS, TONE_VERSION
from fonder.tone.engine import language_gate, mask_negation
from fonder.tone.evaluate import DATA
from fonder.tone.rules import load_rules
from fonder.tone.words import MODELS_DIR, WordModel, features, model_to_dict

MIN_DOCS = 2  # a feature must occur in at least this many dev lines


def read_dev(path: Path) -> tuple[list[str], list[frozenset[str]], list[str]]:
    texts, gold, source = [], [], []
    for line in path.read_bytes().splitlines():
        if not line.strip():
            continue
        obj = orjson.loads(line)
        if obj.get("split", "dev") != "dev":
            continue
        texts.append(obj["text"])
        gold.append(frozenset(obj["labels"]))
        source.append(obj.get("source", "dev"))
    return texts, gold, source


def prepared(texts: list[str], lang: str) -> tuple[pl.Series, np.ndarray]:
    """The lowered, negation-masked texts as the engine sees them, and the language gate."""
    rules = load_rules(lang)
    low = pl.Series(texts, dtype=pl.String).str.to_lowercase()
    return mask_negation(low, rules.negation), language_gate(low, rules.gate).to_numpy()


def design(low: pl.Series) -> tuple[list[str], sparse.csr_matrix]:
    """The vocabulary (features in at least ``MIN_DOCS`` lines) and the lines' feature counts."""
    feats = features(low)
    docs = feats.unique(["i", "feature"]).group_by("feature").len()
    vocab = sorted(docs.filter(pl.col("len") >= MIN_DOCS)["feature"].to_list())
    index = pl.DataFrame({"feature": vocab, "f": pl.Series(range(len(vocab)), dtype=pl.UInt32)})
    found = feats.join(index, on="feature", how="inner")
    x = sparse.csr_matrix((np.ones(found.height, dtype=np.float32),
                           (found["i"].to_numpy(), found["f"].to_numpy())),
                          shape=(len(low), len(vocab)))
    return vocab, x


def threshold(p: np.ndarray, y: np.ndarray, target: float) -> float | None:
    """Lowest probability at which predictions ``p >= t`` are at least ``target`` precise."""
    order = np.argsort(-p, kind="stable")
    tp = np.cumsum(y[order])
    precision = tp / np.arange(1, len(p) + 1)
    ok = np.flatnonzero((precision >= target) & y[order])
    return None if len(ok) == 0 else float(p[order][ok.max()])


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return float(np.log(p / (1 - p)))


#: Labels the model never adds (see the module's docstring).
RULES_ONLY = ("question",)


def train(texts: list[str], gold: list[frozenset[str]], source: list[str], lang: str = "en",
          c: float = 1.0, target: float = 0.97, drop: float = 0.1, log=print,
          rules_only: tuple[str, ...] = RULES_ONLY) -> WordModel:
    """Fit the word model on (text, gold labels, source) lines; thresholds by leaving each
    source out in turn (see the module's docstring)."""
    from sklearn.linear_model import LogisticRegression

    low, gate = prepared(texts, lang)
    vocab, x = design(low)
    y = np.array([[lb in g for lb in LABELS] for g in gold])
    groups = np.array(source)
    names = sorted(set(source))
    log(f"{len(texts)} dev lines, {len(names)} groups, {len(vocab)} features")

    def fit(rows: np.ndarray, j: int) -> LogisticRegression | None:
        target_y = y[rows, j]
        if target_y.all() or not target_y.any():
            return None  # one class only: nothing to learn
        return LogisticRegression(C=c, max_iter=3000).fit(x[rows], target_y)

    oof = np.zeros(y.shape)
    for g in names:
        tr, te = groups != g, groups == g
        for j in range(len(LABELS)):
            clf = fit(tr, j)
            oof[te, j] = clf.predict_proba(x[te])[:, 1] if clf is not None else y[tr, j].mean()
    oof[~gate] = 0.0  # the engine never labels gated-out messages
    weights = np.zeros((len(vocab), len(LABELS)), dtype=np.float32)
    bias = np.zeros(len(LABELS), dtype=np.float32)
    add, cv = [], {}
    for j, label in enumerate(LABELS):
        clf = fit(np.ones(len(texts), dtype=bool), j)
        if clf is None:  # the label never (or always) occurs: a constant model, never added
            bias[j] = logit(float(y[:, j].mean()))
            add.append(np.inf)
            cv[label] = {"precision": None, "recall": 0.0, "threshold": None}
            continue
        weights[:, j] = clf.coef_[0]
        bias[j] = clf.intercept_[0]
        t = None if label in rules_only else threshold(oof[:, j], y[:, j], target)
        add.append(np.inf if t is None else logit(t))
        pred = oof[:, j] >= (t if t is not None else 2.0)
        tp = int((pred & y[:, j]).sum())
        cv[label] = {"precision": round(float(tp / pred.sum()), 3) if pred.sum() else None,
                     "recall": round(float(tp / max(1, y[:, j].sum())), 3), "threshold": t}
        if label in rules_only:
            log(f"  {label:20s} never added (rules only)")
        else:
            log(f"  {label:20s} cross-validated alone: precision "
                f"{cv[label]['precision'] or 0:.2f}, recall {cv[label]['recall']:.2f}")
    weights[np.abs(weights) < 0.01] = 0.0
    keep = np.flatnonzero(np.abs(weights).max(axis=1) > 0)
    meta = {"tone_version": TONE_VERSION, "trained": date.today().isoformat(),
            "lines": len(texts), "groups": names,
            "C": c, "precision_target": target, "drop_probability": drop,
            "min_docs": MIN_DOCS, "rules_only": sorted(rules_only), "cross_validation": cv}
    return WordModel(tuple(LABELS), tuple(vocab[k] for k in keep), weights[keep], bias,
                     np.array(add, dtype=np.float32),
                     np.full(len(LABELS), logit(drop), dtype=np.float32), meta)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fonder.tone.train",
                                     description="Train the tone word model on dev lines.")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--C", type=float, default=1.0, help="inverse regularisation strength")
    parser.add_argument("--precision", type=float, default=0.97,
                        help="cross-validated precision the add threshold must keep")
    parser.add_argument("--drop", type=float, default=0.1,
                        help="a rule's label is dropped when the model's probability is below")
    parser.add_argument("--rules-only", nargs="*", default=list(RULES_ONLY), metavar="LABEL",
                        help="labels the model never adds (default: question)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("Error: training needs scikit-learn — pip install -e '.[train]'", file=sys.stderr)
        return 2
    texts, gold, source = read_dev(args.data)
    if not texts:
        print(f"Error: {args.data} has no dev lines to train on", file=sys.stderr)
        return 2
    unknown = sorted(set(args.rules_only) - set(LABELS))
    if unknown:
        print(f"Error: --rules-only names no tone label: {', '.join(unknown)}", file=sys.stderr)
        return 2
    model = train(texts, gold, source, args.lang, args.C, args.precision, args.drop,
                  rules_only=tuple(args.rules_only))
    out = args.out or MODELS_DIR / f"{args.lang}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(orjson.dumps(model_to_dict(model)) + b"\n")
    print(f"written {out} ({len(model.features)} features)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
