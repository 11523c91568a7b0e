/**
 * A changing call whose reply was lost with its connection is looked at, not repeated blindly
 * (provider/resources/shared/lost-reply.ts): done means done, not done means sent once more, and
 * every other failure passes through. The real case (libvirtd killed during a guest's start) runs
 * in the fault suite (test/cli/faults.test.ts).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { changeOnce } from "../../../provider/resources/shared/lost-reply";
import { ConnectionError, LibvirtError } from "../../../provider/rpc";
import { logLinesOf } from "../../helpers/log-lines";

const LABEL = { kind: "Domain", name: "vm", operation: "start" } as const;

function lostReply(): ConnectionError {
    return new ConnectionError("eof", "connection closed by the other side").forCall("DOMAIN_CREATE_WITH_FLAGS", true);
}

function notSent(): ConnectionError {
    return new ConnectionError("eof", "connection closed by the other side").forCall("DOMAIN_CREATE_WITH_FLAGS", false);
}

/** A change that fails with the given errors, in turn, then succeeds; counts its calls. */
function change(...failures: Error[]) {
    const calls = { n: 0 };
    return {
        calls,
        run: async () => {
            const failure = failures[calls.n++];
            if (failure) throw failure;
        },
    };
}

test("a lost reply of a change that took effect counts as done: it is not sent again", async () => {
    const c = change(lostReply());
    let looked = 0;
    const lines = await logLinesOf(() =>
        changeOnce(LABEL, c.run, async () => {
            looked++;
            return true;
        }),
    );
    assert.deepEqual([c.calls.n, looked], [1, 1]);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /vm.*the reply to start was lost with the connection to libvirtd; it had taken effect$/);
});

test("a lost reply of a change that did not take effect: the change is sent once more", async () => {
    const c = change(lostReply());
    const lines = await logLinesOf(() => changeOnce(LABEL, c.run, async () => false));
    assert.equal(c.calls.n, 2);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /the reply to start was lost .*; it had not taken effect, so it is sent again$/);
});

test("a second lost reply, a call that was never sent and a libvirt refusal fail as they are, unlooked at", async () => {
    const twice = change(lostReply(), lostReply());
    await assert.rejects(
        changeOnce(LABEL, twice.run, async () => false),
        (e: unknown) => LibvirtError.isInstance(e) && e.isOutcomeUnknown(),
    );
    assert.equal(twice.calls.n, 2);

    let looked = false;
    const look = async () => {
        looked = true;
        return true;
    };
    // Never sent: the client itself sends such a call on the new connection; here it is the caller's.
    await assert.rejects(changeOnce(LABEL, change(notSent()).run, look), /was not sent/);
    await assert.rejects(changeOnce(LABEL, change(new Error("refused")).run, look), /refused/);
    assert.equal(looked, false, "only a lost reply is looked at");
});
