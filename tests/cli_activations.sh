#!/bin/bash
# End-to-end checks of `tinynet activations`: listing, --table values, errors, --plot.
# $1 is the tinynet binary; run from the repository root. The registered activations come
# from tn_extensions, built beside it. Exits 77 (skipped) when a check could not run and
# none failed.
set -u
TN=$1
fail=0
skipped=
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check() { # check DESCRIPTION COMMAND...
    local what=$1; shift
    if ! "$@"; then echo "FAIL: $what"; fail=1; fi
}

# The listing names every registered module (the registry's list, not a copy of it here).
names=$("$(dirname "$TN")/tn_extensions" activation) || { echo "FAIL: tn_extensions"; exit 1; }
n_names=$(wc -l <<<"$names")
check "registry lists activations" test "$n_names" -gt 0
"$TN" activations > "$tmp/list" || { echo "FAIL: list exit status"; fail=1; }
for a in $names; do
    check "list has $a" grep -q "^$a " "$tmp/list"
done
check "list shows a parameter" grep -q "param alpha = 0.01, in \[0, 1\]" "$tmp/list"

# relu over -1:1:0.5, exactly (derivative 0 at the kink, as PyTorch).
printf -- '-1\t0\t0\n-0.5\t0\t0\n0\t0\t0\n0.5\t0.5\t1\n1\t1\t1\n' > "$tmp/relu.want"
"$TN" activations relu --table -1:1:0.5 > "$tmp/relu.got"
check "relu table" cmp -s "$tmp/relu.want" "$tmp/relu.got"

# sigmoid(0) = 0.5, sigmoid'(0) = 0.25.
check "sigmoid at 0" test "$("$TN" activations sigmoid --table 0:0:1)" = "$(printf '0\t0.5\t0.25')"
# A parameter changes the values: leaky_relu with alpha 0.5 at -2 is -1, slope 0.5.
check "leaky_relu --param" test "$("$TN" activations leaky_relu --param alpha=0.5 --table -2:-2:1)" \
    = "$(printf -- '-2\t-1\t0.5')"

# Errors: exit 2 with a clear message.
"$TN" activations relo --table 0:1:1 > /dev/null 2> "$tmp/err"; rc=$?
check "bad name exits 2" test "$rc" -eq 2
check "bad name suggests" grep -q 'unknown activation "relo" (did you mean "relu"?)' "$tmp/err"
"$TN" activations elu --param alpa=2 --table 0:1:1 > /dev/null 2> "$tmp/err"; rc=$?
check "bad param exits 2" test "$rc" -eq 2
check "bad param suggests" grep -q 'no parameter "alpa" (did you mean "alpha"?)' "$tmp/err"
"$TN" activations elu --param alpha=-1 --table 0:1:1 > /dev/null 2> "$tmp/err"; rc=$?
check "out of range param exits 2" test "$rc" -eq 2
check "out of range message" grep -q 'alpha must be a number in \[0, 1000\]' "$tmp/err"
"$TN" activations relu --table 1:0:0.5 > /dev/null 2> "$tmp/err"; rc=$?
check "bad range exits 2" test "$rc" -eq 2
"$TN" activations relu --table 0:1 > /dev/null 2> "$tmp/err"; rc=$?
check "two-number range exits 2" test "$rc" -eq 2

# Plot: one SVG per activation plus the sheet, each a well-formed SVG document.
"$TN" activations --plot "$tmp/plots" > /dev/null || { echo "FAIL: plot exit status"; fail=1; }
n=$(ls "$tmp/plots"/*.svg 2>/dev/null | wc -l)
check "plot wrote $((n_names + 1)) files, one per activation and the sheet (got $n)" \
    test "$n" -eq $((n_names + 1))
for a in $names; do
    check "plot of $a" test -s "$tmp/plots/$a.svg"
done
for f in "$tmp/plots"/relu.svg "$tmp/plots"/softmax.svg "$tmp/plots"/activations.svg; do
    check "$f starts as SVG" grep -qE '^(<\?xml|<svg)' <(head -c 100 "$f")
    check "$f ends as SVG" test "$(tail -n 1 "$f")" = "</svg>"
done
if command -v xmllint > /dev/null; then
    check "sheet is well-formed XML" xmllint --noout "$tmp/plots/activations.svg"
else
    skipped="XML check: apt-get install libxml2-utils"
fi
"$TN" activations elu --param alpha=2 --plot "$tmp/one" > /dev/null
check "single plot" test -f "$tmp/one/elu.svg" -a ! -f "$tmp/one/activations.svg"
check "single plot title has the parameter" grep -q 'elu(alpha=2)' "$tmp/one/elu.svg"
if [ "$fail" -eq 0 ] && [ -n "$skipped" ]; then
    echo "SKIP: cli_activations: $skipped"
    exit 77
fi
exit $fail
