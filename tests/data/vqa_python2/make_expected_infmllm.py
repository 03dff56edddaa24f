# The "infmllm" entry of expected.json: InfMLLM's evaluate/infmllm/vqa_metric.py (a Python 3 port of vqaEval.py),
# unmodified, on this folder's files:
#
#   python3 make_expected_infmllm.py INFMLLM_CHECKOUT > /tmp/infmllm.json
#
# The file is read at commit 82fa8ef with `git show` into a temporary folder and imported from there.
import importlib.util
import contextlib
import json
import os
import subprocess
import sys
import tempfile

DATA = os.path.dirname(os.path.abspath(__file__))


def main():
    checkout = sys.argv[1]
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "vqa_metric.py")
    with open(path, "wb") as f:
        f.write(subprocess.check_output(["git", "-C", checkout, "show", "82fa8ef:evaluate/infmllm/vqa_metric.py"]))
    spec = importlib.util.spec_from_file_location("vqa_metric", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = {}
    with contextlib.redirect_stdout(sys.stderr):
        runs = {}
        for n in (2, 10):
            vqa = module.VQA(os.path.join(DATA, "annotations.json"), os.path.join(DATA, "questions.json"))
            res = vqa.loadRes(os.path.join(DATA, "results.json"), os.path.join(DATA, "questions.json"))
            ev = module.VQAEval(vqa, res, n=n)
            ev.evaluate()
            runs[n] = ev
    out["infmllm"] = {"overall": runs[2].accuracy["overall"], "perAnswerType": runs[2].accuracy["perAnswerType"],
                      "per_question_percent": {str(k): v for k, v in runs[10].evalQA.items()}}
    print(json.dumps(out, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
