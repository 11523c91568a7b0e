import assert from "node:assert/strict";
import { test } from "node:test";
import {
    canonicalIp,
    canonicalMac,
    compareIps,
    isAddressInSubnet,
    isUnicastMac,
    netmaskToPrefix,
    parseIp,
} from "../../../provider/model/addresses";

test("IPv4 addresses parse; malformed ones and leading zeros do not", () => {
    assert.deepEqual(parseIp("192.168.122.1"), { family: "ipv4", value: 0xc0a87a01n });
    for (const bad of ["192.168.122", "256.1.1.1", "01.2.3.4", "1.2.3.4.5", "a.b.c.d", ""]) {
        assert.equal(parseIp(bad), undefined, bad);
    }
});

test("IPv6 addresses take RFC 5952 canonical spelling, as libvirt prints them", () => {
    const cases: [string, string][] = [
        ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
        ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
        ["2001:0db8:ac10:fe01:0000:0000:0000:0001", "2001:db8:ac10:fe01::1"],
        ["::", "::"],
        ["::1", "::1"],
        ["fe80::", "fe80::"],
        ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
        ["::ffff:192.168.1.1", "::ffff:192.168.1.1"],
        ["f0:0d::f0:0d", "f0:d::f0:d"],
    ];
    for (const [input, canonical] of cases) assert.equal(canonicalIp(input), canonical, input);
    for (const bad of ["1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0", ":::"]) {
        assert.equal(canonicalIp(bad), undefined, bad);
    }
});

test("netmasks become prefixes only when their bits are contiguous", () => {
    assert.equal(netmaskToPrefix("255.255.255.0"), 24);
    assert.equal(netmaskToPrefix("255.255.0.0"), 16);
    assert.equal(netmaskToPrefix("0.0.0.0"), 0);
    assert.equal(netmaskToPrefix("255.255.255.255"), 32);
    assert.equal(netmaskToPrefix("255.0.255.0"), undefined);
});

test("subnet membership for both families", () => {
    assert.equal(isAddressInSubnet("192.168.122.10", "192.168.122.1", 24), true);
    assert.equal(isAddressInSubnet("192.168.123.10", "192.168.122.1", 24), false);
    assert.equal(isAddressInSubnet("2001:db8:ac10:fd01::1:20", "2001:db8:ac10:fd01::1", 64), true);
    assert.equal(isAddressInSubnet("2001:db8:ac10:fd02::1", "2001:db8:ac10:fd01::1", 64), false);
    assert.equal(isAddressInSubnet("192.168.122.10", "2001:db8::1", 64), false);
    assert.equal(isAddressInSubnet("192.168.122.10", "192.168.122.1", 33), false);
    assert.ok(compareIps("10.0.0.2", "10.0.0.10") < 0);
});

test("MAC addresses: canonical spelling and the unicast bit", () => {
    assert.equal(canonicalMac("52:54:00:AB:cd:EF"), "52:54:00:ab:cd:ef");
    assert.equal(canonicalMac("52-54-00-ab-cd-ef"), "52:54:00:ab:cd:ef");
    assert.equal(canonicalMac("52:54:00-ab:cd:ef"), undefined);
    assert.equal(canonicalMac("52:54:00:ab:cd"), undefined);
    assert.equal(isUnicastMac("52:54:00:ab:cd:ef"), true);
    assert.equal(isUnicastMac("01:00:5e:00:00:01"), false);
    assert.equal(isUnicastMac("ff:ff:ff:ff:ff:ff"), false);
});
