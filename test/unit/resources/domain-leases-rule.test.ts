/**
 * Which leases held before an operation a wait from leases screens (leases-before.ts): every NIC
 * with a MAC of a guest the operation creates (a re-created guest with a reservation's MAC
 * included), none of the same guest restarted or started again, and a NIC the same guest did not
 * have on that network before. The wiring against the real libvirtd is in
 * test/integration/resources/domain-leases.test.ts.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { nicsOnNetworks, screenedNics } from "../../../provider/resources/domain/leases-before";
import { domainFromXml } from "../../../provider/xml/domain";

function guest(...nics: string[]): string {
    return `<domain type='qemu'><name>vm</name><memory unit='KiB'>131072</memory><os><type>hvm</type></os><devices>${nics.join("")}</devices></domain>`;
}
const onNetwork = (network: string, mac?: string) =>
    `<interface type='network'>${mac ? `<mac address='${mac}'/>` : ""}<source network='${network}'/></interface>`;
const onBridge = (mac: string) => `<interface type='bridge'><mac address='${mac}'/><source bridge='br0'/></interface>`;

const RESERVED = "52:54:00:FD:74:01";
const reserved = { network: "lab", mac: "52:54:00:fd:74:01" };

test("the NICs that can hold a lease: on a libvirt network and with a MAC, lower case", () => {
    const nics = nicsOnNetworks(
        domainFromXml(
            guest(
                onNetwork("lab", RESERVED),
                onNetwork("lab"),
                onBridge("52:54:00:fd:74:09"),
                onNetwork("other", "52:54:00:fd:74:02"),
            ),
        ),
    );
    assert.deepEqual(nics, [reserved, { network: "other", mac: "52:54:00:fd:74:02" }]);
});

test("a guest the operation creates screens every NIC, a re-created one with its predecessor's MAC too", () => {
    const declared = nicsOnNetworks(domainFromXml(guest(onNetwork("lab", RESERVED))));
    // A first create and a re-create (replace, or delete then create) are the same case: no guest before.
    assert.deepEqual(screenedNics(declared, undefined), [reserved]);
});

test("the same guest restarted or started again screens nothing: its lease from before is its own", () => {
    const had = [{ network: "lab", mac: RESERVED }];
    assert.deepEqual(screenedNics([reserved], had), []);
    assert.deepEqual(screenedNics([], had), []);
});

test("a NIC the same guest did not have is screened: a new MAC, or the MAC on another network", () => {
    const had = [reserved];
    const newMac = { network: "lab", mac: "52:54:00:fd:74:02" };
    const moved = { network: "other", mac: reserved.mac };
    assert.deepEqual(screenedNics([reserved, newMac], had), [newMac]);
    assert.deepEqual(screenedNics([moved], had), [moved]);
    // A guest that had no NIC on a network (all of them added by this operation) screens them all.
    assert.deepEqual(screenedNics([reserved], []), [reserved]);
});
