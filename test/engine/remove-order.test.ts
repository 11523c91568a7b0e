import assert from "node:assert/strict";
import { test } from "node:test";
import { removeDependentsFirst } from "../../tools/engine/order";
import type { StateResource } from "../../tools/engine/types";

function res(name: string, deps: string[] = [], parent?: string): StateResource {
    return {
        urn: name,
        type: "t",
        custom: true,
        dependencies: deps,
        propertyDependencies: {},
        inputs: {},
        outputs: {},
        options: {} as StateResource["options"],
        ...(parent ? { parent } : {}),
    };
}

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

test("independent resources are removed together; each waits for what depends on it", async () => {
    // pool <- v1 <- d1, pool <- v2 <- d2 (d* depend on v*, v* on pool)
    const resources = [res("pool"), res("v1", ["pool"]), res("d1", ["v1"]), res("v2", ["pool"]), res("d2", ["v2"])];
    const events: string[] = [];
    let running = 0;
    let peak = 0;
    await removeDependentsFirst(resources, 8, async (r) => {
        running++;
        peak = Math.max(peak, running);
        events.push(`start ${r.urn}`);
        await tick();
        events.push(`end ${r.urn}`);
        running--;
    });
    const at = (e: string) => events.indexOf(e);
    assert.equal(peak, 2, "d1 and d2, then v1 and v2, at once");
    assert.ok(at("end d1") < at("start v1") && at("end d2") < at("start v2"));
    assert.ok(at("end v1") < at("start pool") && at("end v2") < at("start pool"));
    assert.equal(events.length, 10);
});

test("the limit holds, and a parent outlives its children", async () => {
    const resources = [res("parent"), ...Array.from({ length: 6 }, (_, i) => res(`c${i}`, [], "parent"))];
    let running = 0;
    let peak = 0;
    const order: string[] = [];
    await removeDependentsFirst(resources, 2, async (r) => {
        running++;
        peak = Math.max(peak, running);
        await tick();
        order.push(r.urn);
        running--;
    });
    assert.equal(peak, 2);
    assert.equal(order.at(-1), "parent");
});

test("after a failure nothing else starts and the first error is thrown once the running ones end", async () => {
    const resources = [res("pool"), res("a", ["pool"]), res("b", ["pool"])];
    const started: string[] = [];
    let bEnded = false;
    await assert.rejects(
        removeDependentsFirst(resources, 8, async (r) => {
            started.push(r.urn);
            if (r.urn === "a") throw new Error("a is busy");
            await tick(20);
            bEnded = true;
        }),
        /a is busy/,
    );
    assert.equal(bEnded, true, "the delete already running was waited for");
    assert.deepEqual(started.sort(), ["a", "b"], "the pool's delete never started");
});

test("after an error the caller lets pass, the others go on and only what the failed one uses stays", async () => {
    // pool <- a (refused), pool <- b, c alone; base <- pool
    const resources = [res("base"), res("pool", ["base"]), res("a", ["pool"]), res("b", ["pool"]), res("c")];
    const removed: string[] = [];
    const refused = new Error("a is protected");
    await assert.rejects(
        removeDependentsFirst(
            resources,
            1,
            async (r) => {
                if (r.urn === "a") throw refused;
                await tick();
                removed.push(r.urn);
            },
            (e) => e === refused,
        ),
        /a is protected/,
    );
    assert.deepEqual(removed.sort(), ["b", "c"], "pool (used by a) and base (used by pool) stay");
});
