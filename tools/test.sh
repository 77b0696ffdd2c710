#!/usr/bin/env bash
# The whole test suite: install what is missing, build with warnings as errors, run every
# test; then again under AddressSanitizer and UndefinedBehaviorSanitizer; the runtime's
# thread test under ThreadSanitizer; and every reader under libFuzzer for two minutes in all
# (TN_FUZZ_SECONDS; the fuzzers' seed and regression inputs also run in both ctest passes).
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/deps.sh
# graphviz and libxml2-utils: the CLI tests render with dot and check SVG with xmllint;
# libgfortran-12-dev: the install test links a program statically, and a static OpenBLAS
# needs libgfortran.
# python3-onnx: the ONNX export test checks its files with onnx.checker; nodejs and npm
# (Debian's, when node is missing) install onnxruntime-node for it, once, under build-test/.
tn_install_deps "${TN_BUILD_DEPS[@]}" check dataset-fashion-mnist clang libclang-rt-14-dev \
    graphviz libxml2-utils libgfortran-12-dev python3-onnx
command -v node >/dev/null && command -v npm >/dev/null || tn_install_deps nodejs npm
export TN_ORT_DIR="$PWD/build-test/npm-onnxruntime"
jobs=$(nproc)

cmake -S . -B build-test -DTN_WERROR=ON >/dev/null
cmake --build build-test -j"$jobs"
ctest --test-dir build-test -j"$jobs" --output-on-failure

# Demos are tests: Fashion-MNIST must reach 89% (XOR and the rings are Check tests).
tools/fashion_demo.sh build-test/tinynet

cmake -S . -B build-asan -DTN_WERROR=ON -DTN_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build-asan -j"$jobs" --output-on-failure

CC=clang cmake -S . -B build-tsan -DTN_WERROR=ON -DTN_TSAN=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-tsan -j"$jobs" --target test_runtime
ctest --test-dir build-tsan -R '^test_runtime$' --output-on-failure

TN_FUZZ_CLI=build-test/tinynet tools/fuzz.sh "${TN_FUZZ_SECONDS:-120}"
