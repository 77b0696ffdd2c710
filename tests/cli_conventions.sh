#!/usr/bin/env bash
# The command-line conventions every command shares: help COMMAND, "--" as the end of
# options, -oFILE, -q / -v / --progress, info on a config, and predict's hint when it waits
# on a terminal.
# Usage: tests/cli_conventions.sh PATH/TO/tinynet   (run from the repository root)
set -u
tn=$(realpath "$1")
root=$PWD
. "$(dirname "$0")/sh/common.sh"

# help COMMAND is COMMAND --help.
run "$tn" help train
check "help train exits 0" [ $rc -eq 0 ]
"$tn" train --help >"$tmp/want"
check "help train prints train's help" cmp -s "$tmp/out" "$tmp/want"
for c in eval predict info activations study graph recommend help; do
    run "$tn" help $c
    check "help $c" [ $rc -eq 0 ]
    check "help $c shows its usage" has "$out" "usage: tinynet $c"
done
run "$tn" help frobnicate
check "help of an unknown command is a usage error" [ $rc -eq 2 ]
check "and names it" has "$err" '"frobnicate"'
run "$tn" help
check "help alone lists the commands" has "$out" "train CONFIG"
check "help lists the global options" has "$out" "--progress=WHEN"
run "$tn" help config
check "help config" [ $rc -eq 0 ]
check "help config documents dense" has "$out" "### dense"

# "--" ends the options: a file whose name starts with '-' is a file.
sed "s|\"\\.\\./data/|\"$root/data/|g" models/xor.json >"$tmp/-xor.json"
(cd "$tmp" && "$tn" train -o xor.tnn -- -xor.json >out.txt 2>err.txt)
check "train -- -xor.json" [ $? -eq 0 ]
check "trained from the file named -xor.json" grep -q "^trained xor" "$tmp/out.txt"
(cd "$tmp" && "$tn" info -- -xor.json >info.txt 2>&1)
check "info -- -xor.json" grep -q "^network    xor" "$tmp/info.txt"
run "$tn" train -xor.json
check "without --, -xor.json is an unknown option" [ $rc -eq 2 ]

# -oFILE, as getopt reads it.
run "$tn" train models/xor.json --epochs 2 -o"$tmp/attached.tnn"
check "-oFILE" [ $rc -eq 0 ]
check "-oFILE wrote FILE" [ -s "$tmp/attached.tnn" ]
run "$tn" graph models/ring.json -o"$tmp/ring.dot"
check "graph -oFILE" [ -s "$tmp/ring.dot" ]

# -v: a summary line per epoch on stderr even when it is not a terminal; -q: nothing.
run "$tn" -v train models/xor.json --epochs 3
check "-v train" [ $rc -eq 0 ]
check "-v prints the run's settings" has "$err" "tinynet: training xor: 17 parameters, seed 3"
check "-v prints every epoch" [ "$(grep -c '^epoch ' <<<"$err")" -eq 3 ]
check "-v leaves stdout alone" has "$out" "trained xor: 3 epochs"
run "$tn" train models/xor.json --epochs 3 -v
check "-v after the command" [ "$(grep -c '^epoch ' <<<"$err")" -eq 3 ]
run "$tn" --progress=always train models/xor.json --epochs 2
check "--progress=always when piped" has "$err" "epoch  2/2  train loss"
run "$tn" --progress bogus train models/xor.json
check "--progress bogus is a usage error" [ $rc -eq 2 ]
if command -v script >/dev/null; then
    q=$(printf '%q' "$tn")
    tty_out=$(cd "$root" && script -qc "$q train models/xor.json --epochs 2 -q" /dev/null </dev/null)
    check "-q on a terminal: no progress" bash -c "! grep -q 'train loss' <<<'$tty_out'"
    check "-q keeps the results" has "$tty_out" "trained xor: 2 epochs"
    tty_out=$(cd "$root" && script -qc "$q train models/xor.json --epochs 2 --progress=never" \
        /dev/null </dev/null)
    check "--progress=never on a terminal" bash -c "! grep -q 'train loss' <<<'$tty_out'"
    # predict waiting on a terminal says so (and ends at once here: script's stdin is empty).
    tty_out=$(script -qc "$q predict $(printf '%q' "$tmp/attached.tnn")" /dev/null </dev/null)
    check "predict on a terminal hints" has "$tty_out" "reading rows from the terminal"
    check "the hint says how to end" has "$tty_out" "Ctrl-D"
    tty_out=$(script -qc "$q -q predict $(printf '%q' "$tmp/attached.tnn")" /dev/null </dev/null)
    check "-q predict: no hint" bash -c "! grep -q 'from the terminal' <<<'$tty_out'"
else
    echo "note: script(1) missing; the terminal checks did not run" >&2
fi
run bash -c "'$tn' predict '$tmp/attached.tnn' < data/xor.csv"
check "no hint when stdin is a file" [ -z "$err" ]

# info CONFIG: the network before training, with shapes and parameter counts.
run "$tn" info models/ring.json
check "info CONFIG" [ $rc -eq 0 ]
check "info CONFIG says it is not trained" has "$out" "not trained"
check "info CONFIG shows shapes" has "$out" "dense_2        dense      dense_1                (B, 16)           272"
check "info CONFIG totals the parameters" has "$out" "337  (1,348 bytes of float32)"
check "info CONFIG reads no data" bash -c "! grep -q 'rows' <<<'$out'"
run "$tn" info models/recommender.json
check "info on a recommender config" has "$out" "28,673"
printf '\0\1\2\3binary' >"$tmp/junk.tnn"
run "$tn" info "$tmp/junk.tnn"
check "a binary non-model is a bad model, not bad JSON" has "$err" "bad magic"
printf '{"name": "x"' >"$tmp/bad.json"
run "$tn" info "$tmp/bad.json"
check "a broken config is a JSON error" has "$err" "invalid JSON"

finish cli_conventions
