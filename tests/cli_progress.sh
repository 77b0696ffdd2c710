#!/usr/bin/env bash
# What train and study show on a terminal and what they leave out otherwise: under
# script(1), which gives the command a pseudo-terminal, the epoch summaries appear and the
# redrawn bar fits the terminal's width; with stderr in a file, stderr stays empty.
# Usage: tests/cli_progress.sh PATH/TO/tinynet   (run from the repository root)
set -u
tn=$1
. "$(dirname "$0")/sh/common.sh"
lacks() { ! grep -qF -- "$2" <<<"$1"; }

if ! command -v script >/dev/null; then
    echo "SKIP: cli_progress: script(1) missing, apt-get install bsdutils"
    exit 77
fi
# script runs its command through a shell: quote the binary's path for it.
q=$(printf '%q' "$tn")

# On a terminal: one summary line per epoch (every epoch while there are at most 20).
tty_out=$(script -qc "$q train models/ring.json --epochs 3" /dev/null </dev/null)
check "train runs under script" [ $? -eq 0 ]
for e in 1 2 3; do
    check "summary of epoch $e" has "$tty_out" "epoch  $e/3  train loss "
done
check "the summary never shows the test rows (evaluated once, after training)" lacks "$tty_out" "test loss"

# A 40-column terminal: every redrawn piece of the line fits in 39 columns, so it never
# wraps (the escape sequence that clears the line takes no columns).
narrow=$(script -qc "stty cols 40; $q train models/ring.json --epochs 2" /dev/null </dev/null)
longest=$(tr '\r' '\n' <<<"$narrow" | sed 's/\x1b\[K//g' | grep '^epoch [0-9]* \[' |
    awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')
check "bar drawn on a narrow terminal" [ "$longest" -gt 0 ]
check "bar fits 40 columns (longest $longest)" [ "$longest" -le 39 ]

# Not a terminal: nothing on stderr, the results still on stdout.
"$tn" train models/ring.json --epochs 3 >"$tmp/out" 2>"$tmp/err"
check "train runs piped" [ $? -eq 0 ]
check "stderr empty when not a terminal" [ ! -s "$tmp/err" ]
check "results on stdout" grep -q "^trained ring: 3 epochs" "$tmp/out"

# study: its progress line (with the timing) only on a terminal.
tty_out=$(script -qc "$q study models/deep_ring.json --activations relu --epochs 1" /dev/null \
    </dev/null)
check "study progress on a terminal" has "$tty_out" "tinynet study: relu done ("
"$tn" study models/deep_ring.json --activations relu --epochs 1 >"$tmp/out" 2>"$tmp/err"
check "study quiet when not a terminal" [ ! -s "$tmp/err" ]

finish cli_progress
