/**
 * CloudInit's check and diff, without a daemon (the pool lookup of check goes to a port where
 * nothing listens, which check leaves to create): failures name the field and the fix and never
 * quote user-data; unknown cloud-config keys warn with the closest key; a content change replaces
 * under a new volume name, an equivalent spelling only updates the outputs, and unknowns during
 * preview are a possible replacement.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { cloudInitHandler } from "../../../provider/resources/cloud-init/handler";
import { buildSeed, volumeName } from "../../../provider/resources/cloud-init/seed";
import { defaultPool } from "../../../provider/rpc";
import { type Properties, UNKNOWN_VALUE } from "../../../provider/resources/shared/handler";
import { setLogSink } from "../../../provider/resources/shared/log";
import { ed25519PublicKey } from "../../helpers/ssh-keys";

/** Nothing listens on port 1: check cannot ask about the pool and leaves that to create. */
const URI = "qemu+tcp://127.0.0.1:1/system";
const SECRET_WORD = "pw-Zq81xv";

const lines: string[] = [];
let restore: () => void;
before(() => {
    restore = setLogSink((level, line) => lines.push(`${level}: ${line}`));
});
after(async () => {
    restore();
    await defaultPool.closeAll();
});

function declared(extra: Properties = {}): Properties {
    return {
        uri: URI,
        namePrefix: "seed",
        pool: "images",
        userData: { users: [{ name: "lab", ssh_authorized_keys: [ed25519PublicKey("a@b")] }], password: SECRET_WORD },
        metaData: { "local-hostname": "vm-01" },
        ...extra,
    };
}

async function failuresOf(inputs: Properties) {
    const result = await cloudInitHandler.check({}, inputs);
    return result.failures ?? [];
}

test("valid documents pass check, and the inputs come back as written", async () => {
    const inputs = declared();
    const result = await cloudInitHandler.check({}, { ...inputs, __provider: "stub" });
    assert.deepEqual(result.failures ?? [], []);
    assert.deepEqual(result.inputs, inputs);
});

test("user-data that is not YAML fails at userData without quoting it", async () => {
    const failures = await failuresOf(declared({ userData: `#cloud-config\nusers: [${SECRET_WORD}\n` }));
    assert.equal(failures.length, 1, JSON.stringify(failures));
    assert.equal(failures[0]!.property, "userData");
    assert.match(failures[0]!.reason, /userData is not valid YAML at line \d+, column \d+/);
    assert.doesNotMatch(failures[0]!.reason, new RegExp(SECRET_WORD));
});

test("a #cloud-config that is a list, not a mapping, fails naming the fix", async () => {
    const failures = await failuresOf(declared({ userData: "#cloud-config\n- a\n- b\n" }));
    assert.deepEqual(
        failures.map((f) => f.property),
        ["userData"],
    );
    assert.match(failures[0]!.reason, /must be a YAML mapping of keys .* not a list/);
});

test("a bad SSH key in users[].ssh_authorized_keys fails at its path, its value hidden (user-data is secret)", async () => {
    const bad = `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA${SECRET_WORD} x@y`;
    const failures = await failuresOf(
        declared({ userData: { users: [{ name: "lab", ssh_authorized_keys: [ed25519PublicKey("ok"), bad] }] } }),
    );
    assert.deepEqual(
        failures.map((f) => f.property),
        ["userData.users[0].ssh_authorized_keys[1]"],
    );
    assert.match(failures[0]!.reason, /\[secret\] is not an SSH public key/);
    assert.doesNotMatch(failures[0]!.reason, new RegExp(SECRET_WORD));
    const topLevel = await failuresOf(declared({ userData: { ssh_authorized_keys: ["not a key"] } }));
    assert.deepEqual(
        topLevel.map((f) => f.property),
        ["userData.ssh_authorized_keys[0]"],
    );
});

test("an invalid local-hostname or cloud-config hostname fails naming the field; meta-data values are quoted", async () => {
    const meta = await failuresOf(declared({ metaData: { "local-hostname": "web_01" } }));
    assert.deepEqual(
        meta.map((f) => f.property),
        ["metaData.local-hostname"],
    );
    assert.match(meta[0]!.reason, /"web_01" is not a host name: the label "web_01" is not valid; use letters/);
    const cloudConfig = await failuresOf(declared({ userData: { hostname: "-bad-" } }));
    assert.deepEqual(
        cloudConfig.map((f) => f.property),
        ["userData.hostname"],
    );
    assert.doesNotMatch(cloudConfig[0]!.reason, /-bad-/, "user-data is secret: the value is not quoted");
});

test("an unknown top-level cloud-config key is a warning naming the closest known key, not a failure", async () => {
    lines.length = 0;
    const failures = await failuresOf(declared({ userData: { packagez: ["htop"] } }));
    assert.deepEqual(failures, []);
    const warning = lines.find((line) => line.includes("packagez"));
    assert.ok(warning, lines.join("\n"));
    assert.match(
        warning,
        /^warning: CloudInit 'seed': userData: cloud-init does not know the top-level key "packagez" \(did you mean "packages"\?\)/,
    );
});

test("schema failures: a missing pool, an unknown argument, a document of the wrong type", async () => {
    const failures = await failuresOf({ ...declared({ pool: undefined, userDate: "x" }), networkConfig: 5 });
    const byProperty = Object.fromEntries(failures.map((f) => [f.property, f.reason]));
    assert.match(byProperty.pool ?? "", /missing/);
    assert.match(byProperty.userDate ?? "", /unknown property 'userDate'; did you mean 'userData'\?/);
    assert.ok(byProperty.networkConfig, JSON.stringify(failures));
});

test("unknown values during preview pass check", async () => {
    assert.deepEqual(await failuresOf(declared({ userData: UNKNOWN_VALUE, pool: UNKNOWN_VALUE })), []);
});

function oldOutputs(inputs: Properties): Properties {
    const seed = buildSeed(inputs as never);
    return {
        ...inputs,
        name: seed.volumeName,
        path: `/pool/${seed.volumeName}`,
        key: `/pool/${seed.volumeName}`,
        sha256: seed.sha256,
        instanceId: seed.instanceId,
        size: seed.image.length,
    };
}

test("the volume name is the prefix and 8 hex digits of the image's sha256; the same input gives the same image", () => {
    const a = buildSeed(declared({ userData: "#cloud-config\n{}\n" }) as never);
    const b = buildSeed(declared({ userData: "#cloud-config\n{}\n" }) as never);
    assert.equal(a.volumeName, volumeName("seed", a.sha256));
    assert.match(a.volumeName, /^seed-[0-9a-f]{8}\.iso$/);
    assert.ok(a.image.equals(b.image));
    const named = buildSeed(declared({ name: "web", userData: "#cloud-config\n{}\n" }) as never);
    assert.match(named.volumeName, /^web-[0-9a-f]{8}\.iso$/);
});

test("diff: nothing changed is no change; a user-data change replaces, creating the new volume first", async () => {
    const inputs = declared({ userData: "#cloud-config\nruncmd: [[true]]\n" });
    const olds = oldOutputs(inputs);
    assert.deepEqual(await cloudInitHandler.diff("id", olds, inputs), { changes: false });
    lines.length = 0;
    const changed = await cloudInitHandler.diff("id", olds, {
        ...inputs,
        userData: "#cloud-config\nruncmd: [[false]]\n",
    });
    assert.deepEqual(changed, { changes: true, replaces: ["userData"] });
    assert.match(lines.join("\n"), /replace\s+userData: \[secret\] -> \[secret\]/);
    assert.doesNotMatch(lines.join("\n"), /runcmd/);
});

test("diff: meta-data, network-config, the prefix and the pool replace; uri too", async () => {
    const inputs = declared();
    const olds = oldOutputs(inputs);
    const replaces = async (extra: Properties) =>
        (await cloudInitHandler.diff("id", olds, { ...inputs, ...extra })).replaces;
    assert.deepEqual(await replaces({ metaData: { "local-hostname": "vm-02" } }), ["metaData"]);
    assert.deepEqual(await replaces({ networkConfig: { version: 2 } }), ["networkConfig"]);
    assert.deepEqual(await replaces({ name: "other" }), ["name"]);
    assert.deepEqual(await replaces({ pool: "other" }), ["pool"]);
    assert.deepEqual(await replaces({ uri: "qemu+tcp://127.0.0.1:2/system" }), ["uri"]);
});

test("diff: an object written as the same text is an update of the outputs only", async () => {
    const inputs = declared({ userData: { runcmd: [["true"]] } });
    const olds = oldOutputs(inputs);
    const asText = { ...inputs, userData: '#cloud-config\nruncmd:\n  - - "true"\n' };
    assert.equal(buildSeed(asText as never).sha256, olds.sha256, "the test's text is what the object becomes");
    assert.deepEqual(await cloudInitHandler.diff("id", olds, asText), { changes: true });
    const { outs } = await cloudInitHandler.update("id", olds, asText);
    assert.equal(outs.userData, asText.userData);
    assert.equal(outs.name, olds.name);
    assert.equal(outs.sha256, olds.sha256);
});

test("diff: a volume altered outside Pulumi (refresh read another sha256) is replaced, deleting first (same name)", async () => {
    const inputs = declared();
    const olds = { ...oldOutputs(inputs), sha256: "0".repeat(64) };
    assert.deepEqual(await cloudInitHandler.diff("id", olds, inputs), {
        changes: true,
        replaces: ["sha256"],
        deleteBeforeReplace: true,
    });
});

test("diff: user-data not known yet (preview) is a possible replacement", async () => {
    const inputs = declared();
    const olds = oldOutputs(inputs);
    assert.deepEqual(await cloudInitHandler.diff("id", olds, { ...inputs, userData: UNKNOWN_VALUE }), {
        changes: true,
        replaces: ["userData"],
    });
});
