/**
 * Contract tests against the REAL dynamic provider host: the JsonFile stub's serialised `__provider` goes through
 * check → create → read → diff → update → delete over gRPC, and the host's documented behaviours are asserted
 * (pulumi-dynamic.md §1.2), so the engine emulator's host half can be trusted to match.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { jsonFileProvider, minimalProvider } from "../fixtures/engine/json-file";
import { type FixtureProject, makeFixtureProject } from "../fixtures/engine/project";
import { HostCallError, ProviderHost, serializeProvider } from "../helpers/provider-host";

const URN = "urn:pulumi:dev::proj::pulumi-nodejs:dynamic/engine-fixture:JsonFile::a";
let project: FixtureProject;
let host: ProviderHost;
let provider: string;
let minimal: string;

before(async () => {
    project = makeFixtureProject();
    provider = await serializeProvider(jsonFileProvider);
    minimal = await serializeProvider(minimalProvider);
    host = await ProviderHost.start({ cwd: project.dir, project: "proj" });
});

after(async () => {
    await host?.close();
    project?.cleanup();
});

test("the host reports its SDK version and answers Configure with acceptSecrets=false, no preview", async () => {
    assert.equal(await host.getPluginInfo(), require("@pulumi/pulumi/package.json").version);
    assert.deepEqual(await host.configure({ "proj:greeting": "hello", __provider: "ignored" }), {
        acceptSecrets: false,
        supportsPreview: false,
    });
});

test("check → create → read → diff → update → delete through the real host", async () => {
    const news = { __provider: provider, dir: project.dataDir, namePrefix: "a", content: { v: 1 } };
    const checked = await host.check(URN, {}, news);
    assert.deepEqual(checked.failures, []);
    assert.match(checked.inputs.name as string, /^a-[0-9a-f]{7}$/);
    assert.equal(checked.inputs.__provider, provider, "__provider is re-added to the checked inputs");

    const created = await host.create(URN, checked.inputs);
    assert.equal(created.id, `${project.dataDir}/${checked.inputs.name}.json`);
    assert.equal(created.properties.__provider, provider);
    assert.equal(created.properties.greeting, "hello", "configure saw the project-prefixed key");
    assert.deepEqual(JSON.parse(readFileSync(created.id, "utf8")), { content: { v: 1 } });

    const read = await host.read(URN, created.id, created.properties);
    assert.equal(read.id, created.id);
    assert.deepEqual(read.properties.content, { v: 1 });
    assert.equal(read.inputs?.__provider, provider, "read's inputs come back with __provider");

    const same = await host.diff(URN, created.id, created.properties, checked.inputs);
    assert.equal(same.changes, "none");
    const edited = { ...checked.inputs, content: { v: 2 } };
    const changed = await host.diff(URN, created.id, created.properties, edited);
    assert.deepEqual(changed, {
        changes: "some",
        replaces: [],
        stables: [],
        deleteBeforeReplace: false,
        hasDetailedDiff: false,
        diffs: [],
    });
    const renamed = await host.diff(URN, created.id, created.properties, { ...edited, name: "b", autonamed: false });
    assert.deepEqual(renamed.replaces, ["name"]);
    assert.equal(renamed.deleteBeforeReplace, true);

    const updated = await host.update(URN, created.id, created.properties, edited);
    assert.deepEqual(updated.properties.content, { v: 2 });
    assert.equal(updated.properties.__provider, provider);

    await host.delete(URN, created.id, updated.properties);
    assert.equal(existsSync(created.id), false);
    const gone = await host.read(URN, created.id, updated.properties);
    assert.equal(gone.id, "", "a read of a missing object answers an empty ID");
});

test("check failures come back as failures, not errors", async () => {
    const news = { __provider: provider, dir: project.dataDir, namePrefix: "bad", content: "invalid" };
    const checked = await host.check(URN, {}, news);
    assert.deepEqual(checked.failures, [{ property: "content", reason: "content must not be 'invalid'" }]);
});

test("changes: undefined arrives as DIFF_UNKNOWN; a provider without diff answers DIFF_UNKNOWN too", async () => {
    const inputs = { __provider: provider, dir: project.dataDir, namePrefix: "u", name: "u", content: 1 };
    const unknown = await host.diff(URN, "id", inputs, { ...inputs, content: 2, engineDiff: true });
    assert.equal(unknown.changes, "unknown");
    const noDiff = await host.diff(URN, "id", { ...inputs, __provider: minimal }, { ...inputs, __provider: minimal });
    assert.equal(noDiff.changes, "unknown");
    assert.deepEqual(noDiff.replaces, []);
});

test("a provider without update loses every output but __provider; without read the props are echoed", async () => {
    const checked = await host.check(
        URN,
        {},
        { __provider: minimal, dir: project.dataDir, namePrefix: "m", content: 1 },
    );
    const created = await host.create(URN, checked.inputs);
    assert.equal(created.properties.content, 1);
    const updated = await host.update(URN, created.id, created.properties, { ...checked.inputs, content: 2 });
    assert.deepEqual(updated.properties, { __provider: minimal });
    const read = await host.read(URN, created.id, created.properties);
    assert.equal(read.id, created.id);
    assert.deepEqual(read.properties, created.properties);
    await host.delete(URN, created.id, created.properties);
    assert.equal(existsSync(created.id), true, "no delete method: the host does nothing");
});

test("a create error with id/properties/reasons arrives as ErrorResourceInitFailed", async () => {
    const checked = await host.check(
        URN,
        {},
        {
            __provider: provider,
            dir: project.dataDir,
            namePrefix: "p",
            name: "partial",
            content: 1,
            failCreate: "partial",
        },
    );
    const err = await host.create(URN, checked.inputs).then(
        () => assert.fail("expected create to fail"),
        (e: unknown) => e as HostCallError,
    );
    assert.ok(err instanceof HostCallError);
    assert.equal(err.code, 2, "grpc UNKNOWN");
    assert.equal(err.message, "partial was written but did not start");
    assert.ok(err.initFailure);
    assert.equal(err.initFailure.id, `${project.dataDir}/partial.json`);
    assert.deepEqual(err.initFailure.reasons, ["did not start"]);
    assert.equal(err.initFailure.properties.content, 1);

    const plain = await host.create(URN, { ...checked.inputs, name: "plain", failCreate: "plain" }).then(
        () => assert.fail("expected create to fail"),
        (e: unknown) => e as HostCallError,
    );
    assert.equal(plain.message, "cannot create plain: failCreate is set");
    assert.equal(plain.initFailure, undefined);
});

test("an undefined output fails in the host's Struct conversion", async () => {
    const checked = await host.check(
        URN,
        {},
        {
            __provider: provider,
            dir: project.dataDir,
            namePrefix: "s",
            content: 1,
            badOutput: true,
        },
    );
    await assert.rejects(host.create(URN, checked.inputs), /Unexpected struct type/);
});

test("a get (no properties, only inputs) reads through the inputs' __provider (SDK >= 3.268)", async () => {
    const checked = await host.check(
        URN,
        {},
        { __provider: provider, dir: project.dataDir, namePrefix: "g", content: 7 },
    );
    const created = await host.create(URN, checked.inputs);
    const read = await host.read(URN, created.id, undefined, { __provider: provider });
    assert.equal(read.id, created.id);
    assert.equal(read.properties.content, 7);
});
