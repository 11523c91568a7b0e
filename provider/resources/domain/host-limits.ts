/**
 * What the host can tell about a declaration before anything is defined, from its domain
 * capabilities (virConnectGetDomainCapabilities for the domain's type, arch and machine):
 *
 * - the vCPU ceiling of the machine type (`<vcpu max='N'/>`: QEMU's limit for that machine, e.g.
 *   255 for i440fx and 288 for q35 with QEMU 7.2). libvirt 9.0's daemon does not refuse a huge count
 *   cleanly: defining `<vcpu>1000000000</vcpu>` made it exit, so the count is checked here first;
 * - the CPU model of `cpu.mode: custom`: one the hypervisor does not list is unknown to it, and the
 *   start fails ("Unknown CPU model"). A listed model marked `usable='no'` is not refused: the
 *   host lacks some of its features, yet such a guest starts under the default `check` (seen with
 *   TCG and `phenom`); only `check: full` turns the difference into a failure, which libvirt names.
 *
 * Used by `check` (so preview reports it) and again by `create` before the define.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { Domain } from "../../model/domain";
import { type LibvirtClient, sharedRead } from "../../rpc";
import { type DomainCapabilities, readDomainCapabilities } from "../../xml/domain-capabilities";

/**
 * How long one answer of the domain capabilities serves the domains of a stack (check and create
 * of each ask): they describe the host's QEMU binary and change only when it is replaced, which
 * libvirt notices itself; a new connection asks again.
 */
export const CAPABILITIES_KEEP_MS = 60_000;

/** The capabilities for the domain's type, arch and machine (libvirt fills in the host's defaults). */
export function domainCapabilitiesFor(client: LibvirtClient, model: Domain): Promise<DomainCapabilities> {
    const arch = model.os.arch ?? null;
    const machine = model.os.machine ?? null;
    const key = `domain capabilities ${model.type} ${arch ?? "-"} ${machine ?? "-"}`;
    return sharedRead(client, key, { tags: ["host"], keepMs: CAPABILITIES_KEEP_MS }, async () => {
        const { capabilities } = await client.connectGetDomainCapabilities({
            emulatorbin: null,
            arch,
            machine,
            virttype: model.type,
            flags: 0,
        });
        return readDomainCapabilities(capabilities);
    });
}

/** What the declaration asks that the capabilities rule out, as check failures naming the fix. */
export function hostLimitFailures(model: Domain, caps: DomainCapabilities, uri: string): dynamic.CheckFailure[] {
    const failures: dynamic.CheckFailure[] = [];
    const machine = caps.machine ?? model.os.machine ?? "the default machine";
    const where = `machine type ${machine} (type ${model.type}) on ${uri}`;
    if (caps.maxVcpus !== undefined && model.vcpu.maximum > caps.maxVcpus) {
        failures.push({
            property: "vcpu",
            reason: `${model.vcpu.maximum} vCPUs is more than the ${caps.maxVcpus} that ${where} takes (its domain capabilities' <vcpu max>); lower vcpu, or choose a machine type that takes more (os.machine: "q35" takes more than "pc")`,
        });
    }
    const cpuModel = model.cpu?.model;
    if (model.cpu?.mode === "custom" || (model.cpu?.mode === undefined && cpuModel !== undefined)) {
        if (cpuModel !== undefined && caps.customModels.size > 0) {
            const usable = [...caps.customModels].filter(([, ok]) => ok).map(([name]) => name);
            const listed =
                usable.length > 12 ? `${usable.slice(0, 12).join(", ")}... (virsh domcapabilities)` : usable.join(", ");
            if (!caps.customModels.has(cpuModel)) {
                failures.push({
                    property: "cpu.model",
                    reason: `the CPU model '${cpuModel}' is unknown to ${where}; choose one it lists as usable (${listed}) or use cpu.mode "host-model"`,
                });
            }
        }
    }
    return failures;
}
