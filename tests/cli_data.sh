#!/usr/bin/env bash
# The generators reproduce the shipped data byte for byte, with the parameters documented
# at the top of tools/gen_ring.c and tools/gen_ratings.c.
# Usage: tests/cli_data.sh PATH/TO/tinynet   (run from the repository root; the generators
# are taken from the same build directory)
set -u
bin=$(dirname "$1")
. "$(dirname "$0")/sh/common.sh"

check "gen_ring train runs" "$bin/gen_ring" --seed 7 --n 1000 "$tmp/ring_train.csv"
check "gen_ring test runs" "$bin/gen_ring" --seed 8 --n 500 "$tmp/ring_test.csv"
check "gen_ratings runs" "$bin/gen_ratings" --seed 11 --users 300 --items 400 "$tmp/ratings.tsv"
check "ring_train.csv reproduced" cmp "$tmp/ring_train.csv" data/ring_train.csv
check "ring_test.csv reproduced" cmp "$tmp/ring_test.csv" data/ring_test.csv
check "ratings.tsv reproduced" cmp "$tmp/ratings.tsv" data/ratings.tsv
# The documented commands are the ones tested here, so the two cannot drift apart silently.
check "gen_ring documents seed 7" grep -qF 'gen_ring --seed 7 --n 1000 data/ring_train.csv' \
    tools/gen_ring.c
check "gen_ring documents seed 8" grep -qF 'gen_ring --seed 8 --n 500  data/ring_test.csv' \
    tools/gen_ring.c
check "gen_ratings documents seed 11" \
    grep -qF 'gen_ratings --seed 11 --users 300 --items 400 data/ratings.tsv' tools/gen_ratings.c

finish cli_data
