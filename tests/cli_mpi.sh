#!/usr/bin/env bash
# Data-parallel training (a -DTN_MPI=ON build; skipped otherwise): mpirun -n 2 matches one
# process with the same global batch on the ring, the recommender (dropout included) and,
# unless TN_SKIP_LONG_TESTS, Fashion-MNIST (accuracies within 2 points there, see below):
# parameters within 1e-5 of their tensor's scale (tools/params_diff.py), accuracies equal
# to 3 digits; process 0 alone writes the
# model and checkpoints, and a 2-process run resumes from them bit for bit; a process
# that cannot read its data ends the job with one message from process 0; a process
# killed mid-training ends the job (non-zero, never a hang: every mpirun runs under
# timeout).
set -u
tn=$1
. "$(dirname "$0")/sh/common.sh"

ldd "$tn" 2>/dev/null | grep -q 'libmpi\.' || { echo "cli_mpi: not an MPI build (skipped)"; exit 77; }
command -v mpirun >/dev/null || { echo "cli_mpi: no mpirun (skipped)"; exit 77; }
command -v python3 >/dev/null || { echo "cli_mpi: no python3 (skipped)"; exit 77; }
# Root is refused unless allowed; 2 processes on fewer cores need --oversubscribe.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
limit=${TN_MPI_TIMEOUT:-300}
mpi() { timeout -k 10 "$limit" mpirun -n "$@"; }
diff_ok() { python3 tools/params_diff.py "$1" "$2" 1e-5 >"$tmp/diff" 2>&1; }
# The accuracies of `train`'s report (train, test), to 3 digits.
acc3() { awk '/accuracy/ { for (i = 1; i < NF; i++) if ($i == "accuracy") printf "%s %.3f\n", $1, $(i + 1) }' "$1"; }

# 1. Equal to one process: the ring (5 epochs), the recommender (2) within 1e-5.
# Fashion-MNIST (1 epoch) is as sensitive to the order of a sum as its ReLUs make it: one
# process at 2 BLAS threads already lands 0.04-0.3 (relative, by OpenBLAS's kernels) away
# from 1 thread, and 2 processes land 0.2-0.3 away: there the accuracies must agree to 2
# points.
same_acc() { [ -n "$(acc3 "$1")" ] && [ "$(acc3 "$1")" = "$(acc3 "$2")" ]; }
rel() { python3 tools/params_diff.py "$1" "$2" | sed -n 's/.*max rel diff \([^ ]*\) .*/\1/p'; }
cases="ring:5 recommender:2"
[ -n "${TN_SKIP_LONG_TESTS:-}" ] || cases="$cases fashion_mlp:1"
for c in $cases; do
    name=${c%%:*} n=${c##*:}
    "$tn" train "models/$name.json" --epochs "$n" --threads 1 -o "$tmp/$name-1.tnn" \
        >"$tmp/$name-1.out" 2>&1
    check "$name: one process trains" [ $? -eq 0 ]
    run mpi 2 "$tn" train "models/$name.json" --epochs "$n" --threads 1 -o "$tmp/$name-2.tnn"
    check "$name: two processes train (rc $rc: $err)" [ $rc -eq 0 ]
    printf '%s\n' "$out" >"$tmp/$name-2.out"
    check "$name: the report is printed once" [ "$(grep -c '^saved ' "$tmp/$name-2.out")" -eq 1 ]
    if [ "$name" = fashion_mlp ]; then
        # Chaotic after an epoch (see above): the figures are printed, the accuracies held
        # to 2 points. How far another summation order alone goes is printed beside them.
        "$tn" train "models/$name.json" --epochs "$n" --threads 2 -o "$tmp/$name-t2.tnn" \
            >/dev/null 2>&1
        spread=$(rel "$tmp/$name-1.tnn" "$tmp/$name-t2.tnn")
        got=$(rel "$tmp/$name-1.tnn" "$tmp/$name-2.tnn")
        echo "$name: 2 processes vs 1: max rel diff $got; 2 threads vs 1: $spread"
        echo "$name: accuracies, 1 process: $(acc3 "$tmp/$name-1.out" | tr '\n' ' ')2: $(acc3 "$tmp/$name-2.out" | tr '\n' ' ')"
        check "$name: accuracies within 0.02 of one process's" \
            awk -v a="$(acc3 "$tmp/$name-1.out" | tr '\n' ' ')" -v b="$(acc3 "$tmp/$name-2.out" | tr '\n' ' ')" \
            'BEGIN { n = split(a, x, " "); m = split(b, y, " "); if (n != 4 || m != 4) exit 1
                     for (i = 2; i <= 4; i += 2) { d = x[i] - y[i]; if (d < -0.02 || d > 0.02) exit 1 } }'
    else
        check "$name: accuracies equal to 3 digits" same_acc "$tmp/$name-1.out" "$tmp/$name-2.out"
        diff_ok "$tmp/$name-1.tnn" "$tmp/$name-2.tnn"
        check "$name: parameters equal to one process's to 1e-5 ($(cat "$tmp/diff"))" [ $? -eq 0 ]
        echo "$name: $(cat "$tmp/diff")"
    fi
done

# 1b. Large embedding tables travel as the rows a batch touches: the same bits as whole
# tables (TN_MPI_EMBEDDING_ROWS=0), and one process's accuracies.
sed 's/"size": 300/"size": 50000/; s/"size": 400/"size": 60000/; s#"\.\./data/#"'"$PWD"'/data/#' \
    models/recommender.json >"$tmp/big.json"
"$tn" train "$tmp/big.json" --epochs 1 -o "$tmp/big-1.tnn" >"$tmp/big-1.out" 2>&1
run mpi 2 "$tn" train "$tmp/big.json" --epochs 1 -o "$tmp/big-rows.tnn"
check "big tables: rows exchanged (rc $rc: $err)" [ $rc -eq 0 ]
printf '%s\n' "$out" >"$tmp/big-2.out"
run mpi 2 -x TN_MPI_EMBEDDING_ROWS=0 "$tn" train "$tmp/big.json" --epochs 1 -o "$tmp/big-whole.tnn"
check "big tables: whole (rc $rc: $err)" [ $rc -eq 0 ]
check "big tables: rows and whole tables give the same bits" \
    cmp -s "$tmp/big-rows.tnn" "$tmp/big-whole.tnn"
check "big tables: accuracies equal to 3 digits" same_acc "$tmp/big-1.out" "$tmp/big-2.out"

# 1c. Lazy Adam: every process lists the rows of the global batch (the ids gathered), so
# all update the same rows as one process: 2 processes match one, on the shipped
# recommender and on the big-vocabulary one (whose tables travel as rows).
sed 's/"type": "adam", "lr": 0.001/"type": "adam", "lr": 0.001, "lazy": true/; s#"\.\./data/#"'"$PWD"'/data/#' \
    models/recommender.json >"$tmp/lazy.json"
sed 's/"type": "adam", "lr": 0.001/"type": "adam", "lr": 0.001, "lazy": true/' "$tmp/big.json" \
    >"$tmp/lazybig.json"
for c in lazy:2 lazybig:1; do
    name=${c%%:*} n=${c##*:}
    "$tn" train "$tmp/$name.json" --epochs "$n" --threads 1 -o "$tmp/$name-1.tnn" >"$tmp/$name-1.out" 2>&1
    check "$name: one process trains" [ $? -eq 0 ]
    run mpi 2 "$tn" train "$tmp/$name.json" --epochs "$n" --threads 1 -o "$tmp/$name-2.tnn"
    check "$name: two processes train (rc $rc: $err)" [ $rc -eq 0 ]
    printf '%s\n' "$out" >"$tmp/$name-2.out"
    check "$name: accuracies equal to 3 digits" same_acc "$tmp/$name-1.out" "$tmp/$name-2.out"
    diff_ok "$tmp/$name-1.tnn" "$tmp/$name-2.tnn"
    check "$name: parameters equal to one process's to 1e-5 ($(cat "$tmp/diff"))" [ $? -eq 0 ]
    echo "$name: $(cat "$tmp/diff")"
done

# 1d. Sharded rows (train.shards K): the result depends on K, not on the processes. The
# ring with K=2 at 1 process vs 2 (each keeping its half), and with validation rows,
# standardized inputs and balanced class weights (decided over all shards) at 1, 2 and 4
# processes with K=4; IDX files (below) read only their rows; K not a multiple of the
# processes is refused naming train.shards.
abs() { sed 's#"\.\./data/#"'"$PWD"'/data/#' "$1"; }
abs models/ring.json | sed 's/"batch_size": 32}/"batch_size": 32, "shards": 2}/' >"$tmp/sh2.json"
abs models/ring.json | sed 's/"batch_size": 32}/"batch_size": 32, "shards": 4, "validation": 0.2, "patience": 3, "class_weights": "balanced"}/; s/"target": "label"/"target": "label", "scaling": "standardize"/' >"$tmp/sh4.json"
for c in sh2 sh4; do
    "$tn" train "$tmp/$c.json" --epochs 5 --threads 1 -o "$tmp/$c-1.tnn" >"$tmp/$c-1.out" 2>&1
    check "$c: one process trains" [ $? -eq 0 ]
    for p in 2 4; do
        [ $c = sh2 ] && [ $p = 4 ] && continue
        run mpi $p "$tn" train "$tmp/$c.json" --epochs 5 --threads 1 -v -o "$tmp/$c-$p.tnn"
        check "$c: $p processes train (rc $rc: $err)" [ $rc -eq 0 ]
        printf '%s\n' "$out" >"$tmp/$c-$p.out"
        check "$c: $p processes, accuracies equal to 3 digits" same_acc "$tmp/$c-1.out" "$tmp/$c-$p.out"
        check "$c: $p processes, the same rows counted" \
            [ "$(grep -o '([0-9]* rows)' "$tmp/$c-1.out")" = "$(grep -o '([0-9]* rows)' "$tmp/$c-$p.out")" ]
        diff_ok "$tmp/$c-1.tnn" "$tmp/$c-$p.tnn"
        check "$c: $p processes, parameters equal to one process's to 1e-5 ($(cat "$tmp/diff"))" [ $? -eq 0 ]
        echo "$c: $p processes: $(cat "$tmp/diff")"
        # Each process keeps its K/P shards' training rows: 1000 rows (sh4: 800 after the
        # validation rows) over p processes.
        [ $c = sh2 ] && want=$((1000 / p)) || want=$((800 / p))
        check "$c: each of $p processes kept $want rows ($err)" \
            [ "$(grep -c "kept $want training rows" <<<"$err")" -eq $p ]
    done
done
# IDX reads only the chosen rows: each process its shard and every shard's validation rows
# (450 + 100 of 1000), plain (by offset) and gzip-compressed (decompressed, then only the
# chosen rows converted): the same parameters as one process, and as each other.
python3 - "$tmp" <<'PY'
import gzip, struct, sys
rows = [l.split(',') for l in open('data/ring_train.csv').read().splitlines()[1:]]
im = struct.pack('>BBBBII', 0, 0, 0x0D, 2, len(rows), 2) + b''.join(
    struct.pack('>ff', float(r[0]), float(r[1])) for r in rows)
lb = struct.pack('>BBBBI', 0, 0, 0x08, 1, len(rows)) + bytes(int(r[2]) for r in rows)
for name, data in (('images', im), ('labels', lb)):
    open(f'{sys.argv[1]}/ring-{name}.idx', 'wb').write(data)
    gzip.open(f'{sys.argv[1]}/ring-{name}.idx.gz', 'wb').write(data)
PY
cat >"$tmp/shidx.json" <<'J'
{"name": "ring", "seed": 42, "inputs": [{"name": "point", "size": 2}],
 "layers": [{"type": "dense", "units": 16, "activation": "relu"},
            {"type": "dense", "units": 16, "activation": "relu"},
            {"type": "dense", "units": 2, "activation": "softmax"}],
 "loss": "categorical_crossentropy", "optimizer": {"type": "adam", "lr": 0.01},
 "train": {"epochs": 5, "batch_size": 32, "shards": 2, "validation": 0.1},
 "data": {"format": "idx", "scaling": "unit",
          "train": {"images": "ring-images.idx", "labels": "ring-labels.idx"}}}
J
sed 's/\.idx"/.idx.gz"/g' "$tmp/shidx.json" >"$tmp/shidxgz.json"
"$tn" train "$tmp/shidx.json" --threads 1 -o "$tmp/shidx-1.tnn" >"$tmp/shidx-1.out" 2>&1
check "idx shards: one process trains" [ $? -eq 0 ]
for c in shidx shidxgz; do
    run mpi 2 "$tn" train "$tmp/$c.json" --threads 1 -v -o "$tmp/$c-2.tnn"
    check "$c: 2 processes train (rc $rc: $err)" [ $rc -eq 0 ]
    printf '%s\n' "$out" >"$tmp/$c-2.out"
    check "$c: each process read 550 of the 1000 rows and kept 450 ($err)" \
        [ "$(grep -c 'kept 450 training rows (its shards), read 550 of the training file.s 1000 rows$' <<<"$err")" -eq 2 ]
    check "$c: accuracies equal to 3 digits" same_acc "$tmp/shidx-1.out" "$tmp/$c-2.out"
    diff_ok "$tmp/shidx-1.tnn" "$tmp/$c-2.tnn"
    check "$c: parameters equal to one process's to 1e-5 ($(cat "$tmp/diff"))" [ $? -eq 0 ]
done
# A sharded run checkpointed at 2 processes resumes there byte for byte; at 4 it is
# refused (process 0 holds other shards), saying why.
mkdir -p "$tmp/shck"
run mpi 2 "$tn" train "$tmp/sh4.json" --epochs 3 --threads 1 -o "$tmp/shck/straight.tnn" \
    --checkpoint-every 1 --checkpoint-prefix "$tmp/shck/run"
check "sharded checkpointed run ($err)" [ $rc -eq 0 ]
run mpi 2 "$tn" train "$tmp/sh4.json" --epochs 3 --threads 1 -o "$tmp/shck/resumed.tnn" \
    --resume "$tmp/shck/run-epoch2.ckpt"
check "sharded: resumed at 2 processes ($err)" [ $rc -eq 0 ]
check "sharded: 2 + 1 epochs = 3 epochs, byte for byte" \
    cmp -s "$tmp/shck/straight.tnn" "$tmp/shck/resumed.tnn"
run mpi 4 "$tn" train "$tmp/sh4.json" --epochs 3 --threads 1 -o "$tmp/shck/r4.tnn" \
    --resume "$tmp/shck/run-epoch2.ckpt"
check "sharded: resuming at 4 processes is refused (rc $rc)" [ $rc -ne 0 -a $rc -ne 124 ]
check "... saying why ($err)" has "$err" "resumes at the number of processes that wrote it"
sed 's/"shards": 2/"shards": 3/' "$tmp/sh2.json" >"$tmp/sh3.json"
run mpi 2 "$tn" train "$tmp/sh3.json" --epochs 1
check "3 shards on 2 processes: refused (rc $rc)" [ $rc -ne 0 -a $rc -ne 124 ]
check "... naming train.shards ($err)" has "$err" "train.shards is 3, which 2 processes cannot share"

# 2. Checkpoints: process 0 writes them; 1 + 1 epochs at 2 processes = 2 straight.
d=$tmp/ck
mkdir -p "$d"
run mpi 2 "$tn" train models/recommender.json --epochs 2 -o "$d/straight.tnn" \
    --checkpoint-every 1 --checkpoint-prefix "$d/run"
check "checkpointed run ($err)" [ $rc -eq 0 ]
check "checkpoints written once per epoch" test -f "$d/run-epoch1.ckpt" -a -f "$d/run-epoch2.ckpt"
run mpi 2 "$tn" train models/recommender.json --epochs 2 -o "$d/resumed.tnn" \
    --resume "$d/run-epoch1.ckpt"
check "resumed at 2 processes ($err)" [ $rc -eq 0 ]
check "1 + 1 epochs = 2 epochs, byte for byte" cmp -s "$d/straight.tnn" "$d/resumed.tnn"

# 3. A process that cannot read its data: one message, from process 0, naming it.
sed 's#"\.\./data/ring_train\.csv"#"'"$PWD"'/data/no_such_ring.csv"#; s#"\.\./data/#"'"$PWD"'/data/#' \
    models/ring.json >"$tmp/bad.json"
run mpi 1 "$tn" train models/ring.json -o "$tmp/bad.tnn" : \
    -n 1 "$tn" train "$tmp/bad.json" -o "$tmp/bad.tnn"
check "a missing shard fails the job (rc $rc)" [ $rc -ne 0 -a $rc -ne 124 ]
check "process 0 names process 1 and the file ($err)" has "$err" "tinynet: process 1 of 2:"
check "... and the file" has "$err" "no_such_ring.csv"
check "one message" [ "$(grep -c '^tinynet: ' <<<"$err")" -eq 1 ]
check "no model written" [ ! -e "$tmp/bad.tnn" ]

# 4. A process killed mid-training: the job ends, non-zero, before the timeout.
timeout -k 10 "$limit" mpirun -n 2 "$tn" train models/ring.json --epochs 100000 \
    >"$tmp/kill.out" 2>"$tmp/kill.err" &
job=$!
victim=""
for _ in $(seq 1 200); do # the tinynet processes under this job's mpirun, rank 1 among them
    for p in $(pgrep -P "$(pgrep -P $job | head -1)" 2>/dev/null); do
        if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1'; then
            victim=$p
        fi
    done
    [ -n "$victim" ] && break
    sleep 0.1
done
check "found process 1 of the job" [ -n "$victim" ]
sleep 1
[ -n "$victim" ] && kill -9 "$victim"
wait $job
rc=$?
check "a killed process ends the job (rc $rc, not the timeout's 124)" [ $rc -ne 0 -a $rc -ne 124 ]
finish cli_mpi
