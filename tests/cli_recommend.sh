#!/usr/bin/env bash
# End-to-end checks of the recommender commands: train on the shipped ratings, predict
# pairs, recommend unseen items, draw the network. Exits 77 (skipped) when Graphviz is
# missing and no check failed: the rendering checks could not run.
# Usage: tests/cli_recommend.sh PATH/TO/tinynet   (run from the repository root)
set -u
tn=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
skipped=

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
run() { # run CMD...: sets $out, $err, $rc
    "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    out=$(cat "$tmp/out")
    err=$(cat "$tmp/err")
}
has() { grep -qF -- "$2" <<<"$1"; }

# A short training run is enough to exercise the commands.
run "$tn" train models/recommender.json --epochs 3 -o "$tmp/rec.tnn"
check "recommender trains" [ $rc -eq 0 ]
check "ranking report" has "$out" "scorer      logloss      AUC    HR@10  NDCG@10"
check "popularity beside the model" has "$out" "popularity        -"
check "model saved" [ -s "$tmp/rec.tnn" ]

# recommend: 10 rows by default, best first, none of them rated by the user.
run "$tn" recommend "$tmp/rec.tnn" --user 3
check "recommend runs" [ $rc -eq 0 ]
check "recommend header" has "$(head -1 <<<"$out")" $'rank\titem\tscore'
check "ten recommendations" [ "$(tail -n +2 <<<"$out" | wc -l)" -eq 10 ]
rated=$(awk -F'\t' '$1 == 3 { print $2 }' data/ratings.tsv | sort -u)
recs=$(tail -n +2 <<<"$out" | cut -f2 | sort -u)
check "no recommended item is rated" [ -z "$(comm -12 <(echo "$rated") <(echo "$recs"))" ]
check "scores descend" bash -c "tail -n +2 '$tmp/out' | cut -f3 | sort -c -r -g"
top=$(sed -n 2p <<<"$out" | cut -f2)

run "$tn" recommend "$tmp/rec.tnn" --user 3 --top 3
check "--top 3" [ "$(tail -n +2 <<<"$out" | wc -l)" -eq 3 ]
# Another ratings file where user 3 has rated the former top item: it is skipped.
printf '3\t%s\t5\t1\n' "$top" >"$tmp/seen.tsv"
run "$tn" recommend "$tmp/rec.tnn" --user 3 --top 5 --ratings "$tmp/seen.tsv"
check "recommend with --ratings" [ $rc -eq 0 ]
check "a rated item is skipped" [ -z "$(tail -n +2 <<<"$out" | cut -f2 | grep -x "$top")" ]
run "$tn" recommend "$tmp/rec.tnn"
check "missing --user is a usage error" [ $rc -eq 2 ]
check "missing --user named" has "$err" "missing --user U"
run "$tn" recommend "$tmp/rec.tnn" --user 300
check "user outside the vocabulary fails" [ $rc -eq 1 ]
check "user outside named" has "$err" "user \"300\" is not among the 300 users the model was trained on"
run "$tn" recommend "$tmp/rec.tnn" --user 1 --ratings "$tmp/missing.tsv"
check "missing ratings file fails" [ $rc -eq 1 ]

# predict: u.data-style pairs and CSV give the same scores.
printf '3\t%s\n3\t0\n' "$top" >"$tmp/pairs.tsv"
printf 'user,item\n3,%s\n3,0\n' "$top" >"$tmp/pairs.csv"
run "$tn" predict --raw "$tmp/rec.tnn" "$tmp/pairs.tsv"
check "predict pairs" [ $rc -eq 0 ]
tsv=$out
run "$tn" predict --raw "$tmp/rec.tnn" "$tmp/pairs.csv"
check "predict csv" [ $rc -eq 0 ]
check "tsv and csv agree" [ "$tsv" = "$out" ]
check "two scores" [ "$(wc -l <<<"$out")" -eq 2 ]
printf '3\t400\n' >"$tmp/bad.tsv"
run "$tn" predict "$tmp/rec.tnn" "$tmp/bad.tsv"
check "item outside the vocabulary" has "$err" "line 1: item \"400\" is not in the model's 400 items"

# graph: DOT on stdout, files by extension, images through Graphviz when installed.
run "$tn" graph models/recommender.json
check "graph runs" [ $rc -eq 0 ]
check "inputs side by side" has "$out" "{ rank=same; n0; n1; }"
check "concat merges both embeddings" bash -c "grep -q 'n2 -> n4;' '$tmp/out' && grep -q 'n3 -> n4;' '$tmp/out'"
run "$tn" graph "$tmp/rec.tnn" -o "$tmp/rec.dot"
check "graph of a model to .dot" [ $rc -eq 0 ]
check "model and config draw alike" bash -c "'$tn' graph models/recommender.json | cmp -s - '$tmp/rec.dot'"
run "$tn" graph models/recommender.json -o "$tmp/rec.bmp"
check "unknown image type is a usage error" [ $rc -eq 2 ]
if command -v dot >/dev/null; then
    run "$tn" graph models/recommender.json -o "$tmp/it's a \$(net).png"
    check "png rendered" [ $rc -eq 0 ]
    check "png magic" bash -c "head -c 8 \"\$1\" | od -An -c | grep -q 'P   N   G'" _ "$tmp/it's a \$(net).png"
    run "$tn" graph models/recommender.json -o "$tmp/rec.svg"
    check "svg rendered" bash -c "grep -q '<svg' '$tmp/rec.svg'"
    check "wrote on stdout" has "$out" "wrote $tmp/rec.svg"
    check "nothing on stderr" [ -z "$err" ]
    # dot's own complaint is folded into tinynet's single message.
    run "$tn" graph models/recommender.json -o /nonexistent/x.png
    check "unwritable image fails" [ $rc -eq 1 ]
    check "one line of error" [ "$(wc -l <<<"$err")" -eq 1 ]
    check "dot's reason in it" has "$err" 'tinynet: dot failed to write /nonexistent/x.png: Could not open'
else
    skipped="rendering: apt-get install graphviz"
    run env PATH=/nonexistent "$tn" graph models/recommender.json -o "$tmp/rec.png"
    check "no dot: clear message" has "$err" "Graphviz"
fi
run env PATH=/nonexistent "$tn" graph models/recommender.json -o "$tmp/nodot.png"
check "without dot on PATH it fails" [ $rc -eq 1 ]
check "without dot: says what to install" has "$err" "is not on PATH"
run "$tn" graph --help
check "graph help mentions Graphviz" has "$out" "Graphviz"

echo "$passed passed, $failed failed"
if [ "$failed" -eq 0 ] && [ -n "$skipped" ]; then
    echo "SKIP: cli_recommend: $skipped"
    exit 77
fi
[ "$failed" -eq 0 ]
