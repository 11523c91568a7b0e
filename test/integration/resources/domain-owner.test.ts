/**
 * The owner record of domains (issue 16, item 1, provider side, domains only), against the real
 * libvirtd: a created domain carries `<metadata>` with this project's owner element; a create
 * that finds a domain of its name with its own record (the earlier create's state was lost, as
 * when the process running `up` is killed) takes it over instead of failing; another resource's
 * create is refused; and a domain that another resource adopted since is left alone by the first
 * resource's delete, with a warning.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { OWNER_NAMESPACE } from "../../../provider/resources/domain/owner";
import type { Properties } from "../../../provider/resources/shared/handler";
import { defaultPool } from "../../../provider/rpc";
import { removeTestObjects, virsh, virshMaybe } from "../../helpers/virsh";
import { captureLog, createChecked, handler } from "./domain-helpers";

const PREFIX = "pltest-domowner-";
const NAME = `${PREFIX}vm`;

before(() => removeTestObjects(PREFIX));
after(async () => {
    removeTestObjects(PREFIX);
    await defaultPool.closeAll();
});

test("a create finds its own domain and finishes the job; others are refused; an adopter's domain survives the first delete", {
    timeout: 120_000,
}, async () => {
    const declaration: Properties = { name: NAME, namePrefix: "vm", type: "qemu", memory: 64, running: false };
    const first = await createChecked(declaration);
    const xml = virsh(["dumpxml", "--inactive", NAME]);
    assert.match(xml, new RegExp(`<metadata>\\s*<owner:owner xmlns:owner="${OWNER_NAMESPACE}" id="[0-9a-f]{32}"/>`));

    // The state forgot the domain (the process died before it was written): the same create again.
    const { result: again, lines } = await captureLog(() => createChecked({ ...declaration, running: true }));
    assert.equal(again.id, first.id, "the same domain, taken over");
    assert.ok(
        lines.some((line) => /interrupted create of this resource/.test(line)),
        lines.join("\n"),
    );
    assert.equal(virsh(["domstate", NAME]).trim(), "running", "and brought to the declaration");

    // Another resource (another logical name) with the same libvirt name is refused, as before.
    await assert.rejects(createChecked({ ...declaration, namePrefix: "other" }), /adopt: true/);

    // It adopts the domain: the record names it now, and the first resource's delete leaves it alone.
    const adopter = await createChecked({
        ...declaration,
        namePrefix: "other",
        adopt: true,
        shutdownTimeoutSeconds: 1,
    });
    assert.equal(adopter.id, first.id);
    const { lines: deleteLines } = await captureLog(() => handler.delete(first.id, again.outs));
    assert.ok(
        deleteLines.some((line) => line.startsWith("warning") && /left alone: it now has the owner record/.test(line)),
        deleteLines.join("\n"),
    );
    assert.equal(virsh(["domuuid", NAME]).trim(), first.id, "the adopter's domain still exists");

    await handler.delete(adopter.id, adopter.outs);
    assert.equal(virshMaybe(["dominfo", NAME]), undefined, "its owner's delete removes it");
});
