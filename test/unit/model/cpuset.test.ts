import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalCpuset, formatCpuset, parseCpuset } from "../../../provider/model/cpuset";

test("cpusets parse into sorted CPU lists, exclusions applied", () => {
    assert.deepEqual(parseCpuset("1-4,^3,6"), { ok: true, cpus: [1, 2, 4, 6] });
    assert.deepEqual(parseCpuset("6,0-1"), { ok: true, cpus: [0, 1, 6] });
    assert.deepEqual(parseCpuset("3"), { ok: true, cpus: [3] });
    assert.deepEqual(parseCpuset(" 0-2 , 2 "), { ok: true, cpus: [0, 1, 2] });
});

test("cpusets print the way libvirt prints bitmaps", () => {
    assert.equal(canonicalCpuset("1-4,^3,6"), "1-2,4,6");
    assert.equal(canonicalCpuset("0,1,2,3,8"), "0-3,8");
    assert.equal(canonicalCpuset("5,4"), "4-5");
    assert.equal(formatCpuset([7]), "7");
});

test("impossible cpusets are refused with a reason", () => {
    for (const bad of ["4-2", "", "1,,2", "a", "1-2-3", "^1", "1-3,^1,^2,^3", "-1", "99999"]) {
        const result = parseCpuset(bad);
        assert.equal(result.ok, false, bad);
    }
    const reversed = parseCpuset("4-2");
    assert.ok(!reversed.ok && reversed.reason.includes("2-4"));
});
