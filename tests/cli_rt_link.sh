#!/usr/bin/env bash
# The predict-only runtime: tools/example/example_predict.c, which includes tinynet.h alone,
# links against libtinynet_rt.a (and OpenBLAS, cJSON, libm, pthreads: no zlib, no more of
# tinynet), and its link map holds no backward pass, loss, optimizer, training loop, data
# format (CSV reader included), JSON writer or model writer. Its predictions equal
# `tinynet predict` on the same rows, bit for bit.
# Usage: tests/cli_rt_link.sh TINYNET LIBTINYNET_RT   (run from the repository root)
set -u
tn=$1 rt=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# A sanitized library needs the sanitizer runtime in the program too.
build=$(dirname "$rt")
san=()
grep -q '^TN_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" && san=(-fsanitize=address,undefined)
grep -q '^TN_TSAN:BOOL=ON' "$build/CMakeCache.txt" && san=(-fsanitize=thread)
cc -std=c11 -Wall -Wextra -Werror "${san[@]}" -Iinclude -o "$tmp/predict" tools/example/example_predict.c \
   "$rt" $(pkg-config --libs openblas libcjson) -lm -lpthread -Wl,-Map="$tmp/map.txt" \
   || fail "a predict-only program does not link against $rt alone"
members=$(grep -o 'libtinynet_rt\.a([^)]*)' "$tmp/map.txt" | sed 's/.*(\(.*\))/\1/' | sort -u)
[ -n "$members" ] || fail "the link map names no member of $rt"
# What training, data and writing are made of: none may be in the archive, let alone linked.
for obj in train.c.o session.c.o config.c.o backward.c.o describe.c.o save.c.o write.c.o \
           loss.c.o optim.c.o adam.c.o sgd.c.o format.c.o csv.c.o csv_format.c.o idx.c.o \
           dataset.c.o ratings.c.o stats.c.o dot.c.o recsys.c.o; do
  ! grep -qx "$obj" <<<"$members" || fail "a predict-only program links $obj"
  ! ar t "$rt" | grep -qx "$obj" || fail "libtinynet_rt.a holds $obj"
done
# No backward pass (the layers' and activations' backward functions are compiled out),
# and no JSON writer, CSV reader or file writer referenced.
syms=$(nm "$tmp/predict")
! grep -qi 'backward' <<<"$syms" || fail "backward code in the program: $(grep -i backward <<<"$syms" | head -3)"
! grep -Eq 'cJSON_(Print|Create|Add)' <<<"$syms" || fail "a JSON writer is linked"
! grep -Eq 'tn__(csv|write_atomic|modelfile_encode|model_save)' <<<"$syms" || fail "a writer or the CSV reader is linked"

# It predicts what the full library predicts.
"$tn" train models/ring.json --epochs 5 -o "$tmp/ring.tnn" >/dev/null || fail "training the ring"
tail -n +2 data/ring_test.csv | cut -d, -f1,2 | head -50 >"$tmp/rows.txt"
"$tmp/predict" "$tmp/ring.tnn" <"$tmp/rows.txt" >"$tmp/rt.txt" || fail "the predict-only program failed"
# The same rows in one batch (a file on standard input is read whole; a pipe would be
# predicted a row at a time, as sgemv, within 1e-6 of the batch but not bit for bit).
{ echo x,y; cat "$tmp/rows.txt"; } >"$tmp/rows.csv"
"$tn" predict --raw "$tmp/ring.tnn" <"$tmp/rows.csv" >"$tmp/cli.txt" || fail "tinynet predict"
cmp -s "$tmp/rt.txt" "$tmp/cli.txt" || fail "predictions differ: $(diff "$tmp/rt.txt" "$tmp/cli.txt" | head -4)"
echo "rt link: OK ($(wc -l <<<"$members") archive members, $(wc -l <"$tmp/rt.txt") predictions equal)"
