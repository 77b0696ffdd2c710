#!/usr/bin/env bash
# Builds every fuzz harness (tests/fuzz/fuzz_NAME.c) with clang, libFuzzer, ASan and UBSan,
# and runs each for its share of a time budget on the committed seed corpus
# (tests/fuzz/corpus/NAME), the regression inputs (tests/fuzz/regress/NAME) and what
# earlier runs here found (build-fuzz/corpus/NAME, kept between runs). Reports the
# executions of each harness; exits non-zero on a finding, leaving the input in
# build-fuzz/findings/NAME/ and saying how to replay it.
# Usage: tools/fuzz.sh [SECONDS] [NAME...]   (total budget, default 60, split evenly across
#        the harnesses named, default all; run from anywhere)
# TN_FUZZ_CLI=path/to/tinynet: train the model-loader's extra seeds with this build instead
# of building one (tools/test.sh passes its own).
set -euo pipefail
secs=${1:-60}
shift || true
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build-fuzz
all=()
for f in "$root"/tests/fuzz/fuzz_*.c; do
  f=${f##*/fuzz_}
  all+=("${f%.c}")
done
harnesses=("${@:-${all[@]}}")
[[ $secs =~ ^[0-9]+$ ]] && [ "$secs" -ge ${#harnesses[@]} ] ||
  { echo "fuzz: SECONDS must be a whole number, at least one per harness" >&2; exit 2; }
per=$((secs / ${#harnesses[@]}))
jobs=$(nproc)
[ "$jobs" -le 2 ] || jobs=2 # the machines this runs on are shared

# The library and the harnesses, instrumented for libFuzzer (CMake option TN_FUZZ).
CC=${CC_FUZZ:-clang} cmake -S "$root" -B "$out/lib" -DTN_FUZZ=ON -DTN_TESTS=OFF \
  -DTN_WERROR=ON >/dev/null
cmake --build "$out/lib" -j"$jobs" --target "${harnesses[@]/#/fuzz_}" >/dev/null

# Fresh models from this tree's writer, beside the committed ones (mode byte 0: as is;
# 1: CRC recomputed after mutation).
if [[ " ${harnesses[*]} " == *" model "* ]]; then
  cli=${TN_FUZZ_CLI:-}
  if [ -z "$cli" ]; then
    cmake -S "$root" -B "$out/cli" -DTN_TESTS=OFF >/dev/null
    cmake --build "$out/cli" --target tinynet -j"$jobs" >/dev/null
    cli=$out/cli/tinynet
  fi
  cli=$(realpath "$cli")
  mkdir -p "$out/corpus/model"
  for cfg in xor ring ring_linear; do
    (cd "$root" && "$cli" train "models/$cfg.json" -o "$out/$cfg.tnn" --epochs 2 >/dev/null)
    for mode in 0 1; do
      { printf "\\x0$mode"; cat "$out/$cfg.tnn"; } >"$out/corpus/model/seed_${cfg}_$mode"
    done
  done
fi

export OPENBLAS_NUM_THREADS=1
status=0
for h in "${harnesses[@]}"; do
  mkdir -p "$out/corpus/$h" "$out/findings/$h"
  dict=() # JSON words and tinynet's keys and module names, for the JSON inputs
  case $h in config | model_header) dict=(-dict="$root/tests/fuzz/json.dict") ;; esac
  log=$out/fuzz_$h.log
  # -rss_limit_mb: a reader that allocates what its input claims trips it; -timeout: one
  # input taking seconds is a finding too (a hang in CI).
  inputs=("$out/corpus/$h" "$root/tests/fuzz/corpus/$h") # new finds go to the first
  [ -d "$root/tests/fuzz/regress/$h" ] && inputs+=("$root/tests/fuzz/regress/$h")
  if "$out/lib/fuzz_$h" "${inputs[@]}" "${dict[@]}" -max_total_time="$per" -max_len=16384 \
       -rss_limit_mb=1024 -timeout=10 -artifact_prefix="$out/findings/$h/" \
       -print_final_stats=1 >"$log" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 || true)
    printf 'fuzz: %-13s %9s executions in %ss, %s, no findings\n' "$h" "${execs:-?}" "$per" \
      "${cov:-cov: ?}"
  else
    status=1
    tail -40 "$log" >&2
    echo "fuzz: $h: FINDING, input in $out/findings/$h/ (log: $log)" >&2
    echo "fuzz: replay it: $out/lib/fuzz_$h $out/findings/$h/<file>" >&2
    echo "fuzz:   or with any build: build/fuzz_replay_$h <file>  (FUZZ_VERBOSE=1 says what" \
         "it did); once fixed, commit it to tests/fuzz/regress/$h/" >&2
  fi
done
[ $status -eq 0 ] && echo "fuzz: no findings in ${secs}s (${per}s per harness)"
exit $status
