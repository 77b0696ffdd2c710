#!/usr/bin/env bash
# Inputs that are not what they claim, and outputs that must not be clobbered: a FIFO
# (or a directory) in place of every kind of input file is refused by its type at once,
# never waited on; -o naming a directory, a FIFO or an unwritable place is refused before
# training and the thing named is left as it was; an empty path has its own message;
# --help and --version report a full stdout. Every command runs under a timeout: a hang
# is a failure.
set -u
tn=$1
. "$(dirname "$0")/sh/common.sh"
T() { run timeout 20 "$@"; } # a hang shows as exit 124

mkfifo "$tmp/fifo"
fifo_refused() { # fifo_refused NAME: the last command failed quickly, naming the FIFO
    check "$1: exit 1 (got $rc)" [ $rc -eq 1 ]
    check "$1: refused by its type ($err)" has "$err" "$tmp/fifo: not a regular file (a named pipe)"
}

# Build a model and configs whose files are the FIFO.
"$tn" train models/xor.json -o "$tmp/xor.tnn" >/dev/null
mkdir -p "$tmp/ratings"
cp data/ratings.tsv "$tmp/ratings/r.tsv"
sed -e 's#"train": "../data/ratings.tsv"#"train": "r.tsv"#' -e 's/"epochs": 15/"epochs": 1/' \
    models/recommender.json >"$tmp/ratings/rec.json"
"$tn" train "$tmp/ratings/rec.json" -o "$tmp/rec.tnn" >/dev/null
sed "s#\"../data/ring_train.csv\"#\"$tmp/fifo\"#" models/ring.json >"$tmp/csv_fifo.json"
sed "s#\"../data/ratings.tsv\"#\"$tmp/fifo\"#" models/recommender.json >"$tmp/ratings_fifo.json"
cat >"$tmp/idx_fifo.json" <<JSON
{"inputs": [{"name": "pixels", "size": 784}],
 "layers": [{"type": "dense", "units": 10, "activation": "softmax"}],
 "loss": "categorical_crossentropy", "train": {"epochs": 1},
 "data": {"format": "idx", "train": {"images": "$tmp/fifo", "labels": "$tmp/fifo"}}}
JSON

T "$tn" train "$tmp/fifo"; fifo_refused "config"
T "$tn" info "$tmp/fifo"; fifo_refused "model (info)"
T "$tn" predict "$tmp/fifo" </dev/null; fifo_refused "model (predict)"
T "$tn" eval "$tmp/fifo" data/xor.csv; fifo_refused "model (eval)"
T "$tn" graph "$tmp/fifo"; fifo_refused "model or config (graph)"
T "$tn" eval "$tmp/xor.tnn" "$tmp/fifo"; fifo_refused "data (eval)"
T "$tn" train "$tmp/csv_fifo.json"; fifo_refused "CSV data"
T "$tn" train "$tmp/ratings_fifo.json"; fifo_refused "ratings data"
T "$tn" train "$tmp/idx_fifo.json"; fifo_refused "IDX data"
T "$tn" recommend "$tmp/rec.tnn" --user 1 --ratings "$tmp/fifo"; fifo_refused "--ratings"
T "$tn" train models/xor.json --resume "$tmp/fifo"; fifo_refused "checkpoint"
T "$tn" train models/xor.json --init "$tmp/fifo"; fifo_refused "model (--init)"
rm "$tmp/ratings/r.tsv"
mkfifo "$tmp/ratings/r.tsv"
T "$tn" recommend "$tmp/rec.tnn" --user 1
check "the ratings path recorded in a model: refused ($err)" \
    has "$err" "the ratings file recorded in $tmp/rec.tnn: $tmp/ratings/r.tsv: not a regular file (a named pipe)"
T "$tn" info "$tmp"
check "a directory as a model: refused ($err)" has "$err" "$tmp: not a regular file (a directory)"
T "$tn" train ""
check "an empty path: its own message ($err)" has "$err" "an empty file name: give the path of a file"
T "$tn" train models/xor.json --log "$tmp/fifo"
check "a log FIFO nobody reads: refused ($err)" has "$err" "it is a named pipe that no process is reading"

# -o: refused before training, for every failure that can be known; never replaced.
mkdir "$tmp/outdir"
T "$tn" train models/ring.json -o "$tmp/outdir"
check "-o a directory: exit 1" [ $rc -eq 1 ]
check "-o a directory: before training" [ -z "$out" ]
check "-o a directory: says so ($err)" has "$err" "$tmp/outdir: is a directory: give a file name"
T "$tn" train models/ring.json -o "$tmp/fifo"
check "-o a FIFO: refused before training ($err)" has "$err" "$tmp/fifo: not a regular file (a named pipe): tinynet writes regular files only, and will not replace it"
check "-o a FIFO: still a FIFO" [ -p "$tmp/fifo" ]
check "-o a FIFO: before training" [ -z "$out" ]
T "$tn" train models/ring.json -o "$tmp/missing/m.tnn"
check "-o in a missing directory: before training ($err)" has "$err" "$tmp/missing/m.tnn: cannot write there: No such file or directory"
T "$tn" train models/ring.json -o "$tmp/xor.tnn/m.tnn"
check "-o under a file: before training ($err)" has "$err" "cannot write there: $tmp/xor.tnn is not a directory"
T "$tn" graph models/ring.json -o "$tmp/outdir.dot"
check "graph -o: a plain file works" [ $rc -eq 0 ]
ln -s "$tmp/fifo" "$tmp/link.dot"
T "$tn" graph models/ring.json -o "$tmp/link.dot"
check "graph -o through a link to a FIFO: refused ($err)" has "$err" "not a regular file (a named pipe)"

# A full stdout is a failure for every command, --help and --version too.
for args in --help --version "train --help" "info $tmp/xor.tnn"; do
    run timeout 20 "$tn" $args
    "$tn" $args >/dev/full 2>"$tmp/full.err"
    rc=$?
    check "$args on a full stdout: exit 1 (got $rc)" [ $rc -eq 1 ]
    check "$args on a full stdout: said" grep -q "No space left on device" "$tmp/full.err"
done

# A file name holding terminal escapes: recorded in the model, printed escaped by info.
esc=$(printf 'r\033[31m\nx.json')
cp models/xor.json "$tmp/$esc"
cp data/xor.csv "$tmp/"
sed -i 's#"../data/xor.csv"#"xor.csv"#' "$tmp/$esc"
"$tn" train "$tmp/$esc" -o "$tmp/esc.tnn" >/dev/null 2>&1
run "$tn" info "$tmp/esc.tnn"
check "info: a recorded path with escapes ($rc)" [ $rc -eq 0 ]
check "info: shown escaped" has "$out" 'r\x1B[31m\nx.json'
check "info: no raw escape reaches the terminal" [ "$(printf '%s' "$out" | tr -d '\n' | tr -dc '\033' | wc -c)" -eq 0 ]
run "$tn" train "$tmp/fifo$(printf '\033')[2J"
check "messages: a file name's escapes are shown, not sent ($err)" has "$err" 'fifo\x1B[2J: cannot open'

long=$tmp/$(printf "d%.0s" $(seq 200))/$(printf "e%.0s" $(seq 200))/$(printf "f%.0s" $(seq 200))/x.jsonl
run "$tn" train models/xor.json --log "$long"
check "a long path keeps the reason ($err)" has "$err" "cannot open the log: No such file or directory"
check "... with its middle elided" has "$err" "..."
run "$tn" train models/xor.json --log "$tmp/$(printf 'l\033[2J')/x.jsonl"
check "the command line's own messages are escaped too ($err)" has "$err" 'l\x1B[2J/x.jsonl'

# Semantic checks of a config, said at the key.
sed 's/"activation": "sigmoid"/"activation": "softmax"/' models/ring.json >"$tmp/sm1.json"
sed -i 's#"../data/#"'"$PWD"'/data/#g' "$tmp/sm1.json"
run "$tn" train "$tmp/sm1.json"
check "softmax over one unit: refused ($err)" has "$err" "layers[2].activation: softmax over 1 unit is always 1"
sed 's/"units": 1, "activation": "sigmoid"/"units": 2, "activation": "softmax"/' models/ring.json >"$tmp/sm2.json"
sed -i 's#"../data/#"'"$PWD"'/data/#g' "$tmp/sm2.json"
run "$tn" train "$tmp/sm2.json"
check "softmax with binary cross-entropy: refused ($err)" has "$err" 'loss: binary_crossentropy treats every output as its own probability, and "softmax" ties them together'

# Ratings files as people have them: a BOM is read; a NUL byte, and data that cannot make a
# ranking, are named with their file.
r=$tmp/ratings
rm -f "$r/r.tsv" # the FIFO of the checks above
(printf '\357\273\277'; cat data/ratings.tsv) >"$r/r.tsv"
run "$tn" train "$r/rec.json"
check "ratings with a BOM: read ($err)" [ $rc -eq 0 ]
{ head -5 data/ratings.tsv; printf '1\t2\000\t3\t4\n'; tail -n +6 data/ratings.tsv; } >"$r/r.tsv"
run "$tn" train "$r/rec.json"
check "ratings with a NUL byte: named ($err)" has "$err" "r.tsv: line 6: a NUL byte at column 4: not a text file of ratings"
printf '1\t2\t5\t1\n2\t3\t5\t1\n' >"$r/r.tsv"
run "$tn" train "$r/rec.json"
check "ratings with no user of two positives: said of the file ($err)" has "$err" "r.tsv: no user has two positives"

# Without -o, on a terminal, train says before it starts that nothing will be saved.
if command -v script >/dev/null; then
    tty_err=$(script -qc "$tn train models/xor.json --epochs 1 >/dev/null" /dev/null </dev/null)
    check "no -o on a terminal: said ($tty_err)" has "$tty_err" "no -o MODEL given: the trained model will not be saved"
    run "$tn" train models/xor.json --epochs 1
    check "no -o, piped: quiet" [ -z "$err" ]
fi

# The memory budget, from the command line and the environment.
run "$tn" train models/ring.json --memory-limit 4K
check "--memory-limit: refused ($err)" has "$err" "needs 5.3 KiB, more than the memory limit (4.0 KiB"
TN_MEMORY_LIMIT=4K run "$tn" train models/ring.json
check "TN_MEMORY_LIMIT: refused" has "$err" "more than the memory limit (4.0 KiB"
run "$tn" train models/ring.json --memory-limit lots
check "--memory-limit: a bad size is a usage error" [ $rc -eq 2 ]
run "$tn" train models/ring.json --epochs 1 --memory-limit 1G
check "--memory-limit: within it, trains" [ $rc -eq 0 ]

finish cli_hostile
