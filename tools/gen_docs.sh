#!/usr/bin/env bash
# Rewrites the generated documentation from a built tinynet: docs/config.md and the
# tinynet-config(5) page, both from `tinynet help config` (the registries' keys and their
# descriptions). tests/cli_docs.sh fails while the committed files differ from the output.
# Usage: tools/gen_docs.sh [PATH/TO/tinynet]   (default build/tinynet)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tn=${1:-$root/build/tinynet}
"$tn" help config >"$root/docs/config.md"
"$tn" help config --man >"$root/docs/man/tinynet-config.5"
echo "wrote docs/config.md and docs/man/tinynet-config.5"
