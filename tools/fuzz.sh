#!/usr/bin/env bash
# Builds the model-loader fuzzer (clang, libFuzzer + ASan + UBSan) and runs it for a bounded
# time on a seed corpus of valid model files trained here. Exits non-zero on a finding
# (the crashing input is left in build-fuzz/findings/).
# Usage: tools/fuzz.sh [SECONDS]   (default 60; run from anywhere)
set -euo pipefail
secs=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build-fuzz
CC=${CC_FUZZ:-clang}
flags=(-std=c11 -g -O1 -pthread -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -ffp-contract=off -D_POSIX_C_SOURCE=200809L -DTN_BUILDING -fvisibility=hidden)

# The library sources the loader needs, built with the fuzzer's instrumentation, and the
# CLI (normal build) to train the seed models.
cmake -S "$root" -B "$out/cli" -DTN_TESTS=OFF >/dev/null
cmake --build "$out/cli" --target tinynet -j"$(nproc)" >/dev/null
mapfile -t srcs < <(find "$root/src" -path "$root/src/cli" -prune -o \
                         -name "*.c" -print | sort)
"$CC" "${flags[@]}" -I"$root/include" -I"$root/src" $(pkg-config --cflags openblas libcjson zlib) \
      "$root/tests/fuzz/fuzz_model.c" "${srcs[@]}" -o "$out/fuzz_model" \
      $(pkg-config --libs openblas libcjson zlib) -lm

# Seeds: real models in both modes (first byte 0: as is, 1: CRC recomputed).
corpus=$out/corpus
mkdir -p "$corpus" "$out/findings"
for cfg in xor ring ring_linear; do
  [ -f "$root/models/$cfg.json" ] || continue
  (cd "$root" && "$out/cli/tinynet" train "models/$cfg.json" -o "$out/$cfg.tnn" --epochs 2 >/dev/null)
  for mode in 0 1; do
    { printf "\\x0$mode"; cat "$out/$cfg.tnn"; } >"$corpus/seed_${cfg}_$mode"
  done
done

export OPENBLAS_NUM_THREADS=1
# -rss_limit_mb: a loader that allocates what a file claims would trip it.
"$out/fuzz_model" "$corpus" -max_total_time="$secs" -max_len=16384 -rss_limit_mb=1024 \
    -timeout=10 -artifact_prefix="$out/findings/" -print_final_stats=1 2>"$out/fuzz.log" || {
  tail -40 "$out/fuzz.log" >&2
  echo "fuzz: FINDING (see $out/findings/ and $out/fuzz.log)" >&2
  exit 1
}
grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "$out/fuzz.log" | tail -2 || true
echo "fuzz: no findings in ${secs}s"
