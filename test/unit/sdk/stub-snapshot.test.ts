/**
 * The `__provider` of every SDK class, as the class registers it (under setMocks): small, free of
 * machine paths and secrets, equal to the committed snapshot (so an accidental change in
 * sdk/stub.ts shows up), and loadable the way the provider host loads it, reaching the runtime
 * through `require("pulumi-libvirt/provider")`.
 *
 * After an intended stub change: UPDATE_SNAPSHOTS=1 node --test dist/test/unit/sdk/stub-snapshot.test.js
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { schemaKinds } from "../../../tools/schema/kinds";
import { ensureSelfLink } from "../../helpers/self-link";
import { PROJECT_ROOT } from "../../helpers/shared-paths";

const SNAPSHOT_DIR = join(PROJECT_ROOT, "test", "unit", "sdk", "stub-snapshots");
/** Every kind with a descriptor: a new kind's stub needs a snapshot too. */
const KINDS = schemaKinds.map((k) => k.kind);
/** Kinds without `get` (CloudInit: a seed is made from its documents, never looked up): made with minimal arguments. */
const WITHOUT_GET: Readonly<Record<string, Record<string, unknown>>> = {
    CloudInit: { pool: "default", userData: "#cloud-config\n" },
};
/** The hand-written text is about 1.5 KB (Pulumi's closure serializer made 4 KB of the same methods). */
const MAX_STUB_BYTES = 2048;

const providers = new Map<string, unknown>();

type GettableClass = {
    get(name: string, id: string): pulumi.CustomResource;
    isInstance(obj: unknown): boolean;
};

let sdk: Record<string, unknown>;

before(async () => {
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                providers.set(args.type, args.inputs.__provider);
                return { id: args.id ?? `${args.name}-id`, state: args.inputs };
            },
            call: () => ({}),
        },
        "snapshot",
        "test",
        false,
    );
    // After setMocks: classes register against the mock monitor.
    sdk = require("../../../sdk") as Record<string, unknown>;
    for (const kind of KINDS) {
        const cls = sdk[kind] as GettableClass | undefined;
        assert.ok(cls, `the SDK exports no ${kind} class`);
        const args = WITHOUT_GET[kind];
        const resource =
            args === undefined
                ? cls.get(`snap-${kind}`, `${kind}-id`)
                : new (cls as unknown as new (name: string, args: unknown) => pulumi.CustomResource)(
                      `snap-${kind}`,
                      args,
                  );
        assert.ok(cls.isInstance(resource), `${kind}.isInstance fails on its own instance`);
        // Registration is asynchronous; its failures (serialization errors) surface here.
        await new Promise((resolve) => resource.urn.apply(resolve));
    }
});

for (const kind of KINDS) {
    test(`${kind}: __provider is the small stub and equals its snapshot`, () => {
        const text = providers.get(`pulumi-nodejs:dynamic/libvirt:${kind}`);
        assert.equal(
            typeof text,
            "string",
            "__provider must be plain text (a secret wrapper means a secret was captured)",
        );
        const stub = text as string;
        assert.ok(Buffer.byteLength(stub) < MAX_STUB_BYTES, `the stub is ${Buffer.byteLength(stub)} bytes`);
        assert.match(stub, /"pulumi-libvirt\/provider"/);
        assert.doesNotMatch(stub, new RegExp(PROJECT_ROOT.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")), "no machine paths");
        const file = join(SNAPSHOT_DIR, `${kind}.txt`);
        if (process.env.UPDATE_SNAPSHOTS === "1") {
            mkdirSync(SNAPSHOT_DIR, { recursive: true });
            writeFileSync(file, stub);
        }
        assert.ok(existsSync(file), `no snapshot ${file}; create it with UPDATE_SNAPSHOTS=1`);
        assert.equal(stub, readFileSync(file, "utf8"), `the ${kind} stub changed; if intended, UPDATE_SNAPSHOTS=1`);
    });
}

test("the stubs load as the provider host loads them and reach the runtime", async () => {
    ensureSelfLink();
    const requireFromString = require(
        require.resolve("require-from-string", {
            paths: [require.resolve("@pulumi/pulumi")],
        }),
    ) as (code: string) => { handler(): pulumi.dynamic.ResourceProvider };
    const runtime = require("../../../provider") as Record<string, unknown>;
    const cwd = process.cwd();
    process.chdir(PROJECT_ROOT); // the host resolves requires from its working directory
    try {
        const text = providers.get("pulumi-nodejs:dynamic/libvirt:StoragePool") as string;
        const provider = requireFromString(text).handler();
        for (const method of ["configure", "check", "diff", "create", "read", "update", "delete"] as const) {
            assert.equal(typeof provider[method], "function", `stub lacks ${method}`);
        }
        await provider.configure!({ config: { get: () => undefined, require: () => "" } } as never);
        const result = await provider.check!({}, {});
        assert.equal(result.failures?.[0]?.property, "name", "check ran in the runtime and asked for a name");
        // The same module instance as the repository's dist: module state (pools, locks) is shared.
        assert.equal(require("pulumi-libvirt/provider"), runtime);
    } finally {
        process.chdir(cwd);
    }
});

test("in a project where pulumi-libvirt cannot be found, the stub says where it looked and what to do", async () => {
    const requireFromString = require(
        require.resolve("require-from-string", {
            paths: [require.resolve("@pulumi/pulumi")],
        }),
    ) as (code: string) => { handler(): pulumi.dynamic.ResourceProvider };
    const empty = mkdtempSync(join(tmpdir(), "pltest-stub-"));
    const cwd = process.cwd();
    process.chdir(empty);
    try {
        const provider = requireFromString(providers.get("pulumi-nodejs:dynamic/libvirt:Volume") as string).handler();
        await assert.rejects(
            async () => provider.check!({}, {}),
            (e: Error) =>
                e.message.includes(`cannot load pulumi-libvirt/provider for the Pulumi project in ${empty}`) &&
                e.message.includes(join(empty, "node_modules")) &&
                e.message.includes("node_modules/.pnpm") &&
                e.message.includes("npm install pulumi-libvirt"),
        );
    } finally {
        process.chdir(cwd);
        rmSync(empty, { recursive: true, force: true });
    }
});
