import assert from "node:assert/strict";
import { test } from "node:test";
import { LibvirtError, VirErrorDomain, VirErrorNumber } from "../../../provider/rpc";
import { localRemoteError } from "../../../provider/rpc/errors";
import {
    describeError,
    libvirtCause,
    operationError,
    PartialCreateError,
    partialCreateError,
    ResourceOperationError,
    rollback,
    step,
} from "../../../provider/resources/shared/errors";

function libvirtError(code: VirErrorNumber, message: string): LibvirtError {
    return new LibvirtError(localRemoteError(code, VirErrorDomain.VIR_FROM_STORAGE, message), "STORAGE_POOL_CREATE");
}

test("errors name the kind, the object, the step, libvirt's message and code name", () => {
    const cause = libvirtError(VirErrorNumber.VIR_ERR_OPERATION_INVALID, "storage pool 'p' is already active");
    const error = operationError("StoragePool", "p", "start", cause);
    assert.equal(
        error.message,
        "StoragePool 'p': start failed: storage pool 'p' is already active [VIR_ERR_OPERATION_INVALID]",
    );
    assert.ok(error instanceof ResourceOperationError);
    assert.equal(error.code, VirErrorNumber.VIR_ERR_OPERATION_INVALID);
    assert.equal(libvirtCause(error), cause);
    assert.equal(describeError(new Error("plain")), "plain");
});

test("step wraps a failure once, naming the step", async () => {
    await assert.rejects(
        step("Network", "n", "define", async () => {
            throw libvirtError(VirErrorNumber.VIR_ERR_XML_ERROR, "bad xml");
        }),
        /^ResourceOperationError: Network 'n': define failed: bad xml \[VIR_ERR_XML_ERROR\]$/,
    );
    const inner = operationError("Network", "n", "start", new Error("x"));
    await assert.rejects(
        step("Network", "n", "create", async () => {
            throw inner;
        }),
        (e) => e === inner,
    );
});

test("a partial-create error carries id, properties (with __provider) and reasons for the host", () => {
    const error = partialCreateError("Domain", "vm", "uuid-1", { __provider: "code", name: "vm" }, new Error("no ip"));
    assert.ok(error instanceof PartialCreateError);
    assert.equal(error.id, "uuid-1");
    assert.equal(error.properties.__provider, "code");
    assert.deepEqual(error.reasons, ["no ip"]);
    assert.match(error.message, /Domain 'vm': created but not ready: no ip/);
});

test("rollback runs every undo step and reports the ones that failed", async () => {
    const ran: string[] = [];
    const problems = await rollback([
        async () => ran.push("stop"),
        async () => {
            throw new Error("undefine failed");
        },
        async () => ran.push("cleanup"),
    ]);
    assert.deepEqual(ran, ["stop", "cleanup"]);
    assert.deepEqual(problems, ["undefine failed"]);
});
