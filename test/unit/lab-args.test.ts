/** `npm run lab`'s command line (tools/lab/main.ts): node:util's parseArgs, --help, errors that say the fix. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseLabArgs, usage } from "../../tools/lab/main";
import { PROJECT_ROOT } from "../helpers/test-host";

const parse = (...argv: string[]) => parseLabArgs(argv, PROJECT_ROOT);

test("defaults: the lab example, stack dev, engine auto", () => {
    assert.deepEqual(parse("up"), { operation: "up", example: "lab", stack: "dev", config: {}, engine: "auto" });
});

test("--name=value and --name value both work; --config repeats", () => {
    assert.deepEqual(parse("preview", "--stack=dev2", "--example", "minimal", "--config", "a=1", "--config=b=x=y"), {
        operation: "preview",
        example: "minimal",
        stack: "dev2",
        config: { a: "1", b: "x=y" },
        engine: "auto",
    });
});

test("--help and -h ask for the usage, which lists every example folder", () => {
    assert.equal(parse("--help"), undefined);
    assert.equal(parse("up", "-h"), undefined);
    for (const name of ["lab", "minimal", "multi-host", "quickstart", "quickstart-exact", "vm"])
        assert.match(usage(PROJECT_ROOT), new RegExp(name));
});

test("errors name what is wrong and show the usage", () => {
    assert.throws(() => parse(), /no operation given\nusage:/);
    assert.throws(() => parse("sideways"), /unknown operation sideways\nusage:/);
    assert.throws(() => parse("up", "extra"), /unexpected argument extra/);
    assert.throws(() => parse("up", "--engine", "warp"), /--engine warp: use one of auto, cli, emulator/);
    assert.throws(() => parse("up", "--config", "novalue"), /--config wants KEY=VALUE, got novalue/);
    assert.throws(() => parse("up", "--bogus"), /Unknown option '--bogus'/);
});
