#!/usr/bin/env bash
# tinynet export --int8 --calibrate DATA: for every shipped model (xor, ring, deep_ring,
# recommender, fashion_mlp) the int8 C compiles with -std=c99 -Wall -Wextra -Werror -pedantic
# and gives the int8 runtime's outputs bit for bit (tn_model_quantize and tn_predict, in a
# context of exactly tn_ctx_size bytes); the dense kernel's machine code has no floating-point
# instruction; the declared scratch is `info --memory`'s int8 figure; Fashion-MNIST loses at
# most 0.5 points of test accuracy; the every-layer model is refused with the reason.
# Usage: tests/cli_export_int8.sh TINYNET   (from the repository root)
set -u
tn=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
. tests/export/common.sh
command -v cc >/dev/null && command -v objdump >/dev/null || { echo "SKIP: no cc or objdump"; exit 77; }
cflags=(-std=c99 -Wall -Wextra -Werror -pedantic -O2)

train xor models/xor.json 300
train ring models/ring.json 20
train deep_ring models/deep_ring.json 5
train recommender models/recommender.json 2
models="xor:data/xor.csv ring:data/ring_train.csv deep_ring:data/ring_train.csv
        recommender:data/ratings.tsv"
skip=""
if [ -n "${TN_SKIP_LONG_TESTS:-}" ]; then
  echo "note: TN_SKIP_LONG_TESTS is set: Fashion-MNIST is left out"
elif fashion_installed; then
  train fashion_mlp models/fashion_mlp.json 3
  models+=" fashion_mlp:fashion-mnist:train"
else
  skip="Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)"
fi

echo "int8 C against the int8 runtime (random rows, one at a time):"
for mc in $models; do
  m=${mc%%:*} calib=${mc#*:}
  case $m in fashion_mlp) lo=0 hi=255 rows=300 ;; *) lo=-4 hi=4 rows=2000 ;; esac
  d="$tmp/q_$m"
  mkdir -p "$d"
  eval_args=()
  [ "$m" = fashion_mlp ] && eval_args=(--eval fashion-mnist:test)
  "$tn" export "$tmp/$m.tnn" --int8 --calibrate "$calib" "${eval_args[@]}" --c "$d" \
    >"$d/export.txt" 2>&1 || fail "int8 export of $m: $(cat "$d/export.txt")"
  name=$(basename "$d"/*.h .h)
  U=$(tr a-z A-Z <<<"$name")
  cc "${cflags[@]}" -c "$d/$name.c" -o "$d/$name.o" 2>"$d/cc.err" ||
    fail "$m: the int8 C does not compile cleanly: $(head -5 "$d/cc.err")"
  cc "${cflags[@]}" -DMODEL_H="\"$name.h\"" -DPREDICT="${name}_predict" -DPFX="${U}_" -I"$d" \
     -o "$d/run" tests/export/harness.c "$d/$name.o" -lm || fail "$m: the harness does not link"
  ctx=$("$ref_tool" "$tmp/$m.tnn" $rows 3 $lo $hi "$d/in.txt" "$d/want.txt" $calib) ||
    fail "$m: reference rows"
  "$d/run" <"$d/in.txt" >"$d/got.txt" || fail "$m: the exported program failed"
  compare "$d/want.txt" "$d/got.txt" "$m (int8)"
  cmp -s "$d/want.txt" "$d/got.txt" || fail "$m: the int8 C and the int8 runtime differ"
  # No floating point in the dense kernel (nor in the requantization it calls), built
  # without inlining so that each function is there to read.
  cc "${cflags[@]}" -fno-inline -c "$d/$name.c" -o "$d/noinline.o"
  objdump -d --no-show-raw-insn "$d/noinline.o" >"$d/dis.txt"
  for fn in "${name}_dense_q" "${name}_requant"; do
    # (clones such as NAME.constprop.0 included)
    body=$(awk -v f="$fn" 'index($2, "<" f ">") == 1 || index($2, "<" f ".") == 1 { on = 1; next }
                           on && /^$/ { on = 0 } on' "$d/dis.txt")
    [ -n "$body" ] || fail "$m: no function $fn in the object"
    fp=$(grep -Ei '\b(v?(add|sub|mul|div|min|max|sqrt|fmadd[0-9]*)(ss|sd|ps|pd)|v?cvt[a-z0-9]*|v?u?comis[sd]|v?movs[sd]|f(add|mul|ld|st)[a-z]*)\b' <<<"$body" || true)
    [ -z "$fp" ] || fail "$m: floating point in $fn: $(head -3 <<<"$fp")"
  done
  # The scratch is the int8 plan's, as info --memory and the int8 runtime's context say.
  scratch=$(awk -v u="${U}_SCRATCH_SIZE" '$1 == "#define" && $2 == u {print $3}' "$d/$name.h")
  bill=$("$tn" info "$tmp/$m.tnn" --memory | awk '/RAM, int8/ {sub(":", "", $3); print $3; exit}')
  [ -n "$scratch" ] && [ "$scratch" = "$bill" ] ||
    fail "$m: ${U}_SCRATCH_SIZE is '$scratch', info --memory says '$bill'"
  weights=$(awk -v u="${U}_WEIGHTS_SIZE" '$1 == "#define" && $2 == u {print $3}' "$d/$name.h")
  wbill=$(grep -m1 'flash, int8' "$d/$name.h" | sed 's/.*weights \([0-9]*\).*/\1/')
  [ "$weights" = "$wbill" ] || fail "$m: ${U}_WEIGHTS_SIZE is '$weights', the bill says '$wbill'"
  sed -n 's/^/    /; /calibrate\|eval /p' "$d/export.txt"
  if [ "$m" = fashion_mlp ]; then
    drop=$(awk '$1 == "eval" { for (k = 1; k <= NF; k++) if ($k == "points)") { v = $(k - 1); gsub(/[(+]/, "", v); print v } }' "$d/export.txt")
    [ -n "$drop" ] || fail "fashion_mlp: no test accuracy in: $(cat "$d/export.txt")"
    awk -v d="$drop" 'BEGIN { exit !(d >= -0.5) }' ||
      fail "fashion_mlp: int8 loses $drop points of test accuracy (at most 0.5 allowed)"
  fi
done

# A model with layers that have no int8 form is refused, saying which.
train_every_layer
if "$tn" export "$tmp/every_layer.tnn" --int8 --calibrate "$tmp/every_layer.csv" --c "$tmp" \
     >"$tmp/refuse.txt" 2>&1; then
  fail "every_layer: int8 export accepted a model with maxout and layer_norm"
fi
grep -q 'no int8 form\|row-wise activation' "$tmp/refuse.txt" || fail "unclear refusal: $(cat "$tmp/refuse.txt")"
[ -z "$skip" ] || { echo "SKIP: $skip"; exit 77; }
echo "export int8: OK"
