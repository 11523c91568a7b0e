#!/usr/bin/env bash
# `npm run bench:rpc`: sets up the host like the tests do, builds, and prints the RPC benchmark table.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/node ]; then npm ci --no-audit --no-fund; fi
if [ "$(id -u)" -ne 0 ]; then
    echo "the benchmark needs root (it uses qemu:///system and the test host): sudo npm run bench:rpc" >&2
    exit 1
fi
bash scripts/setup-test-host.sh
node_modules/.bin/tsc -p tsconfig.json
exec node_modules/.bin/node dist/bench/rpc.js
