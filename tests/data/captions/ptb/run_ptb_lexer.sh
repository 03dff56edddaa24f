#!/bin/bash
# Tokenizes captions with Stanford CoreNLP 3.4.1's own PTB lexer, as pycocoevalcap's PTBTokenizer runs it
# (`java -cp stanford-corenlp-3.4.1.jar edu.stanford.nlp.process.PTBTokenizer -preserveLines -lowerCase`), without
# the jar: PTBLexer.flex is taken from a CoreNLP checkout at tag v3.4.1, turned into Java by JFlex (Debian's jflex)
# and compiled with the few classes it references, written here as small stand-ins (stubs/), plus Main.java, which
# repeats PTBTokenizer.tokReader's -preserveLines/-lowerCase output loop. Only the lexer decides the tokens.
#
#   bash run_ptb_lexer.sh CORENLP_CHECKOUT < captions.txt > tokenized.txt      (one caption per line)
#
# make_expected.sh uses it to write ../tokenizer_expected.json.
set -euo pipefail
checkout="$1"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src/edu/stanford/nlp/process" "$work/classes"
git -C "$checkout" show v3.4.1:src/edu/stanford/nlp/process/PTBLexer.flex > "$work/PTBLexer.flex"
jflex -q -d "$work/src/edu/stanford/nlp/process" "$work/PTBLexer.flex" >&2
javac -nowarn -encoding utf-8 -d "$work/classes" "$work/src/edu/stanford/nlp/process/PTBLexer.java" \
  $(find "$here/stubs" -name '*.java') "$here/Main.java" 2>&1 | grep -v '^Note:' >&2 || true
java -cp "$work/classes" edu.stanford.nlp.process.Main
