/**
 * Applying live-class changes to a running guest after its definition was rewritten: online
 * vCPUs, the balloon target, title and description, hot plug. The running guest is compared with
 * the new definition (not with the old declaration), so out-of-band drift is corrected as well.
 * A live step libvirt refuses is not fatal: the definition already holds the value, so it is
 * reported as waiting for a restart.
 */
import type { LibvirtClient } from "../../rpc";
import {
    VirDomainMemoryModFlags,
    VirDomainMetadataType,
    VirDomainModificationImpact,
    VirDomainVcpuFlags,
} from "../../rpc/generated";
import type { Domain } from "../../model/domain";
import { DomainDocument, liveMetadataChanges } from "../../xml/domain";
import { describeError } from "../shared/errors";
import { logInfo, logWarning } from "../shared/log";
import type { Dom } from "./libvirt";
import { deviceOperations } from "./live-devices";

const KIB = 1024;

interface LiveStep {
    field: string;
    what: string;
    run: () => Promise<unknown>;
}

async function vcpuSteps(client: LibvirtClient, dom: Dom, model: Domain): Promise<LiveStep[]> {
    const live = VirDomainVcpuFlags.VIR_DOMAIN_VCPU_LIVE;
    const maximum = (
        await client.domainGetVcpusFlags({ dom, flags: live | VirDomainVcpuFlags.VIR_DOMAIN_VCPU_MAXIMUM })
    ).num;
    const online = (await client.domainGetVcpusFlags({ dom, flags: live })).num;
    const target = model.vcpu.current ?? model.vcpu.maximum;
    // A new maximum is a restart-class change; the running guest keeps its ceiling until then.
    if (target === online || target > maximum) return [];
    return [
        {
            field: "vcpu.current",
            what: `set online vCPUs ${online} -> ${target}`,
            run: () => client.domainSetVcpusFlags({ dom, nvcpus: target, flags: live }),
        },
    ];
}

/**
 * The balloon target, when the declaration changed it (or nothing was declared before). libvirt
 * reports the size the guest gave back, which stays put while the guest has no balloon driver;
 * asking again at every update would change nothing.
 */
async function memorySteps(
    client: LibvirtClient,
    dom: Dom,
    model: Domain,
    previous: Domain | undefined,
): Promise<LiveStep[]> {
    if (model.devices.memballoon?.model === "none") return [];
    const target = model.currentMemory ?? model.memory;
    if (previous && (previous.currentMemory ?? previous.memory) === target) return [];
    const info = await client.domainGetInfo({ dom });
    const targetKib = BigInt(target / KIB);
    if (targetKib === info.memory || targetKib > info.maxMem) return [];
    return [
        {
            field: "currentMemory",
            what: `set the balloon ${info.memory} KiB -> ${targetKib} KiB`,
            run: () =>
                client.domainSetMemoryFlags({
                    dom,
                    memory: targetKib,
                    flags: VirDomainMemoryModFlags.VIR_DOMAIN_MEM_LIVE,
                }),
        },
    ];
}

function metadataSteps(client: LibvirtClient, dom: Dom, live: DomainDocument, definition: DomainDocument): LiveStep[] {
    const types = {
        title: VirDomainMetadataType.VIR_DOMAIN_METADATA_TITLE,
        description: VirDomainMetadataType.VIR_DOMAIN_METADATA_DESCRIPTION,
    };
    return liveMetadataChanges(live, definition).map(({ field, value }) => ({
        field,
        what: `set the ${field}`,
        run: () =>
            client.domainSetMetadata({
                dom,
                type: types[field],
                metadata: value ?? null,
                key: null,
                uri: null,
                flags: VirDomainModificationImpact.VIR_DOMAIN_AFFECT_LIVE,
            }),
    }));
}

/**
 * Brings the running guest to the new definition where that can happen live. Returns the fields
 * whose live change libvirt refused (they wait for a restart).
 */
export async function applyLive(
    client: LibvirtClient,
    dom: Dom,
    name: string,
    model: Domain,
    previous: Domain | undefined,
    liveXml: string,
    newXml: string,
): Promise<string[]> {
    // Each document parsed once, for the metadata and the devices alike.
    const live = DomainDocument.parse(liveXml);
    const definition = DomainDocument.parse(newXml);
    const steps: LiveStep[] = [
        ...(await vcpuSteps(client, dom, model)),
        ...(await memorySteps(client, dom, model, previous)),
        ...metadataSteps(client, dom, live, definition),
        ...deviceOperations(client, dom, live, definition).map((op) => ({ field: "devices", ...op })),
    ];
    const refused: string[] = [];
    for (const step of steps) {
        try {
            await step.run();
            logInfo("Domain", name, `live: ${step.what}`);
        } catch (error) {
            refused.push(step.field);
            logWarning(
                "Domain",
                name,
                `could not ${step.what} on the running guest (${describeError(error)}); it applies at the next restart`,
            );
        }
    }
    return refused;
}
