/**
 * The VirtualMachine's pure parts: the image rule (http needs a sha256, https does not), the MAC
 * derived from the name, the cloud-config merge, and the merge of the `domain` argument (device
 * lists appended, objects merged, Outputs kept whole).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { checkImage, hostnameProblem, sshKeyProblems, userProblem } from "../../../sdk/virtual-machine-checks";
import { componentCloudConfig, mergeCloudConfig, userCloudConfig } from "../../../sdk/virtual-machine-cloud-config";
import { defaultCpu, mergeDomainArgs, stableMac } from "../../../sdk/virtual-machine-domain";

const SHA = "a".repeat(64);

test("plain http needs a sha256, https does not, a local path is made absolute", () => {
    assert.match(checkImage("http://example.test/i.qcow2").problem ?? "", /plain http URL without a sha256/);
    assert.deepEqual(checkImage({ url: "http://example.test/i.qcow2", sha256: SHA.toUpperCase() }).location, {
        url: "http://example.test/i.qcow2",
        sha256: SHA,
    });
    assert.deepEqual(checkImage("https://example.test/i.qcow2").location, {
        url: "https://example.test/i.qcow2",
        sha256: undefined,
    });
    assert.equal(checkImage("images/i.qcow2").location?.url, `${process.cwd()}/images/i.qcow2`);
    assert.match(checkImage({ url: "/i.qcow2", sha256: "abc" }).problem ?? "", /image\.sha256 "abc" is not a sha256/);
    assert.match(checkImage("ftp://example.test/i").problem ?? "", /only local paths and http\(s\) URLs/);
});

test("keys, host names and user names are checked with the field and value named", () => {
    assert.deepEqual(sshKeyProblems([]), []);
    const [problem] = sshKeyProblems(["ssh-rsa AAAA me"]);
    assert.match(problem ?? "", /^sshAuthorizedKeys\[0\] "ssh-rsa AAAA me" is not an SSH public key/);
    assert.match(hostnameProblem("hostname", "a_b") ?? "", /hostname "a_b" is not a host name/);
    assert.equal(hostnameProblem("hostname", "web-1.lab"), undefined);
    assert.equal(userProblem("lab"), undefined);
    assert.match(userProblem("Root User") ?? "", /user "Root User" is not a user name/);
});

test("the MAC is stable per name, in libvirt's 52:54:00 range, and differs between names", () => {
    assert.equal(stableMac("web"), stableMac("web"));
    assert.notEqual(stableMac("web"), stableMac("db"));
    assert.match(stableMac("web"), /^52:54:00(:[0-9a-f]{2}){3}$/);
});

test("the CPU defaults to host-model under kvm and to qemu64 under TCG", () => {
    assert.deepEqual(defaultCpu("kvm"), { mode: "host-model" });
    assert.deepEqual(defaultCpu("qemu"), { mode: "custom", model: "qemu64" });
});

test("userData merges: joined lists after the component's, other keys of the user win", () => {
    const mine = componentCloudConfig("lab", ["ssh-ed25519 AAAA k"]);
    const theirs = userCloudConfig(
        "vm",
        "#cloud-config\nusers:\n  - name: extra\nruncmd: [[echo, hi]]\npackage_update: yes\n",
    );
    const merged = mergeCloudConfig(mine, theirs);
    assert.deepEqual(
        (merged.users as { name: string }[]).map((u) => u.name),
        ["lab", "extra"],
    );
    assert.deepEqual(merged.runcmd, [["echo", "hi"]]);
    assert.equal(merged.package_update, true, "YAML 1.1: yes is a boolean, as cloud-init reads it");
    assert.throws(
        () => userCloudConfig("vm", "#!/bin/sh\necho hi\n"),
        /userData starts with "#!\/bin\/sh", not "#cloud-config"/,
    );
    assert.throws(() => userCloudConfig("vm", "#cloud-config\n- a\n"), /userData must be a YAML mapping/);
});

test("the domain argument merges last: objects key by key, device lists appended, other values replaced", () => {
    const out = pulumi.output("x");
    const merged = mergeDomainArgs(
        { os: { machine: "pc" }, memory: 512, devices: { disks: [{ n: 1 }], memballoon: { model: "virtio" } } },
        {
            os: { kernel: "/k" },
            memory: 1024,
            devices: { disks: [{ n: 2 }], memballoon: { model: "none" } },
            title: out,
        },
    );
    assert.deepEqual(merged.os, { machine: "pc", kernel: "/k" });
    assert.equal(merged.memory, 1024);
    assert.deepEqual((merged.devices as { disks: unknown[] }).disks, [{ n: 1 }, { n: 2 }]);
    assert.deepEqual((merged.devices as { memballoon: unknown }).memballoon, { model: "none" });
    assert.equal(merged.title, out, "an Output is a value, not an object to merge into");
});
