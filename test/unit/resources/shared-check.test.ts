import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { sizeSchema } from "../../../provider/model/common";
import { secret } from "../../../provider/model/secret";
import {
    autoName,
    checkInputs,
    InputError,
    isAutoName,
    isDerivedAutoName,
    nameStem,
    parseInputs,
    resourceFields,
} from "../../../provider/resources/shared/check";
import { UNKNOWN_VALUE } from "../../../provider/resources/shared/handler";
import { ownerOf } from "../../../provider/resources/shared/owner";

const schema = z.strictObject({
    name: z.string().regex(/^[a-z0-9-]+$/, { message: "use lower-case letters, digits and '-'" }),
    size: sizeSchema.optional(),
    port: z.number().int().min(1).max(65535).optional(),
    tags: z.array(z.strictObject({ key: z.string(), value: z.number() })).optional(),
    ...resourceFields,
});

test("an automatic name is the logical name, '-', and seven hex characters", () => {
    const result = checkInputs(schema, {}, { namePrefix: "web" }, { nameKey: "name" });
    assert.equal(result.failures, undefined);
    assert.match(String(result.inputs?.name), /^web-[0-9a-f]{7}$/);
    assert.ok(isAutoName(result.inputs?.name, "web"));
    assert.equal(autoName("web"), autoName("web"), "derived, not random");
    assert.notEqual(autoName("web", new Set([autoName("web")])), autoName("web"), "the next one skips a taken name");
});

test("a create retried in a new process gets the name the first attempt had (no second object)", () => {
    // A new provider process knows nothing: the first name of the sequence, as the crashed run had.
    assert.equal(autoName("db"), autoName("db", new Set()));
    assert.match(autoName("db"), /^db-[0-9a-f]{7}$/);
    assert.notEqual(autoName("db"), autoName("dc"), "another logical name, another name");
});

test("two projects with the same logical name get different automatic names (the engine sets PULUMI_PROJECT)", () => {
    const saved = process.env.PULUMI_PROJECT;
    try {
        process.env.PULUMI_PROJECT = "lab-a";
        const a = autoName("net");
        process.env.PULUMI_PROJECT = "lab-b";
        assert.notEqual(autoName("net"), a);
        process.env.PULUMI_PROJECT = "lab-a";
        assert.equal(autoName("net"), a);
    } finally {
        if (saved === undefined) delete process.env.PULUMI_PROJECT;
        else process.env.PULUMI_PROJECT = saved;
    }
});

test("two stacks of one project get different automatic names and owners (the SDK's hidden nameScope)", () => {
    const dev = autoName("net", new Set(), "lab/dev");
    assert.equal(autoName("net", new Set(), "lab/dev"), dev, "derived: the same stack finds its name again");
    assert.notEqual(autoName("net", new Set(), "lab/prod"), dev, "another stack, another name");
    assert.ok(isDerivedAutoName(dev, "net", "lab/dev"));
    assert.ok(!isDerivedAutoName(dev, "net", "lab/prod"), "another stack's volume is not taken for its own");
    const declared = { namePrefix: "net", name: "shared-net" };
    assert.notEqual(
        ownerOf("Network", { ...declared, nameScope: "lab/dev" }),
        ownerOf("Network", { ...declared, nameScope: "lab/prod" }),
        "an explicit name shared by two stacks has two owners: the second create is refused",
    );
    const scope = z.strictObject({ ...resourceFields, name: z.string().optional() });
    const checked = checkInputs(scope, {}, { namePrefix: "disk", nameScope: "lab/dev" }, { nameKey: "name" });
    assert.deepEqual(checked.failures ?? [], []);
    assert.match(String(checked.inputs?.name), /^disk-[0-9a-f]{7}$/);
});

test("two resources of one kind and logical name (different parents) get different names", () => {
    const scope = z.strictObject({ ...resourceFields, name: z.string().optional() });
    const one = checkInputs(scope, {}, { namePrefix: "disk" }, { nameKey: "name" }).inputs!;
    const two = checkInputs(scope, {}, { namePrefix: "disk" }, { nameKey: "name" }).inputs!;
    assert.notEqual(one.name, two.name);
});

test("the automatic name is kept across updates and new on replacement (create-before-delete needs two)", () => {
    const first = checkInputs(schema, {}, { namePrefix: "web" }, { nameKey: "name" }).inputs!;
    const update = checkInputs(schema, first, { namePrefix: "web", port: 80 }, { nameKey: "name" }).inputs!;
    assert.equal(update.name, first.name);
    // The engine re-checks a replacement with empty olds.
    const replacement = checkInputs(schema, {}, { namePrefix: "web", port: 80 }, { nameKey: "name" }).inputs!;
    assert.notEqual(replacement.name, first.name);
});

test("an explicit name is used as given, and a removed explicit name is not kept", () => {
    const explicit = checkInputs(schema, {}, { namePrefix: "web", name: "front" }, { nameKey: "name" }).inputs!;
    assert.equal(explicit.name, "front");
    const dropped = checkInputs(schema, explicit, { namePrefix: "web" }, { nameKey: "name" }).inputs!;
    assert.match(String(dropped.name), /^web-[0-9a-f]{7}$/);
});

test("logical names with '/' or a leading dot still give a valid libvirt name", () => {
    assert.equal(nameStem("lab/vm1"), "lab-vm1");
    assert.equal(nameStem(".hidden"), "hidden");
    assert.ok(isAutoName(autoName("lab/vm1"), "lab/vm1"));
});

test("no name and no prefix is a failure on the name", () => {
    const result = checkInputs(schema, {}, {}, { nameKey: "name" });
    assert.equal(result.failures?.[0]?.property, "name");
    assert.match(result.failures![0]!.reason, /set `name`/);
});

test("failures name the full path and the offending value", () => {
    const result = checkInputs(
        schema,
        {},
        {
            name: "Bad Name",
            port: 70000,
            tags: [
                { key: "a", value: 1 },
                { key: "b", value: "x" },
            ],
        },
        { nameKey: "name" },
    );
    const byProperty = new Map(result.failures!.map((f) => [f.property, f.reason]));
    assert.deepEqual([...byProperty.keys()].sort(), ["name", "port", "tags[1].value"]);
    assert.match(byProperty.get("name")!, /lower-case.*\(got "Bad Name"\)/);
    assert.match(byProperty.get("port")!, /70000/);
});

test("inputs come back as written (not parsed), without __provider", () => {
    const result = checkInputs(schema, {}, { name: "a", size: "2GiB", __provider: "code" }, { nameKey: "name" });
    assert.deepEqual(result.inputs, { name: "a", size: "2GiB" });
});

test("unknown values during preview are not judged, known mistakes still are", () => {
    const result = checkInputs(
        schema,
        {},
        { name: UNKNOWN_VALUE, port: UNKNOWN_VALUE, tags: [{ key: "a", value: UNKNOWN_VALUE }], size: "lots" },
        { nameKey: "name" },
    );
    assert.deepEqual(
        result.failures?.map((f) => f.property),
        ["size"],
    );
    assert.equal(result.inputs?.name, UNKNOWN_VALUE);
});

test("refine adds cross-field failures, skipped while values are unknown", () => {
    const refine = () => [{ property: "port", reason: "port 22 is taken" }];
    assert.equal(
        checkInputs(schema, {}, { name: "a", port: 22 }, { refine }).failures?.[0]?.reason,
        "port 22 is taken",
    );
    assert.equal(checkInputs(schema, {}, { name: "a", port: UNKNOWN_VALUE }, { refine }).failures, undefined);
});

test("parseInputs ignores computed outputs and __provider, parses once, and names bad fields", () => {
    const parsed = parseInputs("Thing", schema, { name: "a", size: "1GiB", uuid: "computed", __provider: "x" });
    assert.equal(parsed.size, 1024 ** 3);
    assert.throws(
        () => parseInputs("Thing", schema, { name: "a", port: 0 }),
        (error: unknown) => error instanceof InputError && /Thing: invalid inputs: port:/.test(error.message),
    );
});

test("an unknown property is named with its full path and the key it probably meant", () => {
    const result = checkInputs(schema, {}, { name: "a", prot: 80, tags: [{ key: "k", value: 1, vaule: 2 }] });
    const byProperty = new Map(result.failures!.map((f) => [f.property, f.reason]));
    assert.match(
        byProperty.get("prot")!,
        /unknown property 'prot'; did you mean 'port'\? \(known here: name, size, port, tags, uri, adopt\)/,
    );
    assert.match(byProperty.get("tags[0].vaule")!, /did you mean 'value'\?/);
});

test("a missing required value says so", () => {
    const result = checkInputs(schema, {}, { name: "a", tags: [{ value: 1 }] });
    assert.deepEqual(result.failures, [{ property: "tags[0].key", reason: "missing: a value is required (string)" }]);
});

test("numbers that are not finite whole numbers say so, also inside a shortcut", () => {
    const shortcut = z.strictObject({
        count: z.preprocess(
            (value) => (typeof value === "number" ? { maximum: value } : value),
            z.strictObject({ maximum: z.number().int() }),
        ),
    });
    const reasonFor = (count: unknown) => checkInputs(shortcut, {}, { count }).failures?.[0];
    assert.deepEqual(reasonFor(Number.NaN), {
        property: "count.maximum",
        reason: "NaN is not a finite number; write a number such as 2",
    });
    assert.match(reasonFor(Number.POSITIVE_INFINITY)!.reason, /^Infinity is not a finite number/);
    assert.equal(reasonFor(1.5)!.reason, "1.5 is not a whole number; write e.g. 2");
    assert.match(
        checkInputs(schema, {}, { name: "a", tags: [{ key: "k", value: Number.NaN }] }).failures![0]!.reason,
        /^NaN is not a finite number; write a number/,
    );
});

test("a nested field's failure prints its value; secrets never", () => {
    const nested = z.strictObject({
        disks: z.array(z.strictObject({ size: sizeSchema, password: secret(z.string().min(8)) })),
    });
    const result = checkInputs(nested, {}, { disks: [{ size: "lots", password: "hunter2" }] });
    const byProperty = new Map(result.failures!.map((f) => [f.property, f.reason]));
    assert.match(byProperty.get("disks[0].size")!, /'lots'/);
    assert.ok(!byProperty.get("disks[0].password")!.includes("hunter2"), byProperty.get("disks[0].password"));
});
