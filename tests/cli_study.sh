#!/bin/bash
# `tinynet study` end to end on the deep ring, briefly: one row per activation, the
# documented columns, sigmoid's vanishing first-layer gradient, and usage errors.
# $1 is the tinynet binary; run from the repository root.
set -u
TN=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
"$TN" study models/deep_ring.json --activations sigmoid,relu,leaky_relu --epochs 2 \
    > "$tmp/out" 2> "$tmp/err" || { echo "FAIL: study exit status"; cat "$tmp/err"; exit 1; }
for a in sigmoid relu leaky_relu; do
    grep -q "^$a " "$tmp/out" || { echo "FAIL: no row for $a"; fail=1; }
done
grep -q "layer outputs at init" "$tmp/out" || { echo "FAIL: no init statistics"; fail=1; }
grep -q "dead units" "$tmp/out" || { echo "FAIL: no dead units column"; fail=1; }
# Sigmoid's h1 gradient is orders of magnitude below its last hidden layer's.
# Each awk check fails when its row is missing too, not only when the value is wrong.
awk '$1 == "sigmoid" && NF > 10 { found = 1; ok = $(NF) + 0 < 1e-3; exit }
     END { exit !(found && ok) }' "$tmp/out" ||
    { echo "FAIL: sigmoid h2/last gradient ratio is not < 1e-3"; fail=1; }
# leaky_relu never has dead units.
awk '$1 == "leaky_relu" && NF > 10 { found = 1; ok = index($0, "0.0%   0.0%") > 0; exit }
     END { exit !(found && ok) }' "$tmp/out" ||
    { echo "FAIL: leaky_relu shows dead units"; fail=1; }
# stderr is not a terminal here: no progress lines. stdout carries no timings, so a second
# run is byte for byte the same.
[ ! -s "$tmp/err" ] || { echo "FAIL: progress on a non-terminal stderr"; cat "$tmp/err"; fail=1; }
"$TN" study models/deep_ring.json --activations sigmoid,relu,leaky_relu --epochs 2 \
    > "$tmp/out2" 2> /dev/null
cmp -s "$tmp/out" "$tmp/out2" || { echo "FAIL: study output differs between runs"; fail=1; }
"$TN" study models/deep_ring.json --activations relo > /dev/null 2> "$tmp/err"; rc=$?
[ "$rc" -eq 2 ] || { echo "FAIL: bad activation exit $rc"; fail=1; }
grep -q 'did you mean "relu"' "$tmp/err" || { echo "FAIL: no suggestion"; fail=1; }
"$TN" study > /dev/null 2>&1; [ $? -eq 2 ] || { echo "FAIL: missing CONFIG not a usage error"; fail=1; }
exit $fail
