#!/usr/bin/env bash
# The ring demo end to end: install what is missing, build, train models/ring.json and
# print its test accuracy. Usage: tools/demo.sh [CONFIG] (default models/ring.json)
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/deps.sh
tn_install_deps "${TN_BUILD_DEPS[@]}"
cmake -S . -B build-demo -DCMAKE_BUILD_TYPE=Release -DTN_TESTS=OFF >/dev/null
cmake --build build-demo -j"$(nproc)" >/dev/null
config=${1:-models/ring.json}
model=build-demo/$(basename "$config" .json).tnn
./build-demo/tinynet train "$config" -o "$model"
