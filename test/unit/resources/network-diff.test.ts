/**
 * Network `diff` without a daemon: a change that would restart a running network without
 * `allowRestart` fails here, so preview reports it before anything is changed; what update
 * would do anyway (live changes, a stopped network, a replacement, unknown values) passes.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { networkHandler } from "../../../provider/resources/network/handler";
import { type Properties, UNKNOWN_VALUE } from "../../../provider/resources/shared/handler";
import { setLogSink } from "../../../provider/resources/shared/log";

const lines: string[] = [];
let restore: () => void;
before(() => {
    restore = setLogSink((_level, line) => lines.push(line));
});
after(() => restore());

const dhcp = { ranges: [{ start: "10.253.250.100", end: "10.253.250.199" }] };
const subnet = { address: "10.253.250.1", prefix: 24 };
const declared: Properties = { name: "pltest-unit-net", forward: { mode: "nat" }, ips: [{ ...subnet, dhcp }] };
/** Outputs echo the inputs and add what libvirt reports. */
const running: Properties = { ...declared, uuid: "00000000-0000-4000-8000-000000000001", active: true };
const REFUSED =
    /Network 'pltest-unit-net': mtu can only change by restarting the network.*1400.*allowRestart: true.*Nothing was changed/s;

test("a restart-class change of a running network fails in diff without allowRestart, naming field and fix", async () => {
    await assert.rejects(networkHandler.diff("id", running, { ...declared, mtu: 1400 }), REFUSED);
});

test("with allowRestart, on a stopped network, or with the value unknown, diff answers", async () => {
    const allowed = await networkHandler.diff("id", running, { ...declared, mtu: 1400, allowRestart: true });
    assert.equal(allowed.changes, true);
    assert.equal(allowed.replaces, undefined, "no replacement");
    const stopped = await networkHandler.diff("id", { ...running, active: false }, { ...declared, mtu: 1400 });
    assert.equal(stopped.changes, true);
    const unknown = await networkHandler.diff("id", running, { ...declared, mtu: UNKNOWN_VALUE });
    assert.equal(unknown.changes, true);
});

test("live changes and replacements are not refused", async () => {
    const hosts = [{ mac: "52:54:00:fd:fa:0a", ip: "10.253.250.10" }];
    const withHost = { ...declared, ips: [{ ...subnet, dhcp: { ...dhcp, hosts } }] };
    const live = await networkHandler.diff("id", running, withHost);
    assert.equal(live.changes, true);
    assert.equal(live.replaces, undefined, "no replacement");
    const renamed = await networkHandler.diff("id", running, { ...declared, name: "pltest-unit-net2", mtu: 1400 });
    assert.deepEqual(renamed.replaces, ["name"]);
});
