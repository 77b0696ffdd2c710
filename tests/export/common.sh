# Shared by the export tests (sourced): trained models in $tmp and the comparison of two
# files of output rows. Needs $tn (the tinynet program), $tmp and fail().
ref_tool=$(dirname "$tn")/tn_export_ref

# train NAME CONFIG EPOCHS: $tmp/NAME.tnn (quietly; the config's data paths as they are).
train() {
  "$tn" train "$2" --epochs "$3" --threads 1 -o "$tmp/$1.tnn" >/dev/null 2>"$tmp/$1.train.err" ||
    fail "training $1: $(cat "$tmp/$1.train.err")"
}

fashion_installed() { [ -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; }

# The every-layer model: every activation, every layer type, a float and an index input,
# standardized inputs; trained on the ring data with a made-up id column.
train_every_layer() {
  cp tests/fixtures/every_layer.json "$tmp/"
  awk -F, 'NR == 1 { print $0 ",tag"; next } { print $0 "," (NR % 5) }' data/ring_train.csv \
    >"$tmp/every_layer.csv"
  train every_layer "$tmp/every_layer.json" 5
}

# compare WANT GOT LABEL: rows of outputs (or EID) must match in number and kind; prints
# the max abs difference, the normwise relative one (max |got - want| / max |want|) and the
# largest element-wise relative one, and sets $normrel.
compare() {
  [ "$(wc -l <"$1")" -eq "$(wc -l <"$2")" ] || fail "$3: $(wc -l <"$2") rows, want $(wc -l <"$1")"
  local res
  res=$(paste "$1" "$2" | awk -F'\t' '
    { n = NF / 2
      if ($1 == "EID" || $(n + 1) == "EID") { if ($1 != $(n + 1)) bad++; eid++; next }
      for (k = 1; k <= n; k++) {
        w = $k + 0; g = $(k + n) + 0; d = w - g; if (d < 0) d = -d
        a = w < 0 ? -w : w; if (a > big) big = a; if (d > m) m = d
        if (a > 0 && d / a > r) r = d / a
      } rows++ }
    END { printf "%d %d %d %.3g %.3g %.3g", rows, eid, bad, m, (big > 0 ? m / big : m), r }')
  set -- $res "$3"
  [ "$3" -eq 0 ] || fail "$7: $3 rows where one side refused an id and the other did not"
  normrel=$5
  printf '%-28s %6d rows %4d bad ids   max abs %-9s  normwise rel %-9s  max elementwise rel %s\n' \
    "$7" "$1" "$2" "$4" "$5" "$6"
}
