#!/usr/bin/env bash
# `npm run bench:stack`: sets up the host like the tests do, builds, and prints the stack benchmark
# table (BENCH_QUICK=1 for N=10 only).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/node ]; then npm ci --no-audit --no-fund; fi
if [ "$(id -u)" -ne 0 ]; then
    echo "the benchmark needs root (it uses qemu:///system and the test host): sudo npm run bench:stack" >&2
    exit 1
fi
bash scripts/setup-test-host.sh
bash scripts/link-self.sh
node_modules/.bin/tsc -p tsconfig.json
exec node_modules/.bin/node dist/bench/stack.js
