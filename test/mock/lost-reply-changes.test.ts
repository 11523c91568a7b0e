/**
 * Changes whose reply is lost when libvirtd drops the connection (issue 16, item 3), through the
 * provider's own calls on a pool of mock daemons that share one "libvirt": the first daemon takes
 * the call, carries it out or not, and drops the connection before replying. An idempotent change
 * (a define of the same document, autostart) is sent once more; a network update and a volume
 * create are looked at first and sent again only when they had not taken effect. The real
 * libvirtd is not killed here (the fault suite, test/cli/faults.test.ts, does that).
 */
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { domainSchema } from "../../provider/model/domain";
import { defineNew } from "../../provider/resources/domain/create";
import { setDomainAutostart } from "../../provider/resources/domain/power";
import { defineNetwork, setAutostart } from "../../provider/resources/network/converge";
import { applyPlans, type PlacePlan } from "../../provider/resources/network/libvirt";
import { dhcpHostSection } from "../../provider/resources/network/sections";
import { setLogSink } from "../../provider/resources/shared/log";
import { createChecked } from "../../provider/resources/volume/create";
import { LibvirtClient } from "../../provider/rpc/client";
import { LibvirtError } from "../../provider/rpc/errors";
import { VirErrorDomain, VirErrorNumber, VirNetworkUpdateCommand } from "../../provider/rpc/generated";
import { ConnectionPool } from "../../provider/rpc/pool";
import { networkFromXml } from "../../provider/xml/network";
import { type Handler, MockDaemon, type ReceivedCall } from "./mock-daemon";

const URI = "qemu:///system";
const NET = { name: "pltest-lost-net", uuid: Buffer.alloc(16, 7) };
const DOM = { name: "pltest-lost-dom", uuid: Buffer.alloc(16, 8), id: -1 };
const POOL = { name: "pltest-lost-pool", uuid: Buffer.alloc(16, 9) };
const HOST = { mac: "52:54:00:aa:bb:01", ip: "192.168.251.10" };

function networkXml(withHost: boolean): string {
    const host = withHost ? `<host mac="${HOST.mac}" ip="${HOST.ip}"/>` : "";
    return `<network><name>${NET.name}</name><uuid>07070707-0707-0707-0707-070707070707</uuid><ip address="192.168.251.1" netmask="255.255.255.0"><dhcp>${host}</dhcp></ip></network>`;
}

/** Every pool a test opened, closed after it whether it passed or not (so a failure ends the file). */
const pools: ConnectionPool[] = [];
afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.closeAll()));
});

/**
 * A pool whose connections are mock daemons set up by `setup`; the first drops the connection
 * after receiving `lost` (having carried it out when `carriedOut`), the others answer it.
 */
function lossyPool(
    lost: string,
    carriedOut: boolean,
    effect: Handler,
    setup: (daemon: MockDaemon) => void = () => {},
    drops = 1,
) {
    const daemons: MockDaemon[] = [];
    const pool = new ConnectionPool({
        reconnectWindowMs: 3000,
        connector: async (uri, options) => {
            const daemon = new MockDaemon();
            const index = daemons.length;
            setup(daemon);
            daemon.on(lost as ReceivedCall["name"], async (call, d) => {
                if (index >= drops) return effect(call, d);
                if (carriedOut) await effect(call, d);
                setImmediate(() => d.disconnect());
                return { none: true };
            });
            daemons.push(daemon);
            return LibvirtClient.open(daemon.transport, uri, options);
        },
    });
    pools.push(pool);
    const sent = () => daemons.map((d) => d.calls.filter((c) => c.name === lost).length);
    return { pool, daemons, sent };
}

async function logged<T>(fn: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
    const lines: string[] = [];
    const restore = setLogSink((_level, line) => lines.push(line));
    try {
        return { result: await fn(), lines };
    } finally {
        restore();
    }
}

function noProtocolErrors(daemons: MockDaemon[]): void {
    for (const daemon of daemons) assert.deepEqual(daemon.protocolErrors, []);
}

for (const carriedOut of [true, false]) {
    const how = carriedOut ? "carried out" : "not carried out";

    test(`a network define whose reply was lost (${how}) is sent once more: same name and UUID`, async () => {
        const libvirt = { defines: 0 };
        const { pool, daemons, sent } = lossyPool("NETWORK_DEFINE_XML_FLAGS", carriedOut, () => {
            libvirt.defines++;
            return { ok: { net: NET } };
        });
        const client = await pool.get(URI);
        const { result, lines } = await logged(() => defineNetwork(client, NET.name, networkXml(false)));
        assert.equal(result.name, NET.name);
        assert.deepEqual(sent(), [1, 1]);
        assert.equal(libvirt.defines, carriedOut ? 2 : 1);
        assert.equal(lines.length, 1);
        assert.match(lines[0]!, /the reply to define was lost .*; .* is idempotent, so it is sent once more$/);
        noProtocolErrors(daemons);
        await pool.closeAll();
    });

    test(`a network's and a domain's autostart whose reply was lost (${how}) is set once more`, async () => {
        for (const [procedure, set] of [
            ["NETWORK_SET_AUTOSTART", (c: LibvirtClient) => setAutostart(c, NET, true)],
            ["DOMAIN_SET_AUTOSTART", (c: LibvirtClient) => setDomainAutostart(c, DOM, true)],
        ] as const) {
            const libvirt = { autostart: 0 };
            const { pool, daemons, sent } = lossyPool(procedure, carriedOut, (call) => {
                libvirt.autostart = call.args.autostart;
                return { ok: undefined };
            });
            const client = await pool.get(URI);
            const { lines } = await logged(() => set(client));
            assert.deepEqual(sent(), [1, 1], procedure);
            assert.equal(libvirt.autostart, 1);
            assert.equal(lines.length, 1);
            assert.match(lines[0]!, /the reply to set autostart was lost .*, so it is sent once more$/);
            noProtocolErrors(daemons);
            await pool.closeAll();
        }
    });

    test(`a DHCP host's network update whose reply was lost (${how}) is looked at before it is sent again`, async () => {
        for (const command of ["add", "delete"] as const) {
            const adding = command === "add";
            // The host is listed before a delete, not before an add.
            const libvirt = { listed: !adding };
            const { pool, daemons, sent } = lossyPool(
                "NETWORK_UPDATE",
                carriedOut,
                (call) => {
                    const wanted = call.args.command !== VirNetworkUpdateCommand.VIR_NETWORK_UPDATE_COMMAND_DELETE;
                    if (libvirt.listed === wanted) {
                        return {
                            error: {
                                code: VirErrorNumber.VIR_ERR_OPERATION_INVALID,
                                domain: VirErrorDomain.VIR_FROM_NETWORK,
                                message: "pltest: already so",
                            },
                        };
                    }
                    libvirt.listed = wanted;
                    return { ok: undefined };
                },
                (daemon) => daemon.on("NETWORK_GET_XML_DESC", () => ({ ok: { xml: networkXml(libvirt.listed) } })),
            );
            const entry = networkFromXml(networkXml(true)).ips![0]!.dhcp!.hosts![0]!;
            const plans: PlacePlan[] = [
                {
                    place: { spec: dhcpHostSection, parentIndex: 0 },
                    config: { deletes: adding ? [] : [entry], adds: adding ? [entry] : [] },
                    live: undefined,
                },
            ];
            const client = await pool.get(URI);
            const { result, lines } = await logged(() => applyPlans(client, NET, plans));
            assert.equal(result, 1);
            assert.equal(libvirt.listed, adding, command);
            assert.deepEqual(sent(), carriedOut ? [1, 0] : [1, 1], command);
            assert.equal(lines.length, 1);
            assert.match(
                lines[0]!,
                carriedOut
                    ? /the reply to network update was lost .*; it had taken effect$/
                    : /the reply to network update was lost .*; it had not taken effect, so it is sent again$/,
            );
            noProtocolErrors(daemons);
            await pool.closeAll();
        }
    });

    test(`a volume create whose reply was lost (${how}) is looked up by name, removed when found, and sent again`, async () => {
        const name = "pltest-lost-vol.qcow2";
        const vol = { pool: POOL.name, name, key: `/var/lib/pltest/${name}` };
        const libvirt = { volumes: 0 };
        let deleted = 0;
        const { pool, daemons, sent } = lossyPool(
            "STORAGE_VOL_CREATE_XML",
            carriedOut,
            () => {
                if (libvirt.volumes > 0) {
                    return {
                        error: {
                            code: VirErrorNumber.VIR_ERR_STORAGE_VOL_EXIST,
                            domain: VirErrorDomain.VIR_FROM_STORAGE,
                            message: "pltest: exists",
                        },
                    };
                }
                libvirt.volumes++;
                return { ok: { vol } };
            },
            (daemon) => {
                daemon.on("STORAGE_VOL_DELETE", () => {
                    libvirt.volumes--;
                    deleted++;
                    return { ok: undefined };
                });
                daemon.on("STORAGE_VOL_LOOKUP_BY_NAME", () =>
                    libvirt.volumes > 0
                        ? { ok: { vol } }
                        : {
                              error: {
                                  code: VirErrorNumber.VIR_ERR_NO_STORAGE_VOL,
                                  domain: VirErrorDomain.VIR_FROM_STORAGE,
                                  message: "pltest: no volume",
                              },
                          },
                );
            },
        );
        const client = await pool.get(URI);
        const handle = { client, uri: URI, pool: POOL };
        const { result, lines } = await logged(() =>
            createChecked(handle, name, () =>
                client.storageVolCreateXml({
                    pool: POOL,
                    xml: `<volume><name>${name}</name><capacity>1</capacity></volume>`,
                    flags: 0,
                }),
            ),
        );
        assert.equal(result.vol.name, name);
        assert.equal(libvirt.volumes, 1, "one volume, never a second create of it");
        // Found after a lost reply, the volume's content is not trusted: it is removed and made again.
        assert.deepEqual(sent(), [1, 1]);
        assert.equal(deleted, carriedOut ? 1 : 0);
        assert.equal(lines.length, 1);
        assert.match(
            lines[0]!,
            carriedOut
                ? /create was lost .*; it had taken effect, but what it made may be incomplete, so that is removed and the change sent again$/
                : /it had not taken effect, so it is sent again$/,
        );
        noProtocolErrors(daemons);
        await pool.closeAll();
    });
}

for (const carriedOut of [true, false]) {
    test(`a domain create's define whose reply was lost (${carriedOut ? "carried out" : "not carried out"}) finds its domain by owner before it is sent again`, async () => {
        const owner = "0123abcd";
        const libvirt = { defined: false };
        const { pool, daemons, sent } = lossyPool(
            "DOMAIN_DEFINE_XML_FLAGS",
            carriedOut,
            (call) => {
                assert.match(call.args.xml, new RegExp(`id="${owner}"`), "the define carries the owner record");
                if (libvirt.defined) {
                    return {
                        error: {
                            code: VirErrorNumber.VIR_ERR_OPERATION_FAILED,
                            domain: VirErrorDomain.VIR_FROM_DOMAIN,
                            message: "pltest: already defined with another uuid",
                        },
                    };
                }
                libvirt.defined = true;
                return { ok: { dom: DOM } };
            },
            (daemon) => {
                daemon.on("DOMAIN_LOOKUP_BY_NAME", () =>
                    libvirt.defined
                        ? { ok: { dom: DOM } }
                        : {
                              error: {
                                  code: VirErrorNumber.VIR_ERR_NO_DOMAIN,
                                  domain: VirErrorDomain.VIR_FROM_QEMU,
                                  message: "pltest: no domain",
                              },
                          },
                );
                daemon.on("DOMAIN_GET_METADATA", () => ({ ok: { metadata: `<owner id="${owner}"/>` } }));
            },
        );
        const client = await pool.get(URI);
        const model = domainSchema.parse({ name: DOM.name, type: "qemu", memory: 64 });
        const { result, lines } = await logged(() => defineNew(client, model, owner));
        // Found after the lost reply, the domain may be an older definition: its MACs are read back.
        assert.deepEqual(result, { dom: DOM, ours: false, replied: !carriedOut });
        assert.deepEqual(sent(), carriedOut ? [1, 0] : [1, 1]);
        assert.equal(lines.length, 1);
        assert.match(
            lines[0]!,
            carriedOut ? /define was lost .*; it had taken effect$/ : /it had not taken effect, so it is sent again$/,
        );
        noProtocolErrors(daemons);
    });
}

test("an idempotent change is sent once more only: a second lost reply fails it, outcome unknown", async () => {
    const { pool, daemons, sent } = lossyPool(
        "NETWORK_SET_AUTOSTART",
        false,
        () => ({ ok: undefined }),
        () => {},
        2,
    );
    const client = await pool.get(URI);
    const error = await logged(() => setAutostart(client, NET, false)).catch((e: unknown) => e);
    assert.ok(LibvirtError.isInstance(error) && error.isOutcomeUnknown(), String(error));
    assert.deepEqual(sent(), [1, 1]);
    noProtocolErrors(daemons);
    await pool.closeAll();
});
