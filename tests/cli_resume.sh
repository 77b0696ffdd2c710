#!/usr/bin/env bash
# Checkpoints and resume: N epochs straight and N/2 + --resume N/2 give byte-identical
# models (the ring; the recommender, whose dropout draws from the noise stream), at 1 and
# 2 threads, from an epoch's end and from the middle of an epoch; a changed config, seed
# or thread count is refused unless allowed; --init continues a saved model.
set -u
tn=$1
. "$(dirname "$0")/sh/common.sh"

same() { cmp -s "$1" "$2"; }

for threads in 1 2; do
  for cfg in ring:10 recommender:4; do
    name=${cfg%%:*} n=${cfg##*:} half=$(( ${cfg##*:} / 2 ))
    d=$tmp/$name-$threads
    mkdir -p "$d"
    "$tn" train "models/$name.json" --threads $threads --epochs $n -o "$d/straight.tnn" \
        >/dev/null 2>&1
    run "$tn" train "models/$name.json" --threads $threads --epochs $half -o "$d/half.tnn" \
        --checkpoint-every 1 --checkpoint-prefix "$d/run"
    check "$name/$threads: first half" [ $rc -eq 0 ]
    check "$name/$threads: the last two checkpoints kept" \
        [ "$(ls "$d" | grep -c '^run-epoch.*\.ckpt$')" -eq 2 ]
    run "$tn" train "models/$name.json" --threads $threads --epochs $n -o "$d/resumed.tnn" \
        --resume "$d/run-epoch$half.ckpt"
    check "$name/$threads: resume runs ($err)" [ $rc -eq 0 ]
    check "$name/$threads: $half + $half epochs = $n epochs, byte for byte" \
        same "$d/straight.tnn" "$d/resumed.tnn"
    # From the middle of an epoch: a checkpoint every 7 steps, resumed from one of them.
    "$tn" train "models/$name.json" --threads $threads --epochs $n -o "$d/steps.tnn" \
        --checkpoint-every 7steps --keep-checkpoints 0 --checkpoint-prefix "$d/st" >/dev/null
    mid=$(ls "$d"/st-epoch2-batch*.ckpt | head -1)
    check "$name/$threads: mid-epoch checkpoints ($mid)" [ -f "$mid" ]
    check "$name/$threads: checkpoints do not change the result" \
        same "$d/straight.tnn" "$d/steps.tnn"
    run "$tn" train "models/$name.json" --threads $threads --epochs $n -o "$d/mid.tnn" \
        --resume "$mid"
    check "$name/$threads: resumed mid-epoch, byte for byte" same "$d/straight.tnn" "$d/mid.tnn"
  done
done

# Early stopping: a run stopped early and resumed with more epochs stops where the
# uninterrupted run stops; so does one resumed from the middle of its last epoch.
pat=$tmp/pat.json
sed -e 's/"batch_size": 32}/"batch_size": 32, "patience": 2, "min_delta": 0.01}/' \
    -e 's#"\.\./data/#"'"$PWD"'/data/#g' models/ring.json >"$pat"
run "$tn" train "$pat" --epochs 30 -o "$tmp/pat30.tnn"
check "patience: stops early ($out)" has "$out" "(stopped early)"
stop=$(awk '/^trained/ { print $3 }' <<<"$out")
run "$tn" train "$pat" --epochs $((stop - 2)) -o "$tmp/pat_a.tnn" --checkpoint-every 1 \
    --checkpoint-prefix "$tmp/pat"
run "$tn" train "$pat" --epochs 30 -o "$tmp/pat_b.tnn" --resume "$tmp/pat-epoch$((stop - 2)).ckpt"
check "patience: resumed, stopped where the straight run did ($out)" has "$out" "trained ring: $stop epochs (stopped early)"
check "patience: resumed = straight, byte for byte" same "$tmp/pat30.tnn" "$tmp/pat_b.tnn"
run "$tn" train "$pat" --epochs $stop -o "$tmp/pat_c.tnn" --checkpoint-every 1 --checkpoint-prefix "$tmp/patc"
run "$tn" train "$pat" --epochs 30 -o "$tmp/pat_d.tnn" --resume "$tmp/patc-epoch$stop.ckpt"
check "patience: a spent run resumed with more epochs trains no more ($out)" has "$out" "trained ring: $stop epochs (stopped early)"
check "patience: ... and keeps its model" same "$tmp/pat30.tnn" "$tmp/pat_d.tnn"

# Schedules and what changes over a run: a plateau schedule (its state in the checkpoint),
# validation rows evaluated every 2 epochs, balanced class weights, a tracked metric. The
# straight run equals the one resumed from an epoch's end and from the middle of an epoch.
sch=$tmp/sched.json
sed -e 's/"batch_size": 32}/"batch_size": 32, "validation": 0.2, "eval_every": 2, "class_weights": "balanced", "lr_schedule": {"type": "plateau", "patience": 0, "factor": 0.5}}/' \
    -e 's/"optimizer": {"type": "adam", "lr": 0.01}/"optimizer": {"type": "adam", "lr": 0.05}, "metrics": ["auc", "f1"]/' \
    -e 's#"\.\./data/#"'"$PWD"'/data/#g' models/ring.json >"$sch"
run "$tn" train "$sch" --epochs 12 -o "$tmp/sch.tnn" --log "$tmp/sch.jsonl"
check "schedule: trains ($err)" [ $rc -eq 0 ]
check "schedule: the plateau lowered the rate (the log's lr)" grep -q '"lr":0.025' "$tmp/sch.jsonl"
check "schedule: the validation rows every 2 epochs, with the tracked metrics" \
    [ "$(grep -c '"val_auc"' "$tmp/sch.jsonl")" -eq 6 ]
run "$tn" train "$sch" --epochs 12 -o "$tmp/sch_a.tnn" --checkpoint-every 1 --keep-checkpoints 0 \
    --checkpoint-prefix "$tmp/sch"
check "schedule: checkpoints do not change the result" same "$tmp/sch.tnn" "$tmp/sch_a.tnn"
for ck in sch-epoch7.ckpt sch-epoch8.ckpt; do
  check "schedule: $ck holds a plateau state" grep -aq '"plateau"' "$tmp/$ck"
  run "$tn" train "$sch" --epochs 12 -o "$tmp/sch_r.tnn" --resume "$tmp/$ck"
  check "schedule: resumed from $ck = straight, byte for byte ($err)" same "$tmp/sch.tnn" "$tmp/sch_r.tnn"
done
"$tn" train "$sch" --epochs 12 -o "$tmp/sch_s.tnn" --checkpoint-every 11steps --keep-checkpoints 0 \
    --checkpoint-prefix "$tmp/schs" >/dev/null
mid=$(ls "$tmp"/schs-epoch9-batch*.ckpt | head -1)
run "$tn" train "$sch" --epochs 12 -o "$tmp/sch_m.tnn" --resume "$mid"
check "schedule: resumed mid-epoch ($mid) = straight ($err)" same "$tmp/sch.tnn" "$tmp/sch_m.tnn"

# A step interval that ends on an epoch's last batch (32 batches an epoch) writes at every
# epoch's end.
run "$tn" train models/ring.json --epochs 3 --checkpoint-every 32steps --keep-checkpoints 0 \
    --checkpoint-prefix "$tmp/s32"
check "every 32 steps: each epoch's end ($(ls "$tmp" | grep -c '^s32-'))" \
    [ -f "$tmp/s32-epoch1.ckpt" ] && [ -f "$tmp/s32-epoch2.ckpt" ] && [ -f "$tmp/s32-epoch3.ckpt" ]

# --init from a model with standardized inputs, checkpointed, resumes bit for bit (the
# checkpoint keeps the input scaling the run had).
std=$tmp/std.json
sed -e 's/"target": "label"/"target": "label", "scaling": "standardize"/' \
    -e 's#"\.\./data/#"'"$PWD"'/data/#g' models/ring.json >"$std"
"$tn" train "$std" --epochs 3 -o "$tmp/std.tnn" >/dev/null
"$tn" train models/ring.json --epochs 4 --init "$tmp/std.tnn" -o "$tmp/ft.tnn" >/dev/null
run "$tn" train models/ring.json --epochs 2 --init "$tmp/std.tnn" --checkpoint-every 1 \
    --checkpoint-prefix "$tmp/ft"
run "$tn" train models/ring.json --epochs 4 --resume "$tmp/ft-epoch2.ckpt" -o "$tmp/ft2.tnn"
check "--init, then --resume: runs ($err)" [ $rc -eq 0 ]
check "--init, then --resume: = --init straight, byte for byte" same "$tmp/ft.tnn" "$tmp/ft2.tnn"

# What a resume refuses, and says.
d=$tmp/ring-1
run "$tn" train models/ring.json --epochs 10 --resume "$d/run-epoch5.ckpt" --threads 2
check "another thread count is refused" [ $rc -eq 1 ]
check "... and says so" has "$err" "written at 1 thread, this run has 2"
run "$tn" train models/ring.json --epochs 10 --resume "$d/run-epoch5.ckpt" --seed 9
check "another seed is refused" has "$err" "written with seed 42, this run has seed 9"
sed 's/"lr": 0.01/"lr": 0.02/' models/ring.json >"$tmp/ring_lr.json"
cp data/ring_train.csv data/ring_test.csv "$tmp/" 2>/dev/null
sed -i 's#"\.\./data/#"#g' "$tmp/ring_lr.json"
run "$tn" train "$tmp/ring_lr.json" --epochs 10 --resume "$d/run-epoch5.ckpt"
check "a changed config is refused" [ $rc -eq 1 ]
check "... naming both" has "$err" "written by another config than $tmp/ring_lr.json"
run "$tn" train "$tmp/ring_lr.json" --epochs 10 --resume "$d/run-epoch5.ckpt" --allow-changes \
    -o "$tmp/changed.tnn"
check "... unless allowed" [ $rc -eq 0 ]
check "... which trains on from epoch 6" has "$out" "trained ring: 10 epochs"
run "$tn" train models/ring.json --epochs 5 --resume "$d/run-epoch5.ckpt"
check "a finished run needs more epochs" has "$err" "has run all 5 epochs of this run: give more epochs"
run "$tn" train models/xor.json --resume "$d/run-epoch5.ckpt"
check "another network is refused" has "$err" "the checkpoint holds 337 parameters, the network of models/xor.json has"
run "$tn" info "$d/run-epoch5.ckpt"
check "a checkpoint is not a model" has "$err" "this is a training checkpoint, not a model"
head -c 300 "$d/run-epoch5.ckpt" >"$tmp/cut.ckpt"
run "$tn" train models/ring.json --epochs 10 --resume "$tmp/cut.ckpt"
check "a truncated checkpoint is refused" [ $rc -eq 1 ]
check "... by its size" has "$err" "cut.ckpt: "
run "$tn" train models/ring.json --resume "$d/straight.tnn"
check "a model is not a checkpoint" has "$err" "this is a model; --init MODEL starts from one"
run "$tn" train models/ring.json --resume "$d/run-epoch5.ckpt" --init "$d/half.tnn"
check "--resume and --init together are a usage error" [ $rc -eq 2 ]

# --init: more epochs of a saved model, with a fresh optimizer; the model's parameters
# and scaling are where it starts (one epoch from the 5-epoch model beats one from scratch).
run "$tn" train models/ring.json --epochs 1 --init "$d/half.tnn" -o "$tmp/more.tnn"
check "--init trains on" [ $rc -eq 0 ]
init_loss=$(awk '$1 == "train" { print $3 }' <<<"$out")
run "$tn" train models/ring.json --epochs 1
fresh_loss=$(awk '$1 == "train" { print $3 }' <<<"$out")
check "--init starts from the model ($init_loss < $fresh_loss)" \
    awk -v a="$init_loss" -v b="$fresh_loss" 'BEGIN { exit !(a < b) }'
run "$tn" train models/xor.json --init "$d/half.tnn"
check "--init with another network is refused" has "$err" "half.tnn has 3 layers, the config's network 2"

finish cli_resume
