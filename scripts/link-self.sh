#!/usr/bin/env bash
# Makes `require("pulumi-libvirt/provider")` resolve inside this repository, as it does in a
# project that installed the package. The provider stubs call that require inside Pulumi's
# dynamic-provider host, which compiles them with require-from-string: the module has no file
# name, so Node's package self-reference does not apply, and lookup goes through
# <cwd>/node_modules and its parents only. A symlink node_modules/pulumi-libvirt -> .. therefore
# serves every program run from this repository or below it (examples/*, tests).
# npm install and npm ci remove it (it is not in the lockfile); run this again afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p node_modules
ln -sfn .. node_modules/pulumi-libvirt
