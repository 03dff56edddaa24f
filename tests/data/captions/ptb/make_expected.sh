#!/bin/bash
# Writes ../tokenizer_expected.json: each caption of captions.txt, the tokens CoreNLP 3.4.1's PTB lexer gives it
# (run_ptb_lexer.sh, all captions in one run joined by newlines as pycocoevalcap's PTBTokenizer passes them), and
# the caption pycocoevalcap keeps after dropping its PUNCTUATIONS tokens (the list in tokenizer/ptbtokenizer.py).
#
#   bash make_expected.sh CORENLP_CHECKOUT
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/run_ptb_lexer.sh" "$1" < "$here/captions.txt" > "$here/tokenized.txt"
python3 - "$here" <<'PY'
import json, sys
here = sys.argv[1]
PUNCTUATIONS = ["''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-", ".", "?", "!", ",", ":", "-", "--", "...",
                ";"]
captions = open(here + "/captions.txt", encoding="utf-8").read().split("\n")[:-1]
lines = open(here + "/tokenized.txt", encoding="utf-8").read().split("\n")
cases = []
for caption, line in zip(captions, lines):
    kept = " ".join(w for w in line.rstrip().split(" ") if w not in PUNCTUATIONS)
    cases.append({"caption": caption, "ptb": line.rstrip(), "coco": kept})
assert len(cases) == len(captions)
with open(here + "/../tokenizer_expected.json", "w", encoding="utf-8") as f:
    json.dump(cases, f, indent=1, ensure_ascii=False)
    f.write("\n")
PY
rm "$here/tokenized.txt"
