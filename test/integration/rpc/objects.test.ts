/**
 * The client against the real libvirtd over every transport: define, look up, read the XML of
 * and remove a domain, a network, a storage pool and a volume; virsh checks each step.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { uuidText } from "../../../provider/model/uuid";
import { connect, type LibvirtClient, LibvirtError } from "../../../provider/rpc";
import {
    VirDomainUndefineFlagsValues,
    VirDomainXMLFlags,
    VirStoragePoolBuildFlags,
    VirStoragePoolDeleteFlags,
    VirStorageVolDeleteFlags,
} from "../../../provider/rpc/generated";
import { loadTestHost } from "../../helpers/test-host";
import { removeTestObjects, virsh, virshMaybe } from "../../helpers/virsh";

const PREFIX = "pltest-rpcobj-";
const host = loadTestHost();
const transports: Array<[string, string]> = [
    ["unix", host.unixUri],
    ["tcp", host.tcpUri],
    ["tls", host.tlsUri],
    ["ssh", host.sshUri],
];

function domainXml(name: string): string {
    return `<domain type='qemu'><name>${name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>`;
}

function networkXml(name: string, octet: number): string {
    return `<network><name>${name}</name><bridge name='pltrpc${octet}'/><ip address='10.254.${octet}.1' prefix='24'/></network>`;
}

before(() => removeTestObjects(PREFIX));
after(() => removeTestObjects(PREFIX));

for (const [index, [transport, uri]] of transports.entries()) {
    describe(`over ${transport} (${uri.split("?")[0]})`, () => {
        let client: LibvirtClient;
        const poolDir = mkdtempSync(join(tmpdir(), `${PREFIX}${transport}-`));
        before(async () => {
            client = await connect(uri);
        });
        after(async () => {
            await client?.close();
            rmSync(poolDir, { recursive: true, force: true });
        });

        test("a domain: define, look up, read XML, undefine", async () => {
            const name = `${PREFIX}${transport}-dom`;
            const { dom } = await client.domainDefineXmlFlags({ xml: domainXml(name) });
            assert.equal(dom.name, name);
            assert.equal(dom.uuid.length, 16);
            const found = await client.domainLookupByName({ name });
            assert.deepEqual(found.dom.uuid, dom.uuid);
            const { xml } = await client.domainGetXmlDesc({ dom, flags: VirDomainXMLFlags.VIR_DOMAIN_XML_INACTIVE });
            assert.match(xml, new RegExp(`<name>${name}</name>`));
            assert.match(virsh(["domstate", name]), /shut off/);
            assert.equal(virsh(["domuuid", name]).trim(), uuidText(dom.uuid));
            await client.domainUndefineFlags({ dom, flags: VirDomainUndefineFlagsValues.VIR_DOMAIN_UNDEFINE_NVRAM });
            const error = await client.domainLookupByName({ name }).catch((e: unknown) => e);
            assert.ok(LibvirtError.isInstance(error) && error.isNoDomain(), String(error));
            assert.equal(virshMaybe(["dominfo", name]), undefined);
        });

        test("a network: define, look up, read XML, undefine", async () => {
            const name = `${PREFIX}${transport}-net`;
            const { net } = await client.networkDefineXml({ xml: networkXml(name, 200 + index) });
            const found = await client.networkLookupByName({ name });
            assert.deepEqual(found.net.uuid, net.uuid);
            const { xml } = await client.networkGetXmlDesc({ net });
            assert.match(xml, new RegExp(`<bridge name='pltrpc${200 + index}'`));
            assert.match(virsh(["net-info", name]), new RegExp(`Name:\\s+${name}`));
            await client.networkUndefine({ net });
            const error = await client.networkLookupByName({ name }).catch((e: unknown) => e);
            assert.ok(LibvirtError.isInstance(error) && error.isNoNetwork(), String(error));
        });

        test("a dir pool and a volume: define, build, start, create, look up, read XML, delete", async () => {
            const poolName = `${PREFIX}${transport}-pool`;
            const target = join(poolDir, "pool");
            const { pool } = await client.storagePoolDefineXml({
                xml: `<pool type='dir'><name>${poolName}</name><target><path>${target}</path></target></pool>`,
            });
            await client.storagePoolBuild({ pool, flags: VirStoragePoolBuildFlags.VIR_STORAGE_POOL_BUILD_NEW });
            await client.storagePoolCreate({ pool });
            assert.match(virsh(["pool-info", poolName]), /State:\s+running/);

            const volName = `${PREFIX}vol.qcow2`;
            const { vol } = await client.storageVolCreateXml({
                pool,
                xml: `<volume><name>${volName}</name><capacity unit='MiB'>16</capacity><target><format type='qcow2'/></target></volume>`,
            });
            assert.equal(vol.key, join(target, volName));
            const byName = await client.storageVolLookupByName({ pool, name: volName });
            assert.equal(byName.vol.key, vol.key);
            const info = await client.storageVolGetInfo({ vol });
            assert.equal(info.capacity, 16n * 1024n * 1024n);
            const { xml } = await client.storageVolGetXmlDesc({ vol });
            assert.match(xml, /<format type='qcow2'\/>/);
            assert.match(virsh(["vol-info", volName, "--pool", poolName]), /Capacity:\s+16\.00 MiB/);

            await client.storageVolDelete({ vol, flags: VirStorageVolDeleteFlags.VIR_STORAGE_VOL_DELETE_NORMAL });
            const gone = await client.storageVolLookupByName({ pool, name: volName }).catch((e: unknown) => e);
            assert.ok(LibvirtError.isInstance(gone) && gone.isNoStorageVol(), String(gone));

            await client.storagePoolDestroy({ pool });
            await client.storagePoolDelete({ pool, flags: VirStoragePoolDeleteFlags.VIR_STORAGE_POOL_DELETE_NORMAL });
            await client.storagePoolUndefine({ pool });
            const poolGone = await client.storagePoolLookupByName({ name: poolName }).catch((e: unknown) => e);
            assert.ok(LibvirtError.isInstance(poolGone) && poolGone.isNoStoragePool(), String(poolGone));
        });

        test("the session reports the daemon's version", () => {
            assert.ok(client.session.libVersion >= 9_000_000, `libVersion ${client.session.libVersion}`);
            assert.equal(client.session.networkUpdateHasCorrectOrder, true);
        });
    });
}
