#!/usr/bin/env bash
# Builds the test host's real cloud-init guest: a small Debian 12 (bookworm) root file system made
# from Debian's packages with mmdebstrap, written into an ext4 image with `mkfs.ext4 -d` (no loop
# mount) and converted to qcow2, plus its kernel and initrd beside it for direct kernel boot under
# TCG with root=/dev/vda.
#
# The guest runs cloud-init with the NoCloud datasource only (a seed on a cdrom labelled cidata),
# the QEMU guest agent on the virtio-serial port org.qemu.guest_agent.0, sshd, and DHCP (IPv4
# only) on its virtio NIC through systemd-networkd. It sends nothing but DHCP: no IPv6, no NTP, no
# apt timers, no metadata-service probes, and no name server to ask.
#
# Usage: build-cloud-guest.sh OUTPUT-DIR
#   writes OUTPUT-DIR/debian-12-cloud.qcow2, OUTPUT-DIR/vmlinuz, OUTPUT-DIR/initrd.img,
#   OUTPUT-DIR/cmdline (the kernel command line to boot it with), OUTPUT-DIR/packages (what is
#   installed), OUTPUT-DIR/build-seconds (how long the build took), OUTPUT-DIR/recipe (this
#   script's hash).
# Needs: mmdebstrap, e2fsprogs, qemu-utils, and Debian's mirror through this machine's apt sources.
# Run as root.
set -euo pipefail

OUT_DIR=${1:?usage: build-cloud-guest.sh OUTPUT-DIR}
# The mirror this machine's apt sources name; overridable for a local mirror.
MIRROR=${CLOUD_GUEST_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${CLOUD_GUEST_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
# Room for what a guest writes; the qcow2 stores only the clusters in use, and cloud-init grows the
# file system when an overlay is made larger (resizefs).
IMAGE_SIZE=2G
# What the tests boot it with: the serial console for debugging, and IPv6 off in the kernel itself.
CMDLINE="root=/dev/vda rw console=ttyS0 ipv6.disable=1 quiet"

PACKAGES=(
    systemd-sysv udev dbus linux-image-cloud-amd64 initramfs-tools
    cloud-init qemu-guest-agent openssh-server sudo iproute2 netbase
)

# Units that would only lengthen the boot or talk to the network: timers for apt, man-db and
# housekeeping, and the console setup a serial-only guest does not need.
MASKED_UNITS=(
    apt-daily.timer apt-daily-upgrade.timer apt-daily.service apt-daily-upgrade.service
    man-db.timer dpkg-db-backup.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer
    logrotate.timer systemd-timesyncd.service getty@tty1.service keyboard-setup.service
    console-setup.service
)

die() {
    echo "build-cloud-guest: ERROR: $*" >&2
    exit 1
}

command -v mmdebstrap >/dev/null || die "mmdebstrap missing (apt-get install mmdebstrap)"
command -v mkfs.ext4 >/dev/null || die "mkfs.ext4 missing (apt-get install e2fsprogs)"
command -v qemu-img >/dev/null || die "qemu-img missing (apt-get install qemu-utils)"

WORK=$(mktemp -d /var/tmp/cloud-guest.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/root

# Files written into the root before the packages are configured, so that the kernel's
# postinst builds a small initrd: only what mounts /dev/vda (virtio and ext4), not "most" modules.
essential_hook() {
    cat <<'EOF'
mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/usr/share/initramfs-tools/modules.d"
printf 'MODULES=list\n' >"$1/etc/initramfs-tools/conf.d/pulumi-libvirt.conf"
printf '%s\n' virtio_pci virtio_blk ext4 crc32c_generic >"$1/usr/share/initramfs-tools/modules.d/pulumi-libvirt"
EOF
}

# The guest's configuration, written after every package is installed.
customize_hook() {
    cat <<'EOF'
set -e
R=$1
printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' >"$R/etc/fstab"
# cloud-init's locale module then has nothing to generate or rewrite (no locales package here).
printf 'LANG=C.UTF-8\n' >"$R/etc/default/locale"
printf 'localhost\n' >"$R/etc/hostname"

cat >"$R/etc/cloud/cloud.cfg.d/90-pulumi-libvirt.cfg" <<'CFG'
# pulumi-libvirt test guest (scripts/build-cloud-guest.sh).
# Only a local NoCloud seed: no metadata-service probes on the network.
datasource_list: [NoCloud, None]
locale: C.UTF-8
# One host key type: RSA generation is slow under TCG.
ssh_genkeytypes: [ed25519]
# No GRUB here (direct kernel boot): its debconf module only costs seconds.
grub_dpkg:
  enabled: false
system_info:
  network:
    renderers: [networkd]
    activators: [networkd]
CFG

# IPv6 off from the first moment the NIC appears (the command line also disables it).
cat >"$R/etc/sysctl.d/90-no-ipv6.conf" <<'SYSCTL'
net.ipv6.conf.all.disable_ipv6 = 1
net.ipv6.conf.default.disable_ipv6 = 1
SYSCTL

# A guest without a NIC must not wait two minutes for a network before cloud-init runs.
mkdir -p "$R/etc/systemd/system/systemd-networkd-wait-online.service.d"
cat >"$R/etc/systemd/system/systemd-networkd-wait-online.service.d/pulumi-libvirt.conf" <<'UNIT'
[Service]
ExecStart=
ExecStart=/lib/systemd/systemd-networkd-wait-online --any --timeout=30
UNIT
chroot "$R" systemctl enable systemd-networkd.service >/dev/null 2>&1

# Every instance gets its own host keys and machine id (cloud-init's ssh module makes the keys).
rm -f "$R"/etc/ssh/ssh_host_*
: >"$R/etc/machine-id"
rm -f "$R/var/lib/dbus/machine-id"
rm -rf "$R"/var/lib/apt/lists/* "$R"/var/cache/apt/* "$R"/var/log/*.log "$R"/var/log/apt/*
EOF
}

# Docs, manuals and translations are most of a minimal system's size and none of its function.
DPKG_OPTS=(
    --dpkgopt='path-exclude=/usr/share/man/*'
    --dpkgopt='path-exclude=/usr/share/info/*'
    --dpkgopt='path-exclude=/usr/share/doc/*'
    --dpkgopt='path-include=/usr/share/doc/*/copyright'
    --dpkgopt='path-exclude=/usr/share/locale/*'
    --dpkgopt='path-exclude=/usr/share/lintian/*'
)

started=$SECONDS
mmdebstrap --quiet --mode=root --variant=minbase \
    --include="$(
        IFS=,
        echo "${PACKAGES[*]}"
    )" \
    "${DPKG_OPTS[@]}" \
    --essential-hook="$(essential_hook)" \
    --customize-hook="$(customize_hook)" \
    --customize-hook="chroot \"\$1\" systemctl mask ${MASKED_UNITS[*]} >/dev/null 2>&1" \
    --customize-hook="chroot \"\$1\" dpkg-query -W -f='\${Package} \${Version}\n' >\"$WORK/packages\"" \
    bookworm "$ROOT" \
    "deb $MIRROR bookworm main" \
    "deb $MIRROR bookworm-updates main" \
    "deb $SECURITY_MIRROR bookworm-security main"

# mmdebstrap leaves the build machine's resolv.conf behind: the guest must not know (and so never
# query) that name server.
printf '# No name server: this test guest sends nothing but DHCP.\n' >"$ROOT/etc/resolv.conf"

KERNEL=$(find "$ROOT/boot" -maxdepth 1 -name 'vmlinuz-*' | sort | tail -n 1)
INITRD=$(find "$ROOT/boot" -maxdepth 1 -name 'initrd.img-*' | sort | tail -n 1)
[[ -n $KERNEL && -n $INITRD ]] || die "no kernel or initrd in $ROOT/boot"
cp "$KERNEL" "$WORK/vmlinuz"
cp "$INITRD" "$WORK/initrd.img"

# mkfs.ext4 -d copies the tree with owners, modes and extended attributes; inode tables and the
# journal are zeroed now (not lazily by the guest's kernel on every first boot), and qemu-img skips
# the zeros, so the qcow2 holds only the files. zstd-compressed clusters: a third of the size
# (about 400 MB raw), and QEMU decompresses them faster than a TCG guest consumes them.
truncate -s "$IMAGE_SIZE" "$WORK/root.raw"
mkfs.ext4 -q -F -L cloudroot -E lazy_itable_init=0,lazy_journal_init=0 -d "$ROOT" "$WORK/root.raw"
qemu-img convert -q -c -o compression_type=zstd -f raw -O qcow2 "$WORK/root.raw" "$WORK/image.qcow2"

mkdir -p "$OUT_DIR"
# Move into place last so a failed build never leaves half a guest behind.
install -m 0644 "$WORK/image.qcow2" "$OUT_DIR/debian-12-cloud.qcow2.tmp"
install -m 0644 "$WORK/vmlinuz" "$OUT_DIR/vmlinuz.tmp"
install -m 0644 "$WORK/initrd.img" "$OUT_DIR/initrd.img.tmp"
install -m 0644 "$WORK/packages" "$OUT_DIR/packages"
printf '%s\n' "$CMDLINE" >"$OUT_DIR/cmdline"
printf '%s\n' "$((SECONDS - started))" >"$OUT_DIR/build-seconds"
# Which recipe built it: setup-test-host.sh rebuilds the guest when this script changes.
sha256sum "$0" | cut -d' ' -f1 >"$OUT_DIR/recipe"
mv -f "$OUT_DIR/vmlinuz.tmp" "$OUT_DIR/vmlinuz"
mv -f "$OUT_DIR/initrd.img.tmp" "$OUT_DIR/initrd.img"
mv -f "$OUT_DIR/debian-12-cloud.qcow2.tmp" "$OUT_DIR/debian-12-cloud.qcow2"
echo "build-cloud-guest: built $OUT_DIR/debian-12-cloud.qcow2 ($(du -h --apparent-size "$OUT_DIR/debian-12-cloud.qcow2" | cut -f1)) in $((SECONDS - started)) s"
