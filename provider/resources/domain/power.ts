/**
 * Power operations: start (optionally paused), suspend and resume, graceful shutdown with a
 * deadline, power off, restart. A guest is never powered off without first being asked to shut
 * down, unless the user chose `force`.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type LibvirtClient, LibvirtError } from "../../rpc";
import { VirDomainCreateFlags, VirDomainDestroyFlagsValues, VirDomainShutdownFlagValues } from "../../rpc/generated";
import type { Domain } from "../../model/domain";
import { changeOnce, resendOnce } from "../shared/lost-reply";
import { type Dom, isActive, powerState } from "./libvirt";

/** How often the power state is polled while waiting for a shutdown. */
const POLL_INTERVAL_MS = 250;

/** The power state a declaration asks for: `running` unset means running. */
export type WantedPower = "running" | "paused" | "off";

export function wantedPower(running: Domain["running"]): WantedPower {
    return running === "paused" ? "paused" : running === false ? "off" : "running";
}

/**
 * The declaration's `running` value for a power state libvirt reports: "paused" for a suspended
 * guest, true for one that runs (or is blocked, shutting down...), false when it is off.
 */
export function runningValueOf(state: string): Domain["running"] {
    if (state === "paused") return "paused";
    return !["shutoff", "crashed", "nostate"].includes(state);
}

/**
 * Starts a defined domain; with `paused`, QEMU starts with its vCPUs stopped. A start whose reply
 * was lost with the connection is checked (is the domain active now?), not repeated blindly.
 */
export async function start(client: LibvirtClient, dom: Dom, paused = false): Promise<void> {
    await changeOnce(
        { kind: "Domain", name: dom.name, operation: "start" },
        () => client.domainCreateWithFlags({ dom, flags: paused ? VirDomainCreateFlags.VIR_DOMAIN_START_PAUSED : 0 }),
        () => isActive(client, dom),
    );
}

/** Sets whether the guest starts with the host; a call whose reply was lost is sent once more (idempotent). */
export async function setDomainAutostart(client: LibvirtClient, dom: Dom, wanted: boolean): Promise<void> {
    await resendOnce({ kind: "Domain", name: dom.name, operation: "set autostart" }, () =>
        client.domainSetAutostart({ dom, autostart: wanted ? 1 : 0 }),
    );
}

/**
 * Brings a running (active) guest to running or paused: virDomainResume or virDomainSuspend when
 * its state differs. Returns what was done, or undefined when nothing was needed.
 */
export async function setPaused(
    client: LibvirtClient,
    dom: Dom,
    paused: boolean,
): Promise<"paused" | "resumed" | undefined> {
    const isPaused = (await powerState(client, dom)) === "paused";
    if (paused === isPaused) return undefined;
    if (paused) {
        await client.domainSuspend({ dom });
        return "paused";
    }
    await client.domainResume({ dom });
    return "resumed";
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
 * Resumes a paused guest. A guest that libvirt is still starting shows as paused (QEMU starts with
 * its vCPUs stopped until the start finishes) and may run by the time the resume arrives, which
 * libvirt then refuses ("domain is already running"): running is what was wanted.
 */
async function resumeUnlessRunning(client: LibvirtClient, dom: Dom): Promise<void> {
    try {
        await client.domainResume({ dom });
    } catch (error) {
        if (error instanceof LibvirtError && error.isOperationInvalid() && (await powerState(client, dom)) !== "paused")
            return;
        throw error;
    }
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
    // A suspended guest cannot see the power button: it runs again to be asked.
    if (timeoutSeconds > 0 && (await powerState(client, dom)) === "paused") await resumeUnlessRunning(client, dom);
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
    await startAfterStop(client, dom);
    return how;
}

/** The pause before the one retry of a start that failed right after the guest stopped. */
const RESTART_RETRY_DELAY_MS = 2000;

/**
 * Starts a guest that has just stopped. A start that fails with libvirt's internal error (QEMU
 * exited while libvirt connected to its monitor, with nothing in its log: seen on a loaded host,
 * right after the old QEMU ended) is tried once more before the caller rolls back; a definition
 * the hypervisor refuses fails with another code, or fails the second time too.
 */
async function startAfterStop(client: LibvirtClient, dom: Dom): Promise<void> {
    try {
        await start(client, dom);
    } catch (error) {
        if (!LibvirtError.isInstance(error) || !error.isInternalError() || (await isActive(client, dom))) throw error;
        await sleep(RESTART_RETRY_DELAY_MS);
        await start(client, dom);
    }
}
