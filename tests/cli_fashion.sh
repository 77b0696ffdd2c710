#!/usr/bin/env bash
# End to end on Fashion-MNIST, one epoch: train with --plot writes both pictures and a
# model; `tinynet eval` on the saved model reproduces the test accuracy train printed, both
# with the keyword and with the IDX file pair; bad eval arguments fail with a message.
# Skipped (exit 0, with a note) when the dataset-fashion-mnist package is not installed.
set -euo pipefail
tinynet=$1
dir=/usr/share/datasets/fashion-mnist
if [ ! -f "$dir/t10k-images-idx3-ubyte.gz" ]; then
    echo "note: cli_fashion skipped: apt-get install dataset-fashion-mnist" >&2; exit 0
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$tinynet" train models/fashion_mlp.json --epochs 1 -o "$out/m.tnn" --plot "$out/plots" \
    > "$out/train.txt"
grep -q "^6 Shirt " "$out/train.txt"          # the confusion matrix, with class names
test -s "$out/plots/curves.svg"
test -s "$out/plots/misclassified.svg"
grep -q "data:image/png;base64," "$out/plots/misclassified.svg"
want=$(awk '$1 == "test" { print $5 }' "$out/train.txt")
"$tinynet" eval "$out/m.tnn" fashion-mnist:test > "$out/eval1.txt"
"$tinynet" eval "$out/m.tnn" "$dir/t10k-images-idx3-ubyte.gz" "$dir/t10k-labels-idx1-ubyte.gz" \
    > "$out/eval2.txt"
for f in eval1 eval2; do
    got=$(awk '$1 == "accuracy" { print $2 }' "$out/$f.txt")
    [ "$got" = "$want" ] || { echo "$f: accuracy $got, train printed $want"; exit 1; }
done
grep -q "^0 T-shirt/top " "$out/eval1.txt"
grep -q "^0  " "$out/eval2.txt"                # IDX files: class numbers, no names
if "$tinynet" eval "$out/m.tnn" fashion-mnist:valid 2> "$out/err.txt"; then exit 1; fi
grep -q "expected fashion-mnist:train or fashion-mnist:test" "$out/err.txt"
if "$tinynet" eval "$out/m.tnn" data/ring_test.csv 2> "$out/err.txt"; then exit 1; fi
grep -q "trained on IDX images: give IMAGES and LABELS" "$out/err.txt"
echo "cli_fashion: ok (test accuracy $want after one epoch)"
