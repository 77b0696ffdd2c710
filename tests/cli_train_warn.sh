#!/bin/bash
# `tinynet train` warns when a trained layer uses binary_step (zero derivative), end to end.
# $1 is the tinynet binary; run from the repository root.
set -u
TN=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed "s/\"relu\"/\"binary_step\"/; s#\.\./data/#$PWD/data/#g" models/ring.json > "$tmp/step.json"
"$TN" train "$tmp/step.json" --epochs 2 > "$tmp/out" 2> "$tmp/err" || { echo "FAIL: train"; cat "$tmp/err"; exit 1; }
grep -q 'warning: layers\[0\] ("[^"]*") uses binary_step, whose derivative is zero' "$tmp/err" ||
    { echo "FAIL: no warning on stderr:"; cat "$tmp/err"; exit 1; }
! grep -q warning "$tmp/out" || { echo "FAIL: the warning went to stdout"; exit 1; }
# And none for a trainable activation.
"$TN" train models/ring.json --epochs 1 > /dev/null 2> "$tmp/err2"
! grep -q 'derivative is zero' "$tmp/err2" || { echo "FAIL: spurious warning"; exit 1; }
exit 0
