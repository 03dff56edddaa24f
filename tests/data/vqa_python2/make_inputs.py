# Writes questions.json, annotations.json and results.json: the cases where vqaEval.py (Python 2.7) and a
# Python 3 port disagree on the same bytes. Run with any python3; the expected values come from the evaluators
# themselves (README.md).
import json

cases = [
    # (answer, ten GT answers, answer type)
    ("\u0661,\u0660\u0660\u0660", ["\u0661\u0660\u0660\u0660"] * 5 + ["\u0661,\u0660\u0660\u0660"] * 3 + ["1000"] * 2,
     "number"),                                             # digit-comma-digit with Arabic-Indic digits
    ("\u0661.\u0665", ["\u0661\u0665"] * 3 + ["x"] * 7, "number"),  # period before an Arabic-Indic digit
    ("\u0130", ["i"] * 3 + ["x"] * 7, "other"),              # lower() of U+0130
    ("red\u180eblue", ["red blue"] * 3 + ["x"] * 7, "other"),  # U+180E splits in Python 2 only
    ("\u180eyes", ["yes"] * 10, "other"),                     # ... and is stripped (GT agree: no normalization)
]
# 32 yes/no questions, one answered right: 100 * 1 / 32 = 3.125 exactly, a tie at 2 decimals.
for i in range(32):
    cases.append(("yes" if i == 0 else "no", ["yes"] * 10, "yes/no"))

info = {"description": "synthetic", "version": "2.0"}
questions, annotations, results = [], [], []
for k, (answer, gts, answer_type) in enumerate(cases):
    qid = 3000 + k
    questions.append({"question_id": qid, "image_id": 7, "question": "Synthetic question %d?" % k})
    annotations.append({"question_id": qid, "image_id": 7, "question_type": "what is", "answer_type": answer_type,
                        "multiple_choice_answer": gts[0],
                        "answers": [{"answer": a, "answer_confidence": "yes", "answer_id": j + 1}
                                    for j, a in enumerate(gts)]})
    results.append({"question_id": qid, "answer": answer})

with open("questions.json", "w") as f:
    json.dump({"info": info, "task_type": "Open-Ended", "data_type": "mscoco", "data_subtype": "val2014",
               "license": {"name": "synthetic"}, "questions": questions}, f, indent=1)
with open("annotations.json", "w") as f:
    json.dump({"info": info, "data_type": "mscoco", "data_subtype": "val2014", "license": {"name": "synthetic"},
               "annotations": annotations}, f, indent=1)
with open("results.json", "w") as f:
    json.dump(results, f, indent=1)
