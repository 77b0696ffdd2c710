#!/usr/bin/env bash
# Bring your own data (issue 11): CSV files as people have them (quotes, newlines in
# quotes, a BOM, CRLF, text in unused columns, class names, "inputs": "*", no header),
# ids as data have them, and predictions people can use. Each friction of the issue has a
# check here that failed before.
# Usage: tests/cli_byod.sh PATH/TO/tinynet   (run from the repository root)
set -u
tn=$1
. "$(dirname "$0")/sh/common.sh"
# has FILE TEXT: here a file, shown when it lacks the text.
has() { grep -qF -- "$2" "$1" || { echo "--- $1 lacks: $2" >&2; cat "$1" >&2; return 1; }; }

# Three classes of points around three centres, a text id, a free-text note with a comma,
# a quote and (once) a newline inside quotes; CRLF line ends and a BOM, as spreadsheets
# write them.
awk 'BEGIN {
    srand(5); printf "\xef\xbb\xbfid,note,a,b,species\r\n";
    split("setosa versicolor virginica", name, " ");
    for (i = 0; i < 150; i++) {
        k = i % 3; note = (i == 4) ? "\"two\nlines\"" : "\"big, \"\"odd\"\" one\"";
        printf "u%d,%s,%.4f,%.4f,%s\r\n", i, note, k * 2 + rand() - 0.5, (k == 1) * 3 + rand() - 0.5, name[k + 1]
    }
}' >"$tmp/flowers.csv"
cat >"$tmp/flowers.json" <<'EOF'
{
  "seed": 3,
  "inputs": [{"name": "x", "size": 2}],
  "layers": [{"type": "dense", "units": 8, "activation": "tanh"},
             {"type": "dense", "units": 3, "activation": "softmax"}],
  "loss": "categorical_crossentropy",
  "optimizer": {"type": "adam", "lr": 0.05},
  "train": {"epochs": 30, "batch_size": 16},
  "data": {"train": "flowers.csv", "test": "flowers.csv", "inputs": "*", "target": "species",
           "id": "id", "ignore": ["note"]}
}
EOF
"$tn" -q train "$tmp/flowers.json" -o "$tmp/flowers.tnn" >"$tmp/train.out" 2>&1
check "a CSV with quotes, newlines in quotes, BOM, CRLF, text columns and class names trains" \
    [ -s "$tmp/flowers.tnn" ]
"$tn" info "$tmp/flowers.tnn" >"$tmp/info.out" 2>&1
check "info lists the class names" has "$tmp/info.out" "0 setosa, 1 versicolor, 2 virginica"
check "info lists the columns \"*\" stands for" has "$tmp/info.out" "<- a, b"
"$tn" info "$tmp/flowers.json" >"$tmp/info_cfg.out" 2>&1
check "info on the config says \"*\"" has "$tmp/info_cfg.out" "inputs           <- * (every column"
sed 's/"ignore": \["note"\]/"ignore": ["nope"]/' "$tmp/flowers.json" >"$tmp/nope.json"
"$tn" train "$tmp/nope.json" -o "$tmp/x.tnn" >"$tmp/nope.out" 2>&1
check "a misspelt ignored column is named" has "$tmp/nope.out" 'no column "nope" (did you mean "note"?)'
"$tn" eval "$tmp/flowers.tnn" "$tmp/flowers.csv" >"$tmp/eval.out" 2>&1
check "eval reads class names and prints them" has "$tmp/eval.out" "virginica"
check "the classes are learned well" awk '/^accuracy/ { exit !($2 > 0.95) }' "$tmp/eval.out"
"$tn" eval "$tmp/flowers.tnn" - <"$tmp/flowers.csv" >"$tmp/eval_stdin.out" 2>&1
check "eval - reads standard input" cmp "$tmp/eval.out" "$tmp/eval_stdin.out"

# A label the model does not know, and a bad row: file, line, column, what was expected.
printf 'a,b,species\n1,2,setosa\n1,2,rose\n' >"$tmp/rose.csv"
"$tn" eval "$tmp/flowers.tnn" "$tmp/rose.csv" >"$tmp/rose.out" 2>&1
check "an unknown class name is named with its line" \
    has "$tmp/rose.out" "rose.csv: line 3: column \"species\": \"rose\" is not one of the 3 classes"
printf 'a,b,species\n1,2,setosa\n1,"x,y",setosa\n' >"$tmp/bad.csv"
"$tn" eval "$tmp/flowers.tnn" "$tmp/bad.csv" >"$tmp/bad.out" 2>&1
check "a bad value names file, line, column and the expectation" \
    has "$tmp/bad.out" "bad.csv: line 3: column \"b\": expected a number, got \"x,y\""

# No header: columns by position.
tail -n +2 "$tmp/flowers.csv" >"$tmp/noheader.csv"
sed 's/"inputs": "\*"/"inputs": [3, 4]/; s/"target": "species"/"target": 5/; s/"id": "id"/"id": 1/;
     s/, "ignore": \["note"\]/, "header": false/; s/flowers.csv/noheader.csv/g' \
    "$tmp/flowers.json" >"$tmp/noheader.json"
"$tn" -q train "$tmp/noheader.json" -o "$tmp/noheader.tnn" >"$tmp/nh.out" 2>&1
check "a headerless file trains with columns by position" [ -s "$tmp/noheader.tnn" ]
"$tn" eval "$tmp/noheader.tnn" "$tmp/noheader.csv" >"$tmp/nh_eval.out" 2>&1
check "the headerless model gives the same figures" \
    cmp <(grep -v '^rows' "$tmp/eval.out") <(grep -v '^rows' "$tmp/nh_eval.out")
sed 's/"target": 5/"target": "species"/' "$tmp/noheader.json" >"$tmp/nh_bad.json"
"$tn" train "$tmp/nh_bad.json" -o "$tmp/x.tnn" >"$tmp/nh_bad.out" 2>&1
check "names without a header are refused at their key" \
    has "$tmp/nh_bad.out" "data.target: without a header line"

# Missing values: named by default, dropped on request.
{ head -n 3 "$tmp/flowers.csv"; printf 'u999,n,NA,1,setosa\r\n'; tail -n +4 "$tmp/flowers.csv"; } \
    >"$tmp/na.csv"
sed 's/flowers.csv/na.csv/g' "$tmp/flowers.json" >"$tmp/na.json"
"$tn" train "$tmp/na.json" -o "$tmp/x.tnn" >"$tmp/na.out" 2>&1
check "a missing value is named" has "$tmp/na.out" "na.csv: line 4: column \"a\": expected a number, got \"NA\""
sed 's/"ignore"/"missing": "skip", "ignore"/' "$tmp/na.json" >"$tmp/na_skip.json"
"$tn" -q train "$tmp/na_skip.json" -o "$tmp/na.tnn" >"$tmp/na_skip.out" 2>&1
check "\"missing\": \"skip\" drops the row" [ -s "$tmp/na.tnn" ]

# ---- Ids as data have them -------------------------------------------------------------
# The shipped ratings with string users and gapped items (x10 + 7): the same figures as the
# dense file, seed for seed, and the parameter count does not grow.
awk -F'\t' '{ printf "u%03d\t%d\t%s\t%s\n", $1, $2 * 10 + 7, $3, $4 }' data/ratings.tsv \
    >"$tmp/gapped.tsv"
for f in dense gapped; do
    path=$([ $f = dense ] && echo "$PWD/data/ratings.tsv" || echo "$tmp/gapped.tsv")
    sed "s#\.\./data/ratings.tsv#$path#; s/\"epochs\": 15/\"epochs\": 2/" models/recommender.json \
        >"$tmp/$f.json"
    "$tn" train "$tmp/$f.json" -o "$tmp/$f.tnn" >"$tmp/$f.out" 2>&1
done
check "gapped and string ids give the dense file's figures" \
    cmp <(grep -E '^(model|popularity|trained)' "$tmp/dense.out") \
        <(grep -E '^(model|popularity|trained)' "$tmp/gapped.out")
check "the figures are there" grep -q '^model ' "$tmp/gapped.out"
printf 'u003\t77\nu003 7\n' | "$tn" predict "$tmp/gapped.tnn" >"$tmp/gp.out" 2>&1
printf '3\t7\n3 0\n' | "$tn" predict "$tmp/dense.tnn" >"$tmp/dp.out" 2>&1
check "predict reads string ids through the recorded vocabulary" cmp "$tmp/gp.out" "$tmp/dp.out"
printf 'u003 8\n' | "$tn" predict "$tmp/gapped.tnn" >"$tmp/unseen.out" 2>&1
check "an unseen id is a clear error" \
    has "$tmp/unseen.out" "<stdin>: line 1: item \"8\" is not in the model's 400 items"
(cd / && "$tn" recommend "$tmp/gapped.tnn" --user u003 --top 3) >"$tmp/rg.out" 2>&1
(cd / && "$tn" recommend "$tmp/dense.tnn" --user 3 --top 3) >"$tmp/rd.out" 2>&1
check "recommend works from another directory and names items as the file does" \
    cmp <(cut -f1,3 "$tmp/rg.out") <(cut -f1,3 "$tmp/rd.out")
check "recommended items keep their ids" \
    cmp <(tail -n +2 "$tmp/rg.out" | cut -f2) <(tail -n +2 "$tmp/rd.out" | awk '{ print $2 * 10 + 7 }')
# The recorded file moved away: --ratings says which file.
"$tn" recommend "$tmp/gapped.tnn" --user u003 --ratings "$tmp/gapped.tsv" --top 3 >"$tmp/rr.out" 2>&1
check "--ratings names the file" cmp "$tmp/rg.out" "$tmp/rr.out"

# An out-of-vocabulary row, when asked for: unseen ids read as one row past the vocabulary.
sed 's/"size": 300/"size": 301/; s/"size": 400/"size": 401/; s/"top_k": 10/"top_k": 10, "oov": true/' "$tmp/gapped.json" \
    >"$tmp/oov.json"
"$tn" -q train "$tmp/oov.json" -o "$tmp/oov.tnn" >"$tmp/oov.out" 2>&1
printf 'u003 8\nu003 9\n' | "$tn" predict --raw "$tmp/oov.tnn" >"$tmp/oovp.out" 2>&1
check "\"oov\": true scores unseen ids with the out-of-vocabulary row" \
    awk 'NR <= 2 && NF == 1 { n++ } END { exit n != 2 }' "$tmp/oovp.out"
"$tn" train "$tmp/gapped.json" -o "$tmp/x.tnn" >/dev/null 2>&1
sed 's/"size": 400/"size": 399/' "$tmp/gapped.json" >"$tmp/small.json"
"$tn" train "$tmp/small.json" -o "$tmp/x.tnn" >"$tmp/small.out" 2>&1
check "an index input smaller than the ids is named" \
    has "$tmp/small.out" "400 distinct items, but input \"item\" has size 399 (give it at least 400)"

# The CSV/id_base silent wrong answer: a 1-based file with "id_base": 1 scores a pair the
# same from u.data lines and from CSV, and the valid pair 300,400 is read.
awk -F'\t' '{ printf "%d\t%d\t%s\t%s\n", $1 + 1, $2 + 1, $3, $4 }' data/ratings.tsv >"$tmp/one.tsv"
sed "s#$PWD/data/ratings.tsv#$tmp/one.tsv#; s/\"top_k\": 10/\"top_k\": 10, \"id_base\": 1/" \
    "$tmp/dense.json" >"$tmp/one.json"
"$tn" -q train "$tmp/one.json" -o "$tmp/one.tnn" >/dev/null 2>&1
a=$(printf '1 146\n' | "$tn" predict "$tmp/one.tnn" 2>&1)
b=$(printf 'user,item\n1,146\n' | "$tn" predict "$tmp/one.tnn" 2>&1)
c=$(printf '2 147\n' | "$tn" predict "$tmp/dense.tnn" 2>&1)
check "u.data lines and CSV score the same pair ($a, $b)" [ -n "$a" ] && [ "$a" = "$b" ]
printf 'user,item\n300,400\n' | "$tn" predict "$tmp/one.tnn" >"$tmp/edge.out" 2>&1
check "the last valid pair is read" [ $? -eq 0 ]

# Index inputs of a CSV take text ids too: the vocabulary is learned and recorded.
printf 'user,item,label\nalice,book,1\nbob,pen,0\nalice,pen,0\ncarol,book,1\nbob,book,1\ncarol,pen,0\n' \
    >"$tmp/pairs.csv"
cat >"$tmp/pairs.json" <<'EOF'
{"seed": 1, "inputs": [{"name": "user", "type": "index", "size": 3},
                       {"name": "item", "type": "index", "size": 2}],
 "layers": [{"name": "u", "type": "embedding", "input": "user", "dim": 2},
            {"name": "i", "type": "embedding", "input": "item", "dim": 2},
            {"type": "concat", "inputs": ["u", "i"]}, {"type": "dense", "units": 1, "activation": "sigmoid"}],
 "loss": "binary_crossentropy", "optimizer": {"type": "adam", "lr": 0.1},
 "train": {"epochs": 20, "batch_size": 2},
 "data": {"train": "pairs.csv", "inputs": {"user": ["user"], "item": ["item"]}, "target": "label"}}
EOF
"$tn" -q train "$tmp/pairs.json" -o "$tmp/pairs.tnn" >/dev/null 2>&1
"$tn" eval "$tmp/pairs.tnn" "$tmp/pairs.csv" >"$tmp/pairs.out" 2>&1
check "a CSV with text ids in index inputs trains and evaluates" has "$tmp/pairs.out" "accuracy  1.0000"
printf 'user,item\nbob,car\n' | "$tn" predict "$tmp/pairs.tnn" >"$tmp/car.out" 2>&1
check "an id unseen in training is named with its line" \
    has "$tmp/car.out" "<stdin>: line 2: column \"item\": id \"car\" is not among the 2 ids of input \"item\""

# ---- Predictions people can use ---------------------------------------------------------
"$tn" predict "$tmp/flowers.tnn" "$tmp/flowers.csv" >"$tmp/pred.csv" 2>&1
check "predict writes a CSV header" [ "$(head -n 1 "$tmp/pred.csv")" = "id,class,probability" ]
check "predict passes the id through and names the class" \
    awk -F, 'NR == 2 { exit !($1 == "u0" && $2 == "setosa" && $3 > 0.5) }' "$tmp/pred.csv"
check "one line per row" [ "$(wc -l <"$tmp/pred.csv")" -eq 151 ]
"$tn" predict --probabilities "$tmp/flowers.tnn" "$tmp/flowers.csv" >"$tmp/all.csv" 2>&1
check "--probabilities: a column per class, by name" \
    [ "$(head -n 1 "$tmp/all.csv")" = "id,class,probability,setosa,versicolor,virginica" ]
check "the probabilities sum to 1" \
    awk -F, 'NR > 1 { s = $4 + $5 + $6; if (s < 0.9999 || s > 1.0001) bad = 1 } END { exit bad }' "$tmp/all.csv"
# In a pipe, each row is answered as its line arrives, before the input ends.
{ printf 'a,b\n0,0\n'; sleep 6; printf '4,0\n'; } | "$tn" predict "$tmp/flowers.tnn" >"$tmp/stream.csv" 2>&1 &
pid=$!
for _ in $(seq 40); do # up to 4 s of the 6 the input waits (a loaded machine starts slowly)
    [ "$(wc -l <"$tmp/stream.csv")" -ge 2 ] && break
    sleep 0.1
done
check "predict streams: the first row is out before the input ends" \
    [ "$(wc -l <"$tmp/stream.csv")" -eq 2 ]
wait $pid
check "and the second one after it" [ "$(wc -l <"$tmp/stream.csv")" -eq 3 ]
check "a pipe without the id column gives class and probability" \
    [ "$(head -n 1 "$tmp/stream.csv")" = "class,probability" ]
# A line longer than the reader's 64 KiB buffer, and a last line without its line end.
awk 'BEGIN { printf "a,b\n0."; for (i = 0; i < 100000; i++) printf "0"; printf "1,0\n0,0" }' |
    "$tn" predict "$tmp/flowers.tnn" >"$tmp/slong.csv" 2>&1
check "a 100 kB line streams like a short one" \
    [ "$(sed -n 2p "$tmp/slong.csv")" = "$(sed -n 3p "$tmp/slong.csv")" ]
check "and an unterminated last line is answered" [ "$(wc -l <"$tmp/slong.csv")" -eq 3 ]
{ printf 'a,b\n0,0\n\n# note\n'; printf '1,"x"\n'; } | "$tn" predict "$tmp/flowers.tnn" >"$tmp/sbad.out" 2>&1
check "a bad row in a stream names its line" \
    has "$tmp/sbad.out" "<stdin>: line 5: column \"b\": expected a number, got \"x\""
# A regression model prints a score.
printf 'x,y\n1,2\n2,4\n3,6\n4,8\n' >"$tmp/line.csv"
cat >"$tmp/line.json" <<'EOF'
{"seed": 1, "inputs": [{"name": "x", "size": 1}], "layers": [{"type": "dense", "units": 1}],
 "loss": "mse", "optimizer": {"type": "adam", "lr": 0.1}, "train": {"epochs": 5, "batch_size": 2},
 "data": {"train": "line.csv", "inputs": ["x"], "target": "y"}}
EOF
"$tn" -q train "$tmp/line.json" -o "$tmp/line.tnn" >/dev/null 2>&1
"$tn" predict "$tmp/line.tnn" "$tmp/line.csv" >"$tmp/line.out" 2>&1
check "a regression prints a score column" [ "$(head -n 1 "$tmp/line.out")" = "score" ]

# predict reads every format the model was trained on, IDX images included.
{ printf '\x00\x00\x08\x03\x00\x00\x00\x06\x00\x00\x00\x02\x00\x00\x00\x02'
  printf '\x00\x00\x00\x00\xff\xff\xff\xff\x00\xff\x00\xff\x00\x00\x00\x00\xff\xff\xff\xff\x00\xff\x00\xff'; } \
    >"$tmp/img.idx"
printf '\x00\x00\x08\x01\x00\x00\x00\x06\x00\x01\x02\x00\x01\x02' >"$tmp/lab.idx"
cat >"$tmp/idx.json" <<'EOF'
{"seed": 1, "inputs": [{"name": "px", "size": 4}],
 "layers": [{"type": "dense", "units": 3, "activation": "softmax"}],
 "loss": "categorical_crossentropy", "optimizer": {"type": "adam", "lr": 0.1},
 "train": {"epochs": 3, "batch_size": 2},
 "data": {"format": "idx", "train": {"images": "img.idx", "labels": "lab.idx"}, "scaling": "unit"}}
EOF
"$tn" -q train "$tmp/idx.json" -o "$tmp/idx.tnn" >/dev/null 2>&1
"$tn" predict "$tmp/idx.tnn" "$tmp/img.idx" >"$tmp/idx.out" 2>&1
check "predict reads IDX images" \
    [ "$(head -n 1 "$tmp/idx.out")" = "class,probability" ] && [ "$(wc -l <"$tmp/idx.out")" -eq 7 ]

finish cli_byod
