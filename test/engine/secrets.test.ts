import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
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

        const state = JSON.parse(readFileSync(f.stateFile, "utf8")).resources[0];
        assert.ok(isSecret(state.outputs.token));
        assert.ok(isSecret(state.outputs.password));
        assert.ok(isSecret(state.inputs.password));

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
    } finally {
        f.cleanup();
    }
});
