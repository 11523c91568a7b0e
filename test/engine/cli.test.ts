import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { engineFixture } from "./setup";

const run = promisify(execFile);
const DIST = join(__dirname, "..", "..");
const CLI = join(DIST, "tools", "engine", "cli.js");
const PROGRAM = join(DIST, "test", "fixtures", "engine", "program.js");

test("the CLI runs a program module through up, preview, refresh and destroy with readable tables", async () => {
    const f = engineFixture();
    try {
        const cli = async (...args: string[]) => {
            const common = [
                "--state",
                f.stateFile,
                "--cwd",
                f.dir,
                "--project",
                "proj",
                "--config",
                `dir=${f.dataDir}`,
            ];
            const { stdout } = await run(process.execPath, [CLI, ...args, ...common]);
            return stdout;
        };
        const up = await cli("up", "--program", PROGRAM);
        assert.match(up, /Updating \(proj\/dev, engine emulator\)/);
        assert.match(up, /\+\s+pulumi-nodejs:dynamic\/engine-fixture:JsonFile\s+f0\s+create/);
        assert.match(up, /\+ 2 created/);
        assert.match(up, /secret: "\[secret\]"/);
        assert.doesNotMatch(up, /s3cr3t-value/);

        const again = await cli("up", "--program", PROGRAM);
        assert.match(again, /2 unchanged/);

        const preview = await cli("preview", "--program", PROGRAM, "--config", "count=1");
        assert.match(preview, /Previewing update/);
        assert.match(preview, /- 1 to delete/);
        assert.match(preview, /1 unchanged/);

        const shrink = await cli("up", "--program", PROGRAM, "--config", "count=1");
        assert.match(shrink, /- 1 deleted/);

        const refresh = await cli("refresh");
        assert.match(refresh, /~ 1 refreshed/);

        const destroy = await cli("destroy");
        assert.match(destroy, /- 1 deleted/);

        await assert.rejects(run(process.execPath, [CLI, "sideways"]), /usage: cli\.js up\|preview\|refresh\|destroy/);
    } finally {
        f.cleanup();
    }
});

test("the CLI takes the project from Pulumi.yaml and config from Pulumi.<stack>.yaml", async () => {
    const f = engineFixture();
    try {
        writeFileSync(join(f.dir, "Pulumi.yaml"), "name: fromyaml\nruntime: nodejs\n");
        writeFileSync(join(f.dir, "Pulumi.lab.yaml"), `config:\n  fromyaml:dir: "${f.dataDir}"\n  count: 3\n`);
        const { stdout } = await run(process.execPath, [
            CLI,
            "up",
            "--program",
            PROGRAM,
            "--state",
            f.stateFile,
            "--cwd",
            f.dir,
            "--stack",
            "lab",
        ]);
        assert.match(stdout, /Updating \(fromyaml\/lab, engine emulator\)/);
        assert.match(stdout, /\+ 3 created/);
    } finally {
        f.cleanup();
    }
});
