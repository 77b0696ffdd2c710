#!/usr/bin/env bash
# Stages `cmake --install` into a temporary prefix and builds the embedding example against
# it with nothing but pkg-config; its predictions must equal `tinynet predict` exactly.
# Also checks the exported symbols, that a static predict-only link pulls no training
# objects, and find_package(tinynet CONFIG).
# Usage: cli_install.sh PATH/TO/tinynet (run from the repository root).
set -euo pipefail
tinynet=$(realpath "$1")
build=$(dirname "$tinynet")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
pc=$(find "$tmp/prefix" -name tinynet.pc)
[ -n "$pc" ] || fail "no tinynet.pc installed"
libdir=$(dirname "$(dirname "$pc")")
export PKG_CONFIG_PATH=$(dirname "$pc")
for f in tinynet/tinynet.h tinynet/train.h; do
  [ -f "$tmp/prefix/include/$f" ] || fail "header $f not installed"
done

# A sanitized library needs the sanitizer runtime in the program too.
san=()
grep -q '^TN_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" && san=(-fsanitize=address,undefined)
grep -q '^TN_TSAN:BOOL=ON' "$build/CMakeCache.txt" && san=(-fsanitize=thread)

# Only the public API is exported, and the SONAME carries the major version.
bad=$(nm -D --defined-only "$libdir/libtinynet.so" | awk '$2 ~ /[TDBR]/ {print $3}' |
      grep -v '^tn_[a-z]' | grep -v '^_' || true)
[ -z "$bad" ] || fail "unexpected exported symbols: $bad"
nm -D --defined-only "$libdir/libtinynet.so" | grep -q ' tn__' && fail "private tn__ symbol exported"
readelf -d "$libdir/libtinynet.so" | grep -q 'SONAME.*libtinynet\.so\.0' || fail "no SONAME"

# Shared build of the example with only pkg-config.
cc -std=c11 -Wall -Wextra -Werror "${san[@]}" -o "$tmp/example" tools/example/example_predict.c \
   $(pkg-config --cflags --libs tinynet)
readelf -d "$tmp/example" | grep -q 'NEEDED.*libtinynet\.so\.0\.2' || fail "example not linked to libtinynet.so.0.2"

"$tinynet" train models/ring.json -o "$tmp/ring.tnn" --epochs 20 >/dev/null
export OPENBLAS_NUM_THREADS=1
"$tinynet" predict --raw "$tmp/ring.tnn" data/ring_test.csv >"$tmp/want.txt"
tail -n +2 data/ring_test.csv | cut -d, -f1,2 |
  LD_LIBRARY_PATH="$libdir" "$tmp/example" "$tmp/ring.tnn" >"$tmp/got.txt"
[ "$(wc -l <"$tmp/want.txt")" -eq 500 ] || fail "tinynet predict gave no rows"
cmp "$tmp/want.txt" "$tmp/got.txt" || fail "example predictions differ from tinynet predict"
# one row from argv
row=$(sed -n 2p data/ring_test.csv | cut -d, -f1,2 | tr , ' ')
LD_LIBRARY_PATH="$libdir" "$tmp/example" "$tmp/ring.tnn" $row >"$tmp/one.txt"
[ "$(cat "$tmp/one.txt")" = "$(head -1 "$tmp/want.txt")" ] || fail "argv row differs"
# a hostile file is a clean error
head -c 100 "$tmp/ring.tnn" >"$tmp/cut.tnn"
if LD_LIBRARY_PATH="$libdir" "$tmp/example" "$tmp/cut.tnn" 1 2 2>"$tmp/err.txt"; then
  fail "truncated model accepted"
fi
grep -q truncated "$tmp/err.txt" || fail "no truncation message: $(cat "$tmp/err.txt")"

# Training from C with a custom activation, through the installed public API only, on a
# shorter run of the same config (its data paths made absolute).
cc -std=c11 -Wall -Wextra -Werror "${san[@]}" -o "$tmp/custom" tools/example/custom_activation.c \
   $(pkg-config --cflags --libs tinynet) -lm
sed -e 's/"epochs": 100/"epochs": 30/' -e "s|\"\\.\\./data/|\"$PWD/data/|g" models/ring_custom.json \
  >"$tmp/ring_custom.json"
LD_LIBRARY_PATH="$libdir" "$tmp/custom" "$tmp/ring_custom.json" "$tmp/custom.tnn" \
  >"$tmp/custom.txt" || fail "custom_activation failed"
acc=$(sed -n 's/.*accuracy \([0-9.]*\).*/\1/p' "$tmp/custom.txt")
awk -v a="$acc" 'BEGIN { exit !(a + 0 >= 0.95) }' || fail "custom activation accuracy '$acc' < 0.95"
# A program that has not registered scaled_tanh cannot load that model, and says why.
if LD_LIBRARY_PATH="$libdir" "$tmp/example" "$tmp/custom.tnn" 1 2 2>"$tmp/err2.txt"; then
  fail "model with an unregistered activation accepted"
fi
grep -q 'unknown activation "scaled_tanh"' "$tmp/err2.txt" || fail "unclear message: $(cat "$tmp/err2.txt")"

# Static link of a predict-only program: which archive members does it pull?
cc -std=c11 "${san[@]}" -o "$tmp/example_static" tools/example/example_predict.c \
   $(pkg-config --cflags tinynet) "$libdir/libtinynet.a" \
   $(pkg-config --libs --static tinynet | sed 's/-ltinynet//') -Wl,-Map="$tmp/map.txt"
members=$(grep -o 'libtinynet\.a([^)]*)' "$tmp/map.txt" | sed 's/.*(\(.*\))/\1/' | sort -u)
# None of the training side: every source under these directories, by its archive member
# name (taken from the tree, so a new file is covered), and the public trainer. A member
# pulled in is reported with the file and symbol that dragged it (from the link map).
forbidden=$(cd src && find train loss optim data recsys inspect -name '*.c' ! -name registry.c \
              -printf '%f.o\n' | sort -u)
[ "$(wc -l <<<"$forbidden")" -ge 20 ] || fail "no training sources found under src/"
pulled=""
for obj in $forbidden trainer.c.o; do
  grep -qx "$obj" <<<"$members" || continue
  # All of them, not the first: the chain back to the program's own reference shows.
  pulled+=$'\n  '$(grep -m1 -A1 -F "libtinynet.a($obj)" "$tmp/map.txt" | tr -s ' \n' ' ')
done
[ -z "$pulled" ] || fail "a predict-only program links training objects:$pulled"
# The loss, optimizer and data format registries share the member name registry.c.o with
# the activation and layer registries the runtime needs: tell them apart by what they define.
drag=$(nm "$tmp/example_static" | awk '$2 ~ /^[tT]$/ {print $3}' |
       grep -E '^tn__(loss_ops|optim_ops|data_format)_' || true)
[ -z "$drag" ] || fail "a predict-only program links a training registry: $drag"
tail -n +2 data/ring_test.csv | cut -d, -f1,2 | "$tmp/example_static" "$tmp/ring.tnn" >"$tmp/got2.txt"
cmp "$tmp/want.txt" "$tmp/got2.txt" || fail "static example predictions differ"

# find_package(tinynet CONFIG) gives tinynet::tinynet.
mkdir -p "$tmp/cm"
cat >"$tmp/cm/CMakeLists.txt" <<CM
cmake_minimum_required(VERSION 3.18)
project(use_tinynet C)
find_package(tinynet 0.2 CONFIG REQUIRED)
add_executable(example $(pwd)/tools/example/example_predict.c)
target_link_libraries(example PRIVATE tinynet::tinynet)
target_compile_options(example PRIVATE ${san[*]})
target_link_options(example PRIVATE ${san[*]})
CM
cmake -S "$tmp/cm" -B "$tmp/cm/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/cm/build" >/dev/null
LD_LIBRARY_PATH="$libdir" "$tmp/cm/build/example" "$tmp/ring.tnn" $row >"$tmp/one2.txt"
cmp "$tmp/one.txt" "$tmp/one2.txt" || fail "find_package build differs"
# The command line, its manual pages, completion and documents. The installed tinynet finds
# the installed library by its RPATH alone.
bin=$tmp/prefix/bin/tinynet
[ -x "$bin" ] || fail "no bin/tinynet installed"
# (Outputs are captured before grep -q reads them: under pipefail, a writer cut off by
# grep's early exit would fail the pipeline.)
version=$(unset LD_LIBRARY_PATH; "$bin" --version) || fail "installed tinynet does not run"
grep -q "^tinynet 0\." <<<"$version" || fail "installed tinynet says: $version"
libs=$(ldd "$bin")
grep -q "libtinynet\.so\.0\.2 => $tmp/prefix/bin/\.\./" <<<"$libs" ||
  fail "installed tinynet does not use the installed library: $(grep tinynet <<<"$libs")"
man1=$(find "$tmp/prefix" -path '*/man1/tinynet.1')
man5=$(find "$tmp/prefix" -path '*/man5/tinynet-config.5')
[ -n "$man1" ] && [ -n "$man5" ] || fail "manual pages not installed"
if command -v man >/dev/null; then
  # man finds the pages in the prefix's MANPATH, as in /usr/local/share/man.
  page=$(MANPATH=$(dirname "$(dirname "$man1")") MANWIDTH=80 man tinynet 2>/dev/null || true)
  grep -q "^ *tinynet *- *train, evaluate" <<<"$page" || fail "man tinynet does not show the page"
  page=$(MANPATH=$(dirname "$(dirname "$man5")") MANWIDTH=80 man 5 tinynet-config 2>/dev/null || true)
  grep -q "layer_norm" <<<"$page" || fail "man tinynet-config does not show the page"
fi
comp=$(find "$tmp/prefix" -path '*/bash-completion/completions/tinynet')
[ -n "$comp" ] || fail "bash completion not installed"
[ "$(bash -c ". '$comp' && complete -p tinynet")" = "complete -F _tinynet tinynet" ] ||
  fail "the installed completion does not register"
for f in LICENSE CHANGELOG.md config.md model-format.md; do
  [ -n "$(find "$tmp/prefix" -path "*/doc/tinynet/$f")" ] || fail "$f not installed"
done

echo "install: OK ($(wc -w <<<"$members") archive members in a static predict-only link)"
