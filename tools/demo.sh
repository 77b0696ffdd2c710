#!/usr/bin/env bash
# The ring demo end to end: install what is missing, build, train models/ring.json and
# print its test accuracy. Usage: tools/demo.sh [CONFIG] (default models/ring.json)
# It builds into build/, so the README's build/tinynet commands work after it.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/deps.sh
tn_install_deps "${TN_BUILD_DEPS[@]}"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DTN_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
config=${1:-models/ring.json}
model=build/$(basename "$config" .json).tnn
./build/tinynet train "$config" -o "$model"
