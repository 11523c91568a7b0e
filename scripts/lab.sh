#!/usr/bin/env bash
# `npm run lab -- up|preview|refresh|destroy [--example ...] [--stack ...] [--config key=value]...`
# Runs examples/lab (or another example) against this machine's libvirt. Does its own set-up:
# dependencies, the test host (libvirtd, huge pages, the tiny guest; needs root), the build. Then
# tools/lab/main.ts picks the Pulumi CLI when installed, the engine emulator otherwise, and says which.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "npm run lab needs root: it installs and starts libvirtd and uses qemu:///system. Run: sudo npm run lab -- $*" >&2
    exit 1
fi
bash scripts/setup-test-host.sh >/dev/null

# Build only when a source is newer than the last build, and then incrementally (the build info
# lives in dist/, so removing dist rebuilds everything). An up with nothing to build starts at once.
BUILD_INFO=dist/.tsbuildinfo
if [ ! -f "$BUILD_INFO" ] || [ -n "$(find provider sdk tools test bench examples tsconfig.json package-lock.json \
    -newer "$BUILD_INFO" -print -quit)" ]; then
    node_modules/.bin/tsc -p tsconfig.json --incremental --tsBuildInfoFile "$BUILD_INFO"
    touch "$BUILD_INFO"
fi
exec node_modules/.bin/node dist/tools/lab/main.js "$@"
