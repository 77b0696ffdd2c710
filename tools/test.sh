#!/usr/bin/env bash
# The whole test suite: install what is missing, build with warnings as errors, run every
# test; the Fashion-MNIST demo; the MPI build's data-parallel tests; everything again under
# AddressSanitizer and UndefinedBehaviorSanitizer (but the Fashion-MNIST trainings, which
# add no memory checks the ring and the recommender do not make); the runtime's thread
# test under ThreadSanitizer; and every reader of outside input under libFuzzer.
#
# Every stage runs even when an earlier one failed (a stage whose build failed is skipped,
# and says so), and the script ends with one line per stage: passed, failed or skipped, and
# why. It exits 1 when any stage failed.
#
# Timeouts follow the machine's load: Check's per-test timeouts are multiplied by
# CK_TIMEOUT_MULTIPLIER and CTest's by --timeout, both from the load average per core at
# the start (at least 1, at most 10; the sanitizer stage, several times slower, gets 3x on
# top). Set TN_TIMEOUT_MULTIPLIER to choose the factor yourself. TN_FUZZ_SECONDS (default
# 120) is how long the fuzzers run in all; TN_SKIP_LONG_TESTS=1 skips the slowest tests.
set -uo pipefail
cd "$(dirname "$0")/.."
. tools/deps.sh
jobs=$(nproc)

# The load per core, rounded up: a machine already busy with two jobs per core makes
# every test about twice as slow.
if [ -n "${TN_TIMEOUT_MULTIPLIER:-}" ]; then
    mult=$TN_TIMEOUT_MULTIPLIER
else
    mult=$(awk -v n="$jobs" '{ m = int($1 / n + 0.999); print (m < 1 ? 1 : m > 10 ? 10 : m) }' \
           /proc/loadavg 2>/dev/null || echo 1)
fi
case $mult in '' | *[!0-9]* | 0) echo "tools/test.sh: TN_TIMEOUT_MULTIPLIER must be a positive integer" >&2; exit 2 ;; esac
ctest_timeout=$((600 * mult))       # seconds per test; the slowest takes about 40 s alone

names=() results=() reasons=()
record() { # record NAME passed|failed|skipped REASON
    names+=("$1") results+=("$2") reasons+=("$3")
    echo "== $1: $2 ($3)"
}
log_dir=build-test-logs
mkdir -p "$log_dir"

# ctest_stage NAME BUILD_DIR [CTEST ARGS...]: runs the tests, records the outcome with the
# counts and the names of what failed or was skipped.
ctest_stage() {
    local name=$1 dir=$2 start=$SECONDS
    shift 2
    local log=$log_dir/${name//[^a-z0-9]/-}.log
    CK_TIMEOUT_MULTIPLIER=$mult ctest --test-dir "$dir" -j"$jobs" --output-on-failure \
        --timeout "$ctest_timeout" "$@" 2>&1 | tee "$log"
    local rc=${PIPESTATUS[0]} secs=$((SECONDS - start))
    local total failed skipped
    total=$(sed -n 's/.*tests passed, [0-9]* tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -1)
    failed=$(sed -n '/The following tests FAILED:/,/^$/p' "$log" | sed -n 's/^[[:space:]]*[0-9]* - \([^ ]*\) .*/\1/p' | tr '\n' ' ')
    skipped=$(sed -n '/The following tests did not run:/,/^$/p' "$log" |
              sed -n 's/^[[:space:]]*[0-9]* - \([^ ]*\) .*/\1/p' | tr '\n' ' ')
    local why="${total:-0} test(s), ${secs} s, timeouts x$mult"
    [ -n "$skipped" ] && why+="; skipped: ${skipped% }"
    if [ "$rc" -eq 0 ]; then
        record "$name" passed "$why"
    else
        record "$name" failed "${failed:+failed: ${failed% }; }$why; log $log"
    fi
}

# build_stage NAME BUILD_DIR CMAKE_ARGS... -- BUILD_ARGS...: configure and build; on failure
# the stages that need the build are skipped. Returns the status.
build_stage() {
    local name=$1 dir=$2 log=$log_dir/build-${1//[^a-z0-9]/-}.log
    shift 2
    local conf=() build=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do conf+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    build=("$@")
    if ! { cmake -S . -B "$dir" "${conf[@]}" && cmake --build "$dir" -j"$jobs" "${build[@]}"; } \
        >"$log" 2>&1; then
        tail -30 "$log"
        record "$name" failed "the build failed; log $log"
        return 1
    fi
}

# graphviz and libxml2-utils: the CLI tests render with dot and check SVG with xmllint;
# libgfortran-12-dev: the install test links a program statically, and a static OpenBLAS
# needs libgfortran; python3: the model file's independent reader; man-db and
# bash-completion: the installed manual pages and completion are tried; python3-onnx: the
# ONNX export test checks its files with onnx.checker, and nodejs and npm (Debian's, when
# node is missing) install onnxruntime-node for it, once, under build-test/.
deps_ok=1
tn_install_deps "${TN_BUILD_DEPS[@]}" check dataset-fashion-mnist clang libclang-rt-14-dev \
    graphviz libxml2-utils file libgfortran-12-dev python3 man-db bash-completion python3-onnx ||
    deps_ok=0
{ command -v node >/dev/null && command -v npm >/dev/null; } || tn_install_deps nodejs npm ||
    deps_ok=0
[ $deps_ok -eq 1 ] || record dependencies failed "apt-get could not install them; later stages may fail"
export TN_ORT_DIR="$PWD/build-test/npm-onnxruntime"

# 1. Every test, built with warnings as errors.
if build_stage "unit tests" build-test -DTN_WERROR=ON; then
    ctest_stage "unit tests" build-test
    # 2. Demos are tests: Fashion-MNIST must reach 89% (XOR and the rings are Check tests).
    start=$SECONDS
    if tools/fashion_demo.sh build-test/tinynet 2>&1 | tee "$log_dir/fashion.log"; then
        acc=$(sed -n 's/^fashion_demo: test accuracy \([0-9.]*\).*/\1/p' "$log_dir/fashion.log")
        record "fashion demo" passed "test accuracy $acc, $((SECONDS - start)) s"
    else
        record "fashion demo" failed "see $log_dir/fashion.log"
    fi
else
    record "fashion demo" skipped "the unit-test build failed"
fi

# 2b. Data-parallel training: the MPI build (OpenMPI from Debian; TN_MPI_DEPS) and its
# tests, 2 processes against one (tests/cli_mpi.sh), with the training and API tests.
if ! tn_install_deps "${TN_MPI_DEPS[@]}"; then
    record "mpi" failed "apt-get could not install ${TN_MPI_DEPS[*]}"
elif build_stage "mpi" build-mpi -DTN_WERROR=ON -DTN_MPI=ON; then
    ctest_stage "mpi" build-mpi -R '^(cli_mpi|cli_train|cli_resume|test_train|test_trainer)$'
fi

# 3. The same tests under AddressSanitizer and UndefinedBehaviorSanitizer.
if build_stage "asan/ubsan" build-asan -DTN_WERROR=ON -DTN_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug; then
    mult_base=$mult
    mult=$((mult * 3)) ctest_timeout=$((600 * mult_base * 3))
    TN_SKIP_LONG_TESTS=1 ASAN_OPTIONS=detect_leaks=1 ctest_stage "asan/ubsan" build-asan
    mult=$mult_base ctest_timeout=$((600 * mult_base))
fi

# 4. The runtime's threads and the training threads' pool (core/pool.c, the split GEMMs,
# 2-thread training) under ThreadSanitizer (clang).
if ! command -v clang >/dev/null; then
    record "tsan" skipped "clang is not installed"
elif CC=clang build_stage "tsan" build-tsan -DTN_WERROR=ON -DTN_TSAN=ON -DCMAKE_BUILD_TYPE=Debug \
        -- --target test_runtime test_pool test_blas test_trainer; then
    ctest_stage "tsan" build-tsan -R '^(test_runtime|test_pool|test_blas|test_trainer)$'
fi

# 5. Every reader of outside input under libFuzzer (the seeds and regression inputs also
# ran in both ctest stages).
secs=${TN_FUZZ_SECONDS:-120}
if ! command -v clang >/dev/null; then
    record "fuzz" skipped "clang is not installed"
elif TN_FUZZ_CLI=build-test/tinynet tools/fuzz.sh "$secs" 2>&1 | tee "$log_dir/fuzz.log"; then
    record "fuzz" passed "$secs s, no findings"
else
    record "fuzz" failed "a finding or a build failure; see $log_dir/fuzz.log and build-fuzz/findings/"
fi

echo
echo "tinynet test summary:"
status=0
for i in "${!names[@]}"; do
    printf '  %-14s %-8s %s\n' "${names[$i]}" "${results[$i]}" "${reasons[$i]}"
    [ "${results[$i]}" = failed ] && status=1
done
exit $status
