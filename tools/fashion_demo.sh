#!/usr/bin/env bash
# Trains models/fashion_mlp.json on Debian's Fashion-MNIST package, evaluates the saved
# model with `tinynet eval` (which applies the scaling stored in it) and fails unless the
# test accuracy is at least 0.89. Usage: tools/fashion_demo.sh [TINYNET] [OUTDIR]
# (defaults: build/tinynet, a temporary directory, removed on exit). Writes
# OUTDIR/fashion_mlp.tnn, the training log and the pictures (OUTDIR/plots/curves.svg,
# misclassified.svg).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
tinynet=${1:-$here/build/tinynet}
if [ -n "${2:-}" ]; then
    out=$2
    where="output in $out"
else
    # Nobody asked for the files: do not leave them behind in /tmp.
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
    where="pass OUTDIR to keep the output"
fi
want=0.89
mkdir -p "$out"
start=$(date +%s)
"$tinynet" train "$here/models/fashion_mlp.json" -o "$out/fashion_mlp.tnn" \
    --log "$out/train.jsonl" --plot "$out/plots"
"$tinynet" eval "$out/fashion_mlp.tnn" fashion-mnist:test | tee "$out/eval.txt"
acc=$(awk '$1 == "accuracy" { print $2 }' "$out/eval.txt")
echo "fashion_demo: test accuracy $acc (want >= $want), $(( $(date +%s) - start )) s, $where"
awk -v a="$acc" -v w="$want" 'BEGIN { exit !(a != "" && a + 0 >= w) }' || {
    echo "fashion_demo: FAIL: accuracy $acc is below $want" >&2
    exit 1
}
