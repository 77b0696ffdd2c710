#!/usr/bin/env bash
# The fault suite: a full disk and a failing disk while saving (through an LD_PRELOAD shim
# that fails chosen system calls on chosen paths), a read-only directory, a log on a full
# device, failing pictures; SIGINT and SIGTERM at a random moment of training and during
# the save; kill -9 during training and saving. Whatever happens, the model is the old
# one or the new one, never a broken one; no temporary file outlives the next run; work
# already done is not lost.
# Usage: tests/cli_faults.sh TINYNET FAULT_SHIM.so
set -u
tn=$1
shim=$2
. "$(dirname "$0")/sh/common.sh"
# A sanitized tinynet wants its runtime first among the preloaded libraries.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
set -m # background jobs keep SIGINT (a non-interactive shell would make them ignore it)

faulty() { # faulty OPS PATH ERRNO CMD...: run CMD with OPS failing on PATH
    local ops=$1 path=$2 e=$3
    shift 3
    TN_FAULT_OPS=$ops TN_FAULT_PATH=$path TN_FAULT_ERRNO=$e LD_PRELOAD=$shim run "$@"
}
temps() { find "$1" -name '*.tmp.*' | wc -l; }
valid_model() { "$tn" info "$1" >/dev/null 2>&1; }
differ() { ! cmp -s "$1" "$2"; }

d=$tmp/save
mkdir -p "$d"
"$tn" train models/xor.json -o "$d/m.tnn" >/dev/null
cp "$d/m.tnn" "$d/old.tnn"

# A full disk, a failing disk, at each step of the save: an error naming the file and the
# reason, the old model untouched, no temporary file.
for fault in write:ENOSPC fsync:EIO close:EIO rename:EIO; do
    op=${fault%%:*} e=${fault##*:}
    faulty "$op" "$d/m.tnn" "$e" "$tn" train models/ring.json -o "$d/m.tnn"
    check "$op fails ($e): exit 1" [ $rc -eq 1 ]
    check "$op fails ($e): says which file and why ($err)" has "$err" "$d/m.tnn: $op: "
    check "$op fails ($e): the old model is untouched" cmp -s "$d/m.tnn" "$d/old.tnn"
    check "$op fails ($e): no temporary file" [ "$(temps "$d")" -eq 0 ]
done

# A read-only directory is found before training, not after it.
ro=$tmp/ro
mkdir -p "$ro"
if [ "$(id -u)" -eq 0 ]; then # root writes anywhere: the shim plays the read-only mount
    faulty access,mkstemp "$ro" EROFS "$tn" train models/ring.json -o "$ro/m.tnn"
else
    chmod 555 "$ro"
    run "$tn" train models/ring.json -o "$ro/m.tnn"
    chmod 755 "$ro"
fi
check "read-only directory: exit 1" [ $rc -eq 1 ]
check "read-only directory: said before training" [ -z "$out" ]
check "read-only directory: the reason ($err)" has "$err" "$ro/m.tnn: cannot write there: "

# The log on a full device and failing pictures cost nothing trained: the model is saved
# and the error says so.
run "$tn" train models/xor.json -o "$d/log.tnn" --log /dev/full
check "log on a full device: exit 1" [ $rc -eq 1 ]
check "log on a full device: the reason ($err)" \
    has "$err" "/dev/full: writing the log failed: No space left on device"
check "log on a full device: the model was saved" valid_model "$d/log.tnn"
check "log on a full device: and the message says so" has "$err" "the model was saved to $d/log.tnn, but /dev/full: writing the log failed"
faulty write curves.svg ENOSPC "$tn" train models/xor.json -o "$d/plot.tnn" --plot "$d/plots"
check "plot on a full disk: exit 1" [ $rc -eq 1 ]
check "plot on a full disk: the reason ($err)" has "$err" "curves.svg: write: No space left on device"
check "plot on a full disk: the model was saved" valid_model "$d/plot.tnn"
check "plot on a full disk: no empty or partial picture" [ ! -e "$d/plots/curves.svg" ]
check "plot on a full disk: no temporary file" [ "$(temps "$d")" -eq 0 ]
faulty write .ckpt ENOSPC "$tn" train models/ring.json -o "$d/ck.tnn" --checkpoint-every 2
check "checkpoint on a full disk: exit 1" [ $rc -eq 1 ]
check "checkpoint on a full disk: the reason ($err)" \
    has "$err" "writing a checkpoint: $d/ck-epoch2.ckpt: write: No space left on device"
check "checkpoint on a full disk: training went on and the model was saved" valid_model "$d/ck.tnn"
check "checkpoint on a full disk: and the message says so" has "$err" "the model was saved to $d/ck.tnn, but"
check "checkpoint on a full disk: no temporary file" [ "$(temps "$d")" -eq 0 ]

# SIGINT or SIGTERM at a random moment of training: the run stops after the step, saves a
# checkpoint and the model, ends its log saying why, exits 128+signal; the checkpoint
# resumes to the model an uninterrupted run gives.
s=$tmp/sig
mkdir -p "$s"
epochs=3000 # about a second of training: time for a random moment inside it
"$tn" train models/ring.json --epochs $epochs -o "$s/straight.tnn" >/dev/null
for sig in INT TERM; do
    want=$([ $sig = INT ] && echo 130 || echo 143)
    # Should a loaded machine finish first, try again with a shorter wait.
    for wait_max in 30 10 3; do
        rm -f "$s/$sig"*
        "$tn" train models/ring.json --epochs $epochs -o "$s/$sig.tnn" --log "$s/$sig.jsonl" \
            --checkpoint-prefix "$s/$sig" >"$s/$sig.out" 2>"$s/$sig.err" &
        pid=$!
        # Wait for training to start, then a random moment within it.
        for _ in $(seq 500); do
            grep -q '"event":"epoch"' "$s/$sig.jsonl" 2>/dev/null && break
            sleep 0.01
        done
        sleep "$(awk -v r=$RANDOM -v m=$wait_max 'BEGIN { printf "%.3f", r % m / 100 }')"
        kill -$sig $pid 2>/dev/null && break
        wait $pid
    done
    wait $pid
    rc=$?
    ck=$(ls "$s/$sig"-epoch*.ckpt 2>/dev/null | head -1)
    check "SIG$sig: exit $want (got $rc)" [ $rc -eq $want ]
    check "SIG$sig: a checkpoint" [ -n "$ck" ]
    check "SIG$sig: the model saved" valid_model "$s/$sig.tnn"
    check "SIG$sig: said on stderr" grep -q "interrupted by SIG$sig: checkpoint $ck" "$s/$sig.err"
    check "SIG$sig: how to go on" grep -q -- "--resume $ck" "$s/$sig.err"
    check "SIG$sig: the log ends saying why" \
        grep -q "\"event\":\"end\",\"reason\":\"interrupted\",\"signal\":\"SIG$sig\"" "$s/$sig.jsonl"
    run "$tn" train models/ring.json --epochs $epochs -o "$s/$sig-resumed.tnn" --resume "$ck"
    check "SIG$sig: resumed ($err)" [ $rc -eq 0 ]
    # The command it printed is this run's, options and all, resuming the checkpoint.
    hint=$(sed -n 's/^tinynet: continue with: tinynet //p' "$s/$sig.err")
    check "SIG$sig: the hint keeps the options ($hint)" has "$hint" "--epochs $epochs -o $s/$sig.tnn --log $s/$sig.jsonl --checkpoint-prefix $s/$sig --resume $ck"
    check "SIG$sig: resumed = uninterrupted, byte for byte" \
        cmp -s "$s/straight.tnn" "$s/$sig-resumed.tnn"
done

# A signal during the save: the save completes (the shim slows its writes down), the model
# is whole and no temporary file is left.
cp "$d/old.tnn" "$s/slow.tnn"
TN_FAULT_OPS=slow TN_FAULT_PATH=slow.tnn LD_PRELOAD=$shim \
    "$tn" train models/ring.json -o "$s/slow.tnn" >"$s/slow.out" 2>&1 &
pid=$!
for _ in $(seq 500); do ls "$s"/slow.tnn.tmp.* >/dev/null 2>&1 && break; sleep 0.01; done
kill -INT $pid
wait $pid
rc=$?
check "signal during the save: the save completes, then exit 130 (got $rc)" [ $rc -eq 130 ]
check "signal during the save: a whole new model" valid_model "$s/slow.tnn"
check "signal during the save: the new one" differ "$s/slow.tnn" "$d/old.tnn"
check "signal during the save: no temporary file" [ "$(temps "$s")" -eq 0 ]

# kill -9 at random moments of training, checkpointing and saving: the model is always
# absent, old or new and whole; the temporary files left are removed by the next run.
k=$tmp/kill
mkdir -p "$k"
broken=0
for i in $(seq 20); do
    # Every other run writes slowly (the shim), so that kills land inside writes too.
    slow=$([ $((i % 2)) -eq 0 ] && echo slow || echo none)
    TN_FAULT_OPS=$slow TN_FAULT_PATH=$k/m LD_PRELOAD=$shim \
        "$tn" train models/ring.json --epochs 300 -o "$k/m.tnn" --checkpoint-every 5steps \
        >/dev/null 2>&1 &
    pid=$!
    if [ "$slow" = slow ] && [ $((i % 4)) -eq 0 ]; then
        # Inside a write for certain: wait for a temporary file, however slow the machine
        # (ASan on a busy one can start later than any fixed sleep), then kill.
        for _ in $(seq 1000); do [ "$(temps "$k")" -gt 0 ] && break; sleep 0.01; done
    else
        sleep "0.$((RANDOM % 4))$((RANDOM % 10))"
    fi
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    if [ -e "$k/m.tnn" ] && ! valid_model "$k/m.tnn"; then broken=$((broken + 1)); fi
done
check "kill -9: never a broken model ($broken)" [ $broken -eq 0 ]
check "kill -9: some kills left temporary files ($(temps "$k"))" [ "$(temps "$k")" -gt 0 ]
sleep 2 # the stale ones are those from before the next run started, with a second's margin
"$tn" train models/ring.json --epochs 300 -o "$k/m.tnn" --checkpoint-every 5steps >/dev/null
check "kill -9: the next run leaves no temporary file ($(temps "$k") left)" [ "$(temps "$k")" -eq 0 ]
check "kill -9: and a whole model" valid_model "$k/m.tnn"

finish cli_faults
