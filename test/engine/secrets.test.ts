import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { formatSummary } from "../../tools/engine/report";
import { isSecret } from "../../tools/engine/values";
import { JsonFile } from "../fixtures/engine/json-file";
import { engineFixture } from "./setup";

test("secrets reach the provider unwrapped and come back marked, by key and additionalSecretOutputs", async () => {
    const f = engineFixture();
    try {
        const summary = await f.engine().up(() => {
            const a = new JsonFile(
                "a",
                { dir: f.dataDir, content: "plain", password: pulumi.secret("hunter2") },
                { additionalSecretOutputs: ["token"] },
            );
            return { password: a.password, token: a.token, content: a.content };
        });
        // The provider saw the clear value (acceptSecrets=false): the token is derived from it.
        assert.ok(isSecret(summary.outputs.token));
        assert.equal((summary.outputs.token as { value: unknown }).value, "token-for-hunter2");
        assert.ok(isSecret(summary.outputs.password), "same-named output of a secret input");
        assert.equal(summary.outputs.content, "plain");

        const reg = summary.registrations[0]!;
        assert.deepEqual(reg.options.additionalSecretOutputs, ["token"]);
        assert.ok(isSecret(reg.inputs.password));

        // The state file holds the secrets encrypted, as the engine's checkpoint does, and only the owner reads it.
        const text = readFileSync(f.stateFile, "utf8");
        assert.doesNotMatch(text, /hunter2/);
        const state = JSON.parse(text).resources[0];
        for (const value of [state.outputs.token, state.outputs.password, state.inputs.password] as any[]) {
            assert.ok(isSecret(value));
            assert.equal("value" in value, false, "no clear value beside the ciphertext");
            assert.match((value as unknown as { ciphertext: string }).ciphertext, /^v1:/);
        }
        assert.equal(statSync(f.stateFile).mode & 0o777, 0o600);
        assert.equal(statSync(`${f.stateFile}.key`).mode & 0o777, 0o600);

        const printed = formatSummary(summary, "proj/dev");
        assert.doesNotMatch(printed, /hunter2/);
        assert.match(printed, /token: "\[secret\]"/);

        // A same step keeps them secret.
        const again = await f.engine().up(() => {
            const a = new JsonFile(
                "a",
                { dir: f.dataDir, content: "plain", password: pulumi.secret("hunter2") },
                { additionalSecretOutputs: ["token"] },
            );
            return { token: a.token };
        });
        assert.equal(again.steps[0]!.op, "same");
        assert.ok(isSecret(again.outputs.token));
        // Read back from the file: decrypted for the program, still secret.
        assert.equal((again.outputs.token as { value: unknown }).value, "token-for-hunter2");
        assert.doesNotMatch(readFileSync(f.stateFile, "utf8"), /hunter2/);
    } finally {
        f.cleanup();
    }
});

test("a secret inside a list makes the whole echoed list secret, as the engine's annotateSecrets does", async () => {
    const f = engineFixture();
    try {
        const summary = await f.engine().up(() => {
            const a = new JsonFile("a", {
                dir: f.dataDir,
                content: { users: [{ name: "ann", key: pulumi.secret("k3y-of-ann") }], note: "readable" },
            });
            return { content: a.content };
        });
        const content = summary.outputs.content;
        // The program sees one Output: secret because something inside it is.
        assert.ok(isSecret(content));
        const state = JSON.parse(readFileSync(f.stateFile, "utf8")).resources[0];
        assert.equal(state.outputs.content.note, "readable", "objects are marked key by key");
        assert.ok(isSecret(state.outputs.content.users), "the list holding the secret is secret as a whole");
        assert.doesNotMatch(readFileSync(f.stateFile, "utf8"), /k3y-of-ann/);
        assert.doesNotMatch(formatSummary(summary, "proj/dev"), /k3y-of-ann/);
    } finally {
        f.cleanup();
    }
});

test("a state whose key is gone is refused, naming the key file", async () => {
    const f = engineFixture();
    try {
        const program = () => {
            new JsonFile("a", { dir: f.dataDir, content: "x", password: pulumi.secret("pw-value") });
        };
        await f.engine().up(program);
        const { rmSync } = await import("node:fs");
        rmSync(`${f.stateFile}.key`);
        await assert.rejects(f.engine().up(program), /state\.json\.key is missing/);
    } finally {
        f.cleanup();
    }
});
