#!/usr/bin/env bash
# End-to-end checks of the command line: results, exit codes, messages, files.
# Usage: tests/cli_train.sh PATH/TO/tinynet   (run from the repository root)
set -u
tn=$1
. "$(dirname "$0")/sh/common.sh"
# run CMD...: sets $out, $err, $rc
run() {
    "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    out=$(cat "$tmp/out")
    err=$(cat "$tmp/err")
}
has() { grep -qF -- "$2" <<<"$1"; }

run "$tn" --version
check "version" [ $rc -eq 0 ]
check "version text" has "$out" "tinynet 0."
run "$tn" --help
check "help exits 0" [ $rc -eq 0 ]
check "help lists train" has "$out" "train CONFIG"
run "$tn" frobnicate
check "unknown command is a usage error" [ $rc -eq 2 ]
check "unknown command named" has "$err" 'unknown command "frobnicate"'
run "$tn" train
check "train without config is a usage error" [ $rc -eq 2 ]
run "$tn" train models/xor.json --epochs zero
check "bad --epochs is a usage error" [ $rc -eq 2 ]
run "$tn" train models/xor.json --bogus
check "unknown option" [ $rc -eq 2 ]
check "unknown option named" has "$err" '"--bogus"'

# Train XOR, quietly since stderr is not a terminal, with a JSON-lines log.
run "$tn" train models/xor.json -o "$tmp/xor.tnn" --log "$tmp/xor.jsonl"
check "xor trains" [ $rc -eq 0 ]
check "xor 4/4" has "$out" "accuracy 1.0000  (4 rows)"
check "quiet when stderr is not a terminal" [ -z "$err" ]
check "model written" [ -s "$tmp/xor.tnn" ]
check "no temporary files left" [ "$(ls "$tmp" | grep -c tmp)" -eq 0 ]
check "log has 300 epochs" [ "$(grep -c '"event":"epoch"' "$tmp/xor.jsonl")" -eq 300 ]
check "log starts and ends" bash -c "head -1 '$tmp/xor.jsonl' | grep -q '\"event\":\"start\"' && tail -1 '$tmp/xor.jsonl' | grep -q '\"event\":\"end\"'"

run "$tn" info "$tmp/xor.tnn"
check "info" [ $rc -eq 0 ]
check "info shows layers" has "$out" "dense_2        dense      dense_1"
check "info shows parameters" has "$out" "17 parameters"

run "$tn" predict --raw "$tmp/xor.tnn" data/xor.csv
check "predict" [ $rc -eq 0 ]
check "predict prints one line per row" [ "$(wc -l <<<"$out")" -eq 4 ]
check "predictions classify xor" [ "$(awk '{printf "%d", ($1 >= 0.5)}' <<<"$out")" = "0110" ]
run bash -c "'$tn' predict --raw '$tmp/xor.tnn' - < data/xor.csv"
check "predict from stdin" [ "$(wc -l <<<"$out")" -eq 4 ]

run "$tn" eval "$tmp/xor.tnn" data/xor.csv
check "eval" [ $rc -eq 0 ]
check "eval accuracy" has "$out" "accuracy  1.0000"

# Same seed, same model, byte for byte.
"$tn" train models/xor.json -o "$tmp/xor2.tnn" >/dev/null
check "training is reproducible" cmp -s "$tmp/xor.tnn" "$tmp/xor2.tnn"

# Bad inputs: one clear message, exit 1, nothing left behind.
printf '{"name": "x",\n "seed": }' >"$tmp/bad.json"
run "$tn" train "$tmp/bad.json"
check "invalid JSON fails" [ $rc -eq 1 ]
check "invalid JSON names line and column" has "$err" "bad.json:2:10: invalid JSON"
run "$tn" train "$tmp/missing.json"
check "missing config fails" [ $rc -eq 1 ]
check "missing config named" has "$err" "missing.json"
run "$tn" info "$tmp/missing.tnn"
check "missing model fails" [ $rc -eq 1 ]
head -c 100 "$tmp/xor.tnn" >"$tmp/cut.tnn"
run "$tn" predict "$tmp/cut.tnn" data/xor.csv
check "truncated model fails" [ $rc -eq 1 ]
check "truncated model explained" has "$err" "truncated"
cp "$tmp/xor.tnn" "$tmp/flip.tnn"
size=$(stat -c %s "$tmp/flip.tnn")
printf '\x7f' | dd of="$tmp/flip.tnn" bs=1 seek=$((size - 20)) conv=notrunc status=none
run "$tn" info "$tmp/flip.tnn"
check "flipped byte fails" [ $rc -eq 1 ]
check "flipped byte is a checksum error" has "$err" "checksum"
run "$tn" train models/xor.json -o "$tmp/no/such/dir/x.tnn"
check "unwritable output fails" [ $rc -eq 1 ]
check "unwritable output named" has "$err" "$tmp/no/such/dir/x.tnn"
check "unwritable output found before training" [ -z "$out" ]
printf 'x1,x2\n0,zero\n' >"$tmp/bad.csv"
run "$tn" predict "$tmp/xor.tnn" "$tmp/bad.csv"
check "bad data row fails" [ $rc -eq 1 ]
check "bad data row names line and column" has "$err" 'line 2: column "x2": expected a number, got "zero"'
run "$tn" eval "$tmp/xor.tnn" data/ring_test.csv
check "eval on foreign columns fails" [ $rc -eq 1 ]
check "eval names the missing column" has "$err" 'no column "x1"'

# Recommender pairs: the same scores from a file and from stdin.
"$tn" train models/recommender.json --epochs 2 -o "$tmp/rec.tnn" >/dev/null
printf '7\t56\n1\t2\n' >"$tmp/pairs.tsv"
run "$tn" predict --raw "$tmp/rec.tnn" "$tmp/pairs.tsv"
check "predict pairs from a file" [ $rc -eq 0 ] && [ "$(wc -l <<<"$out")" -eq 2 ]
file_out=$out
run bash -c "'$tn' predict --raw '$tmp/rec.tnn' - < '$tmp/pairs.tsv'"
check "predict pairs from stdin" [ $rc -eq 0 ]
check "stdin and file agree" [ "$out" = "$file_out" ]
printf 'user,item,label\n# a comment\n1,2,1\n999,3,0\n' >"$tmp/badid.csv"
run "$tn" eval "$tmp/rec.tnn" "$tmp/badid.csv"
check "id outside the vocabulary fails" [ $rc -eq 1 ]
check "id outside the vocabulary names line and value" has "$err" 'badid.csv: line 4: user "999" is not in the model'"'"'s 300 users'
run "$tn" eval "$tmp/rec.tnn" data/ratings.tsv
check "eval of ratings data fails" [ $rc -eq 1 ]
check "eval of ratings data says why" has "$err" "tinynet train"
# The model reads data in the format it records (csv here): the Fashion-MNIST keyword is
# only a keyword to a model trained on Fashion-MNIST, to this one a file name.
run "$tn" eval "$tmp/xor.tnn" fashion-mnist:test
check "eval of the Fashion-MNIST keyword on a CSV model fails" [ $rc -eq 1 ]
check "eval of the Fashion-MNIST keyword on a CSV model names the file" \
    has "$err" "fashion-mnist:test: cannot open"

# A layer_norm between the hidden layers of the ring network: it trains, and info,
# predict and graph handle it. Config paths are relative to the config: make them absolute.
cat >"$tmp/ring_ln.json" <<EOF
{
  "name": "ring_ln",
  "seed": 42,
  "inputs": [{"name": "point", "size": 2}],
  "layers": [
    {"type": "dense", "units": 16, "activation": "relu"},
    {"type": "layer_norm"},
    {"type": "dense", "units": 16, "activation": "relu"},
    {"type": "dense", "units": 1, "activation": "sigmoid"}
  ],
  "loss": "binary_crossentropy",
  "optimizer": {"type": "adam", "lr": 0.01},
  "train": {"epochs": 30, "batch_size": 32},
  "data": {
    "train": "$PWD/data/ring_train.csv",
    "test": "$PWD/data/ring_test.csv",
    "inputs": ["x", "y"],
    "target": "label"
  }
}
EOF
run "$tn" train "$tmp/ring_ln.json" -o "$tmp/ring_ln.tnn"
check "layer_norm ring trains" [ $rc -eq 0 ]
check "layer_norm ring learns (test accuracy >= 0.9)" \
    awk '$1 == "test" { found = 1; ok = $5 >= 0.9 } END { exit !(found && ok) }' <<<"$out"
run "$tn" info "$tmp/ring_ln.tnn"
check "info of a layer_norm model" [ $rc -eq 0 ]
check "info lists the layer_norm layer" has "$out" "layer_norm_1   layer_norm dense_1"
check "info lists its parameters" has "$out" "(B, 16)            32  eps=1e-05"
run "$tn" predict --raw "$tmp/ring_ln.tnn" data/ring_test.csv
check "predict with layer_norm" [ $rc -eq 0 ]
check "predict with layer_norm prints 500 lines" [ "$(wc -l <<<"$out")" -eq 500 ]
run "$tn" graph "$tmp/ring_ln.tnn"
check "graph of a layer_norm model" [ $rc -eq 0 ]
check "graph shows the layer_norm" has "$out" "(layer_norm)"

# The huber loss and the rmsprop optimizer work end to end with no edit beyond their own
# files: a regression of the ring's label, saved, evaluated, described, run.
sed -e 's/"binary_crossentropy"/{"type": "huber", "delta": 0.5}/' \
    -e 's/"optimizer": {"type": "adam", "lr": 0.01}/"optimizer": {"type": "rmsprop", "lr": 0.003, "centered": true}/' \
    -e 's/"activation": "sigmoid"/"activation": "identity"/' -e 's/"epochs": 30/"epochs": 20/' \
    "$tmp/ring_ln.json" >"$tmp/ring_huber.json"
run "$tn" train "$tmp/ring_huber.json" -o "$tmp/ring_huber.tnn"
check "huber + rmsprop trains" [ $rc -eq 0 ]
check "a regression reports no accuracy" bash -c "! grep -q accuracy <<<'$out'"
check "the test loss is well below the start" \
    awk '$1 == "test" { found = 1; ok = $3 < 0.05 } END { exit !(found && ok) }' <<<"$out"
run "$tn" eval "$tmp/ring_huber.tnn" data/ring_test.csv
check "eval of a huber model" [ $rc -eq 0 ]
check "eval names the loss with its parameter" has "$out" "(huber(delta=0.5))"
run "$tn" info "$tmp/ring_huber.tnn"
check "info shows the loss" has "$out" "loss       huber(delta=0.5)"
run "$tn" predict --raw "$tmp/ring_huber.tnn" data/ring_test.csv
check "predict of a huber model" [ $rc -eq 0 ] && [ "$(wc -l <<<"$out")" -eq 500 ]

# A model file of format version 1 (tinynet 0.1, the ring of models/ring.json, "columns"
# instead of "data") loads, evaluates and predicts as it did.
run "$tn" info tests/fixtures/ring_v1.tnn
check "a version 1 model loads" [ $rc -eq 0 ]
check "info says version 1" has "$out" "tinynet model, version 1 (checksum verified)"
check "info shows its columns" has "$out" "input point      <- x, y"
run "$tn" eval tests/fixtures/ring_v1.tnn data/ring_test.csv
check "a version 1 model evaluates as trained" has "$out" "accuracy  0.9840"

# Results that cannot be written are a failure; a setup failure leaves no half-written log.
if [ -w /dev/full ]; then
    run bash -c "'$tn' info '$tmp/xor.tnn' > /dev/full"
    check "a full stdout fails" [ $rc -eq 1 ]
    check "a full stdout is said" has "$err" "cannot write the results to stdout"
fi
run "$tn" train models/xor.json --log "$tmp/never.jsonl" --plot "$tmp/no/such/dir"
check "bad --plot fails before training" [ $rc -eq 1 ] && [ -z "$out" ]
check "bad --plot opens no log" [ ! -e "$tmp/never.jsonl" ]

# Honest figures: with patience, validation rows (a tenth of the training rows) choose the
# epoch; the test rows are evaluated once, after training; the report, the log and the
# model say so. The ring's model is the one the README shows.
pat=$tmp/pat.json
sed -e 's/"batch_size": 32}/"batch_size": 32, "patience": 3}/' -e 's/"optimizer": {"type": "adam", "lr": 0.01}/"optimizer": {"type": "adam", "lr": 0.01}, "metrics": ["auc"]/' \
    -e 's#"\.\./data/#"'"$PWD"'/data/#g' models/ring.json >"$pat"
run "$tn" train "$pat" --epochs 40 -o "$tmp/pat.tnn" --log "$tmp/pat.jsonl"
check "patience trains ($err)" [ $rc -eq 0 ]
check "the report says which rows chose the epoch" has "$out" \
    "chosen during training: the kept epoch, on the validation rows (100 of the 1000 training rows, held out with seed 42)"
check "validation rows in the report" has "$out" "validation loss "
check "the test rows once, in the report" [ "$(grep -c '^test ' <<<"$out")" -eq 1 ]
check "the log never has the test rows per epoch" [ "$(grep '"epoch"' "$tmp/pat.jsonl" | grep -c test)" -eq 0 ]
check "the log has each epoch's learning rate and the tracked AUC" \
    grep -q '"val_auc":.*"lr":0.01,' "$tmp/pat.jsonl"
check "the log's end record has the test metrics" \
    grep -q '"event":"end".*"chosen_by":"the kept epoch, on the validation rows.*"test":{"rows":500,.*"auc":' "$tmp/pat.jsonl"
run "$tn" info "$tmp/pat.tnn"
check "info says which rows chose the epoch" has "$out" "chosen_by          the kept epoch, on the validation rows"
run "$tn" train models/ring.json -o "$tmp/ring.tnn"
check "ring: the metrics of the test rows" has "$out" "metrics (test):  precision 0.9690  recall 1.0000  f1 0.9843  auc 0.9996"
run "$tn" eval "$tmp/ring.tnn" data/ring_test.csv --threshold 0.3
check "eval --threshold moves the confusion matrix" has "$out" "metrics (evaluated data):  precision 0.9615  recall 1.0000  f1 0.9804  auc 0.9996"
check "eval --threshold moves the accuracy" has "$out" "accuracy  0.9800"
run "$tn" eval "$tmp/ring.tnn" data/ring_test.csv --threshold 1.5
check "a threshold out of [0, 1] is a usage error" [ $rc -eq 2 ]
check "... said so" has "$err" "--threshold needs a number in [0, 1]"

finish cli_train
