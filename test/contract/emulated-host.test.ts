/**
 * The engine emulator's in-process host half (tools/engine/host.ts) must answer exactly as the real host does.
 * The same calls go to both, with fixed names so the answers are comparable.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, test } from "node:test";
import { EmulatedHost } from "../../tools/engine/host";
import { ProviderLoader } from "../../tools/engine/provider-loader";
import { loadSdk } from "../../tools/engine/sdk";
import { jsonFileProvider, minimalProvider } from "../fixtures/engine/json-file";
import { type FixtureProject, makeFixtureProject } from "../fixtures/engine/project";
import { ProviderHost, serializeProvider } from "../helpers/provider-host";

const URN = "urn:pulumi:dev::proj::pulumi-nodejs:dynamic/engine-fixture:JsonFile::a";
let project: FixtureProject;
let real: ProviderHost;
let emulated: EmulatedHost;
let previousCwd: string;

before(async () => {
    project = makeFixtureProject();
    real = await ProviderHost.start({ cwd: project.dir, project: "proj" });
    await real.configure({ "proj:greeting": "hi" });
    // The emulated host resolves the stub's require from the working folder, as the real one does.
    previousCwd = process.cwd();
    process.chdir(project.dir);
    emulated = new EmulatedHost(new ProviderLoader(loadSdk(), { "proj:greeting": "hi" }, "proj"));
});

after(async () => {
    process.chdir(previousCwd);
    await real?.close();
    project?.cleanup();
});

for (const [label, provider] of [
    ["full provider", jsonFileProvider],
    ["provider with check and create only", minimalProvider],
] as const) {
    test(`emulated and real host agree call by call (${label})`, async () => {
        const text = await serializeProvider(provider);
        const news = { __provider: text, dir: project.dataDir, namePrefix: "a", content: { v: 1 } };
        const run = async (host: "real" | "emulated", name: string) => {
            const inputs = { ...news, name };
            const checked =
                host === "real"
                    ? (await real.check(URN, {}, inputs)).inputs
                    : (await emulated.check({}, inputs)).inputs;
            const created = host === "real" ? await real.create(URN, checked) : await emulated.create(checked);
            const edited = { ...checked, content: { v: 2 } };
            const diff =
                host === "real"
                    ? await real.diff(URN, created.id, created.properties, edited)
                    : await emulated.diff(created.id, created.properties, edited);
            const updated =
                host === "real"
                    ? await real.update(URN, created.id, created.properties, edited)
                    : await emulated.update(created.id, created.properties, edited);
            const read =
                host === "real"
                    ? await real.read(URN, created.id, updated.properties)
                    : await emulated.read(created.id, updated.properties);
            if (host === "real") await real.delete(URN, created.id, updated.properties);
            else await emulated.delete(created.id, updated.properties);
            const gone =
                host === "real"
                    ? await real.read(URN, created.id, updated.properties)
                    : await emulated.read(created.id, updated.properties);
            // A provider without delete leaves the file: clear it so the other side can create the same name.
            rmSync(created.id, { force: true });
            return { checked, created, diff: diff.changes, replaces: diff.replaces, updated, read, gone };
        };
        const fromReal = await run("real", "same-name");
        const fromEmulated = await run("emulated", "same-name");
        // JSON drops the keys whose value is undefined on either side (absent fields of a gRPC answer).
        assert.deepEqual(JSON.parse(JSON.stringify(fromEmulated)), JSON.parse(JSON.stringify(fromReal)));
    });
}
