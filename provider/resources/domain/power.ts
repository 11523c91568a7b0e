/**
 * Power operations: start, graceful shutdown with a deadline, power off, restart. A guest is never
 * powered off without first being asked to shut down, unless the user chose `force`.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type LibvirtClient, LibvirtError } from "../../rpc";
import { VirDomainDestroyFlagsValues, VirDomainShutdownFlagValues } from "../../rpc/generated";
import { type Dom, isActive } from "./libvirt";

/** How often the power state is polled while waiting for a shutdown. */
const POLL_INTERVAL_MS = 250;

/** Starts a defined domain. */
export async function start(client: LibvirtClient, dom: Dom): Promise<void> {
    await client.domainCreateWithFlags({ dom, flags: 0 });
}

/** Powers the guest off at once (the QEMU process ends); a domain already off is fine. */
export async function powerOff(client: LibvirtClient, dom: Dom): Promise<void> {
    try {
        await client.domainDestroyFlags({ dom, flags: VirDomainDestroyFlagsValues.VIR_DOMAIN_DESTROY_DEFAULT });
    } catch (error) {
        // "domain is not running": it stopped by itself between our check and the call.
        if (error instanceof LibvirtError && error.isOperationInvalid() && !(await isActive(client, dom))) return;
        throw error;
    }
}

/** Waits until the domain is off or the deadline passes; true when it is off. */
async function waitForOff(client: LibvirtClient, dom: Dom, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (!(await isActive(client, dom))) return true;
        await sleep(Math.min(POLL_INTERVAL_MS, Math.max(0, deadline - Date.now())));
    }
    return !(await isActive(client, dom));
}

/**
 * Asks the guest to shut down (ACPI power button) and waits up to `timeoutSeconds`; a guest that
 * is still up then is powered off. Returns how it went, for the messages.
 */
export async function shutDown(
    client: LibvirtClient,
    dom: Dom,
    timeoutSeconds: number,
): Promise<"was off" | "shut down" | "powered off"> {
    if (!(await isActive(client, dom))) return "was off";
    if (timeoutSeconds > 0) {
        try {
            await client.domainShutdownFlags({
                dom,
                flags: VirDomainShutdownFlagValues.VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN,
            });
        } catch (error) {
            if (!(error instanceof LibvirtError && error.isOperationInvalid())) throw error;
            // The domain stopped in the meantime, or cannot take the request: power off below.
        }
        if (await waitForOff(client, dom, timeoutSeconds * 1000)) return "shut down";
    }
    await powerOff(client, dom);
    return "powered off";
}

/** Stops the guest (gracefully unless `force`) and starts it again; says how it stopped. */
export async function restart(
    client: LibvirtClient,
    dom: Dom,
    policy: "graceful" | "force",
    timeoutSeconds: number,
): Promise<"was off" | "shut down" | "powered off"> {
    let how: "was off" | "shut down" | "powered off" = "powered off";
    if (policy === "force") await powerOff(client, dom);
    else how = await shutDown(client, dom, timeoutSeconds);
    await start(client, dom);
    return how;
}
