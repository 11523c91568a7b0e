#!/usr/bin/env bash
# Builds a tiny bootable guest for the integration tests: Debian's cloud kernel plus an initramfs
# made of busybox that loads the virtio modules, asks for a DHCP lease on eth0, prints the address
# it got to the console (ttyS0 with console=ttyS0) and then idles. It sends nothing but DHCP.
# It also behaves like a real guest where the provider relies on one: it powers off on the ACPI
# power button (so a graceful shutdown completes) and runs the balloon driver (so a live change of
# current memory really moves the guest's memory).
#
# Usage: build-tiny-guest.sh OUTPUT-DIR   (writes OUTPUT-DIR/vmlinuz and OUTPUT-DIR/initrd.img)
# Needs: apt (for the kernel .deb), dpkg, busybox-static, cpio, gzip. Run as root.
set -euo pipefail

OUT_DIR=${1:?usage: build-tiny-guest.sh OUTPUT-DIR}

# The cloud kernel builds virtio as modules. Order matters: each depends on the ones before it
# (virtio_ring before virtio, failover before net_failover before virtio_net).
MODULES=(
    drivers/virtio/virtio_ring
    drivers/virtio/virtio
    drivers/virtio/virtio_pci_modern_dev
    drivers/virtio/virtio_pci_legacy_dev
    drivers/virtio/virtio_pci
    net/core/failover
    drivers/net/net_failover
    drivers/net/virtio_net
    drivers/block/virtio_blk
    drivers/virtio/virtio_balloon
    drivers/input/evdev
    drivers/acpi/button
)

die() {
    echo "build-tiny-guest: ERROR: $*" >&2
    exit 1
}

[[ -x /bin/busybox ]] || die "/bin/busybox missing (install busybox-static)"
# A dynamically linked busybox would need its libraries in the initramfs too.
if ldd /bin/busybox >/dev/null 2>&1; then
    die "/bin/busybox is dynamically linked; install busybox-static"
fi

WORK=$(mktemp -d /tmp/tiny-guest.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# The meta package only points at the current versioned kernel package; we want that one.
kernel_package() {
    apt-cache depends linux-image-cloud-amd64 2>/dev/null |
        awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9].*-cloud-amd64$/ { print $2; exit }'
}
PKG=$(kernel_package)
if [[ -z $PKG ]]; then
    # No package lists yet (fresh machine where everything else was already installed).
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    PKG=$(kernel_package)
fi
[[ -n $PKG ]] || die "cannot find the versioned package behind linux-image-cloud-amd64"

# Downloaded as root into a private temp dir: tell apt not to drop to its _apt sandbox user, which
# could not write there.
(cd "$WORK" && apt-get -q -o APT::Sandbox::User=root download "$PKG" >/dev/null)
DEB=$(find "$WORK" -maxdepth 1 -name "${PKG}_*.deb" | head -n 1)
[[ -n $DEB ]] || die "apt-get download $PKG produced no .deb"
dpkg -x "$DEB" "$WORK/pkg"

KERNEL=$(find "$WORK/pkg/boot" -maxdepth 1 -name 'vmlinuz-*' | head -n 1)
[[ -n $KERNEL ]] || die "no boot/vmlinuz-* in $PKG"
MOD_BASE=$(find "$WORK/pkg/lib/modules" -mindepth 1 -maxdepth 1 -type d | head -n 1)/kernel
[[ -d $MOD_BASE ]] || die "no lib/modules/*/kernel in $PKG"

ROOT=$WORK/root
mkdir -p "$ROOT"/{bin,dev,proc,sys,tmp,etc,lib/modules}
cp /bin/busybox "$ROOT/bin/busybox"

names=()
for m in "${MODULES[@]}"; do
    name=$(basename "$m")
    # Debian 12 ships plain .ko files; later kernels compress them, which busybox insmod may not
    # read, so store them uncompressed either way.
    if [[ -f $MOD_BASE/$m.ko ]]; then
        cp "$MOD_BASE/$m.ko" "$ROOT/lib/modules/$name.ko"
    elif [[ -f $MOD_BASE/$m.ko.xz ]]; then
        xz -dc "$MOD_BASE/$m.ko.xz" >"$ROOT/lib/modules/$name.ko"
    elif [[ -f $MOD_BASE/$m.ko.zst ]]; then
        zstd -qdc "$MOD_BASE/$m.ko.zst" >"$ROOT/lib/modules/$name.ko"
    else
        die "module $m not found in $PKG"
    fi
    names+=("$name")
done

# The DHCP client calls this on each lease event. It only configures the address (no default
# route, no DNS): the guest must not talk to anything beyond the local bridge.
cat >"$ROOT/etc/udhcpc.script" <<'EOF'
#!/bin/sh
case "$1" in
    deconfig)
        ip -4 addr flush dev "$interface"
        ip link set "$interface" up
        ;;
    bound | renew)
        ip -4 addr flush dev "$interface"
        ip addr add "$ip/${mask:-24}" dev "$interface"
        echo "tiny-guest: $interface got address $ip/${mask:-24}"
        ;;
    leasefail)
        echo "tiny-guest: no DHCP lease on $interface yet"
        ;;
esac
exit 0
EOF
chmod 0755 "$ROOT/etc/udhcpc.script"

# busybox acpid runs <conf dir>/PWRF/00000080 when the power button is pressed (virsh shutdown).
mkdir -p "$ROOT/etc/acpi/PWRF"
printf '%s\n' '#!/bin/sh' 'echo "tiny-guest: power button pressed, powering off"' 'poweroff -f' \
    >"$ROOT/etc/acpi/PWRF/00000080"
chmod 0755 "$ROOT/etc/acpi/PWRF/00000080"

cat >"$ROOT/init" <<EOF
#!/bin/busybox sh
# PID 1 of the tiny test guest (built by pulumi-libvirt scripts/build-tiny-guest.sh).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "tiny-guest: init started"
for m in ${names[*]}; do
    insmod /lib/modules/\$m.ko || echo "tiny-guest: insmod \$m failed"
done
# It logs to the console: its default log file, /var/log/acpid.log, cannot be opened here.
acpid -c /etc/acpi -l /dev/console || echo "tiny-guest: acpid failed"
# No IPv6: without it the guest sends nothing but DHCP.
echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 2>/dev/null
echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6 2>/dev/null
ip link set lo up
if ip link set eth0 up; then
    echo "tiny-guest: asking for a DHCP lease on eth0"
    # Foreground mode in a background job: it keeps retrying and renewing for the guest's life.
    udhcpc -f -i eth0 -s /etc/udhcpc.script -T 2 -A 2 &
else
    echo "tiny-guest: no eth0"
fi
# PID 1 must never exit (the kernel would panic).
while :; do
    sleep 3600
done
EOF
chmod 0755 "$ROOT/init"

mkdir -p "$OUT_DIR"
(cd "$ROOT" && find . -print0 | cpio --null -o -H newc --quiet -R 0:0) | gzip -9 >"$WORK/initrd.img"
# Move into place last so a failed build never leaves half a guest behind.
install -m 0644 "$KERNEL" "$OUT_DIR/vmlinuz.tmp"
install -m 0644 "$WORK/initrd.img" "$OUT_DIR/initrd.img.tmp"
echo "$PKG" >"$OUT_DIR/kernel-package"
# Which recipe built it: setup-test-host.sh rebuilds the guest when this script changes.
sha256sum "$0" | cut -d' ' -f1 >"$OUT_DIR/recipe"
mv -f "$OUT_DIR/vmlinuz.tmp" "$OUT_DIR/vmlinuz"
mv -f "$OUT_DIR/initrd.img.tmp" "$OUT_DIR/initrd.img"
