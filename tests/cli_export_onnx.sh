#!/usr/bin/env bash
# tinynet export --onnx: for every shipped model (xor, ring, deep_ring, recommender,
# fashion_mlp) and the model with every activation and layer type, the file passes
# onnx.checker.check_model(full_check=True) (Debian's python3-onnx) and ONNX Runtime
# (npm's onnxruntime-node, installed once into the build directory) gives tn_predict's
# outputs within 1e-5 (max abs difference) on random rows.
# Exits 77 with the reason when python3-onnx, node/npm or the npm registry is missing.
# Usage: tests/cli_export_onnx.sh TINYNET   (from the repository root)
set -u
tn=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
. tests/export/common.sh
py=/usr/bin/python3 # Debian's, with python3-onnx (a pyenv python would not see it)
"$py" -c 'import onnx' 2>/dev/null || skip "python3-onnx is not installed (apt-get install python3-onnx)"
command -v node >/dev/null && command -v npm >/dev/null || skip "node and npm are not installed (apt-get install nodejs npm)"
# onnxruntime-node, once per build tree (or in $TN_ORT_DIR, which tools/test.sh shares
# between its trees); --ignore-scripts skips its download of GPU binaries (the package
# ships the CPU build).
ort=${TN_ORT_DIR:-$(cd "$(dirname "$tn")" && pwd)/npm-onnxruntime}
if [ ! -d "$ort/node_modules/onnxruntime-node" ]; then
  mkdir -p "$ort"
  (cd "$ort" && npm install --ignore-scripts --no-audit --no-fund onnxruntime-node \
     >"$tmp/npm.log" 2>&1) ||
    skip "npm install onnxruntime-node failed (no network?): $(tail -3 "$tmp/npm.log" | tr '\n' ' ')"
fi

train xor models/xor.json 300
train ring models/ring.json 5
train deep_ring models/deep_ring.json 3
train recommender models/recommender.json 1
train_every_layer
models="xor ring deep_ring recommender every_layer"
skipped=""
if fashion_installed; then
  train fashion_mlp models/fashion_mlp.json 1
  models+=" fashion_mlp"
else
  skipped="Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)"
fi

echo "ONNX Runtime against tn_predict (random rows, one batch):"
for m in $models; do
  case $m in fashion_mlp) lo=0 hi=255 rows=300 ;; *) lo=-4 hi=4 rows=2000 ;; esac
  "$tn" export "$tmp/$m.tnn" --onnx "$tmp/$m.onnx" >/dev/null || fail "export of $m"
  "$py" - "$tmp/$m.onnx" <<'PY' || fail "$m: the ONNX checker refuses the file"
import sys, onnx
model = onnx.load(sys.argv[1])
onnx.checker.check_model(model, full_check=True)
PY
  # The inputs' names, kinds and widths, from `tinynet info`.
  spec=$("$tn" info "$tmp/$m.tnn" | awk '$2 == "input" { w = $5; gsub(/[^0-9]/, "", w)
           printf "%s%s:%s:%s", n++ ? "," : "", $1, ($7 == "ids" ? "i" : "f"), w }')
  "$ref_tool" "$tmp/$m.tnn" $rows 2 $lo $hi "$tmp/in_all.txt" "$tmp/want_all.txt" >/dev/null ||
    fail "$m: reference rows"
  # ONNX Runtime refuses bad ids as a whole batch: compare the good rows.
  paste "$tmp/in_all.txt" "$tmp/want_all.txt" | awk -F'\t' '$NF != "EID"' >"$tmp/both.txt"
  n_in=$(head -1 "$tmp/in_all.txt" | awk -F'\t' '{print NF}')
  cut -f1-"$n_in" "$tmp/both.txt" >"$tmp/in.txt"
  cut -f$((n_in + 1))- "$tmp/both.txt" >"$tmp/want.txt"
  node tests/export/ort_run.js "$ort" "$tmp/$m.onnx" "$spec" "$tmp/in.txt" >"$tmp/got.txt" \
    2>"$tmp/node.err" || fail "$m: ONNX Runtime failed: $(head -3 "$tmp/node.err")"
  compare "$tmp/want.txt" "$tmp/got.txt" "$m"
  awk -v f="$tmp/want.txt" -v g="$tmp/got.txt" 'BEGIN {
      while ((getline a < f) > 0 && (getline b < g) > 0) {
        n = split(a, x, "\t"); split(b, y, "\t")
        for (k = 1; k <= n; k++) { d = x[k] - y[k]; if (d < 0) d = -d; if (d > m) m = d }
      }
      exit !(m <= 1e-5) }' || fail "$m: ONNX Runtime differs from tn_predict by more than 1e-5"
done
[ -z "$skipped" ] || skip "$skipped"
echo "export onnx: OK"
