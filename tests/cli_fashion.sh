#!/usr/bin/env bash
# End to end on Fashion-MNIST, one epoch: train with --plot writes both pictures and a
# model; `tinynet eval` on the saved model reproduces the test accuracy train printed, both
# with the keyword and with the IDX file pair; bad eval arguments fail with a message.
# Skipped (exit 77, with the reason) when the dataset-fashion-mnist package is not
# installed, or when TN_SKIP_LONG_TESTS is set.
set -euo pipefail
tinynet=$1
dir=/usr/share/datasets/fashion-mnist
if [ -n "${TN_SKIP_LONG_TESTS:-}" ]; then
    echo "SKIP: cli_fashion: TN_SKIP_LONG_TESTS is set"; exit 77
fi
if [ ! -f "$dir/t10k-images-idx3-ubyte.gz" ]; then
    echo "SKIP: cli_fashion: apt-get install dataset-fashion-mnist"; exit 77
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
# The model records its format, fashion-mnist, and with it the class names: they show
# whichever way its data are named.
grep -q "^0 T-shirt/top " "$out/eval1.txt"
grep -q "^0 T-shirt/top " "$out/eval2.txt"
if "$tinynet" eval "$out/m.tnn" fashion-mnist:valid 2> "$out/err.txt"; then exit 1; fi
grep -q "expected fashion-mnist:train or fashion-mnist:test" "$out/err.txt"
if "$tinynet" eval "$out/m.tnn" data/ring_test.csv 2> "$out/err.txt"; then exit 1; fi
grep -qF 'data in format "fashion-mnist" is read from fashion-mnist:test (or :train), or IDX files IMAGES LABELS' "$out/err.txt"
echo "cli_fashion: ok (test accuracy $want after one epoch)"
