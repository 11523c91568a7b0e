import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import {
    booleanToOnOff,
    booleanToYesNo,
    cpusetSchema,
    formatPropertyPath,
    ipAddressSchema,
    ipv4AddressSchema,
    libvirtNameSchema,
    macAddressSchema,
    onOffToBoolean,
    parsePrefixOrNetmask,
    permissionsSchema,
    sizeSchema,
    uuidSchema,
    validate,
    yesNoToBoolean,
} from "../../../provider/model/common";

test("names: markup characters are allowed (the writer escapes them), file-breaking ones are not", () => {
    for (const good of ["lab", "a<b&c'd\"e", "x]]>y", "with space", "ünïcode"]) {
        assert.equal(libvirtNameSchema.safeParse(good).success, true, good);
    }
    const refused: [string, RegExp][] = [
        ["a/b", /'\/'/],
        [".hidden", /starts with '.'/],
        ["line\nbreak", /control character/],
        ["tab\there", /control character/],
        ["", /required/],
        ["x".repeat(201), /longer than/],
    ];
    for (const [name, reason] of refused) {
        const result = validate(libvirtNameSchema, name);
        assert.equal(result.ok, false, name);
        if (!result.ok) assert.match(result.failures[0]!.reason, reason);
    }
});

test("MAC addresses are canonicalised and must be unicast", () => {
    assert.equal(macAddressSchema.parse("52:54:00:AA:BB:CC"), "52:54:00:aa:bb:cc");
    const multicast = validate(macAddressSchema, "01:00:5e:00:00:01");
    assert.ok(!multicast.ok && /multicast/.test(multicast.failures[0]!.reason));
    assert.equal(macAddressSchema.safeParse("52:54:00:aa:bb").success, false);
});

test("addresses are canonicalised and family-checked", () => {
    assert.equal(ipAddressSchema.parse("2001:DB8::0:1"), "2001:db8::1");
    assert.equal(ipv4AddressSchema.safeParse("2001:db8::1").success, false);
    assert.equal(parsePrefixOrNetmask("24"), 24);
    assert.equal(parsePrefixOrNetmask("255.255.255.0"), 24);
    assert.equal(parsePrefixOrNetmask("255.0.255.0"), undefined);
});

test("sizes, cpusets, UUIDs and permissions take their exact forms", () => {
    assert.equal(sizeSchema.parse("2GiB"), 2 * 1024 ** 3);
    assert.equal(sizeSchema.parse(512), 512 * 1024 ** 2);
    assert.equal(sizeSchema.safeParse("512").success, false);
    assert.equal(cpusetSchema.parse("1-4,^3,6"), "1-2,4,6");
    assert.equal(cpusetSchema.safeParse("4-2").success, false);
    assert.equal(uuidSchema.parse("81FF0D90C91E674264DA4A736EDB9A9B"), "81ff0d90-c91e-6742-64da-4a736edb9a9b");
    assert.deepEqual(permissionsSchema.parse({ mode: "755", owner: "107", group: 0, label: "x" }), {
        mode: "0755",
        owner: 107,
        group: 0,
        label: "x",
    });
    assert.equal(permissionsSchema.safeParse({ mode: "0999" }).success, false);
    assert.equal(permissionsSchema.safeParse({ owner: -1 }).success, false);
});

test("yes/no and on/off convert both ways and refuse anything else", () => {
    assert.equal(yesNoToBoolean("yes"), true);
    assert.equal(yesNoToBoolean("no"), false);
    assert.throws(() => yesNoToBoolean("on"));
    assert.equal(onOffToBoolean("on"), true);
    assert.throws(() => onOffToBoolean("yes"));
    assert.equal(booleanToYesNo(false), "no");
    assert.equal(booleanToOnOff(true), "on");
});

test("validation failures carry full property paths", () => {
    assert.equal(formatPropertyPath(["ips", 0, "dhcp", "hosts", 2, "mac"]), "ips[0].dhcp.hosts[2].mac");
    const schema = z.object({ items: z.array(z.object({ mac: macAddressSchema })) });
    const result = validate(schema, { items: [{ mac: "52:54:00:00:00:01" }, { mac: "03:00:00:00:00:00" }] });
    assert.ok(!result.ok);
    assert.equal(result.failures[0]!.property, "items[1].mac");
});
