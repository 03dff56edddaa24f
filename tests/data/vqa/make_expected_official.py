# Regenerates the "official" and "official-2017" entries of expected.json by running GT-Vision-Lab's own
# vqaEval.py + vqa.py, unmodified, under Python 2.7 (the interpreter that code was written for: `print`
# statements, and Python 2's `re`, where \d is [0-9] unless re.UNICODE is given).
#
#   python2.7 make_expected_official.py VQA_CHECKOUT [DATA_DIR] > /tmp/official.json
#
# DATA_DIR holds questions.json, annotations.json and results.json (default: this folder; tests/data/vqa_python2
# is the other one).
# VQA_CHECKOUT is a clone of github.com/GT-Vision-Lab/VQA; the script reads the two files at each commit with
# `git show` (a013f00 = "official", a4f1afd = "official-2017") into a temporary folder and imports them from there.
# Its output is merged into expected.json by hand (the other entries come from Python 3 scripts, see README.md).
import imp
import json
import os
import subprocess
import sys
import tempfile

DATA = os.path.dirname(os.path.abspath(__file__))
COMMITS = [("official", "a013f00"), ("official-2017", "a4f1afd")]


def load_module(name, path):
    return imp.load_source(name, path)


def evaluate(vqa_mod, eval_mod, n):
    # A fresh VQA object per run: evaluate() rewrites the ground-truth answers in place.
    vqa = vqa_mod.VQA(os.path.join(DATA, "annotations.json"), os.path.join(DATA, "questions.json"))
    res = vqa.loadRes(os.path.join(DATA, "results.json"), os.path.join(DATA, "questions.json"))
    ev = eval_mod.VQAEval(vqa, res, n=n)
    ev.evaluate()
    return ev


def main():
    global DATA
    checkout = sys.argv[1]
    if len(sys.argv) > 2:
        DATA = os.path.abspath(sys.argv[2])
    out = {}
    for variant, commit in COMMITS:
        folder = tempfile.mkdtemp()
        for source, name in [("PythonHelperTools/vqaTools/vqa.py", "vqa.py"),
                             ("PythonEvaluationTools/vqaEvaluation/vqaEval.py", "vqaEval.py")]:
            text = subprocess.check_output(["git", "-C", checkout, "show", commit + ":" + source])
            with open(os.path.join(folder, name), "wb") as f:
                f.write(text)
        vqa_mod = load_module("vqa_" + commit, os.path.join(folder, "vqa.py"))
        eval_mod = load_module("vqaEval_" + commit, os.path.join(folder, "vqaEval.py"))
        stdout = sys.stdout
        sys.stdout = sys.stderr  # the evaluator's progress output
        try:
            two = evaluate(vqa_mod, eval_mod, 2)
            ten = evaluate(vqa_mod, eval_mod, 10)
        finally:
            sys.stdout = stdout
        out[variant] = {
            "overall": two.accuracy["overall"],
            "perAnswerType": two.accuracy["perAnswerType"],
            "per_question_percent": dict((str(k), v) for k, v in ten.evalQA.items()),
        }
    sys.stdout.write(json.dumps(out, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
