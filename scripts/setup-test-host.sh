#!/usr/bin/env bash
# Prepares this machine (Debian 12, run as root, no systemd) as the libvirt test host that the
# integration tests talk to: packages, a libvirtd listening on UNIX/TCP/TLS, a loopback sshd for
# qemu+ssh://, hugepages, a tiny bootable guest, the Pulumi CLI (built from its Go module), and
# host.json describing all of it.
#
# Idempotent: everything is checked first and only what is missing is done, so running it when all
# is up is cheap (tests and .ci/run call it every time).
#
# Usage: setup-test-host.sh [ensure|status|restart-libvirtd|stop-libvirtd|start-libvirtd]
#
# It never creates, changes or removes libvirt objects (domains, networks, pools).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Everything this script owns lives here, so that it never has to edit system files that other
# software (or the machine's owner) may rely on.
STATE_DIR=/var/lib/pulumi-libvirt-testhost
LOCK_FILE=$STATE_DIR/lock
HOST_JSON=$STATE_DIR/host.json

PKI_DIR=$STATE_DIR/pki
CA_DIR=$PKI_DIR/ca
SERVER_PKI_DIR=$PKI_DIR/server
# Client files are named as libvirt expects them under ?pkipath=: cacert.pem, clientcert.pem,
# clientkey.pem, all directly in that directory.
CLIENT_PKI_DIR=$PKI_DIR/client

LIBVIRTD_CONF=$STATE_DIR/libvirtd.conf
LIBVIRTD_PIDFILE=$STATE_DIR/libvirtd.pid
LIBVIRTD_LOG=$STATE_DIR/libvirtd.log
LIBVIRT_SOCK=/var/run/libvirt/libvirt-sock
TCP_URI=qemu+tcp://127.0.0.1/system
TLS_URI="qemu+tls://127.0.0.1/system?pkipath=$CLIENT_PKI_DIR"

SSH_DIR=$STATE_DIR/ssh
SSHD_CONFIG=$SSH_DIR/sshd_config
SSHD_PIDFILE=$SSH_DIR/sshd.pid
SSHD_LOG=$SSH_DIR/sshd.log
SSHD_HOST_KEY=$SSH_DIR/ssh_host_ed25519_key
SSH_PORT_FILE=$SSH_DIR/port
SSH_CLIENT_KEY=$SSH_DIR/id_ed25519
SSH_AUTHORIZED_KEYS=$SSH_DIR/authorized_keys
SSH_KNOWN_HOSTS=$SSH_DIR/known_hosts
# libvirt's plain "ssh" transport ignores ?known_hosts= (only libssh/libssh2 honour it), so an
# independent client such as virsh needs an ssh command that is pinned to our known_hosts file.
SSH_COMMAND=$SSH_DIR/ssh-command
SSH_DEFAULT_PORT=2222

GUEST_DIR=$STATE_DIR/guest
GUEST_KERNEL=$GUEST_DIR/vmlinuz
GUEST_INITRD=$GUEST_DIR/initrd.img

# The cloud-init guest (scripts/build-cloud-guest.sh): tests boot qcow2 overlays of this image.
CLOUD_GUEST_DIR=$STATE_DIR/cloud-guest
CLOUD_GUEST_IMAGE=$CLOUD_GUEST_DIR/debian-12-cloud.qcow2
CLOUD_GUEST_KERNEL=$CLOUD_GUEST_DIR/vmlinuz
CLOUD_GUEST_INITRD=$CLOUD_GUEST_DIR/initrd.img

# 512 MiB: the lab's two guests and a test guest can hold hugepage-backed memory at the same time.
HUGEPAGES_MIN=256
HUGEPAGES_SYSFS=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages

# ovmf (UEFI firmware for firmware='efi') and swtpm/swtpm-tools (emulated TPMs) are only recommended
# by qemu-system-x86 and libvirt-daemon-driver-qemu; the live domain tests start guests with both.
# genisoimage (isoinfo) and xorriso read the NoCloud seed images back in the ISO writer's tests;
# mmdebstrap builds the cloud-init guest.
PACKAGES=(
    libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 qemu-utils
    dnsmasq-base iptables python3-libvirt openssh-server openssh-client gnutls-bin
    busybox-static cpio libxml2-utils netcat-openbsd ovmf swtpm swtpm-tools
    genisoimage xorriso mmdebstrap
)

ACTIONS=0
WARNINGS=0
CMD=ensure

# One line per action taken; the count decides whether "nothing to do" is printed at the end.
act() {
    echo "test host: $*"
    ACTIONS=$((ACTIONS + 1))
}

warn() {
    echo "test host: WARNING: $*" >&2
    WARNINGS=$((WARNINGS + 1))
}

die() {
    echo "test host: ERROR: $*" >&2
    exit 1
}

# Writes content to a file only when it differs, so re-runs change nothing and mtimes stay put.
# Returns 0 when the file was (re)written, 1 when it was already up to date.
write_if_changed() {
    local path=$1 mode=$2 content=$3
    if [[ -f $path ]] && [[ "$(cat "$path")" == "$content" ]]; then
        return 1
    fi
    local tmp
    tmp=$(mktemp "$path.XXXXXX")
    printf '%s\n' "$content" >"$tmp"
    chmod "$mode" "$tmp"
    mv -f "$tmp" "$path"
    return 0
}

# ---------------------------------------------------------------------------------------------
# 1. Packages
# ---------------------------------------------------------------------------------------------

ensure_packages() {
    local missing=() p installed
    # One dpkg-query for all packages keeps the "everything is up" path fast.
    installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${PACKAGES[@]}" 2>/dev/null || true)
    for p in "${PACKAGES[@]}"; do
        if ! grep -qxF "$p installed" <<<"$installed"; then
            missing+=("$p")
        fi
    done
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    act "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Wait for another apt/dpkg run (e.g. unattended setup) instead of failing on its lock.
    local apt_opts=(-o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    apt-get "${apt_opts[@]}" update -qq
    apt-get "${apt_opts[@]}" install -y -qq "${missing[@]}" >/dev/null
}

# ---------------------------------------------------------------------------------------------
# 2. Users, groups, qemu.conf, directories
# ---------------------------------------------------------------------------------------------

ensure_accounts_and_dirs() {
    # The QEMU driver resolves its default user/group before it reads qemu.conf and refuses to
    # load when they do not exist.
    if ! getent group kvm >/dev/null; then
        groupadd -r kvm
        act "created group kvm"
    fi
    if ! getent group libvirt-qemu >/dev/null; then
        groupadd -r libvirt-qemu
        act "created group libvirt-qemu"
    fi
    if ! getent passwd libvirt-qemu >/dev/null; then
        useradd -r -g libvirt-qemu -G kvm -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
        act "created user libvirt-qemu"
    fi

    # Guests run as root so that kernels, initrds and volumes in any directory are readable
    # without relabelling. An existing qemu.conf belongs to someone else: only report.
    local qemu_conf=/etc/libvirt/qemu.conf
    if [[ ! -e $qemu_conf ]]; then
        mkdir -p /etc/libvirt
        printf '%s\n' \
            '# Written by pulumi-libvirt scripts/setup-test-host.sh: run guests as root.' \
            'user = "root"' \
            'group = "root"' >"$qemu_conf"
        act "wrote $qemu_conf (user/group root)"
    elif ! grep -Eq '^[[:space:]]*user[[:space:]]*=[[:space:]]*"root"' "$qemu_conf" ||
        ! grep -Eq '^[[:space:]]*group[[:space:]]*=[[:space:]]*"root"' "$qemu_conf"; then
        warn "$qemu_conf exists without user = \"root\" / group = \"root\"; left unchanged (guests may fail to read their files)"
    fi

    local d
    for d in /var/log/libvirt /var/run/libvirt /var/lib/libvirt/images; do
        if [[ ! -d $d ]]; then
            mkdir -p "$d"
            act "created $d"
        fi
    done
}

ensure_state_dir() {
    if [[ ! -d $STATE_DIR ]]; then
        mkdir -p "$STATE_DIR"
        act "created $STATE_DIR"
    fi
    # Private keys live below: keep the whole tree root-only.
    if [[ "$(stat -c %a "$STATE_DIR")" != 700 ]]; then
        chmod 0700 "$STATE_DIR"
    fi
}

# ---------------------------------------------------------------------------------------------
# 3. Hugepages
# ---------------------------------------------------------------------------------------------

HUGETLBFS_MOUNTED_NOW=0

ensure_hugepages() {
    if ! mountpoint -q /dev/hugepages 2>/dev/null; then
        mkdir -p /dev/hugepages
        mount -t hugetlbfs hugetlbfs /dev/hugepages
        HUGETLBFS_MOUNTED_NOW=1
        act "mounted hugetlbfs at /dev/hugepages"
    fi
    local have
    have=$(cat "$HUGEPAGES_SYSFS")
    if ((have < HUGEPAGES_MIN)); then
        # Only ever raise: another user of this machine may rely on a larger pool.
        echo "$HUGEPAGES_MIN" >"$HUGEPAGES_SYSFS"
        local now
        now=$(cat "$HUGEPAGES_SYSFS")
        act "reserved 2 MiB hugepages: $have -> $now"
        if ((now < HUGEPAGES_MIN)); then
            warn "kernel reserved only $now of $HUGEPAGES_MIN hugepages (memory fragmented?)"
        fi
    fi
}

# ---------------------------------------------------------------------------------------------
# 4. TLS certificates (certtool)
# ---------------------------------------------------------------------------------------------

CERTS_CHANGED=0

# Prints nothing; succeeds when $2 is a certificate signed by CA $1 and currently valid.
cert_verifies() {
    local ca=$1 cert=$2
    [[ -s $ca && -s $cert ]] || return 1
    certtool --verify --load-ca-certificate "$ca" --infile "$cert" >/dev/null 2>&1
}

ensure_ca() {
    mkdir -p "$CA_DIR"
    chmod 0700 "$CA_DIR"
    if [[ -s $CA_DIR/cacert.pem && -s $CA_DIR/cakey.pem ]]; then
        return 0
    fi
    local tmpl
    tmpl=$(mktemp)
    printf '%s\n' \
        'cn = "pulumi-libvirt test CA"' \
        'organization = "pulumi-libvirt tests"' \
        'ca' \
        'cert_signing_key' \
        'crl_signing_key' \
        'expiration_days = 3650' >"$tmpl"
    (
        umask 077
        certtool --generate-privkey --outfile "$CA_DIR/cakey.pem" >/dev/null 2>&1
        certtool --generate-self-signed --load-privkey "$CA_DIR/cakey.pem" \
            --template "$tmpl" --outfile "$CA_DIR/cacert.pem" >/dev/null 2>&1
    )
    rm -f "$tmpl"
    CERTS_CHANGED=1
    act "generated TLS CA $CA_DIR/cacert.pem"
}

# ensure_leaf DIR PREFIX (server|client) TEMPLATE-LINES...
ensure_leaf() {
    local dir=$1 kind=$2
    shift 2
    local cert=$dir/${kind}cert.pem key=$dir/${kind}key.pem
    mkdir -p "$dir"
    chmod 0700 "$dir"
    if [[ -s $key ]] && cert_verifies "$CA_DIR/cacert.pem" "$cert"; then
        :
    else
        local tmpl
        tmpl=$(mktemp)
        printf '%s\n' "$@" >"$tmpl"
        (
            umask 077
            certtool --generate-privkey --outfile "$key" >/dev/null 2>&1
            certtool --generate-certificate --load-privkey "$key" \
                --load-ca-certificate "$CA_DIR/cacert.pem" --load-ca-privkey "$CA_DIR/cakey.pem" \
                --template "$tmpl" --outfile "$cert" >/dev/null 2>&1
        )
        rm -f "$tmpl"
        cert_verifies "$CA_DIR/cacert.pem" "$cert" || die "generated $cert does not verify against the CA"
        CERTS_CHANGED=1
        act "generated TLS $kind certificate $cert"
    fi
    # Each side gets its own copy of the CA certificate so that its directory is self-contained
    # (pkipath= wants cacert.pem right beside the client certificate).
    if ! cmp -s "$CA_DIR/cacert.pem" "$dir/cacert.pem"; then
        install -m 0644 "$CA_DIR/cacert.pem" "$dir/cacert.pem"
        CERTS_CHANGED=1
        act "installed CA certificate into $dir"
    fi
}

ensure_certs() {
    mkdir -p "$PKI_DIR"
    chmod 0700 "$PKI_DIR"
    ensure_ca
    # The client connects to 127.0.0.1 (or localhost) and checks the name against the server
    # certificate, so both must be in its subjectAltName.
    ensure_leaf "$SERVER_PKI_DIR" server \
        'cn = "localhost"' \
        'organization = "pulumi-libvirt tests"' \
        'dns_name = "localhost"' \
        'ip_address = "127.0.0.1"' \
        'tls_www_server' \
        'encryption_key' \
        'signing_key' \
        'expiration_days = 3650'
    ensure_leaf "$CLIENT_PKI_DIR" client \
        'cn = "pulumi-libvirt-test-client"' \
        'organization = "pulumi-libvirt tests"' \
        'tls_www_client' \
        'encryption_key' \
        'signing_key' \
        'expiration_days = 3650'
}

# ---------------------------------------------------------------------------------------------
# 5. virtlogd and libvirtd
# ---------------------------------------------------------------------------------------------

LIBVIRTD_CONF_CHANGED=0
# Set when a libvirtd that this script did not start is running: it is left alone.
FOREIGN_LIBVIRTD=0
# Set when ensure_libvirtd has just seen our running daemon answer on UNIX, TCP and TLS.
LIBVIRTD_ANSWERED=0

ensure_libvirtd_conf() {
    local content
    content=$(
        cat <<EOF
# Written by pulumi-libvirt scripts/setup-test-host.sh; regenerated on every run.
# Used only by the libvirtd that script starts (libvirtd -f this-file); /etc is left alone.
listen_tls = 1
listen_tcp = 1
listen_addr = "127.0.0.1"
tcp_port = "16509"
tls_port = "16514"
# Loopback only, for tests: no SASL on plain TCP; on TLS the client certificate (verified against
# our CA, tls_no_verify_certificate left at its default 0) is the authentication.
auth_tcp = "none"
auth_tls = "none"
key_file = "$SERVER_PKI_DIR/serverkey.pem"
cert_file = "$SERVER_PKI_DIR/servercert.pem"
ca_file = "$SERVER_PKI_DIR/cacert.pem"
# Without systemd/journald the daemon's messages would be lost; keep warnings and errors.
log_outputs = "3:file:$LIBVIRTD_LOG"
EOF
    )
    if write_if_changed "$LIBVIRTD_CONF" 0600 "$content"; then
        LIBVIRTD_CONF_CHANGED=1
        act "wrote $LIBVIRTD_CONF"
    fi
}

# Daemons we start double-fork and end up children of PID 1, which may reap them late: a killed
# daemon can linger as a zombie, still visible to pgrep and kill -0. Such a process is gone.
process_alive() {
    local state
    # The state follows the command name in parentheses, which may itself contain spaces.
    state=$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n $state && $state != Z && $state != X ]]
}

process_gone() {
    ! process_alive "$1"
}

# Live (non-zombie) PIDs of processes named exactly $1, one per line.
live_pids() {
    local pid
    for pid in $(pgrep -x "$1" || true); do
        if process_alive "$pid"; then
            echo "$pid"
        fi
    done
}

# PIDs of every running libvirtd, one per line (none: empty).
libvirtd_pids() {
    live_pids libvirtd
}

# PID of the libvirtd started with our config, or nothing. Recognised by its command line rather
# than only by the pid file, so a lost pid file does not make us start a second daemon.
our_libvirtd_pid() {
    local pid
    for pid in $(libvirtd_pids); do
        if tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF "$LIBVIRTD_CONF"; then
            echo "$pid"
            return 0
        fi
    done
    return 0
}

virsh_answers() {
    timeout 10 virsh -q -c "$1" version >/dev/null 2>&1
}

# wait_until TIMEOUT-SECONDS DESCRIPTION COMMAND...: runs COMMAND until it succeeds or time is up.
# DESCRIPTION only tells the reader of a call site what is awaited.
wait_until() {
    local limit=$1
    shift 2
    local deadline=$((SECONDS + limit))
    until "$@"; do
        if ((SECONDS >= deadline)); then
            return 1
        fi
        sleep 0.2
    done
}

ensure_virtlogd() {
    if [[ -z "$(live_pids virtlogd)" ]]; then
        virtlogd -d 9>&-
        act "started virtlogd"
    fi
}

start_libvirtd() {
    local pid
    pid=$(our_libvirtd_pid)
    if [[ -n $pid ]]; then
        [[ $CMD == ensure ]] || echo "test host: libvirtd is already running (pid $pid)"
        return 0
    fi
    if [[ -n "$(libvirtd_pids)" ]]; then
        die "another libvirtd (pid $(libvirtd_pids | tr '\n' ' ')) is running, not started with $LIBVIRTD_CONF; not starting a second one"
    fi
    ensure_virtlogd
    libvirtd -d --listen -f "$LIBVIRTD_CONF" -p "$LIBVIRTD_PIDFILE" 9>&- ||
        die "libvirtd failed to start; see $LIBVIRTD_LOG"
    wait_for_libvirtd || die "libvirtd started but does not answer; see $LIBVIRTD_LOG"
    act "started libvirtd with -f $LIBVIRTD_CONF (pid $(our_libvirtd_pid))"
}

wait_for_libvirtd() {
    # The first start probes QEMU's capabilities, which takes a few seconds under TCG.
    wait_until 60 "unix socket" virsh_answers qemu:///system &&
        wait_until 20 "tcp" virsh_answers "$TCP_URI" &&
        wait_until 20 "tls" virsh_answers "$TLS_URI"
}

stop_libvirtd() {
    local pid
    pid=$(our_libvirtd_pid)
    if [[ -z $pid ]]; then
        if [[ -n "$(libvirtd_pids)" ]]; then
            die "the running libvirtd (pid $(libvirtd_pids | tr '\n' ' ')) was not started by this script; leaving it alone"
        fi
        echo "test host: libvirtd is not running"
        return 0
    fi
    kill -TERM "$pid"
    # Guests (QEMU processes) survive this on purpose; the next libvirtd reconnects to them.
    if ! wait_until 30 "libvirtd exit" process_gone "$pid"; then
        warn "libvirtd $pid ignored SIGTERM for 30 s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
        wait_until 10 "libvirtd exit" process_gone "$pid" || die "libvirtd $pid does not die"
    fi
    act "stopped libvirtd (pid $pid)"
}

ensure_libvirtd() {
    ensure_libvirtd_conf
    ensure_virtlogd
    local pid
    pid=$(our_libvirtd_pid)
    if [[ -z $pid ]] && [[ -n "$(libvirtd_pids)" ]]; then
        warn "a libvirtd not started by this script is running (pid $(libvirtd_pids | tr '\n' ' ')); leaving it alone — TCP/TLS may not be set up as host.json says"
        FOREIGN_LIBVIRTD=1
        return 0
    fi
    if [[ -n $pid ]]; then
        # The running daemon loaded its config, certificates and hugetlbfs mounts when it started.
        if ((LIBVIRTD_CONF_CHANGED || CERTS_CHANGED || HUGETLBFS_MOUNTED_NOW)); then
            act "restarting libvirtd to pick up changed configuration"
            stop_libvirtd
            start_libvirtd
        elif ! wait_for_libvirtd; then
            die "our libvirtd (pid $pid) is running but does not answer on UNIX/TCP/TLS; see $LIBVIRTD_LOG (try: $0 restart-libvirtd)"
        fi
        # Both branches saw it answer on all three: verify_transports need not ask again.
        LIBVIRTD_ANSWERED=1
        return 0
    fi
    start_libvirtd
}

# ---------------------------------------------------------------------------------------------
# 6. Loopback sshd for qemu+ssh://
# ---------------------------------------------------------------------------------------------

port_in_use() {
    ss -Htln "sport = :$1" 2>/dev/null | grep -q .
}

our_sshd_pid() {
    local pid
    [[ -s $SSHD_PIDFILE ]] || return 0
    pid=$(cat "$SSHD_PIDFILE")
    # sshd rewrites its process title into one string ("sshd: /usr/sbin/sshd -f CONF ... [listener]"),
    # so look for the config path as a word inside it rather than as a separate argument.
    # After a reboot the pid file is stale: the process is gone (or the pid is someone else's).
    if [[ $pid =~ ^[0-9]+$ ]] && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- " -f $SSHD_CONFIG "; then
        echo "$pid"
    fi
    return 0
}

ssh_port() {
    cat "$SSH_PORT_FILE"
}

ssh_uri() {
    echo "qemu+ssh://root@127.0.0.1:$(ssh_port)/system?keyfile=$SSH_CLIENT_KEY&known_hosts=$SSH_KNOWN_HOSTS"
}

ssh_answers() {
    # no_tty=1: fail instead of prompting; command=: pin host key checking to our known_hosts.
    virsh_answers "$(ssh_uri)&no_tty=1&command=$SSH_COMMAND"
}

ensure_sshd() {
    mkdir -p "$SSH_DIR"
    chmod 0700 "$SSH_DIR"
    # sshd's privilege separation directory; normally created by the systemd unit.
    if [[ ! -d /run/sshd ]]; then
        mkdir -p -m 0755 /run/sshd
        act "created /run/sshd"
    fi
    # A running sshd keeps serving the key it loaded: restart it when its config or key changes.
    local changed=0
    if [[ ! -s $SSHD_HOST_KEY ]]; then
        changed=1
        rm -f "$SSHD_HOST_KEY" "$SSHD_HOST_KEY.pub"
        ssh-keygen -q -t ed25519 -N '' -C pulumi-libvirt-testhost -f "$SSHD_HOST_KEY"
        act "generated sshd host key $SSHD_HOST_KEY"
    fi
    if [[ ! -s $SSH_CLIENT_KEY ]]; then
        rm -f "$SSH_CLIENT_KEY" "$SSH_CLIENT_KEY.pub"
        ssh-keygen -q -t ed25519 -N '' -C pulumi-libvirt-test-client -f "$SSH_CLIENT_KEY"
        act "generated ssh client key $SSH_CLIENT_KEY"
    fi

    local pid port
    pid=$(our_sshd_pid)
    # Keep the recorded port while our sshd holds it; otherwise take 2222 or the next free one.
    if [[ -z $pid ]]; then
        port=$(cat "$SSH_PORT_FILE" 2>/dev/null || true)
        if ! [[ $port =~ ^[0-9]+$ ]] || port_in_use "$port"; then
            port=$SSH_DEFAULT_PORT
            while port_in_use "$port"; do
                port=$((port + 1))
            done
            echo "$port" >"$SSH_PORT_FILE"
            act "chose ssh port $port"
        fi
    fi
    port=$(ssh_port)

    # Key-only root login, loopback only. A root account whose password is locked ("!") is refused
    # by sshd without PAM, so fall back to PAM there (PAM's account check ignores the lock).
    local use_pam=no
    if [[ "$(getent shadow root | cut -d: -f2)" == '!'* ]]; then
        use_pam=yes
    fi
    local config
    config=$(
        cat <<EOF
# Written by pulumi-libvirt scripts/setup-test-host.sh: a loopback sshd for qemu+ssh:// tests.
Port $port
ListenAddress 127.0.0.1
HostKey $SSHD_HOST_KEY
PidFile $SSHD_PIDFILE
AuthorizedKeysFile $SSH_AUTHORIZED_KEYS
AllowUsers root
PermitRootLogin prohibit-password
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM $use_pam
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
PermitTunnel no
PrintMotd no
EOF
    )
    if write_if_changed "$SSHD_CONFIG" 0600 "$config"; then
        changed=1
        act "wrote $SSHD_CONFIG"
    fi
    # restrict: no pty/forwarding; from=: only loopback. Commands still run (virt-ssh-helper).
    if write_if_changed "$SSH_AUTHORIZED_KEYS" 0600 "restrict,from=\"127.0.0.1\" $(cat "$SSH_CLIENT_KEY.pub")"; then
        act "wrote $SSH_AUTHORIZED_KEYS"
    fi
    local hostkey
    hostkey=$(cut -d' ' -f1,2 "$SSHD_HOST_KEY.pub")
    if write_if_changed "$SSH_KNOWN_HOSTS" 0644 "[127.0.0.1]:$port $hostkey
[localhost]:$port $hostkey"; then
        act "wrote $SSH_KNOWN_HOSTS"
    fi
    if write_if_changed "$SSH_COMMAND" 0755 "#!/bin/sh
# ssh pinned to the test host's known_hosts and key; for libvirt's ?command= (see setup-test-host.sh).
exec ssh -F none -o UserKnownHostsFile=$SSH_KNOWN_HOSTS -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -o BatchMode=yes \"\$@\""; then
        act "wrote $SSH_COMMAND"
    fi

    if [[ -n $pid ]] && ((changed)); then
        kill -TERM "$pid"
        wait_until 10 "sshd exit" process_gone "$pid" || die "sshd $pid does not stop"
        act "stopped sshd (pid $pid) to apply its new config or host key"
        pid=
    fi
    if [[ -z $pid ]]; then
        /usr/sbin/sshd -t -f "$SSHD_CONFIG" || die "sshd rejects $SSHD_CONFIG"
        # A stale pid file (left by a reboot) would otherwise be reported as the new sshd's pid.
        rm -f "$SSHD_PIDFILE"
        # Absolute path: sshd re-executes itself. -E: no syslog here, log to our own file.
        /usr/sbin/sshd -f "$SSHD_CONFIG" -E "$SSHD_LOG" 9>&-
        wait_until 10 "sshd listening" port_in_use "$port" || die "sshd did not start listening on 127.0.0.1:$port; see $SSHD_LOG"
        wait_until 10 "sshd pid file" test -s "$SSHD_PIDFILE" || die "sshd did not write $SSHD_PIDFILE; see $SSHD_LOG"
        act "started sshd on 127.0.0.1:$port (pid $(cat "$SSHD_PIDFILE"))"
    fi
}

# ---------------------------------------------------------------------------------------------
# 7. Tiny guest
# ---------------------------------------------------------------------------------------------

ensure_guest() {
    local recipe
    recipe=$(sha256sum "$SCRIPT_DIR/build-tiny-guest.sh" | cut -d' ' -f1)
    # Built, and by this version of the recipe: what the guest does is part of what tests assume.
    if [[ -s $GUEST_KERNEL && -s $GUEST_INITRD && $(cat "$GUEST_DIR/recipe" 2>/dev/null) == "$recipe" ]]; then
        return 0
    fi
    bash "$SCRIPT_DIR/build-tiny-guest.sh" "$GUEST_DIR"
    act "built tiny guest in $GUEST_DIR ($(cat "$GUEST_DIR/kernel-package" 2>/dev/null || echo unknown kernel))"
}

ensure_cloud_guest() {
    local recipe
    recipe=$(sha256sum "$SCRIPT_DIR/build-cloud-guest.sh" | cut -d' ' -f1)
    if [[ -s $CLOUD_GUEST_IMAGE && -s $CLOUD_GUEST_KERNEL && -s $CLOUD_GUEST_INITRD &&
        $(cat "$CLOUD_GUEST_DIR/recipe" 2>/dev/null) == "$recipe" ]]; then
        return 0
    fi
    bash "$SCRIPT_DIR/build-cloud-guest.sh" "$CLOUD_GUEST_DIR"
    act "built the cloud-init guest in $CLOUD_GUEST_DIR"
}

# ---------------------------------------------------------------------------------------------
# 8. host.json
# ---------------------------------------------------------------------------------------------

# /dev/kvm present is not enough (e.g. no permission, or a stub device): ask it for its API
# version, which every working KVM answers with 12.
kvm_usable() {
    [[ -c /dev/kvm ]] || return 1
    python3 - <<'EOF' >/dev/null 2>&1
import fcntl, os, sys
fd = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
sys.exit(0 if fcntl.ioctl(fd, 0xAE00) == 12 else 1)  # KVM_GET_API_VERSION
EOF
}

ensure_host_json() {
    local kvm=false
    kvm_usable && kvm=true
    local managed=true
    ((FOREIGN_LIBVIRTD)) && managed=false
    local content
    content=$(
        python3 - "$kvm" "$managed" <<EOF
import json, sys
print(json.dumps({
    "unixUri": "qemu:///system",
    "unixSocket": "$LIBVIRT_SOCK",
    "tcpUri": "$TCP_URI",
    "tlsUri": "$TLS_URI",
    "pkiPath": "$CLIENT_PKI_DIR",
    "sshUri": "$(ssh_uri)",
    "sshPort": $(ssh_port),
    "sshKey": "$SSH_CLIENT_KEY",
    "knownHosts": "$SSH_KNOWN_HOSTS",
    "sshCommand": "$SSH_COMMAND",
    "libvirtdConf": "$LIBVIRTD_CONF",
    "libvirtdPidFile": "$LIBVIRTD_PIDFILE",
    "libvirtdLog": "$LIBVIRTD_LOG",
    "libvirtdManaged": sys.argv[2] == "true",
    "guestKernel": "$GUEST_KERNEL",
    "guestInitrd": "$GUEST_INITRD",
    "cloudGuestImage": "$CLOUD_GUEST_IMAGE",
    "cloudGuestKernel": "$CLOUD_GUEST_KERNEL",
    "cloudGuestInitrd": "$CLOUD_GUEST_INITRD",
    "cloudGuestCmdline": "$(cat "$CLOUD_GUEST_DIR/cmdline")",
    "kvm": sys.argv[1] == "true",
    "pulumiCli": "$PULUMI_CLI",
    "pulumiCliVersion": "$(pulumi_cli_version)",
}, indent=2))
EOF
    )
    if write_if_changed "$HOST_JSON" 0644 "$content"; then
        act "wrote $HOST_JSON"
    fi
}

# ---------------------------------------------------------------------------------------------
# 8. The Pulumi CLI, built from its Go module
# ---------------------------------------------------------------------------------------------

# tools/pulumi-cli is a small Go module that requires github.com/pulumi/pulumi/pkg/v3 at the version
# the tests run; the CLI is built from it (the pkg module's replace directives make `go install
# ...@version` refuse it). One binary per version, so changing the version there rebuilds once.
PULUMI_MODULE_DIR=$SCRIPT_DIR/../tools/pulumi-cli
PULUMI_ROOT=$STATE_DIR/pulumi
PULUMI_CLI=

pulumi_cli_version() {
    # A requirement is "require <module> <version>" or, inside a require block, "<module> <version>".
    awk '$1 == "require" { $1 = ""; $0 = $0 } $1 == "github.com/pulumi/pulumi/pkg/v3" { print $2 }' "$PULUMI_MODULE_DIR/go.mod"
}

ensure_pulumi_cli() {
    local version dir start secs size
    version=$(pulumi_cli_version)
    [[ -n $version ]] || die "$PULUMI_MODULE_DIR/go.mod does not require github.com/pulumi/pulumi/pkg/v3"
    dir=$PULUMI_ROOT/$version
    PULUMI_CLI=$dir/bin/pulumi
    # build.json is written after the binary is in place, by the build of this version: trusting it
    # spares starting the 117 MiB binary (half a second) on every run.
    if [[ -x $PULUMI_CLI && -s $dir/build.json && ! $PULUMI_CLI -nt $dir/build.json ]] &&
        grep -qF "\"version\": \"$version\"" "$dir/build.json"; then
        return 0
    fi
    # Debian's machines of this kind have Go in /usr/local/go; a login shell may not have it on PATH.
    command -v go >/dev/null || PATH=/usr/local/go/bin:$PATH
    command -v go >/dev/null || die "building the Pulumi CLI needs Go 1.26 or newer (the go command); install it and run again"
    act "building the Pulumi CLI $version from its Go module (first run only: several minutes)"
    mkdir -p "$dir/bin"
    start=$SECONDS
    # -mod=readonly: go.sum is committed; a build that would change it is an error, not a download.
    (cd "$PULUMI_MODULE_DIR" && GOFLAGS=-mod=readonly go build -trimpath \
        -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
        -o "$dir/bin/pulumi.partial" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi) ||
        die "go build of the Pulumi CLI $version failed (see above)"
    mv -f "$dir/bin/pulumi.partial" "$PULUMI_CLI"
    secs=$((SECONDS - start))
    size=$(du -m "$PULUMI_CLI" | cut -f1)
    printf '{"version": "%s", "buildSeconds": %d, "sizeMiB": %d}\n' "$version" "$secs" "$size" >"$dir/build.json"
    act "built the Pulumi CLI $version in ${secs} s: $PULUMI_CLI, $size MiB"
}

# Pulumi's distribution bundles pulumi-resource-pulumi-nodejs, the dynamic-provider launcher, next to
# the CLI, where the engine looks first. Ours does what that launcher does: it starts the
# dynamic-provider host of the @pulumi/pulumi installed in the project (the working folder), with
# the first node on PATH.
ensure_dynamic_provider_launcher() {
    local launcher content
    launcher=$(dirname "$PULUMI_CLI")/pulumi-resource-pulumi-nodejs
    # The engine starts it in the project folder: the project's own @pulumi/pulumi is normally
    # right there (no Node start to find it, 0.05-0.1 s); else Node's resolution finds it.
    content='#!/bin/sh
# Written by pulumi-libvirt scripts/setup-test-host.sh: the dynamic-provider host of the project.
host=node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js
[ -f "$host" ] || host=$(node -e "process.stdout.write(require.resolve(\"@pulumi/pulumi/cmd/dynamic-provider\"))") || exit 1
exec node "$host" "$@"'
    if write_if_changed "$launcher" 0755 "$content"; then
        act "wrote $launcher"
    fi
}

# ---------------------------------------------------------------------------------------------
# Subcommands
# ---------------------------------------------------------------------------------------------

verify_transports() {
    # The ssh login is the slowest check (a second): it runs while the others do.
    wait_until 10 "ssh" ssh_answers 9>&- &
    local ssh_check=$!
    if ((LIBVIRTD_ANSWERED)); then
        : # ensure_libvirtd has just seen our daemon answer on UNIX, TCP and TLS
    elif ! virsh_answers qemu:///system; then
        die "libvirtd does not answer on qemu:///system"
    elif ((FOREIGN_LIBVIRTD)); then
        virsh_answers "$TCP_URI" || warn "the foreign libvirtd does not answer on $TCP_URI"
        virsh_answers "$TLS_URI" || warn "the foreign libvirtd does not answer on $TLS_URI"
    else
        virsh_answers "$TCP_URI" || die "libvirtd does not answer on $TCP_URI"
        virsh_answers "$TLS_URI" || die "libvirtd does not answer on $TLS_URI; see $LIBVIRTD_LOG"
    fi
    # sshd may need a moment after it starts listening before the first login succeeds (wait_until
    # retries for 10 s).
    wait "$ssh_check" || die "libvirt does not answer over ssh ($(ssh_uri)); see $SSHD_LOG"
}

cmd_ensure() {
    ensure_packages
    ensure_accounts_and_dirs
    ensure_hugepages
    ensure_certs
    ensure_libvirtd
    ensure_sshd
    ensure_guest
    ensure_cloud_guest
    ensure_pulumi_cli
    ensure_dynamic_provider_launcher
    verify_transports
    ensure_host_json
    if ((ACTIONS == 0 && WARNINGS == 0)); then
        echo "test host: everything already up, nothing to do"
    elif ((ACTIONS == 0)); then
        echo "test host: nothing changed, but see the $WARNINGS warning(s) above"
    fi
}

cmd_status() {
    local pid
    echo "state dir: $STATE_DIR ($([[ -d $STATE_DIR ]] && echo present || echo missing))"
    echo "virtlogd: $(live_pids virtlogd | tr '\n' ' ')"
    pid=$(our_libvirtd_pid)
    if [[ -n $pid ]]; then
        echo "libvirtd: running, ours (pid $pid, -f $LIBVIRTD_CONF)"
    elif [[ -n "$(libvirtd_pids)" ]]; then
        echo "libvirtd: running, NOT ours (pid $(libvirtd_pids | tr '\n' ' '))"
    else
        echo "libvirtd: not running"
    fi
    local name uri
    for name in unix tcp tls; do
        case $name in
            unix) uri=qemu:///system ;;
            tcp) uri=$TCP_URI ;;
            tls) uri=$TLS_URI ;;
        esac
        echo "  $name ($uri): $(virsh_answers "$uri" && echo answers || echo 'no answer')"
    done
    pid=$(our_sshd_pid)
    if [[ -n $pid ]]; then
        echo "sshd: running (pid $pid) on 127.0.0.1:$(ssh_port)"
        echo "  ssh ($(ssh_uri)): $(ssh_answers && echo answers || echo 'no answer')"
    else
        echo "sshd: not running"
    fi
    echo "hugepages: $(cat "$HUGEPAGES_SYSFS" 2>/dev/null || echo '?') x 2 MiB reserved, hugetlbfs $(mountpoint -q /dev/hugepages && echo mounted || echo 'not mounted')"
    echo "kvm: $(kvm_usable && echo usable || echo 'not usable')"
    echo "guest: $([[ -s $GUEST_KERNEL && -s $GUEST_INITRD ]] && echo "$GUEST_KERNEL, $GUEST_INITRD" || echo missing)"
    local cli=$PULUMI_ROOT/$(pulumi_cli_version)/bin/pulumi
    echo "pulumi CLI: $([[ -x $cli ]] && echo "$cli" || echo "not built ($cli)")"
    echo "host.json: $([[ -f $HOST_JSON ]] && echo "$HOST_JSON" || echo missing)"
}

require_setup() {
    [[ -f $LIBVIRTD_CONF ]] || die "not set up yet: run $0 first"
}

main() {
    [[ $EUID -eq 0 ]] || die "must run as root"
    CMD=${1:-ensure}
    local cmd=$CMD
    if [[ $cmd == status ]]; then
        cmd_status
        return 0
    fi
    ensure_state_dir
    # Tests may call the subcommands while another run is in progress: serialise them. Daemons
    # started below get "9>&-": they must not inherit (and so hold forever) this lock.
    exec 9>"$LOCK_FILE"
    flock -w 300 9 || die "another setup-test-host.sh run holds $LOCK_FILE"
    case $cmd in
        ensure) cmd_ensure ;;
        stop-libvirtd)
            require_setup
            stop_libvirtd
            ;;
        start-libvirtd)
            require_setup
            start_libvirtd
            ;;
        restart-libvirtd)
            require_setup
            stop_libvirtd
            start_libvirtd
            ;;
        *) die "unknown subcommand '$cmd' (use: ensure, status, restart-libvirtd, stop-libvirtd, start-libvirtd)" ;;
    esac
}

main "$@"
