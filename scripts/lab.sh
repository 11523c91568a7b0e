#!/usr/bin/env bash
# `npm run lab -- up|preview|refresh|destroy [--example ...] [--stack ...] [--config key=value]...
# [--full-setup]`. Runs examples/lab (or another example) against this machine's libvirt. Does its
# own set-up: dependencies, the test host (libvirtd, huge pages, the tiny guest; needs root), the
# build. Then tools/lab/main.ts picks the Pulumi CLI when installed, the engine emulator otherwise,
# and says which.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "npm run lab needs root: it installs and starts libvirtd and uses qemu:///system. Run: sudo npm run lab -- $*" >&2
    exit 1
fi

# --full-setup (ours, not main.js's) runs the whole set-up check even when the quick one passes.
FULL_SETUP=0
ARGS=()
for arg in "$@"; do
    if [ "$arg" = --full-setup ]; then FULL_SETUP=1; else ARGS+=("$arg"); fi
done

# The set-up script checks everything (1-2 s when all is in place); once it has passed, the stamp
# records that, and scripts/lab-setup-current.sh checks only what can change between two runs.
STATE=.lab-state
SETUP_STAMP=$STATE/setup-passed
if ((FULL_SETUP)) || ! LAB_SETUP_STAMP=$SETUP_STAMP bash scripts/lab-setup-current.sh; then
    bash scripts/setup-test-host.sh >/dev/null
    mkdir -p "$STATE"
    touch "$SETUP_STAMP"
fi

# Build only when a source is newer than the last build, and then incrementally (the build info
# lives in dist/, so removing dist rebuilds everything). An up with nothing to build starts at once.
BUILD_INFO=dist/.tsbuildinfo
if [ ! -f "$BUILD_INFO" ] || [ -n "$(find provider sdk tools test bench examples tsconfig.json package-lock.json \
    -newer "$BUILD_INFO" -print -quit)" ]; then
    node_modules/.bin/tsc -p tsconfig.json --incremental --tsBuildInfoFile "$BUILD_INFO"
    touch "$BUILD_INFO"
fi

# Node's compile cache for every Node process of the run: this one (the program runs in it), and,
# through the CLI's environment, the dynamic-provider host. It keeps V8's compiled code of
# @pulumi/pulumi, TypeScript (which the provider host loads) and ours between runs; entries are
# keyed by the file's contents, so a rebuilt file is compiled afresh.
export NODE_COMPILE_CACHE=${NODE_COMPILE_CACHE:-$PWD/$STATE/node-compile-cache}
exec node_modules/.bin/node dist/tools/lab/main.js "${ARGS[@]}"
