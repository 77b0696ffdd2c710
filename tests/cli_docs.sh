#!/usr/bin/env bash
# The documentation that cannot drift: docs/config.md and tinynet-config(5) are what
# `tinynet help config` generates from the registries (a key without a description fails
# here and in test_reference); the manual pages render without warnings; tinynet(1)
# covers every command, every option each command's --help lists, and the environment.
# Usage: tests/cli_docs.sh PATH/TO/tinynet   (run from the repository root)
set -u
tn=$1
. "$(dirname "$0")/sh/common.sh"

"$tn" help config >"$tmp/config.md"
check "help config succeeds (every key described)" [ $? -eq 0 ]
"$tn" help config --man >"$tmp/tinynet-config.5"
check "help config --man succeeds" [ $? -eq 0 ]
for f in config.md:docs/config.md tinynet-config.5:docs/man/tinynet-config.5; do
    got=$tmp/${f%%:*} want=${f#*:}
    if ! cmp -s "$got" "$want"; then
        diff -u "$want" "$got" | head -20 >&2
        echo "$want is stale: run tools/gen_docs.sh PATH/TO/tinynet and commit it" >&2
        check "$want matches the generated reference" false
    else
        check "$want matches the generated reference" true
    fi
done
check "no undocumented key in the reference" bash -c "! grep -q '(undocumented)' docs/config.md"
# Every registered module appears under its own heading.
for kind in activation layer loss optimizer data_format; do
    while read -r name; do
        check "$kind $name in docs/config.md" grep -qx "### $name" docs/config.md
    done < <("$(dirname "$tn")/tn_extensions" "$kind")
done

# The manual pages render, and groff has nothing to warn about.
if command -v groff >/dev/null; then
    for page in docs/man/*.[0-9]; do
        warn=$(groff -man -ww -z "$page" 2>&1)
        check "$page renders without warnings${warn:+: $warn}" [ -z "$warn" ]
    done
else
    echo "note: groff missing; the manual pages were not rendered" >&2
fi

# tinynet(1): a section per command, and every option each command's --help lists (troff
# writes a dash as \-).
cmds=$("$tn" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p')
check "the commands are listed" [ "$(wc -w <<<"$cmds")" -ge 8 ]
for c in $cmds; do
    check "tinynet.1 has a section for $c" grep -q "^\.SS $c" docs/man/tinynet.1
    for opt in $("$tn" "$c" --help | grep -oE '(^|[[:space:][,])--?[a-z][a-z-]*' |
                 sed 's/^[[:space:][,]*//' | sort -u); do
        check "tinynet.1 documents $c $opt" grep -qF -- "${opt//-/\\-}" docs/man/tinynet.1
    done
done
for opt in -q --quiet -v --verbose --progress; do
    check "tinynet.1 documents $opt" grep -qF -- "${opt//-/\\-}" docs/man/tinynet.1
done
# Every environment variable the code or the scripts read, in the page and the README.
vars=$({ grep -rhoE 'getenv\("[A-Z_]+"\)' src tests tools | sed 's/getenv("\(.*\)")/\1/'
         grep -rhoE '\$\{TN_[A-Z_]+:-' tools tests | sed 's/\${\(.*\):-/\1/'
         echo OPENBLAS_NUM_THREADS; echo CK_TIMEOUT_MULTIPLIER; } | grep -vx PATH | sort -u)
for v in $vars; do
    check "tinynet.1 documents \$$v" grep -q "^\.B ${v//_/\\_}\$\|^\.B $v\$" docs/man/tinynet.1
    check "README documents \$$v" grep -q "$v" README.md
done

finish cli_docs
