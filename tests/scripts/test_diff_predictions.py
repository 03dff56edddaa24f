#!/usr/bin/env python3
"""scripts/diff_predictions.py on two hand-made run directories; every expected margin is derived by hand below."""
import json
import os
import subprocess
import sys
import tempfile

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "diff_predictions.py")


def write_run(root, name, records):
    os.makedirs(os.path.join(root, name, "predictions"))
    with open(os.path.join(root, name, "predictions", "t.jsonl"), "w") as f:
        for r in records:
            f.write(json.dumps(dict(task="t", **r)) + "\n")
    return os.path.join(root, name)


def greedy(tokens, margins):
    return {"tokens": tokens, "margins": margins, "margin_kind": "greedy_logit_gap"}


def main():
    with tempfile.TemporaryDirectory() as root:
        base = write_run(root, "base", [
            {"sample_id": "same", "prediction": "a", "diagnostics": greedy([5], [0.9])},
            # parts at token 2 (7 vs 9): the baseline's gap there is 0.2, the other run's 0.0
            {"sample_id": "greedy", "prediction": "x y z", "diagnostics": greedy([5, 6, 7], [0.5, 0.01, 0.2])},
            # beam: the smallest of the boundary gaps (0.3, 0.05) and the final-choice gap 0.02 is 0.02
            {"sample_id": "beam", "prediction": "p q", "diagnostics": {
                "tokens": [3, 4], "margins": [0.3, 0.05], "final_margin": 0.02,
                "margin_kind": "beam_boundary_logprob_gap"}},
            {"sample_id": "gone", "prediction": "m"},
        ])
        other = write_run(root, "other", [
            {"sample_id": "same", "prediction": "a", "diagnostics": greedy([5], [0.8])},
            {"sample_id": "greedy", "prediction": "x y w", "diagnostics": greedy([5, 6, 9], [0.5, 0.02, 0.0])},
            {"sample_id": "beam", "prediction": "p r", "diagnostics": {
                "tokens": [3, 8], "margins": [0.25, 0.07], "final_margin": 0.1,
                "margin_kind": "beam_boundary_logprob_gap"}},
        ])
        out = subprocess.run([sys.executable, SCRIPT, base, other], check=True, capture_output=True, text=True).stdout
    expected = [
        "base: 4 predictions (0 with errors)",
        "other: 3 predictions (0 with errors), 3 differ from base",
        "  t beam [parts at token 1; margin 0.02 (this run 0.07), beam search: smallest boundary or final-choice gap]",
        "  t gone: missing",
        "  t greedy [parts at token 2; margin 0.2 (this run 0), top-2 logit gap at the step]",
        "  margins where the answers part: max 0.2, median 0.2, 1 of 2 under 0.05",
    ]
    missing = [line for line in expected if line not in out]
    if missing or " t same" in out:
        sys.exit("unexpected output:\n" + out + "\nmissing lines:\n" + "\n".join(missing))
    print("ok")


if __name__ == "__main__":
    main()
