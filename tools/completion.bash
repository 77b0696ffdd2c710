# bash completion for tinynet, installed as share/bash-completion/completions/tinynet.
# What it offers comes from the tinynet being completed, at run time: the commands from
# `tinynet --help`, each command's options from `tinynet COMMAND --help`, activation names
# from `tinynet activations` (so modules registered later appear); files by extension:
# configs *.json, models *.tnn, logs *.jsonl, drawings *.dot/.svg/.png/.pdf.
# tests/cli_completion.sh drives it through COMP_WORDS and checks what it offers.

# The words of `tinynet ... --help` that are options (--name, -o, -q ...).
_tinynet_options() {
    "$1" "${@:2}" --help 2>/dev/null | grep -oE '(^|[[:space:][,])--?[a-z][a-z-]*' |
        sed 's/^[[:space:][,]*//' | sort -u
}

_tinynet_files() { # _tinynet_files CUR EXT...: files with one of the extensions, and dirs
    local cur=$1 ext
    shift
    compopt -o filenames 2>/dev/null
    COMPREPLY+=($(compgen -d -- "$cur"))
    for ext in "$@"; do
        COMPREPLY+=($(compgen -f -X "!*.$ext" -- "$cur"))
    done
}

_tinynet() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local tn=${COMP_WORDS[0]} cmd="" i w
    COMPREPLY=()
    # The command is the first word that is neither a global option nor its value.
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        case $w in
            -q | -v | --quiet | --verbose | --progress=*) ;;
            --progress) ((i++)) ;;
            -*) ;;
            *) cmd=$w; break ;;
        esac
    done

    case $prev in
        --progress) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
    esac
    if [ -z "$cmd" ]; then
        case $cur in
            --progress=*) COMPREPLY=($(compgen -P --progress= -W "auto always never" -- "${cur#--progress=}")); return ;;
            -*) COMPREPLY=($(compgen -W "-q -v --quiet --verbose --progress= --help --version" -- "$cur"))
                [[ ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
                return ;;
        esac
        local cmds
        cmds=$("$tn" --help 2>/dev/null | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p')
        COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
        return
    fi

    # Option values.
    case $prev in
        -o | --output)
            if [ "$cmd" = graph ]; then _tinynet_files "$cur" dot gv svg png pdf
            else _tinynet_files "$cur" tnn; fi
            return ;;
        --log) _tinynet_files "$cur" jsonl; return ;;
        --plot) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur")); return ;;
        --ratings) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --rankdir) COMPREPLY=($(compgen -W "TB LR" -- "$cur")); return ;;
        --plot-scale) COMPREPLY=($(compgen -W "auto linear log" -- "$cur")); return ;;
        --epochs | --seed | --threads | --top | --user | --dpi | --target | --table | --range | --param)
            return ;;
        --activations)
            # A comma-separated list: complete its last name.
            local done=${cur%"${cur##*,}"} names
            names=$("$tn" activations 2>/dev/null | awk '/^[a-z]/ {print $1}')
            COMPREPLY=($(compgen -P "$done" -W "$names" -- "${cur##*,}"))
            compopt -o nospace 2>/dev/null
            return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_tinynet_options "$tn" "$cmd")" -- "$cur"))
        return
    fi

    # Operands: which one is this (words after the command that are not options or values)?
    local n=0
    for ((i = i + 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        case $w in
            -o | --output | --log | --plot | --plot-scale | --ratings | --rankdir | --epochs | --seed | \
            --threads | --top | --user | --dpi | --target | --table | --range | --param | \
            --activations | --progress) ((i++)) ;;
            -*) ;;
            *) ((n++)) ;;
        esac
    done
    case $cmd in
        train | study) [ $n -eq 0 ] && _tinynet_files "$cur" json ;;
        info | graph) [ $n -eq 0 ] && _tinynet_files "$cur" json tnn ;;
        eval | predict)
            if [ $n -eq 0 ]; then _tinynet_files "$cur" tnn
            else compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")); fi ;;
        recommend) [ $n -eq 0 ] && _tinynet_files "$cur" tnn ;;
        activations)
            [ $n -eq 0 ] &&
                COMPREPLY=($(compgen -W "$("$tn" activations 2>/dev/null | awk '/^[a-z]/ {print $1}')" -- "$cur")) ;;
        help)
            local cmds
            cmds=$("$tn" --help 2>/dev/null | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p')
            [ $n -eq 0 ] && COMPREPLY=($(compgen -W "$cmds config" -- "$cur")) ;;
    esac
}
complete -F _tinynet tinynet
