import assert from "node:assert/strict";
import { test } from "node:test";
import { checkHostname, checkSshPublicKey } from "../../../provider/cloudinit/identity-checks";
import type { NoCloudSeedInput } from "../../../provider/cloudinit/seed";
import { checkNoCloudSeed, type SeedProblem } from "../../../provider/cloudinit/seed-checks";
import { ed25519PublicKey } from "../../helpers/ssh-keys";

function problems(input: NoCloudSeedInput): Pick<SeedProblem, "severity" | "property">[] {
    return checkNoCloudSeed(input).map(({ severity, property }) => ({ severity, property }));
}

test("a well-formed seed has no problem", () => {
    const key = ed25519PublicKey();
    const input: NoCloudSeedInput = {
        userData: {
            hostname: "lab-vm",
            fqdn: "lab-vm.example.test",
            users: ["default", { name: "lab", ssh_authorized_keys: [key, `restrict,from="10.0.0.1 10.0.0.2" ${key}`] }],
            ssh_authorized_keys: [key],
            write_files: [{ path: "/etc/x", content: "x" }],
            runcmd: ["true"],
        },
        metaData: { "local-hostname": "lab-vm", "instance-id": "lab-1" },
        networkConfig: { network: { version: 2, ethernets: {} } },
        vendorData: "#!/bin/sh\ntrue\n",
    };
    assert.deepEqual(checkNoCloudSeed(input), []);
});

test("user-data that is not valid YAML is an error naming the line", () => {
    const found = checkNoCloudSeed({ userData: "#cloud-config\nusers:\n  - name: a\n runcmd: [oops\n" });
    assert.equal(found.length, 1);
    assert.equal(found[0]!.severity, "error");
    assert.equal(found[0]!.property, "userData");
    assert.match(found[0]!.reason, /^userData is not valid YAML at line \d+, column \d+/);
    // Duplicate keys: PyYAML would silently keep the last one; almost always a mistake.
    assert.match(
        checkNoCloudSeed({ userData: "#cloud-config\nruncmd: [a]\nruncmd: [b]\n" })[0]!.reason,
        /not valid YAML.*unique/,
    );
});

test("a #cloud-config that is a list or a scalar is an error; an empty one is fine", () => {
    assert.deepEqual(problems({ userData: "#cloud-config\n- a\n- b\n" }), [
        { severity: "error", property: "userData" },
    ]);
    assert.deepEqual(problems({ userData: "#cloud-config\njust text\n" }), [
        { severity: "error", property: "userData" },
    ]);
    assert.deepEqual(problems({ userData: "#cloud-config\n" }), []);
    assert.deepEqual(problems({ userData: {} }), []);
});

test("an unknown top-level cloud-config key is a warning that names it and suggests the nearest known key", () => {
    const found = checkNoCloudSeed({
        userData: { user: "x", runcmds: ["true"], frobnicate: 1 },
        vendorData: { write_file: [] },
    });
    assert.deepEqual(
        found.map((p) => [p.severity, p.property]),
        [
            ["warning", "userData.runcmds"],
            ["warning", "userData.frobnicate"],
            ["warning", "vendorData.write_file"],
        ],
    );
    assert.match(found[0]!.reason, /top-level key "runcmds" \(did you mean "runcmd"\?\)/);
    assert.doesNotMatch(found[1]!.reason, /did you mean/);
    assert.match(found[2]!.reason, /did you mean "write_files"/);
});

test("SSH keys that are not SSH public keys are errors naming the user and the index", () => {
    const key = ed25519PublicKey();
    const [type, blob] = key.split(" ") as [string, string];
    const found = checkNoCloudSeed({
        userData: {
            users: [{ name: "a", ssh_authorized_keys: [key, "not a key", `${type} ${blob.slice(0, 40)}`] }],
            ssh_authorized_keys: [
                "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn==\n-----END OPENSSH PRIVATE KEY-----",
                `ssh-rsa ${blob}`,
            ],
        },
    });
    assert.deepEqual(
        found.map((p) => [p.severity, p.property]),
        [
            ["error", "userData.users[0].ssh_authorized_keys[1]"],
            ["error", "userData.users[0].ssh_authorized_keys[2]"],
            ["error", "userData.ssh_authorized_keys[0]"],
            ["error", "userData.ssh_authorized_keys[1]"],
        ],
    );
    assert.match(found[0]!.reason, /"not a key" is not an SSH public key: expected "<type> <base64> \[comment\]"/);
    assert.match(found[1]!.reason, /does not decode to a ssh-ed25519 key/);
    assert.match(found[2]!.reason, /PRIVATE key: give the public key/);
    assert.match(found[3]!.reason, /does not decode to a ssh-rsa key/, "an ed25519 blob labelled ssh-rsa");
    assert.deepEqual(problems({ userData: { ssh_authorized_keys: key } }), [
        { severity: "error", property: "userData.ssh_authorized_keys" },
    ]);
});

test("checkSshPublicKey accepts keys with options and comments with spaces; refuses two keys in one string", () => {
    const key = ed25519PublicKey("my laptop key");
    assert.equal(checkSshPublicKey("k", key), undefined);
    assert.equal(checkSshPublicKey("k", `  no-pty,command="echo a b" ${key}  `), undefined);
    assert.match(checkSshPublicKey("k", `${key}\n${key}`)!, /not one SSH public key/);
    assert.match(checkSshPublicKey("k", "")!, /not one SSH public key/);
});

test("host names that are not host names are errors, in meta-data and cloud-config", () => {
    const found = checkNoCloudSeed({
        userData: { hostname: "under_score", fqdn: "ok.example.test" },
        metaData: { "local-hostname": "-leading" },
    });
    assert.deepEqual(
        found.map((p) => [p.severity, p.property]),
        [
            ["error", "userData.hostname"],
            ["error", "metaData.local-hostname"],
        ],
    );
    assert.match(found[0]!.reason, /"under_score" is not a host name: the label "under_score" is not valid/);
    for (const good of ["a", "lab-vm-01", "vm1.lab.example.test", `${"a".repeat(63)}.b`]) {
        assert.equal(checkHostname("h", good), undefined, good);
    }
    for (const bad of ["", "a..b", "trailing-", "a b", "é", "123", `${"a".repeat(64)}`, `${"a.".repeat(127)}a`]) {
        assert.ok(checkHostname("h", bad), JSON.stringify(bad));
    }
});

test("instance-id must be a word; network-config must be version 1 or 2", () => {
    assert.deepEqual(problems({ userData: {}, metaData: { "instance-id": "has space" } }), [
        { severity: "error", property: "metaData.instance-id" },
    ]);
    assert.deepEqual(problems({ userData: {}, networkConfig: { ethernets: {} } }), [
        { severity: "error", property: "networkConfig.version" },
    ]);
    assert.deepEqual(problems({ userData: {}, networkConfig: "version: 3\n" }), [
        { severity: "error", property: "networkConfig.version" },
    ]);
    assert.deepEqual(problems({ userData: {}, networkConfig: "version: [1\n" }), [
        { severity: "error", property: "networkConfig" },
    ]);
    assert.deepEqual(problems({ userData: {}, networkConfig: "version: 1\nconfig: []\n" }), []);
});

test("other user-data formats pass unchecked; text with no format header is a warning (cloud-init ignores it)", () => {
    for (const userData of [
        "#!/bin/bash\necho [unbalanced\n",
        "#include\nhttps://x\n",
        "## template: jinja\n#cloud-config\nhostname: {{ v }}\n",
        "Content-Type: multipart/mixed; boundary=x\n",
        "",
    ]) {
        assert.deepEqual(problems({ userData }), [], userData);
    }
    const found = checkNoCloudSeed({ userData: "hostname: forgot-the-header\n" });
    assert.deepEqual(
        found.map((p) => [p.severity, p.property]),
        [["warning", "userData"]],
    );
    assert.match(found[0]!.reason, /no cloud-init user-data format.*start cloud-config with "#cloud-config"/);
});
