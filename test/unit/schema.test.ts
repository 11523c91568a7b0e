/**
 * schema.json: valid against Pulumi's metaschema, identical to a fresh generation, and marking
 * `replaceOnChanges` on every field the change policies can replace.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import Ajv2020 from "ajv/dist/2020";
import { formatChangePath } from "../../provider/model/change-policy";
import { secretPathsOf } from "../../provider/model/secret";
import { schemaText } from "../../tools/schema/generate";
import { schemaKinds } from "../../tools/schema/kinds";
import { replaceRows } from "../../tools/schema/policy-paths";
import type { PackageSpec, PropertySpec } from "../../tools/schema/pulumi-types";
import { PROJECT_ROOT, SHARED_ROOT } from "../helpers/shared-paths";

const committedText = readFileSync(join(PROJECT_ROOT, "schema.json"), "utf8");
const committed = JSON.parse(committedText) as PackageSpec;

test("schema.json validates against Pulumi's package metaschema", () => {
    const metaschema = JSON.parse(readFileSync(join(SHARED_ROOT, "pulumi-schema", "pulumi.json"), "utf8"));
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(metaschema);
    const valid = validate(committed);
    assert.ok(
        valid,
        `schema.json is not a valid Pulumi schema: ${ajv.errorsText(validate.errors, { separator: "\n" })}`,
    );
});

test("the metaschema check is not vacuous: a bad resource token is refused", () => {
    const metaschema = JSON.parse(readFileSync(join(SHARED_ROOT, "pulumi-schema", "pulumi.json"), "utf8"));
    const validate = new Ajv2020({ strict: false, validateFormats: false }).compile(metaschema);
    assert.equal(validate({ ...committed, resources: { StoragePool: {} } }), false);
});

test("schema.json is up to date (run npm run schema)", () => {
    assert.equal(committedText, schemaText(), "schema.json differs from a fresh generation: run npm run schema");
});

test("every registered kind is in the schema", () => {
    const tokens = Object.keys(committed.resources).sort();
    assert.deepEqual(tokens, schemaKinds.map((k) => `libvirt:index:${k.kind}`).sort());
});

/** The property at a policy path (`target.path`, `ips[].dhcp.hosts`), following type references. */
function propertyAt(schema: PackageSpec, token: string, modelPath: string, renames: Record<string, string>) {
    const segments = modelPath
        .replaceAll("[]", ".[]")
        .split(".")
        .filter((s) => s !== "");
    const inputNames = Object.fromEntries(Object.entries(renames).map(([input, model]) => [model, input]));
    let properties: Record<string, PropertySpec> | undefined = schema.resources[token]!.inputProperties;
    let found: PropertySpec | undefined;
    for (const [index, raw] of segments.entries()) {
        const segment = index === 0 ? (inputNames[raw] ?? raw) : raw;
        if (segment === "[]") continue;
        if (segment === "*" || segment === "**") return "wildcard";
        found = properties?.[segment];
        if (found === undefined) return undefined;
        let type: PropertySpec | undefined = found;
        while (type?.items !== undefined) type = type.items;
        const ref = type?.$ref?.replace("#/types/", "");
        properties = ref ? schema.types[ref]?.properties : undefined;
    }
    return found;
}

test("every field the change policies can replace is marked replaceOnChanges", () => {
    const missing: string[] = [];
    for (const entry of schemaKinds) {
        const token = `libvirt:index:${entry.kind}`;
        for (const path of [...replaceRows(entry.policyKind), "uri", ...(entry.replaceFields ?? [])]) {
            if (entry.notInputs?.[path] !== undefined) continue;
            const property = propertyAt(committed, token, path, { ...entry.renames });
            if (property === "wildcard") continue;
            if (property === undefined)
                missing.push(`${entry.kind}.${path}: no such input (list it in notInputs with why)`);
            else if (property.replaceOnChanges !== true) missing.push(`${entry.kind}.${path}: not replaceOnChanges`);
        }
    }
    assert.deepEqual(missing, []);
});

test("fields the policies never replace are not marked (autostart of a pool applies live)", () => {
    const pool = committed.resources["libvirt:index:StoragePool"]!;
    assert.equal(pool.inputProperties.autostart?.replaceOnChanges, undefined);
    assert.equal(pool.inputProperties.source?.replaceOnChanges, true);
    assert.equal(formatChangePath(["target", "path"]), "target.path");
    const target = propertyAt(committed, "libvirt:index:StoragePool", "target.path", {});
    assert.equal(typeof target === "object" && target.replaceOnChanges, true);
});

test("declared secrets are marked secret", () => {
    const declared = schemaKinds.flatMap((entry) => secretPathsOf(entry.args).map((path) => `${entry.kind}.${path}`));
    assert.deepEqual(declared.sort(), [
        "CloudInit.userData",
        "CloudInit.vendorData",
        "Domain.devices.graphics[].password",
        "Volume.passphrase",
    ]);
    for (const entry of schemaKinds) {
        for (const path of secretPathsOf(entry.args)) {
            const property = propertyAt(committed, `libvirt:index:${entry.kind}`, path, {});
            assert.ok(
                typeof property === "object" && property.secret === true,
                `${entry.kind}.${path} should be secret`,
            );
        }
    }
});
