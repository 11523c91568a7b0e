/**
 * Secrets through the REAL dynamic provider host against the real libvirtd. The host cannot mark
 * anything secret (acceptSecrets=false: the engine re-marks by key and by additionalSecretOutputs),
 * so what must hold here is: the clear value appears in no answer except where the SDK's secret
 * outputs or the secret inputs' own paths put it (which the engine marks), and in no line the host
 * prints, over check failures, create, diff, update, read and delete.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { withoutSecrets } from "../../provider/model/secret";
import { secretInputPaths, secretOutputs } from "../../sdk/secrets";
import { type KindKey, providerText } from "../../sdk/stub";
import { ProviderHost, type Props, RecordingEngine } from "../helpers/provider-host";
import { ensureSelfLink } from "../helpers/self-link";
import { PROJECT_ROOT } from "../helpers/shared-paths";
import { virsh } from "../helpers/virsh";
import { setUpPool, type TestPool, uri } from "../integration/resources/volume-helpers";

const PREFIX = "pltest-sechost-";
const PASSWORD = "Hq3vX8mc";
const NEW_PASSWORD = "Zr6tB1nw";
const PHRASE = "luks-phrase-c47a09";
const CLEAR = new RegExp(`${PASSWORD}|${NEW_PASSWORD}|${PHRASE}`);
const urn = (type: string) => `urn:pulumi:dev::proj::pulumi-nodejs:dynamic/libvirt:${type}::x`;

let host: ProviderHost;
let engine: RecordingEngine;
let pool: TestPool;
const providers: Partial<Record<KindKey, string>> = {};

before(async () => {
    pool = setUpPool(PREFIX);
    ensureSelfLink();
    providers.domain = providerText("domain");
    providers.volume = providerText("volume");
    // The providers' lines (diff summaries, live steps) go to the engine's Log service: record them.
    engine = await RecordingEngine.start();
    host = await ProviderHost.start({ cwd: PROJECT_ROOT, project: "proj", engineAddress: engine.address });
    await host.configure({ "libvirt:uri": uri });
});

after(async () => {
    await host?.close();
    engine?.close();
    await pool?.cleanup();
});

/** Outputs without those the engine marks secret (additionalSecretOutputs from the SDK, `__provider` aside). */
function visibleOutputs(kind: KindKey, props: Props): Props {
    const visible = { ...props };
    for (const key of secretOutputs(kind)) delete visible[key];
    return visible;
}

/** Inputs without the secret inputs' own paths (the engine marks those from the secret inputs it sent). */
function visibleInputs(kind: KindKey, props: Props): Props {
    return withoutSecrets(props, secretInputPaths[kind]);
}

/** Neither the host's own output nor the lines its providers sent to the engine hold a clear value. */
/** Lines arrive asynchronously (the provider does not wait for the engine's answer). */
async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
        if (Date.now() > deadline) assert.fail(`not seen within ${timeoutMs} ms; lines: ${engine.lines.join("\n")}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

function assertNothingPrinted(what: string): void {
    assert.doesNotMatch(host.stdout + host.stderr, CLEAR, `${what}: the host printed a secret`);
    assert.doesNotMatch(engine.lines.join("\n"), CLEAR, `${what}: a line sent to the engine holds a secret`);
}

test("a Volume's passphrase: check failure, create, read and delete", { timeout: 60_000 }, async () => {
    const base = { __provider: providers.volume!, namePrefix: "disk", pool: pool.name, uri };
    const refused = await host.check(
        urn("Volume"),
        {},
        { ...base, passphrase: PHRASE, sourceImage: { url: "/x.raw" } },
    );
    assert.ok(refused.failures.some((f) => f.property === "passphrase"));
    assert.doesNotMatch(JSON.stringify(refused.failures), CLEAR, "check failure");
    assertNothingPrinted("check");

    const checked = await host.check(
        urn("Volume"),
        {},
        { ...base, name: `${PREFIX}luks`, capacity: 8, passphrase: PHRASE },
    );
    assert.deepEqual(checked.failures, []);
    const created = await host.create(urn("Volume"), checked.inputs);
    assert.equal(created.properties.passphrase, PHRASE, "echoed under its own (secret) name");
    assert.doesNotMatch(JSON.stringify(visibleOutputs("volume", created.properties)), CLEAR);
    const read = await host.read(urn("Volume"), created.id, created.properties);
    assert.doesNotMatch(JSON.stringify(visibleOutputs("volume", read.properties)), CLEAR);
    assert.doesNotMatch(JSON.stringify(visibleInputs("volume", read.inputs ?? {})), CLEAR);
    await host.delete(urn("Volume"), created.id, read.properties);
    assertNothingPrinted("volume lifecycle");
});

test("a Domain's console password: create, diff, update, read and delete", { timeout: 60_000 }, async () => {
    const news = {
        __provider: providers.domain!,
        namePrefix: "vm",
        name: `${PREFIX}vm`,
        uri,
        type: "qemu",
        memory: 64,
        running: false,
        devices: { graphics: [{ type: "vnc", password: PASSWORD }] },
    };
    const checked = await host.check(urn("Domain"), {}, news);
    assert.deepEqual(checked.failures, []);
    const created = await host.create(urn("Domain"), checked.inputs);
    assert.deepEqual(created.properties.graphicsPasswords, [PASSWORD]);
    assert.doesNotMatch(JSON.stringify(visibleOutputs("domain", created.properties)), CLEAR, "devices has no password");
    assert.deepEqual((created.properties.devices as any).graphics, [{ type: "vnc" }]);

    const changed = { ...checked.inputs, devices: { graphics: [{ type: "vnc", password: NEW_PASSWORD }] } };
    const diff = await host.diff(urn("Domain"), created.id, created.properties, changed);
    assert.equal(diff.changes, "some");
    // The diff summary reached the engine (so the check below sees real lines), with the values hidden.
    await waitFor(() => engine.lines.some((l) => l.includes("devices.graphics[0].password")));
    assert.ok(engine.lines.some((l) => /devices\.graphics\[0\]\.password: "\[secret\]" -> "\[secret\]"/.test(l)));
    const updated = await host.update(urn("Domain"), created.id, created.properties, changed);
    assert.deepEqual(updated.properties.graphicsPasswords, [NEW_PASSWORD]);
    assert.doesNotMatch(JSON.stringify(visibleOutputs("domain", updated.properties)), CLEAR);
    assert.match(
        virsh(["dumpxml", news.name, "--inactive", "--security-info"]),
        new RegExp(`passwd='${NEW_PASSWORD}'`),
    );

    const read = await host.read(urn("Domain"), created.id, updated.properties);
    assert.deepEqual(read.properties.graphicsPasswords, [NEW_PASSWORD]);
    assert.doesNotMatch(JSON.stringify(visibleOutputs("domain", read.properties)), CLEAR);
    assert.doesNotMatch(JSON.stringify(visibleInputs("domain", read.inputs ?? {})), CLEAR);

    // A `get`: no declaration, so the password read from libvirt is only in the secret output.
    const got = await host.read(urn("Domain"), created.id, {}, { __provider: providers.domain!, uri });
    assert.deepEqual(got.properties.graphicsPasswords, [NEW_PASSWORD]);
    assert.doesNotMatch(JSON.stringify(visibleOutputs("domain", got.properties)), CLEAR);
    assert.doesNotMatch(JSON.stringify(got.inputs ?? {}), CLEAR, "get's inputs carry no password at all");

    await host.delete(urn("Domain"), created.id, read.properties);
    assertNothingPrinted("domain lifecycle");
});
