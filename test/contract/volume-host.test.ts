/**
 * The Volume stub through the REAL dynamic provider host, against the real libvirtd: what the SDK
 * serialises reaches the runtime, and every answer survives protobuf's Struct (no undefined, no
 * BigInt): check → create (from a local http server) → read → diff → update (grow) → get → delete.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { providerText } from "../../sdk/stub";
import { ProviderHost } from "../helpers/provider-host";
import { ensureSelfLink } from "../helpers/self-link";
import { PROJECT_ROOT } from "../helpers/shared-paths";
import {
    MIB,
    setUpPool,
    sha256,
    sha256OfFile,
    type TestPool,
    uri,
    volInfo,
} from "../integration/resources/volume-helpers";

const PREFIX = "pltest-volhost-";
const URN = "urn:pulumi:dev::proj::pulumi-nodejs:dynamic/libvirt:Volume::disk";
let pool: TestPool;
let host: ProviderHost;
let provider: string;
let server: Server;
const image = randomBytes(2 * MIB);

before(async () => {
    pool = setUpPool(PREFIX);
    ensureSelfLink();
    provider = providerText("volume");
    host = await ProviderHost.start({ cwd: PROJECT_ROOT, project: "proj" });
    server = createServer((_request, response) => {
        response.writeHead(200, { "content-length": String(image.length) });
        response.end(image);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
});

after(async () => {
    await host?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await pool?.cleanup();
});

test("a Volume's whole life through the real provider host", async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/image.raw`;
    await host.configure({ "libvirt:uri": uri });
    const news = {
        __provider: provider,
        namePrefix: "disk",
        pool: pool.name,
        sourceImage: { url, sha256: sha256(image) },
    };
    const checked = await host.check(URN, {}, news);
    assert.deepEqual(checked.failures, []);
    assert.match(checked.inputs.name as string, /^disk-[0-9a-f]{7}$/);

    const created = await host.create(URN, checked.inputs);
    assert.equal(created.properties.capacityBytes, image.length);
    assert.equal(created.properties.__provider, provider);
    assert.equal(sha256OfFile(created.properties.path as string), sha256(image));

    const read = await host.read(URN, created.id, created.properties);
    assert.equal(read.id, created.id);
    assert.equal(read.properties.allocationBytes, created.properties.allocationBytes);

    assert.equal((await host.diff(URN, created.id, created.properties, checked.inputs)).changes, "none");
    const grown = { ...checked.inputs, capacity: 4 };
    const diff = await host.diff(URN, created.id, created.properties, grown);
    assert.equal(diff.changes, "some");
    assert.deepEqual(diff.replaces, []);
    const updated = await host.update(URN, created.id, created.properties, grown);
    assert.equal(updated.properties.capacityBytes, 4 * MIB);
    assert.equal(volInfo(pool.name, checked.inputs.name as string).capacity, 4 * MIB);

    // A `get`: only the id and __provider; the declaration comes back from libvirt.
    const got = await host.read(URN, created.id, {}, { __provider: provider });
    assert.equal(got.id, created.id);
    assert.equal(got.inputs?.name, checked.inputs.name);
    assert.equal(got.inputs?.capacity, "4MiB");

    await host.delete(URN, created.id, updated.properties);
    assert.equal((await host.read(URN, created.id, updated.properties)).id, "");
});
