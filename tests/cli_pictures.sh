#!/usr/bin/env bash
# The pictures, fit for a report: curves.svg (round 1-2-5 ticks, the loss named, the model
# in the title, the kept epoch marked, the printed training figure explained, a log scale
# when the loss spans decades), graph (title and totals, thousands separators, --rankdir,
# repeated layers collapsed, the output marked, --dpi) and misclassified.svg (row numbers,
# confidence, most confident first, true and predicted told apart by colour and symbol).
# Usage: tests/cli_pictures.sh PATH/TO/tinynet   (run from the repository root)
set -u
tn=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 skipped=""
check() { # check NAME CONDITION-COMMAND...
    local name=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $name" >&2
    fi
}
has() { grep -qF -- "$2" "$1"; }
lacks() { ! grep -qF -- "$2" "$1"; }
py=/usr/bin/python3

# round_ticks FILE PANEL: the y tick labels of panel 0 (loss) or 1 (accuracy) step evenly by
# 1, 2 or 5 times a power of ten (a linear axis), or are 1, 2, 5 times powers of ten (log).
round_ticks() {
    "$py" - "$1" "$2" <<'EOF'
import math, re, sys
svg = open(sys.argv[1]).read()
panel = int(sys.argv[2])
# y tick labels are right-aligned at the left of each panel's box (x = 69 or 539).
xs = sorted({int(x) for x in re.findall(r"<text x='(\d+)' y='[\d.]+' text-anchor='end' font-size='11'>", svg)})
labels = re.findall(r"<text x='%d' y='[\d.]+' text-anchor='end' font-size='11'>([^<]+)</text>" % xs[panel], svg)
v = [float(s) for s in labels]
assert len(v) >= 3, labels
if all(x > 0 for x in v) and max(v) / min(v) >= 100:
    for x in v:
        m = x / 10 ** math.floor(math.log10(x) + 1e-9)
        assert min(abs(m - k) for k in (1, 2, 5)) < 1e-9, (x, labels)
else:
    d = [round(b - a, 12) for a, b in zip(v, v[1:])]
    assert len(set(d)) == 1, labels
    m = d[0] / 10 ** math.floor(math.log10(d[0]) + 1e-9)
    assert min(abs(m - k) for k in (1, 2, 5)) < 1e-9, labels
    assert all(len(s.split(".")[-1]) <= 3 for s in labels), labels
EOF
}

if [ ! -x "$py" ]; then
    echo "SKIP: cli_pictures: $py missing (apt-get install python3)"
    exit 77
fi

# 1. curves.svg of the ring: 100 epochs, linear axes.
"$tn" train models/ring.json --plot "$tmp/ring" >"$tmp/ring.txt"
check "train --plot" [ $? -eq 0 ]
c=$tmp/ring/curves.svg
command -v xmllint >/dev/null && check "curves.svg is well-formed XML" xmllint --noout "$c"
check "the title names the model" has "$c" ">ring: training curves, 100 epochs</text>"
check "the y axis names the loss" has "$c" ">binary_crossentropy loss (mean per row)</text>"
check "loss ticks are round" round_ticks "$c" 0
check "accuracy ticks are round" round_ticks "$c" 1
check "epoch ticks every 10 in both panels" "$py" - "$c" <<'EOF'
import re, sys
t = re.findall(r"text-anchor='middle' font-size='11'>(\d+)</text>", open(sys.argv[1]).read())
assert t == [str(10 * k) for k in range(1, 11)] * 2, t
EOF
best=$(sed -n 's/.*best epoch \([0-9]*\),.*/\1/p' "$tmp/ring.txt")
check "the kept epoch ($best) is marked" has "$c" "kept: epoch $best</text>"
train_loss=$(awk '$1 == "train" { print $3 }' "$tmp/ring.txt")
check "the printed train loss ($train_loss) is in the picture, explained" has "$c" \
    "the figure train prints (loss $train_loss)"
check "and the curve's train is said to be the epoch mean" has "$c" "the mean over each epoch's batches in training mode"
# The test rows are evaluated once, after training: they have no curve.
check "no test curve: the test rows are unseen during training" lacks "$c" ">test</text>"
sed -e 's/"batch_size": 32}/"batch_size": 32, "validation": 0.2}/' models/ring.json >"$tmp/ringv.json"
sed -i -e 's#"../data/#"'"$PWD"'/data/#g' "$tmp/ringv.json"
"$tn" train "$tmp/ringv.json" --epochs 5 --plot "$tmp/ringv" >/dev/null
check "with validation rows, their curve is named so" has "$tmp/ringv/curves.svg" ">validation</text>"
check "a linear axis by default here" bash -c "! grep -q 'log scale' '$c'"

# xor's loss falls over decades: a log axis on its own, or on demand.
"$tn" train models/xor.json --plot "$tmp/xor" >/dev/null
check "xor: a log scale when the loss spans decades" has "$tmp/xor/curves.svg" "(log scale)"
check "xor: log ticks are 1-2-5 decades" round_ticks "$tmp/xor/curves.svg" 0
"$tn" train models/xor.json --plot "$tmp/xorlin" --plot-scale linear >/dev/null
check "--plot-scale linear" bash -c "! grep -q 'log scale' '$tmp/xorlin/curves.svg'"
"$tn" train models/ring.json --epochs 5 --plot "$tmp/ringlog" --plot-scale log >/dev/null
check "--plot-scale log" has "$tmp/ringlog/curves.svg" "(log scale)"
"$tn" train models/ring.json --plot-scale log >/dev/null 2>&1
check "--plot-scale without --plot is a usage error" [ $? -eq 2 ]

# 2. graph: DOT text (always), images when Graphviz is installed.
"$tn" graph models/deep_ring.json >"$tmp/deep.dot"
check "graph: a title with the name" has "$tmp/deep.dot" "label=<<b>deep_ring</b><br/>"
check "graph: totals with thousands separators" has "$tmp/deep.dot" "9,633 parameters (38,532 bytes of float32), 11 layers, 1 input"
check "graph: nine identical layers collapsed" has "$tmp/deep.dot" "<b>dense_2</b> ... <b>dense_10</b> (dense) <b>&#215;9</b>"
check "graph: their parameters" has "$tmp/deep.dot" "9 &#215; 1,056 = 9,504 parameters"
check "graph: the output marked" has "$tmp/deep.dot" "a10 -> output;"
check "graph: what the output holds" has "$tmp/deep.dot" "(B, 1): probabilities (sigmoid)"
check "graph: top to bottom by default" has "$tmp/deep.dot" "rankdir=TB"
"$tn" graph models/deep_ring.json --rankdir LR --expand >"$tmp/deep_lr.dot"
check "graph --rankdir LR" has "$tmp/deep_lr.dot" "rankdir=LR"
check "graph --expand draws every layer" has "$tmp/deep_lr.dot" "<b>dense_10</b> (dense)"
check "graph --expand collapses nothing" bash -c "! grep -q '&#215;9' '$tmp/deep_lr.dot'"
"$tn" graph models/deep_ring.json --rankdir XY >/dev/null 2>&1
check "graph --rankdir XY is a usage error" [ $? -eq 2 ]
"$tn" graph models/deep_ring.json --dpi 5 -o "$tmp/x.png" >/dev/null 2>&1
check "graph --dpi 5 is a usage error" [ $? -eq 2 ]
if command -v dot >/dev/null; then
    "$tn" graph models/ring.json --dpi 72 -o "$tmp/g72.png" >/dev/null &&
        "$tn" graph models/ring.json --dpi 288 -o "$tmp/g288.png" >/dev/null
    check "graph --dpi renders" [ -s "$tmp/g72.png" ] && [ -s "$tmp/g288.png" ]
    w72=$("$py" -c "import struct,sys; print(struct.unpack('>I', open(sys.argv[1],'rb').read()[16:20])[0])" "$tmp/g72.png")
    w288=$("$py" -c "import struct,sys; print(struct.unpack('>I', open(sys.argv[1],'rb').read()[16:20])[0])" "$tmp/g288.png")
    check "graph --dpi 288 is 4x --dpi 72 ($w72, $w288)" [ $((w288 * 10 / w72)) -ge 38 ] && [ $((w288 * 10 / w72)) -le 42 ]
    "$tn" graph models/deep_ring.json --rankdir LR -o "$tmp/deep.svg" >/dev/null
    check "graph LR renders a wide picture" "$py" - "$tmp/deep.svg" <<'EOF'
import re, sys
s = open(sys.argv[1]).read()
w, h = (float(x) for x in re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', s).groups())
assert w > 4 * h, (w, h)
EOF
else
    skipped+=" rendering (apt-get install graphviz)"
fi

# Without Graphviz, a chain of layers is drawn by tinynet itself: a valid grey PNG.
env PATH=/nonexistent "$tn" graph models/deep_ring.json --dpi 300 -o "$tmp/own.png" >/dev/null
check "graph -o PNG without Graphviz, for a chain" [ $? -eq 0 ]
check "tinynet's own PNG is valid, grey, at its dpi, every layer drawn" "$py" - "$tmp/own.png" <<'EOF'
import struct, sys, zlib
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n"
at, chunks = 8, {}
while at < len(b):
    n, kind = struct.unpack(">I4s", b[at:at + 8])
    data = b[at + 8:at + 8 + n]
    assert struct.unpack(">I", b[at + 8 + n:at + 12 + n])[0] == zlib.crc32(kind + data), kind
    chunks[kind] = chunks.get(kind, b"") + data
    at += 12 + n
w, h, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
assert (depth, colour) == (8, 0), (depth, colour)
ppm = struct.unpack(">II", chunks[b"pHYs"][:8])
assert abs(ppm[0] * 0.0254 - 300) < 1, ppm
raw = zlib.decompress(chunks[b"IDAT"])
assert len(raw) == h * (w + 1)
# Rows that are mostly one black line are box borders: 13 boxes (the input, 11 layers,
# the output), each with a top and a bottom border.
def border(y):
    row = raw[y * (w + 1) + 1:(y + 1) * (w + 1)]
    return row.count(0) > w // 2
rows = [border(y) for y in range(h)]
groups = sum(1 for y in range(h) if rows[y] and (y == 0 or not rows[y - 1]))
assert groups == 26, groups
EOF

# 3. misclassified.svg: Fashion-MNIST, one epoch.
if "$tn" train models/fashion_mlp.json --epochs 1 --plot "$tmp/fash" >"$tmp/fash.txt" 2>"$tmp/fash.err"; then
    m=$tmp/fash/misclassified.svg
    check "misclassified: the title names the model and the count" \
        grep -qE ">fashion_mlp: [0-9]+ of 10000 test rows misclassified; the 40 most confident mistakes<" "$m"
    check "misclassified: 40 row numbers" [ "$(grep -c "fill='#555'>#[0-9]*</text>" "$m")" -eq 40 ]
    check "misclassified: true class in green with a check mark" [ "$(grep -c "fill='#1a7f37'>&#10003; " "$m")" -eq 40 ]
    check "misclassified: predicted class in red with a cross" [ "$(grep -c "fill='#c0262d'>&#10007; " "$m")" -eq 40 ]
    check "misclassified: most confident first" "$py" - "$m" <<'EOF'
import re, sys
c = [float(x) for x in re.findall(r"&#10007; [^<]* (?:&gt;)?([\d.]+)%</text>", open(sys.argv[1]).read())]
assert len(c) == 40 and c == sorted(c, reverse=True) and c[0] < 100, c
EOF
    check "misclassified: the row numbers are rows the model gets wrong" "$py" - "$m" "$tmp/fash.txt" <<'EOF'
import re, sys
rows = [int(r) for r in re.findall(r"fill='#555'>#(\d+)</text>", open(sys.argv[1]).read())]
assert len(set(rows)) == 40 and all(0 <= r < 10000 for r in rows), rows
EOF
else
    grep -q "dataset-fashion-mnist" "$tmp/fash.err" && skipped+=" misclassified (apt-get install dataset-fashion-mnist)" ||
        check "train fashion_mlp --plot" false
fi

[ -n "$skipped" ] && echo "note: skipped:$skipped" >&2
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
