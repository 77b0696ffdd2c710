#!/usr/bin/env bash
# Regenerates the committed seed corpora tests/fuzz/corpus/NAME/ from the repository's
# configs and data: small, valid inputs of every harness, covering every data format and
# layer type, so that fuzzing starts from the success path and the replay tests
# (fuzz_replay_NAME) load real models without training. Run it after a change of a file
# format, and commit the result; the bytes are reproducible (fixed seeds, 1 thread, gzip -n).
# tests/fuzz/regress/NAME/ (hand-made hostile inputs, past findings) is not touched.
# Usage: tests/fuzz/make_seeds.sh [TINYNET]   (default: build/tinynet; run from anywhere)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tinynet=$(realpath "${1:-$root/build/tinynet}")
[ -x "$tinynet" ] || { echo "make_seeds: no tinynet at $tinynet (build first)" >&2; exit 1; }
corpus=$root/tests/fuzz/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OPENBLAS_NUM_THREADS=1
for h in config csv idx ratings model model_header; do
  rm -rf "${corpus:?}/$h"
  mkdir -p "$corpus/$h"
done

# ---- data for the configs below, in every format -------------------------------------
cp "$root/data/xor.csv" "$work/xor.csv"
head -41 "$root/data/ring_train.csv" >"$work/ring.csv"
# Ratings of users < 40 and items < 60 (the vocabularies of the ratings harness too).
awk '$1 < 40 && $2 < 60' "$root/data/ratings.tsv" >"$work/ratings.tsv"
{ echo "user,item,label"; printf '1,2,1\n3,4,0\n'; } >"$work/pairs.csv"
printf -- '1 1:0.5 3:1\n-1 2:0.25\n1 1:1 2:1 3:1\n-1 3:-0.5\n' >"$work/small.svm"
# IDX: 4 images of 2x2 bytes and their labels (0/1).
printf '\x00\x00\x08\x03\x00\x00\x00\x04\x00\x00\x00\x02\x00\x00\x00\x02' >"$work/img.idx"
printf '\x00\x10\x20\x30\xff\xee\xdd\xcc\x01\x02\x03\x04\xf0\xf1\xf2\xf3' >>"$work/img.idx"
printf '\x00\x00\x08\x01\x00\x00\x00\x04\x00\x01\x00\x01' >"$work/lab.idx"
{ echo "a1,a2,b,y"; printf '0.5,1,2,0.1\n1,0,-1,0.7\n0,0,1,0.3\n'; } >"$work/two.csv"

cat >"$work/ring_parts.json" <<'EOF'
{"name": "ring_parts", "seed": 7,
 "inputs": [{"name": "point", "size": 2}],
 "layers": [{"type": "maxout", "units": 4, "pieces": 2, "init": "he_normal"},
            {"type": "layer_norm", "eps": 0.001},
            {"type": "dense", "units": 3, "activation": {"type": "leaky_relu", "alpha": 0.2}},
            {"type": "dropout", "rate": 0.25},
            {"type": "dense", "units": 1, "activation": "sigmoid", "bias": false}],
 "loss": "binary_crossentropy",
 "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": true, "clip_norm": 5},
 "train": {"epochs": 1, "batch_size": 8, "shuffle": false},
 "data": {"train": "ring.csv", "holdout": 0.25, "inputs": ["x", "y"], "target": "label",
          "scaling": "standardize"}}
EOF
cat >"$work/two_inputs.json" <<'EOF'
{"name": "two_inputs", "seed": 3,
 "inputs": [{"name": "a", "size": 2}, {"name": "b", "size": 1}],
 "layers": [{"name": "ha", "type": "dense", "input": "a", "units": 2, "activation": "gelu"},
            {"name": "ab", "type": "concat", "inputs": ["ha", "b"]},
            {"type": "dense", "units": 1, "activation": {"type": "elu", "alpha": 0.5}}],
 "loss": {"type": "huber", "delta": 0.5},
 "optimizer": {"type": "rmsprop", "lr": 0.01, "centered": true, "weight_decay": 0.001},
 "train": {"epochs": 1, "batch_size": 2},
 "data": {"train": "two.csv", "inputs": {"a": ["a1", "a2"], "b": ["b"]}, "target": "y"}}
EOF
cat >"$work/rec_small.json" <<'EOF'
{"name": "rec_small", "seed": 1,
 "inputs": [{"name": "user", "type": "index", "size": 40},
            {"name": "item", "type": "index", "size": 60}],
 "layers": [{"name": "uv", "type": "embedding", "input": "user", "dim": 2},
            {"name": "iv", "type": "embedding", "input": "item", "dim": 2},
            {"type": "concat", "inputs": ["uv", "iv"]},
            {"type": "dense", "units": 3, "activation": "swish"},
            {"type": "dense", "units": 1, "activation": "sigmoid"}],
 "loss": "binary_crossentropy",
 "optimizer": {"type": "adamw", "lr": 0.01},
 "train": {"epochs": 1, "batch_size": 64},
 "data": {"format": "ratings", "train": "ratings.tsv", "negatives": 1, "eval_negatives": 5,
          "top_k": 3, "threshold": 3}}
EOF
cat >"$work/svm.json" <<'EOF'
{"name": "svm", "seed": 5,
 "inputs": [{"name": "features", "size": 3}],
 "layers": [{"type": "dense", "units": 2, "activation": "softmax"}],
 "loss": "categorical_crossentropy",
 "optimizer": {"type": "adam", "lr": 0.1},
 "train": {"epochs": 1, "batch_size": 2},
 "data": {"format": "libsvm", "train": "small.svm", "index_base": 1}}
EOF
cat >"$work/img.json" <<'EOF'
{"name": "img", "seed": 9,
 "inputs": [{"name": "pixels", "size": 4}],
 "layers": [{"type": "dense", "units": 3, "activation": "relu6"},
            {"type": "dense", "units": 2, "activation": "softmax"}],
 "loss": "categorical_crossentropy",
 "optimizer": "sgd",
 "train": {"epochs": 1, "batch_size": 4},
 "data": {"format": "idx", "train": {"images": "img.idx", "labels": "lab.idx"},
          "scaling": "unit"}}
EOF

# ---- config: the shipped configs (not ring_custom, whose activation is registered from C)
# and the ones above --------------------------------------------------------------------
for f in "$root"/models/*.json; do
  case $f in *ring_custom.json) continue ;; esac
  cp "$f" "$corpus/config/$(basename "$f")"
done
for c in ring_parts two_inputs rec_small svm img; do
  cp "$work/$c.json" "$corpus/config/$c.json"
done
cp "$work/img.json" "$corpus/config/fashion_like.json"
sed -i 's/"format": "idx", "train": {"images": "img.idx", "labels": "lab.idx"},/"format": "fashion-mnist",/' \
  "$corpus/config/fashion_like.json"

# ---- models: trained one epoch, each format and layer type ------------------------------
# (Each trained from its own directory: the header records the config's path as given.)
(cd "$root/models" && "$tinynet" train xor.json -o "$work/xor.tnn" --epochs 2 >/dev/null)
for c in ring_parts two_inputs rec_small svm img; do
  (cd "$work" && "$tinynet" train "$c.json" -o "$c.tnn" >/dev/null)
done
cp "$root/tests/fixtures/ring_v1.tnn" "$work/ring_v1.tnn" # format version 1 ("columns")
# fuzz_model: mode byte 0 (as is); xor also with 1 (CRC resealed) and 3 (+ non-finite allowed).
for m in xor ring_parts two_inputs rec_small svm img ring_v1; do
  { printf '\x00'; cat "$work/$m.tnn"; } >"$corpus/model/$m"
done
{ printf '\x01'; cat "$work/xor.tnn"; } >"$corpus/model/xor_reseal"
{ printf '\x03'; cat "$work/xor.tnn"; } >"$corpus/model/xor_nonfinite"

# ---- model_header: selector, the header of each model, NUL, data in its format ----------
header() { # the JSON header of a .tnn file (little-endian length at offset 8)
  local len
  len=$(od -An -tu4 -j8 -N4 "$1" | tr -d ' ')
  tail -c +13 "$1" | head -c "$len"
}
seed_header() { # NAME MODEL SELECTOR DATA-FILE|-
  { printf "\\x$3"; header "$work/$2.tnn"; printf '\x00'; [ "$4" = - ] || cat "$4"; } \
    >"$corpus/model_header/$1"
}
seed_header xor_predict xor 00 "$work/xor.csv"
seed_header xor_eval xor 10 "$work/xor.csv"
seed_header ring_parts_eval ring_parts 10 "$work/ring.csv"
seed_header two_inputs_eval two_inputs 10 "$work/two.csv"
head -5 "$work/ratings.tsv" >"$work/pairs.tsv"
seed_header rec_predict rec_small 00 "$work/pairs.tsv"
seed_header rec_eval rec_small 10 "$work/pairs.csv"
seed_header svm_eval svm 10 "$work/small.svm"
seed_header img_header img 00 -
seed_header ring_v1 ring_v1 04 "$work/ring.csv"
seed_header xor_nan xor 08 -

# ---- csv, idx, ratings -------------------------------------------------------------------
cp "$work/xor.csv" "$corpus/csv/xor.csv"
cp "$work/ring.csv" "$corpus/csv/ring.csv"
cp "$work/two.csv" "$corpus/csv/two.csv"
printf '\xef\xbb\xbf"x"\t y \tlabel\r\n# a comment\r\n\r\n1.5e3\t-0x1p-3\t1\r\n 2 \t.5\t0' \
  >"$corpus/csv/bom_tsv_crlf.csv"

cp "$work/img.idx" "$corpus/idx/images_u8"
cp "$work/lab.idx" "$corpus/idx/labels_u8"
printf '\x00\x00\x09\x01\x00\x00\x00\x03\x80\x7f\x00' >"$corpus/idx/labels_i8"
printf '\x00\x00\x0b\x02\x00\x00\x00\x02\x00\x00\x00\x01\x80\x00\x7f\xff' >"$corpus/idx/i16"
printf '\x00\x00\x0c\x01\x00\x00\x00\x02\x01\x00\x00\x00\xff\xff\xff\xff' >"$corpus/idx/i32"
printf '\x00\x00\x0d\x02\x00\x00\x00\x01\x00\x00\x00\x02\x3f\x80\x00\x00\xc0\x00\x00\x00' \
  >"$corpus/idx/f32"
printf '\x00\x00\x0e\x04\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x01' \
  >"$corpus/idx/f64_4d"
printf '\x3f\xf0\x00\x00\x00\x00\x00\x00' >>"$corpus/idx/f64_4d"
gzip -9n <"$work/img.idx" >"$corpus/idx/images_u8.gz"
gzip -9n <"$work/lab.idx" >"$corpus/idx/labels_u8.gz"
# Two gzip members make one file (as `cat a.gz b.gz` does).
head -c 10 "$work/lab.idx" | gzip -n >"$corpus/idx/labels_2members.gz"
tail -c +11 "$work/lab.idx" | gzip -n >>"$corpus/idx/labels_2members.gz"

# Selector byte first (fuzz_ratings.c): 1 rating required, 3 also 1-based ids, 0 pairs.
{ printf '\x01'; head -60 "$work/ratings.tsv"; } >"$corpus/ratings/udata"
{ printf '\x03'; head -30 "$work/ratings.tsv" | awk '{print $1+1, $2+1, $3, $4}'; } \
  >"$corpus/ratings/udata_1based_blanks"
{ printf '\x01'; echo "timestamp,rating,item,user"; head -30 "$work/ratings.tsv" |
    awk '{print $4 "," $3 "," $2 "," $1}'; } >"$corpus/ratings/csv_header"
{ printf '\x00'; head -10 "$work/ratings.tsv" | cut -f1,2; } >"$corpus/ratings/pairs"
{ printf '\x05'; printf '# users and items\n1\t2\t1\t10\n1\t3\t5\t10\n1\t4\t5\t9\n2\t2\t1\t1\n'; } \
  >"$corpus/ratings/ties_threshold0"

du -sh "$corpus" | sed 's/^/make_seeds: /'
