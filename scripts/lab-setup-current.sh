#!/usr/bin/env bash
# Exits 0 when the test host that scripts/setup-test-host.sh set up is still in place as far as
# `npm run lab` can tell cheaply (a few milliseconds), 1 when the set-up script must run.
#
# The set-up script checks everything (packages, certificates, sshd, both guests, the CLI: 1-2 s
# when all is in place). After one of its runs has passed, scripts/lab.sh touches the stamp; until
# then, or when any of the following is not so, this answers 1:
# - nothing that decides the set-up changed since that pass: the set-up scripts, the CLI's Go
#   module, and host.json (another checkout's set-up run rewrites it);
# - host.json names the CLI version tools/pulumi-cli/go.mod asks for, and the CLI and the guest's
#   kernel and initrd it names are there;
# - libvirtd answers on its UNIX socket (it is gone after a reboot, or when something stopped it).
#
# Environment (for tests): LAB_SETUP_STAMP, LAB_HOST_JSON, LAB_LIBVIRT_URI.
set -euo pipefail
cd "$(dirname "$0")/.."
STAMP=${LAB_SETUP_STAMP:-.lab-state/setup-passed}
HOST_JSON=${LAB_HOST_JSON:-/var/lib/pulumi-libvirt-testhost/host.json}
URI=${LAB_LIBVIRT_URI:-qemu:///system}
GO_MOD=tools/pulumi-cli/go.mod

# A string field of host.json, which the set-up script writes one field per line.
field() { sed -n "s/^ *\"$1\": \"\(.*\)\",\{0,1\}$/\1/p" "$HOST_JSON"; }

[[ -f $STAMP && -f $HOST_JSON ]] || exit 1
for f in scripts/setup-test-host.sh scripts/build-tiny-guest.sh scripts/build-cloud-guest.sh \
    "$GO_MOD" tools/pulumi-cli/go.sum "$HOST_JSON"; do
    [[ $f -nt $STAMP ]] && exit 1
done
wanted=$(awk '$1 == "require" { $1 = ""; $0 = $0 } $1 == "github.com/pulumi/pulumi/pkg/v3" { print $2 }' "$GO_MOD")
[[ -n $wanted && "$(field pulumiCliVersion)" == "$wanted" ]] || exit 1
[[ -x "$(field pulumiCli)" && -s "$(field guestKernel)" && -s "$(field guestInitrd)" ]] || exit 1
timeout 10 virsh -q -c "$URI" uri >/dev/null 2>&1 || exit 1
