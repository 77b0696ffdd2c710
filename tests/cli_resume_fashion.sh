#!/usr/bin/env bash
# Resume on Fashion-MNIST: 4 epochs straight and 2 + --resume 2 give byte-identical models,
# at 1 and 2 threads. Skipped (exit 77) without the dataset-fashion-mnist package or when
# TN_SKIP_LONG_TESTS is set.
set -u
tn=$1
if [ -n "${TN_SKIP_LONG_TESTS:-}" ]; then
    echo "SKIP: cli_resume_fashion: TN_SKIP_LONG_TESTS is set"; exit 77
fi
if [ ! -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ] &&
   [ -z "${TN_FASHION_MNIST_DIR:-}" ]; then
    echo "SKIP: cli_resume_fashion: apt-get install dataset-fashion-mnist"; exit 77
fi
. "$(dirname "$0")/sh/common.sh"

for threads in 1 2; do
    d=$tmp/$threads
    mkdir -p "$d"
    run "$tn" train models/fashion_mlp.json --threads $threads --epochs 4 -o "$d/straight.tnn"
    check "$threads threads: 4 epochs ($err)" [ $rc -eq 0 ]
    run "$tn" train models/fashion_mlp.json --threads $threads --epochs 2 \
        --checkpoint-every 2 --checkpoint-prefix "$d/f"
    check "$threads threads: 2 epochs ($err)" [ -f "$d/f-epoch2.ckpt" ]
    run "$tn" train models/fashion_mlp.json --threads $threads --epochs 4 -o "$d/resumed.tnn" \
        --resume "$d/f-epoch2.ckpt"
    check "$threads threads: resumed ($err)" [ $rc -eq 0 ]
    check "$threads threads: 2 + 2 epochs = 4 epochs, byte for byte" \
        cmp -s "$d/straight.tnn" "$d/resumed.tnn"
done
finish cli_resume_fashion
