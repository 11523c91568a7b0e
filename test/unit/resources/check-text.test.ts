import assert from "node:assert/strict";
import { test } from "node:test";
import { textProblem, textRuleFor } from "../../../provider/model/text";
import { checkDomain } from "../../../provider/resources/domain/check";
import { dhcpHostHandler } from "../../../provider/resources/dhcp-host/handler";
import { volumeHandler } from "../../../provider/resources/volume/handler";
import type { Properties } from "../../../provider/resources/shared/handler";

const domain = { name: "pltest-unit", type: "qemu", memory: 128 };

function failuresOf(extra: Properties) {
    return checkDomain({}, { ...domain, ...extra }).failures ?? [];
}

function reasonAt(extra: Properties, property: string): string {
    const found = failuresOf(extra).find((f) => f.property === property);
    assert.ok(found, `no failure at ${property}: ${JSON.stringify(failuresOf(extra))}`);
    return found.reason;
}

test("a lone surrogate is refused anywhere, a valid pair is not", () => {
    assert.match(
        reasonAt({ description: "a\ud800b" }, "description"),
        /lone UTF-16 surrogate \(U\+D800\) at position 1/,
    );
    assert.match(reasonAt({ title: "x\udc00" }, "title"), /lone UTF-16 surrogate/);
    assert.deepEqual(failuresOf({ description: "emoji \ud83d\ude00 ok" }), []);
});

test("control characters: refused by XML everywhere, newlines only where the text is free prose", () => {
    assert.match(reasonAt({ description: "a\u0001b" }, "description"), /control character U\+0001 at position 1/);
    assert.deepEqual(failuresOf({ description: "two\nlines\twith a tab" }), []);
    assert.match(reasonAt({ description: "dos\r\n" }, "description"), /carriage return/);
    assert.match(reasonAt({ title: "a\u0007" }, "title"), /U\+0007/);
    assert.match(
        reasonAt({ os: { kernel: "/boot/vmlinuz", cmdline: "console=ttyS0\nquiet" } }, "os.cmdline"),
        /a newline at position 13; this field is one line/,
    );
    // The rule varies by field through one table.
    assert.equal(textRuleFor("description"), "multiline");
    assert.equal(textRuleFor("devices.disks[0].extra.elements[0].children[0].text"), "multiline");
    assert.equal(textRuleFor("os.cmdline"), "line");
    assert.equal(textProblem("tab\there", "bytes"), undefined);
});

test("a secret field (marked secret() in its schema) takes any character but a lone surrogate", async () => {
    const volume = { name: "v", pool: "p", capacity: 1 };
    assert.equal((await volumeHandler.check({}, { ...volume, passphrase: "tab\there\nnewline" })).failures, undefined);
});

test("a text failure never quotes the text (it may be a secret)", async () => {
    const checked = await volumeHandler.check({}, { name: "v", pool: "p", capacity: 1, passphrase: "hunter2\ud800" });
    const failure = checked.failures?.find((f) => f.property === "passphrase");
    assert.ok(failure, JSON.stringify(checked.failures));
    assert.ok(!failure.reason.includes("hunter2"));
});

test("a DhcpHost name with a newline or comma fails at check, before dnsmasq", async () => {
    const base = { network: "lab", mac: "52:54:00:00:00:01", ip: "10.0.0.5" };
    for (const name of ["a\nb", "a,ignore"]) {
        const checked = await dhcpHostHandler.check({}, { ...base, name });
        assert.ok(
            checked.failures?.some((f) => f.property === "name"),
            JSON.stringify(checked.failures),
        );
    }
});

test("relative kernel, initrd and loader paths fail at check", () => {
    assert.match(reasonAt({ os: { kernel: "vmlinuz" } }, "os.kernel"), /relative path.*absolute path/);
    assert.match(reasonAt({ os: { kernel: "/boot/vmlinuz", initrd: "initrd.img" } }, "os.initrd"), /relative path/);
    assert.match(reasonAt({ os: { loader: "./OVMF.fd" } }, "os.loader"), /relative path/);
    assert.deepEqual(failuresOf({ os: { kernel: "/boot/vmlinuz", initrd: "/boot/initrd.img" } }), []);
});

test("extra element and attribute names must be XML names", async () => {
    const volume = async (extra: Properties) =>
        (await volumeHandler.check({}, { name: "v", pool: "p", capacity: 1, extra })).failures ?? [];
    const reasons = async (extra: Properties) => (await volume(extra)).map((f) => `${f.property}: ${f.reason}`);
    assert.match(
        (await reasons({ elements: [{ name: "bad name" }] })).join(),
        /extra\.elements\[0\]\.name: not an XML name/,
    );
    assert.match((await reasons({ attributes: { "1x": "v" } })).join(), /not an XML name/);
    assert.match(
        (await reasons({ elements: [{ name: "a", children: [{ name: "a<b" }] }] })).join(),
        /children\[0\]\.name: not an XML name/,
    );
    assert.deepEqual(await volume({ elements: [{ name: "qemu:arg", attributes: { value: "-s" } }] }), []);
});
