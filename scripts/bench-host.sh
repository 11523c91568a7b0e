#!/usr/bin/env bash
# `npm run bench:rpc`, `bench:stack` and `bench:up-deletes` (`bash scripts/bench-host.sh rpc|stack|up-deletes`): the
# benchmarks that need the test host's libvirtd. Sets up the host like the tests do, builds, and
# prints that benchmark's table (bench:stack: BENCH_QUICK=1 for N=10 only).
set -euo pipefail
cd "$(dirname "$0")/.."
bench="${1:?usage: bash scripts/bench-host.sh rpc|stack}"
if [ ! -f "bench/$bench.ts" ]; then
    echo "no benchmark bench/$bench.ts" >&2
    exit 2
fi
if [ ! -x node_modules/.bin/node ]; then npm ci --no-audit --no-fund; fi
if [ "$(id -u)" -ne 0 ]; then
    echo "the benchmark needs root (it uses qemu:///system and the test host): sudo npm run bench:$bench" >&2
    exit 1
fi
bash scripts/setup-test-host.sh
# bench:stack's programs load the provider as `pulumi-libvirt/provider`, as an installed project does.
bash scripts/link-self.sh
node_modules/.bin/tsc -p tsconfig.json
exec node_modules/.bin/node "dist/bench/$bench.js"
