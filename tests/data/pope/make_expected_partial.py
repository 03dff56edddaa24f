# A partial answer file and what eval_pope.py makes of it (expected_partial.json):
#   answers_partial.jsonl: answers.jsonl without any "popular" answer and with only the first 6 "adversarial"
#   answers (a run cut short: each category's answers are a prefix in question order, which is what eval_pope.py's
#   zip with the labels pairs correctly).
# The values come from haotian-liu/LLaVA llava/eval/eval_pope.py at c121f04, unmodified, read with `git show`: its
# eval_pope(answers, label_file) is called for each category that has answers (its __main__ loop would divide by
# zero on "popular", which has none) and the printed Accuracy/Precision/Recall/F1 score/Yes ratio are read back.
#
#   python3 make_expected_partial.py LLAVA_CHECKOUT
import contextlib
import io
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    source = subprocess.check_output(["git", "-C", sys.argv[1], "show", "c121f04:llava/eval/eval_pope.py"]).decode()
    module = {"__name__": "eval_pope"}
    exec(compile(source, "eval_pope.py", "exec"), module)
    questions = {json.loads(l)["question_id"]: json.loads(l) for l in open(os.path.join(HERE, "questions.jsonl"))}
    answers = [json.loads(l) for l in open(os.path.join(HERE, "answers.jsonl"))]
    kept, adversarial = [], 0
    for a in answers:
        category = questions[a["question_id"]]["category"]
        if category == "popular":
            continue
        if category == "adversarial":
            adversarial += 1
            if adversarial > 6:
                continue
        kept.append(a)
    with open(os.path.join(HERE, "answers_partial.jsonl"), "w") as f:
        for a in kept:
            f.write(json.dumps(a) + "\n")
    out = {"categories": {}}
    for category in ("adversarial", "random"):
        cur = [dict(x) for x in kept if questions[x["question_id"]]["category"] == category]
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            module["eval_pope"](cur, os.path.join(HERE, "labels", "coco_pope_%s.json" % category))
        values = {}
        for line in printed.getvalue().splitlines():
            for label, key in (("Accuracy: ", "accuracy"), ("Precision: ", "precision"), ("Recall: ", "recall"),
                               ("F1 score: ", "f1"), ("Yes ratio: ", "yes_ratio")):
                if line.startswith(label):
                    values[key] = float(line[len(label):])
        out["categories"][category] = values
    with open(os.path.join(HERE, "expected_partial.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
