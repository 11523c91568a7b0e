/**
 * No message quotes a secret: check failures (the provider's own reason, which otherwise adds
 * "(got ...)"), diff summaries and the echoed outputs, for the console password and the LUKS
 * passphrase. Also the path helpers the secret marks are read with.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { pathPattern, secret, secretPathsOf, touchesSecret, withoutSecrets } from "../../../provider/model/secret";
import { checkDomain } from "../../../provider/resources/domain/check";
import { diffDomain } from "../../../provider/resources/domain/handler";
import { domainOutputs } from "../../../provider/resources/domain/outputs";
import { setLogSink } from "../../../provider/resources/shared/log";
import { volumeHandler } from "../../../provider/resources/volume/handler";

const PHRASE = "correct-horse-battery";
const PASSWORD = "vp4711ab";
const NEW_PASSWORD = "zq9937xy";

test("secret paths are found through optional, default, pipe, arrays and nested objects", () => {
    const schema = z.strictObject({
        a: secret(z.string()).optional(),
        list: z.array(z.strictObject({ key: secret(z.string().min(1)).default("x"), open: z.string() })).optional(),
        piped: z.preprocess((v) => v, z.strictObject({ deep: secret(z.number()) })),
        plain: z.string(),
    });
    assert.deepEqual(secretPathsOf(schema), ["a", "list[].key", "piped.deep"]);
    assert.equal(pathPattern("list[3].key"), "list[].key");
    assert.ok(touchesSecret(["list[].key"], "list[3].key"));
    assert.ok(touchesSecret(["list[].key"], "list[3]"), "an item holding a secret");
    assert.ok(touchesSecret(["list[].key"], "list"));
    assert.equal(touchesSecret(["list[].key"], "list[3].open"), false);
    assert.equal(touchesSecret(["a"], "ab"), false);
    assert.deepEqual(withoutSecrets({ list: [{ key: "k", open: "o" }, { open: "p" }], plain: "v" }, ["list[].key"]), {
        list: [{ open: "o" }, { open: "p" }],
        plain: "v",
    });
});

test("a Volume check failure never prints the passphrase (it did, in the provider's own reason)", async () => {
    const refused = [
        { namePrefix: "v", pool: "p", passphrase: PHRASE, sourceImage: { url: "/tmp/x.raw" } },
        { namePrefix: "v", pool: "p", capacity: 8, passphrase: PHRASE, adopt: true },
        { namePrefix: "v", pool: "p", capacity: 8, passphrase: 12345678 },
        { namePrefix: "v", pool: "p", capacity: 8, passphrase: PHRASE, target: { encryption: { format: "qcow" } } },
    ];
    for (const news of refused) {
        const result = await volumeHandler.check({}, news);
        assert.ok(result.failures?.length, `refused: ${JSON.stringify(Object.keys(news))}`);
        const text = JSON.stringify(result.failures);
        assert.doesNotMatch(text, new RegExp(PHRASE));
        assert.doesNotMatch(text, /12345678/);
        assert.match(text, /passphrase|format/);
    }
});

test("a Domain check failure never prints a console password", () => {
    for (const graphics of [
        { type: "vnc", password: 12345678 },
        { type: "vnc", password: PASSWORD, port: 1 },
        { type: "vnc", password: PASSWORD, bogus: true },
    ]) {
        const result = checkDomain({}, { namePrefix: "vm", memory: 64, devices: { graphics: [graphics] } });
        assert.ok(result.failures?.length);
        const text = JSON.stringify(result.failures);
        assert.doesNotMatch(text, new RegExp(PASSWORD));
        assert.doesNotMatch(text, /12345678/);
    }
});

test("a password change is summarised without the password, and outputs never echo it", () => {
    const lines: string[] = [];
    const restore = setLogSink((_level, line) => lines.push(line));
    try {
        const olds = domainOutputs(
            { name: "vm", memory: 64, devices: { graphics: [{ type: "vnc", password: PASSWORD }] } },
            {
                uuid: "u",
                macAddresses: [],
                ipAddresses: [],
                state: "running",
                pendingRestart: false,
                pendingChanges: [],
            },
        );
        assert.doesNotMatch(JSON.stringify({ ...olds, graphicsPasswords: [] }), new RegExp(PASSWORD));
        assert.deepEqual(olds.graphicsPasswords, [PASSWORD]);
        const news = { name: "vm", memory: 64, devices: { graphics: [{ type: "vnc", password: NEW_PASSWORD }] } };
        assert.equal(diffDomain(olds, news).changes, true);
        assert.ok(lines.length > 0, "the summary was printed");
        assert.doesNotMatch(lines.join("\n"), new RegExp(`${PASSWORD}|${NEW_PASSWORD}`));
        assert.match(lines.join("\n"), /devices\.graphics\[0\]\.password: "\[secret\]" -> "\[secret\]"/);
    } finally {
        restore();
    }
});
