#!/usr/bin/env bash
# The architecture, checked (docs/ARCHITECTURE.md draws it):
#  1. every #include under src/ points down the stack, to a module it is allowed to use;
#  2. the command line includes only public headers (and its own, in src/cli/);
#  3. its object files reference no internal (tn__) symbol.
# Usage: tests/cli_layering.sh [CLI OBJECT FILES...]   (run from the repository root)
set -u
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

# Each module and the modules it may include (besides itself), bottom of the stack first.
declare -A allowed=(
  [core]=""
  [act]="core"
  [layers]="core act"
  [graph]="core act layers"
  [model]="core act layers graph"
  [data]="core act layers graph model"
  [loss]="core act data"
  [optim]="core"
  [dist]="core"
  [train]="core act layers graph model data loss optim dist"
  [recsys]="core graph model data loss optim train"
  [inspect]="core act layers graph model data"
  [runtime]="core act layers graph model"
  [export]="core act layers graph model"
  [api]="core act layers graph model data loss optim dist train recsys inspect runtime export"
)
# Public headers a module may include: the runtime's and the activation module's anywhere;
# the others from the modules that implement what they declare, and above.
declare -A public_from=(
  [tinynet.h]="*" [activation.h]="*"
  [data.h]="train recsys inspect api" [train.h]="train recsys inspect api"
  [inspect.h]="inspect api" [recsys.h]="recsys api" [export.h]="export api"
  [dist.h]="dist train api"
)

for module in "${!allowed[@]}"; do
  [ -d "src/$module" ] || bad "module $module has no folder src/$module"
done
for dir in src/*/; do
  module=$(basename "$dir")
  [ "$module" = cli ] && continue
  [ -n "${allowed[$module]+set}" ] || { bad "src/$module: a module the layering table does not know"; continue; }
  for f in "$dir"*.c "$dir"*.h; do
    [ -e "$f" ] || continue
    while IFS= read -r inc; do
      target=${inc%%/*}
      if [ "$target" = tinynet ]; then
        who=${public_from[${inc#tinynet/}]-}
        [ -n "$who" ] || { bad "$f includes unknown public header \"$inc\""; continue; }
        [ "$who" = "*" ] || [[ " $who " == *" $module "* ]] ||
          bad "$f includes \"$inc\", which $module may not use"
        continue
      fi
      [ "$target" = "$module" ] && continue
      [ -d "src/$target" ] || { bad "$f includes \"$inc\", not under src/ or include/"; continue; }
      [[ " ${allowed[$module]} " == *" $target "* ]] ||
        bad "$f includes \"$inc\": $module may not use $target (up the stack or sideways)"
    done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
  done
done

# The command line: public headers and its own only.
for f in src/cli/*.c src/cli/*.h; do
  while IFS= read -r inc; do
    case "$inc" in
      tinynet/*) ;;
      */*) bad "$f includes \"$inc\": the command line uses only public headers" ;;
      *) [ -e "src/cli/$inc" ] || bad "$f includes \"$inc\", which is not in src/cli/" ;;
    esac
  done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
done

# Its objects, when given: no reference to an internal symbol.
for obj in "$@"; do
  refs=$(nm -u "$obj" | awk '{print $NF}' | grep '^tn__' || true)
  [ -z "$refs" ] || bad "$(basename "$obj") references internal symbols: $(echo $refs)"
done
[ $# -gt 0 ] || echo "note: no CLI objects given; the nm check did not run" >&2

[ $fail -eq 0 ] && echo "layering: OK ($(ls src | wc -l) modules, $# CLI objects)"
exit $fail
