/**
 * schema.json: valid against Pulumi's metaschema, identical to a fresh generation, and marking
 * `replaceOnChanges` on every field the change policies can replace.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import Ajv2020 from "ajv/dist/2020";
import { changePolicyTables, formatChangePath } from "../../provider/model/change-policy";
import { secretPathsOf } from "../../provider/model/secret";
import { schemaText } from "../../tools/schema/generate";
import { componentKinds } from "../../tools/schema/components";
import { schemaKinds } from "../../tools/schema/kinds";
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
    const kinds = [...schemaKinds, ...componentKinds].map((k) => `libvirt:index:${k.kind}`);
    assert.deepEqual(tokens, kinds.sort());
    assert.equal(committed.resources["libvirt:index:VirtualMachine"]?.isComponent, true);
    const graphics = propertyAt(committed, "libvirt:index:VirtualMachine", "graphics.password", {});
    assert.ok(typeof graphics === "object" && graphics.secret === true, "VirtualMachine graphics.password is secret");
});

/** The object properties a type leads to (through lists and the object members of a union). */
function propertiesOf(schema: PackageSpec, type: PropertySpec | undefined): Record<string, PropertySpec> | undefined {
    if (type === undefined) return undefined;
    if (type.items !== undefined) return propertiesOf(schema, type.items);
    for (const member of type.oneOf ?? []) {
        const found = propertiesOf(schema, member);
        if (found !== undefined) return found;
    }
    const ref = type.$ref?.replace("#/types/", "");
    return ref
        ? (schema.types[ref] as { properties?: Record<string, PropertySpec> } | undefined)?.properties
        : undefined;
}

/**
 * The properties along a policy path (`target.path`, `ips[].dhcp.hosts`), outermost first,
 * following type references; "wildcard" for a pattern row, undefined when the path has no input.
 */
function chainAt(schema: PackageSpec, token: string, modelPath: string, renames: Record<string, string>) {
    const segments = modelPath
        .replaceAll("[]", ".[]")
        .split(".")
        .filter((s) => s !== "");
    const inputNames = Object.fromEntries(Object.entries(renames).map(([input, model]) => [model, input]));
    let properties: Record<string, PropertySpec> | undefined = schema.resources[token]!.inputProperties;
    const chain: PropertySpec[] = [];
    for (const [index, raw] of segments.entries()) {
        const segment = index === 0 ? (inputNames[raw] ?? raw) : raw;
        if (segment === "[]") continue;
        if (segment === "*" || segment === "**") return "wildcard";
        const found = properties?.[segment];
        if (found === undefined) return undefined;
        chain.push(found);
        properties = propertiesOf(schema, found);
    }
    return chain;
}

function propertyAt(schema: PackageSpec, token: string, modelPath: string, renames: Record<string, string>) {
    const chain = chainAt(schema, token, modelPath, renames);
    return chain === undefined || chain === "wildcard" ? chain : chain.at(-1);
}

/** True when a property or anything below it is marked replaceOnChanges. */
function markedBelow(schema: PackageSpec, property: PropertySpec, seen = new Set<PropertySpec>()): boolean {
    if (property.replaceOnChanges === true) return true;
    if (seen.has(property)) return false;
    seen.add(property);
    return Object.values(propertiesOf(schema, property) ?? {}).some((child) => markedBelow(schema, child, seen));
}

test("every field whose change always replaces is marked replaceOnChanges (itself, an ancestor, or its replacing parts)", () => {
    const missing: string[] = [];
    for (const entry of schemaKinds) {
        const token = `libvirt:index:${entry.kind}`;
        const table = changePolicyTables[entry.policyKind];
        const alwaysReplacing = table.rows
            .filter((row) => !row.ignore && row.decide === undefined)
            .filter((row) =>
                [row.class, row.onIncrease, row.onDecrease].every((c) => c === undefined || c === "replace"),
            )
            .map((row) => row.path);
        for (const path of [...alwaysReplacing, "uri", ...(entry.replaceFields ?? [])]) {
            if (entry.notInputs?.[path] !== undefined) continue;
            const chain = chainAt(committed, token, path, { ...entry.renames });
            if (chain === "wildcard") continue;
            if (chain === undefined)
                missing.push(`${entry.kind}.${path}: no such input (list it in notInputs with why)`);
            else if (!chain.some((p) => p.replaceOnChanges === true) && !markedBelow(committed, chain.at(-1)!))
                missing.push(`${entry.kind}.${path}: not replaceOnChanges`);
        }
    }
    assert.deepEqual(missing, []);
});

test("fields that can change in place are not marked: Pulumi would replace on any change of a marked field", () => {
    const pool = committed.resources["libvirt:index:StoragePool"]!;
    assert.equal(pool.inputProperties.autostart?.replaceOnChanges, undefined);
    // A pool's source replaces, but its unmodelled `extra` does not: the parts are marked, not the whole.
    assert.equal(pool.inputProperties.source?.replaceOnChanges, undefined);
    const sourceParts = propertiesOf(committed, pool.inputProperties.source)!;
    assert.equal(sourceParts.dir?.replaceOnChanges, true);
    assert.equal(sourceParts.hosts?.replaceOnChanges, undefined);
    assert.equal(sourceParts.extra?.replaceOnChanges, undefined);
    assert.equal(formatChangePath(["target", "path"]), "target.path");
    const target = propertyAt(committed, "libvirt:index:StoragePool", "target.path", {});
    assert.equal(typeof target === "object" && target.replaceOnChanges, true);
    // A Volume grows in place; only shrinking (without allowShrink) replaces it.
    const volume = committed.resources["libvirt:index:Volume"]!;
    assert.equal(volume.inputProperties.capacity?.replaceOnChanges, undefined);
    assert.equal(volume.inputProperties.pool?.replaceOnChanges, true);
    const domain = committed.resources["libvirt:index:Domain"]!;
    for (const live of ["memory", "vcpu", "currentMemory", "devices", "running", "restartPolicy"]) {
        assert.equal(domain.inputProperties[live]?.replaceOnChanges, undefined, `Domain.${live}`);
    }
    assert.equal(domain.inputProperties.name?.replaceOnChanges, true);
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
