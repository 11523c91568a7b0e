/**
 * Where the provider's lines go: to the engine when this process is the dynamic-provider host the
 * engine started (`dynamic-provider <engine address>`), nowhere else (stderr then). The delivery
 * itself is tested under the real engine (test/cli/pipeline.test.ts reads the diagnostic back).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { engineAddress } from "../../../provider/resources/shared/engine-log";

const HOST = "/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js";

test("inside the dynamic-provider host the engine's address is the host's first argument", () => {
    assert.equal(engineAddress(["node", HOST, "127.0.0.1:40937"], HOST, {}), "127.0.0.1:40937");
    assert.equal(engineAddress(["node", "x", "127.0.0.1:1"], "C:\\p\\cmd\\dynamic-provider", {}), "127.0.0.1:1");
});

test("a program run by the language host names the engine in PULUMI_NODEJS_ENGINE", () => {
    assert.equal(
        engineAddress(["node", "/p/index.js"], "/p/index.js", { PULUMI_NODEJS_ENGINE: "127.0.0.1:9" }),
        "127.0.0.1:9",
    );
});

test("anywhere else (tests, the engine emulator, a script) there is no engine", () => {
    assert.equal(engineAddress(["node", "/t/a.test.js", "127.0.0.1:1"], "/t/a.test.js", {}), undefined);
    assert.equal(engineAddress(["node", HOST], HOST, {}), undefined, "the host without an address");
    assert.equal(engineAddress(["node"], undefined, {}), undefined);
});
