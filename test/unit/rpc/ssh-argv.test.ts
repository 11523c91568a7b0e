import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { buildRemoteCommand, buildSshInvocation, escapeShell } from "../../../provider/rpc/transports/ssh-command";
import { parseLibvirtUri, type SshSettings } from "../../../provider/rpc/uri";

const ENV: NodeJS.ProcessEnv = { HOME: "/root" };

function invocation(uri: string, readOnly = false) {
    const parsed = parseLibvirtUri(uri, ENV);
    return { parsed, ...buildSshInvocation(parsed.settings as SshSettings, parsed.driverUri, readOnly) };
}

/** libvirt 9.0's netcat script for a given nc binary and socket. */
function netcatScript(nc: string, socket: string): string {
    return `if '${nc}' -q 2>&1 | grep "requires an argument" >/dev/null 2>&1; then ARG=-q0;else ARG=;fi;'${nc}' $ARG -U ${socket}`;
}

const AUTO_SYSTEM =
    "sh -c 'which virt-ssh-helper 1>/dev/null 2>&1; if test $? = 0; then     virt-ssh-helper 'qemu:///system'; " +
    `else    ${netcatScript("nc", "/var/run/libvirt/libvirt-sock")}; fi'`;

test("default: proxy auto, virt-ssh-helper with the nc fallback", () => {
    const { command, args } = invocation("qemu+ssh://root@host/system");
    assert.equal(command, "ssh");
    assert.deepEqual(args, ["-l", "root", "-T", "-e", "none", "--", "host", AUTO_SYSTEM]);
});

test("port, user and keyfile come first, in libvirt's order", () => {
    const { args } = invocation("qemu+ssh://fred@somehost:9000/system?keyfile=/root/.ssh/example_key");
    assert.deepEqual(args.slice(0, -1), [
        "-p",
        "9000",
        "-l",
        "fred",
        "-i",
        "/root/.ssh/example_key",
        "-T",
        "-e",
        "none",
        "--",
        "somehost",
    ]);
});

test("libvirt's own SSH test 2: port, user, netcat, no_tty", () => {
    const { args } = invocation("qemu+ssh://fred@somehost:9000/system?netcat=netcat&no_tty=1&socket=/tmp/socket");
    assert.equal(
        args.join(" "),
        `-p 9000 -l fred -T -e none -o BatchMode=yes -- somehost sh -c '${netcatScript("netcat", "/tmp/socket")}'`,
    );
});

test("socket= alone selects netcat mode with that socket", () => {
    const { args } = invocation("qemu+ssh://somehost/system?socket=/tmp/socket");
    assert.deepEqual(args, ["-T", "-e", "none", "--", "somehost", `sh -c '${netcatScript("nc", "/tmp/socket")}'`]);
});

test("no_verify and known_hosts add -o options after BatchMode", () => {
    const { args } = invocation("qemu+ssh://h/system?no_tty=1&no_verify=1&known_hosts=/k/hosts");
    assert.deepEqual(args.slice(0, -3), [
        "-T",
        "-e",
        "none",
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/k/hosts",
    ]);
});

test("command= replaces the ssh binary", () => {
    assert.equal(invocation("qemu+ssh://h/system?command=/opt/openssh/bin/ssh").command, "/opt/openssh/bin/ssh");
});

test("proxy=native runs only virt-ssh-helper; read-only adds -r", () => {
    assert.equal(
        invocation("qemu+ssh://h/system?proxy=native").args.at(-1),
        "sh -c 'virt-ssh-helper 'qemu:///system''",
    );
    assert.equal(
        invocation("qemu+ssh://h/system?proxy=native", true).args.at(-1),
        "sh -c 'virt-ssh-helper -r 'qemu:///system''",
    );
});

test("proxy=netcat with mode=direct targets the per-driver socket", () => {
    assert.equal(
        invocation("qemu+ssh://h/system?proxy=netcat&mode=direct").args.at(-1),
        `sh -c '${netcatScript("nc", "/var/run/libvirt/virtqemud-sock")}'`,
    );
});

test("the helper gets the stripped driver URI, not the ssh URI", () => {
    const { args } = invocation("qemu+ssh://u@h:22/session?keyfile=/k&mode=legacy");
    assert.match(args.at(-1)!, /virt-ssh-helper 'qemu:\/\/\/session';/);
});

test("IPv6 hosts are passed to ssh without brackets", () => {
    assert.equal(invocation("qemu+ssh://[::1]:2222/system").args.at(-2), "::1");
});

test("escapeShell quotes only words with shell metacharacters", () => {
    assert.equal(escapeShell("qemu:///system"), "qemu:///system");
    assert.equal(escapeShell(""), "''");
    assert.equal(escapeShell("a b"), "'a b'");
    assert.equal(escapeShell("it's"), "'it'\\''s'");
    assert.equal(escapeShell("qemu:///system?x=1"), "'qemu:///system?x=1'");
});

// Run the remote command through two shells as sshd does ($SHELL -c COMMAND, then sh -c), with
// fake virt-ssh-helper and nc that print their arguments, to prove the quoting round-trips.
const fakeRoot = mkdtempSync(join(tmpdir(), "ssh-argv-"));
after(() => rmSync(fakeRoot, { recursive: true, force: true }));

/** A PATH holding only the tools the remote command needs, plus the named fakes. */
function fakePath(withHelper: boolean): string {
    const dir = mkdtempSync(join(fakeRoot, "bin-"));
    for (const tool of ["sh", "grep", "which", "test"]) {
        const real = execFileSync("/bin/sh", ["-c", `command -v ${tool} || true`], { encoding: "utf8" }).trim();
        if (real.startsWith("/")) symlinkSync(real, join(dir, tool));
    }
    const script = (name: string, body: string) => {
        writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
        chmodSync(join(dir, name), 0o755);
    };
    // Debian's netcat wants an argument after -q; the probe must detect that and pass -q0.
    script(
        "nc",
        `if [ "$#" = 1 ] && [ "$1" = -q ]; then echo "nc: option requires an argument -- q" >&2; exit 1; fi\nfor a in nc "$@"; do printf '%s\\n' "$a"; done`,
    );
    if (withHelper) script("virt-ssh-helper", `for a in helper "$@"; do printf '%s\\n' "$a"; done`);
    return dir;
}

function runRemote(remoteCommand: string, withHelper: boolean): string[] {
    const out = execFileSync("/bin/sh", ["-c", remoteCommand], {
        env: { PATH: fakePath(withHelper) },
        encoding: "utf8",
    });
    return out.trim().split("\n");
}

function remote(uri: string, readOnly = false): string {
    const parsed = parseLibvirtUri(uri, ENV);
    return buildRemoteCommand(parsed.settings as SshSettings, parsed.driverUri, readOnly);
}

test("remote command: helper present → virt-ssh-helper URI (parameters survive the quoting)", () => {
    assert.deepEqual(runRemote(remote("qemu+ssh://h/system"), true), ["helper", "qemu:///system"]);
    assert.deepEqual(runRemote(remote("qemu+ssh://h/system?foo=bar&x=it%27s+here"), true), [
        "helper",
        "qemu:///system?foo=bar&x=it's%20here",
    ]);
    assert.deepEqual(runRemote(remote("qemu+ssh://h/system?proxy=native", true), true), [
        "helper",
        "-r",
        "qemu:///system",
    ]);
});

test("remote command: no helper → nc -q0 -U the libvirtd socket", () => {
    assert.deepEqual(runRemote(remote("qemu+ssh://h/system"), false), [
        "nc",
        "-q0",
        "-U",
        "/var/run/libvirt/libvirt-sock",
    ]);
    assert.deepEqual(runRemote(remote("qemu+ssh://h/system?socket=/tmp/other-sock"), true), [
        "nc",
        "-q0",
        "-U",
        "/tmp/other-sock",
    ]);
});
