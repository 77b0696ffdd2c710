#!/usr/bin/env bash
# tinynet export --c: for every shipped model (xor, ring, deep_ring, recommender, fashion_mlp),
# a model with every activation and layer type, and one with only piecewise-linear
# activations, the generated C compiles with -std=c99 -Wall -Wextra -Werror -pedantic (that
# last one also -ffreestanding), includes nothing but the header, <stdint.h> and <math.h>,
# defines no mutable global and calls nothing but libm; run on random rows it gives
# tn_predict's outputs within 1e-6 (normwise relative: max |c - tinynet| / max |tinynet|)
# and refuses the same bad ids; its declared scratch size is `info --memory`'s.
# Usage: tests/cli_export_c.sh TINYNET   (from the repository root)
set -u
tn=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
. tests/export/common.sh
[ -x "$ref_tool" ] || fail "no $ref_tool"
command -v cc >/dev/null || { echo "SKIP: no C compiler"; exit 77; }
cflags=(-std=c99 -Wall -Wextra -Werror -pedantic -O2)

train xor models/xor.json 300
train ring models/ring.json 5
train deep_ring models/deep_ring.json 3
train recommender models/recommender.json 1
sed -e 's/"relu"/"relu6"/' -e 's/"sigmoid"/"hard_sigmoid"/' models/ring.json >"$tmp/ring_pl.json"
sed -i "s|\"\\.\\./data/|\"$PWD/data/|g" "$tmp/ring_pl.json"
train ring_pl "$tmp/ring_pl.json" 5
train_every_layer
models="xor ring deep_ring recommender ring_pl every_layer"
skip=""
if fashion_installed; then
  train fashion_mlp models/fashion_mlp.json 1
  models+=" fashion_mlp"
else
  skip="Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)"
fi

echo "exported C against tn_predict (random rows, one at a time):"
for m in $models; do
  case $m in fashion_mlp) lo=0 hi=255 rows=300 ;; *) lo=-4 hi=4 rows=3000 ;; esac
  d="$tmp/c_$m"
  mkdir -p "$d"
  "$tn" export "$tmp/$m.tnn" --c "$d" >/dev/null || fail "export of $m"
  name=$(basename "$d"/*.h .h)
  U=$(tr a-z A-Z <<<"$name")
  # Only the three headers, no allocation, no I/O, no mutable global.
  incs=$(grep -h '^#include' "$d/$name.c" "$d/$name.h" | sort -u | tr '\n' ' ')
  for inc in $incs; do
    case $inc in '#include'|'"'"$name.h"'"'|'<stddef.h>'|'<stdint.h>'|'<math.h>') ;;
      *) fail "$m: the generated code includes $inc" ;; esac
  done
  extra=()
  grep -q -- '-ffreestanding' "$d/$name.h" && extra=(-ffreestanding)
  cc "${cflags[@]}" "${extra[@]}" -c "$d/$name.c" -o "$d/$name.o" 2>"$d/cc.err" ||
    fail "$m: the generated C does not compile cleanly: $(head -5 "$d/cc.err")"
  globals=$(nm "$d/$name.o" | awk '$2 ~ /^[DdBbCG]$/ {print $3}')
  [ -z "$globals" ] || fail "$m: mutable globals: $globals"
  calls=$(nm -u "$d/$name.o" | awk '{print $2}' |
          grep -Ev '^(exp|expm1|log1p|tanh|erfc|fmax|fabs|sqrt)$' || true)
  [ -z "$calls" ] || fail "$m: the generated code calls $calls"
  [ "$m" != ring_pl ] || [ ${#extra[@]} -eq 1 ] || fail "ring_pl should build freestanding"
  cc "${cflags[@]}" -DMODEL_H="\"$name.h\"" -DPREDICT="${name}_predict" -DPFX="${U}_" -I"$d" \
     -o "$d/run" tests/export/harness.c "$d/$name.o" -lm || fail "$m: the harness does not link"
  ctx=$("$ref_tool" "$tmp/$m.tnn" $rows 1 $lo $hi "$d/in.txt" "$d/want.txt") ||
    fail "$m: reference rows"
  "$d/run" <"$d/in.txt" >"$d/got.txt" || fail "$m: the exported program failed"
  compare "$d/want.txt" "$d/got.txt" "$m$([ ${#extra[@]} -eq 1 ] && echo ' (freestanding)')"
  awk -v r="$normrel" 'BEGIN { exit !(r <= 1e-6) }' || fail "$m: normwise difference $normrel > 1e-6"
  # The scratch it declares is the bill's, and the bill's runtime context is the one the
  # reference rows ran in (a buffer of exactly tn_ctx_size bytes).
  scratch=$(awk -v u="${U}_SCRATCH_SIZE" '$1 == "#define" && $2 == u {print $3}' "$d/$name.h")
  "$tn" info "$tmp/$m.tnn" --memory >"$d/bill.txt" || fail "$m: info --memory"
  bill=$(awk '/RAM, float/ {sub(":", "", $3); print $3; exit}' "$d/bill.txt")
  [ -n "$scratch" ] && [ "$scratch" = "$bill" ] ||
    fail "$m: ${U}_SCRATCH_SIZE is '$scratch', info --memory says '$bill'"
  rt=$(awk '/RAM, runtime/ {sub(":", "", $3); print $3; exit}' "$d/bill.txt")
  [ "ctx $rt" = "$ctx" ] || fail "$m: info --memory says a context takes '$rt', tn_ctx_size '$ctx'"
done
# A predict program with no shared library at all: the exported ring and the harness,
# linked statically (libc.a and libm.a), predict what tinynet predicts.
d="$tmp/c_ring"
if cc "${cflags[@]}" -static -DMODEL_H='"ring.h"' -DPREDICT=ring_predict -DPFX=RING_ -I"$d" \
      -o "$d/static" tests/export/harness.c "$d/ring.c" -lm 2>"$d/static.err"; then
  file "$d/static" | grep -q 'statically linked' || fail "static: $(file "$d/static")"
  ! ldd "$d/static" >/dev/null 2>&1 || fail "static: ldd lists libraries: $(ldd "$d/static")"
  "$d/static" <"$d/in.txt" >"$d/static.txt" || fail "the static program failed"
  cmp -s "$d/got.txt" "$d/static.txt" || fail "the static program predicts differently"
  echo "static: $(file -b "$d/static" | cut -d, -f1-2,4), $(wc -l <"$d/static.txt") rows as above"
else
  fail "no static link (libc6-dev's libc.a?): $(head -3 "$d/static.err")"
fi
[ -z "$skip" ] || { echo "SKIP: $skip"; exit 77; }
echo "export c: OK"
