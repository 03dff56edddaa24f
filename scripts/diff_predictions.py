#!/usr/bin/env python3
"""Compare the answers of two or more `infeval run` directories against the first (the baseline), sample by
sample. With --record-margins runs, each difference is listed with the decision margin where the token sequences
part: the baseline's margin (greedy: the gap between its two best logits at that step; beam: the smallest gap in the
whole search, at a beam-set boundary or between the best and second-best finished hypotheses). A small margin means a
rounding-level change of the scores (e.g. bf16 vs fp32) can legitimately flip that step.

Usage: diff_predictions.py BASELINE_RUN OTHER_RUN [OTHER_RUN ...]   (prints a report; exit 0)"""
import glob
import json
import os
import sys


def load(run):
    out = {}
    for path in sorted(glob.glob(os.path.join(run, "predictions", "*.jsonl"))):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line:
                    r = json.loads(line)
                    out[(r["task"], str(r["sample_id"]))] = r
    return out


def divergence(base, other):
    """(step, baseline margin there, other margin there, kind) or None without diagnostics."""
    a, b = base.get("diagnostics"), other.get("diagnostics")
    if not a or not b:
        return None
    ta, tb = a["tokens"], b["tokens"]
    step = next((i for i in range(min(len(ta), len(tb))) if ta[i] != tb[i]), min(len(ta), len(tb)))
    kind = a.get("margin_kind", "")
    ma, mb = a.get("margins", []), b.get("margins", [])
    if kind.startswith("beam"):
        # Which hypothesis wins depends on every step's beam set and on the final choice: the smallest of them.
        smallest = lambda d, m: min(m + ([d["final_margin"]] if d.get("final_margin") is not None else []), default=None)
        return step, smallest(a, ma), smallest(b, mb), "beam search: smallest boundary or final-choice gap"
    at = lambda m: m[step] if step < len(m) else None
    return step, at(ma), at(mb), "top-2 logit gap at the step"


def main(runs):
    base = load(runs[0])
    errors = sum(1 for r in base.values() if r.get("error"))
    print(f"{os.path.basename(runs[0])}: {len(base)} predictions ({errors} with errors)")
    for key, r in sorted(base.items()):
        if r.get("error"):
            print(f"  error {key[0]} {key[1]}: {r['error'][:160]}")
    for run in runs[1:]:
        other = load(run)
        name = os.path.basename(run.rstrip("/"))
        diffs = [k for k in sorted(base) if k not in other or
                 (other[k].get("prediction"), other[k].get("error", "")) != (base[k].get("prediction"), base[k].get("error", ""))]
        oerr = sum(1 for r in other.values() if r.get("error"))
        print(f"\n{name}: {len(other)} predictions ({oerr} with errors), {len(diffs)} differ from "
              f"{os.path.basename(runs[0])}")
        margins = []
        for k in diffs:
            o = other.get(k)
            if o is None:
                print(f"  {k[0]} {k[1]}: missing")
                continue
            d = divergence(base[k], o)
            where = ""
            if d:
                step, ma, mb, kind = d
                if ma is not None:
                    margins.append(ma)
                fmt = lambda x: "n/a" if x is None else f"{x:.4g}"
                where = f" [parts at token {step}; margin {fmt(ma)} (this run {fmt(mb)}), {kind}]"
            print(f"  {k[0]} {k[1]}{where}: {base[k]['prediction'][:60]!r} | {o['prediction'][:60]!r}")
        if margins:
            margins.sort()
            print(f"  margins where the answers part: max {margins[-1]:.4g}, median {margins[len(margins) // 2]:.4g}, "
                  f"{sum(1 for m in margins if m < 0.05)} of {len(margins)} under 0.05")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1:])
