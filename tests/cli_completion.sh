#!/usr/bin/env bash
# The bash completion (tools/completion.bash), driven as bash drives it: COMP_WORDS and
# COMP_CWORD set, the function `complete -p tinynet` names called, COMPREPLY read back.
# Usage: tests/cli_completion.sh PATH/TO/tinynet   (run from the repository root)
set -u
tn=$(realpath "$1")
root=$PWD
. "$(dirname "$0")/sh/common.sh"

# The completion runs `tinynet` as the user typed it: put this build first on PATH.
mkdir "$tmp/bin"
ln -s "$tn" "$tmp/bin/tinynet"
export PATH=$tmp/bin:$PATH
# shellcheck source=../tools/completion.bash
. "$root/tools/completion.bash"
spec=$(complete -p tinynet)
check "complete -p tinynet names the function" [ "$spec" = "complete -F _tinynet tinynet" ]
fn=$(sed 's/.*-F \([^ ]*\) .*/\1/' <<<"$spec")

# complete WORD...: the candidates for the last word, one per line, sorted.
complete_words() {
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="${COMP_WORDS[*]}"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    "$fn" tinynet "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>/dev/null
    printf '%s\n' "${COMPREPLY[@]}" | sort -u
}
offers() { # offers "WORDS" WANTED...: every WANTED is among the candidates
    local got want
    read -ra words <<<"$1"
    [[ $1 == *" " ]] && words+=("")
    got=$(complete_words "${words[@]}")
    shift
    for want in "$@"; do
        grep -qxF -- "$want" <<<"$got" || { echo "  '$want' not in: $(echo $got)" >&2; return 1; }
    done
}
only() { # only "WORDS" WANTED...: exactly these candidates
    local got
    read -ra words <<<"$1"
    [[ $1 == *" " ]] && words+=("")
    got=$(complete_words "${words[@]}")
    shift
    [ "$got" = "$(printf '%s\n' "$@" | sort -u)" ] || { echo "  got: $(echo $got)" >&2; return 1; }
}

check "tinynet tr<TAB> is train" only "tinynet tr" train
check "every command" offers "tinynet " train eval predict info activations study graph recommend help
check "after a global option" only "tinynet -q tr" train
check "global options" offers "tinynet --" --quiet --verbose --progress= --help --version
check "--progress= values" only "tinynet --progress=a" --progress=auto --progress=always
check "help COMMAND" only "tinynet help tr" train
check "help config" offers "tinynet help c" config

# Activation names, from the registry of the tinynet being completed.
mapfile -t acts < <("$(dirname "$tn")/tn_extensions" activation)
check "activation names" offers "tinynet activations " "${acts[@]}"
check "activations le<TAB>" only "tinynet activations le" leaky_relu
check "study --activations, the list's last name" only \
    "tinynet study models/deep_ring.json --activations relu,se" relu,selu
check "study --activations, a first name" offers "tinynet study x.json --activations gel" gelu gelu_tanh

# Options, from the command's --help.
check "train options" offers "tinynet train models/xor.json --" --epochs --seed --threads --log --plot --output
check "train -o" offers "tinynet train models/xor.json -" -o
check "graph options" offers "tinynet graph x.json --" --rankdir --dpi --expand --output
check "graph --rankdir values" only "tinynet graph x.json --rankdir " TB LR
check "train --plot-scale values" only "tinynet train x.json --plot d --plot-scale " auto linear log
check "recommend options" offers "tinynet recommend r.tnn --" --user --top --ratings

# Files by extension.
mkdir -p "$tmp/w/sub"
touch "$tmp/w/a.json" "$tmp/w/b.tnn" "$tmp/w/c.csv" "$tmp/w/d.jsonl" "$tmp/w/e.svg"
cd "$tmp/w"
check "train CONFIG: configs and directories" only "tinynet train " a.json sub
check "predict MODEL: models" only "tinynet predict " b.tnn sub
check "predict DATA: any file" offers "tinynet predict b.tnn " c.csv
check "info: configs and models" only "tinynet info " a.json b.tnn sub
check "train -o MODEL" only "tinynet train a.json -o " b.tnn sub
check "train --log FILE.jsonl" only "tinynet train a.json --log " d.jsonl sub
check "graph -o drawings" only "tinynet graph a.json -o " e.svg sub
check "--plot DIR: directories" only "tinynet train a.json --plot " sub
check "no second CONFIG" only "tinynet train a.json "
cd "$root"

finish cli_completion
