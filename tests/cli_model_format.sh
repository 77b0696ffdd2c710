#!/usr/bin/env bash
# docs/model-format.md is complete: tools/read_tnn.py, an independent reader written from
# it with Python's standard library, finds in model files the header and the parameters
# tinynet finds (names, layers, parameter counts) and, from those parameters alone,
# predicts what `tinynet predict` predicts; it refuses a corrupted file as tinynet does.
# Usage: tests/cli_model_format.sh PATH/TO/tinynet   (run from the repository root)
set -u
tn=$1
py=/usr/bin/python3
if [ ! -x "$py" ]; then
    echo "SKIP: cli_model_format: $py missing (apt-get install python3)"
    exit 77
fi
. "$(dirname "$0")/sh/common.sh"
# same_numbers A B: the files have the same shape and every number agrees to 1e-5
# (the reader computes in double, tinynet in float32 through BLAS).
same_numbers() {
    "$py" - "$1" "$2" <<'EOF'
import sys
a = [l.split("\t") for l in open(sys.argv[1]).read().split("\n") if l]
b = [l.split("\t") for l in open(sys.argv[2]).read().split("\n") if l]
assert len(a) == len(b) and len(a) > 0, (len(a), len(b))
worst = max(abs(float(x) - float(y)) for ra, rb in zip(a, b) for x, y in zip(ra, rb))
assert all(len(ra) == len(rb) for ra, rb in zip(a, b))
assert worst <= 1e-5, worst
EOF
}

# compare NAME MODEL: header and parameter counts against `tinynet info`, predictions
# against `tinynet predict` on the ring test set.
compare() {
    local name=$1 model=$2
    "$py" tools/read_tnn.py "$model" >"$tmp/read.txt" 2>"$tmp/read.err"
    check "$name: the reader reads it" [ $? -eq 0 ]
    "$tn" info "$model" >"$tmp/info.txt"
    local net total
    net=$(sed -n 's/^network    \([^:]*\): .* \([0-9]*\) parameters$/\1 \2/p' "$tmp/info.txt")
    total=$(sed -n 's/^model      \([^ ]*\) .*/\1/p; s/^parameters \([0-9]*\)/\1/p' "$tmp/read.txt" |
            tr '\n' ' ' | sed 's/ $//')
    check "$name: name and parameter count ($net / $total)" [ "$net" = "$total" ]
    # Every layer's parameter count, as info's table has it.
    while read -r lname ltype n; do
        grep -qE "^$lname +$ltype +.* $n  " "$tmp/info.txt" ||
            { check "$name: layer $lname has $n parameters in info" false; continue; }
        passed=$((passed + 1))
    done < <(sed -n 's/^layer      \([^ ]*\) (\([^)]*\)) <- .*: \([0-9]*\) parameters$/\1 \2 \3/p' \
             "$tmp/read.txt")
    "$tn" predict --raw "$model" data/ring_test.csv >"$tmp/want.txt"
    "$py" tools/read_tnn.py "$model" --predict data/ring_test.csv >"$tmp/got.txt"
    check "$name: predicts what tinynet predicts" same_numbers "$tmp/want.txt" "$tmp/got.txt"
}

root=$PWD
# 1. The ring model as shipped (dense, relu, sigmoid).
sed "s|\"\\.\\./data/|\"$root/data/|g; s|\"epochs\": 100|\"epochs\": 5|" models/ring.json \
    >"$tmp/ring.json"
"$tn" train "$tmp/ring.json" -o "$tmp/ring.tnn" >/dev/null
compare ring "$tmp/ring.tnn"

# 2. Scaling, an activation with a parameter, layer_norm, a two-class softmax.
cat >"$tmp/wide.json" <<EOF
{"name": "wide", "seed": 7, "inputs": [{"name": "point", "size": 2}],
 "layers": [{"type": "dense", "units": 8, "activation": {"type": "leaky_relu", "alpha": 0.1}},
            {"type": "layer_norm"},
            {"type": "dense", "units": 6, "activation": "tanh", "bias": false},
            {"type": "dense", "units": 2, "activation": "softmax"}],
 "loss": "categorical_crossentropy", "train": {"epochs": 3},
 "data": {"train": "$root/data/ring_train.csv", "test": "$root/data/ring_test.csv",
          "inputs": ["x", "y"], "target": "label", "scaling": "standardize"}}
EOF
"$tn" train "$tmp/wide.json" -o "$tmp/wide.tnn" >/dev/null
compare "scaled, layer_norm, softmax" "$tmp/wide.tnn"
"$py" tools/read_tnn.py "$tmp/wide.tnn" --json >"$tmp/wide.json.out"
check "the header as JSON, tensors in parameter order" "$py" - "$tmp/wide.json.out" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
h = m["header"]
assert m["version"] == 3 and h["format"] == "tinynet-model"
assert h["scaling"]["kind"] == "standardize" and len(h["scaling"]["mean"]) == 2
assert [(t["layer"], t["name"]) for t in m["tensors"]] == [
    ("dense_1", "W"), ("dense_1", "b"), ("layer_norm_1", "gain"), ("layer_norm_1", "bias"),
    ("dense_2", "W"), ("dense_3", "W"), ("dense_3", "b")], m["tensors"]
assert h["training"]["epochs"] == 3 and "test_accuracy" in h["training"]
assert h["data"] == {"format": "csv", "inputs": {"point": ["x", "y"]}, "target": ["label"]}
EOF

# 3. A version-1 file (no "data", its columns in "columns").
compare "format version 1" tests/fixtures/ring_v1.tnn
check "version 1 is said" grep -q "format version 1" "$tmp/read.txt"

# 4. A flipped byte: both refuse it, for the same reason.
cp "$tmp/ring.tnn" "$tmp/bad.tnn"
printf '\x55' | dd of="$tmp/bad.tnn" bs=1 seek=40 conv=notrunc 2>/dev/null
"$py" tools/read_tnn.py "$tmp/bad.tnn" >/dev/null 2>"$tmp/err1"
check "the reader refuses a corrupted file" grep -q "checksum mismatch" "$tmp/err1"
"$tn" info "$tmp/bad.tnn" >/dev/null 2>"$tmp/err2"
check "so does tinynet" grep -q "checksum mismatch" "$tmp/err2"

finish cli_model_format
