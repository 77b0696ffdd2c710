#!/usr/bin/env bash
# A real data set nobody here made: the Palmer penguins (Gorman, Williams and Fraser 2014,
# Palmer Station LTER), as Debian's r-cran-palmerpenguins package ships the raw file
# (extdata/penguins_raw.csv: 344 penguins, 17 columns; the species as text, an "Individual
# ID" text column, quoted fields with commas, NA for missing measurements). The package is
# downloaded, not installed (it would pull in R): `apt-get download` and `dpkg-deb -x`.
# The file is then split, every 4th record to the test set, its lines copied unchanged:
#   data/penguins/penguins_raw.csv, data/penguins/train.csv (258), data/penguins/test.csv (86)
# Usage: tools/penguins.sh   (then: tinynet train models/penguins.json -o penguins.tnn)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$root/data/penguins
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$dir"
(cd "$tmp" && apt-get download r-cran-palmerpenguins >/dev/null 2>&1) ||
    { echo "tools/penguins.sh: apt-get download r-cran-palmerpenguins failed (run apt-get update?)" >&2
      exit 1; }
dpkg-deb -x "$tmp"/r-cran-palmerpenguins_*.deb "$tmp/x"
cp "$(find "$tmp/x" -name penguins_raw.csv | head -n 1)" "$dir/penguins_raw.csv"
# One record per line in this file (no quoted newlines), so lines can be dealt out as they are.
awk -v train="$dir/train.csv" -v test="$dir/test.csv" '
    NR == 1 { print > train; print > test; next }
    { print > ((NR - 1) % 4 == 0 ? test : train) }' "$dir/penguins_raw.csv"
echo "wrote $dir/{penguins_raw,train,test}.csv ($(($(wc -l <"$dir/train.csv") - 1)) + $(($(wc -l <"$dir/test.csv") - 1)) records)"
