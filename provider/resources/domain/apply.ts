/**
 * Bringing an existing domain to a declaration (update, and create with `adopt`): merge the model
 * into the definition libvirt holds (UUID, MACs, PCI addresses and unmodelled parts survive),
 * redefine it, apply live-class changes to the running guest, set autostart and the power state,
 * and handle restart-class changes by the restart policy.
 */
import type { LibvirtClient } from "../../rpc";
import { VirDomainXMLFlags } from "../../rpc/generated";
import { classifyChanges } from "../../model/change-policy";
import type { Domain } from "../../model/domain";
import { domainFromXml, mergeDomain } from "../../xml/domain";
import { describeError, operationError, rollback, step } from "../shared/errors";
import { logInfo, logWarning } from "../shared/log";
import { resendOnce } from "../shared/lost-reply";
import type { DomainResourceFields } from "./args";
import { withLentChains } from "./backing-chains";
import { comparable } from "./comparable";
import { autostartOf, DOMAIN_DEFINE_FLAGS, type Dom, inactiveXml, isActive, liveXml } from "./libvirt";
import { applyLive } from "./live";
import { restart, setDomainAutostart, setPaused, shutDown, start, wantedPower } from "./power";

/** A change's field for messages: a device as a whole (`devices.disks[2]`), other paths as they are. */
function fieldOf(path: string): string {
    return /^devices\.\w+\[\d+\]/.exec(path)?.[0] ?? path;
}

/**
 * Applies `model` to the domain. `previous` is the model applied last time (fields it set that
 * `model` drops are removed); `pending` are fields already waiting for a restart. Returns the
 * fields waiting for a restart afterwards (empty when the guest is off or was restarted).
 */
export async function applyDeclaration(
    client: LibvirtClient,
    dom: Dom,
    model: Domain,
    previous: Domain | undefined,
    resource: DomainResourceFields,
    pending: readonly string[],
): Promise<string[]> {
    const name = model.name;
    const currentXml = await step("Domain", name, "read the definition", () => inactiveXml(client, dom));
    // What the definition holds now, against the declaration: drift made out of band counts too.
    // Parsed once for the reading and the merge. A chain the definition does not list (an external
    // snapshot of a shut-off guest) is lent to both, so the overlay on the declared image stays
    // (backing-chains.ts).
    const chained = await step("Domain", name, "read the disks' backing chains", () =>
        withLentChains(client, dom, currentXml, model),
    );
    const current = domainFromXml(chained, { like: model });
    const changes = classifyChanges("domain", comparable(current), comparable(model));

    // The chains lent to the reading are left out of the merged document (libvirt finds them itself).
    const merged = mergeDomain(chained, model, previous);
    // The merged document keeps the domain's UUID: a redefine whose reply was lost is sent once more.
    await step("Domain", name, "redefine", () =>
        resendOnce({ kind: "Domain", name, operation: "redefine" }, () =>
            client.domainDefineXmlFlags({ xml: merged, flags: DOMAIN_DEFINE_FLAGS }),
        ),
    );
    const newXml = await inactiveXml(client, dom);

    if (model.autostart !== undefined && (await autostartOf(client, dom)) !== model.autostart) {
        const wanted = model.autostart;
        await step("Domain", name, "set autostart", () => setDomainAutostart(client, dom, wanted));
    }

    const nextBoot = changes.filter((c) => c.class === "nextBoot").map((c) => c.path);
    if (nextBoot.length > 0)
        logInfo("Domain", name, `written to the definition, used at the next boot: ${nextBoot.join(", ")}`);

    const wanted = wantedPower(model.running);
    if (!(await isActive(client, dom))) {
        if (wanted !== "off") {
            const paused = wanted === "paused";
            await step("Domain", name, paused ? "start (paused)" : "start", () => start(client, dom, paused));
        }
        return [];
    }
    if (wanted === "off") {
        const how = await step("Domain", name, "shut down", () =>
            shutDown(client, dom, resource.shutdownTimeoutSeconds),
        );
        logInfo("Domain", name, `running: false: ${how}`);
        return [];
    }
    // A paused guest declared running is resumed first: live changes need its vCPUs to run.
    if (wanted === "running") await settlePause(client, dom, name, false);

    const refused = await applyLive(client, dom, name, model, previous, await liveXml(client, dom), newXml);
    const restartFields = changes.filter((c) => c.class === "restart").map((c) => fieldOf(c.path));
    const waiting = [...new Set([...pending, ...restartFields, ...refused])];
    if (waiting.length === 0 || resource.restartPolicy === "never") {
        if (waiting.length > 0) {
            logWarning(
                "Domain",
                name,
                `the definition is updated, but the running guest keeps its old settings until it is restarted: ${waiting.join(", ")} (set restartPolicy to "graceful" or "force" to restart it)`,
            );
        }
        if (wanted === "paused") await settlePause(client, dom, name, true);
        return waiting;
    }
    logInfo("Domain", name, `restarting (${resource.restartPolicy}) to apply: ${waiting.join(", ")}`);
    const how = await restartOrRollBack(client, dom, name, resource, currentXml, waiting);
    const stopped =
        how === "shut down"
            ? "the guest shut down when asked"
            : resource.restartPolicy === "force"
              ? "powered off (force)"
              : `powered off: it was still running after ${resource.shutdownTimeoutSeconds} s`;
    logInfo("Domain", name, `restarted (${stopped})`);
    if (wanted === "paused") await settlePause(client, dom, name, true);
    return [];
}

/**
 * The restart that applies restart-class changes. When the guest stops but the new definition
 * does not start (QEMU or libvirt refuses it, e.g. a CPU this host cannot provide), the previous
 * definition is written back and the guest started with it, so a refused change never leaves a
 * guest off; the error says whether that worked. The previous definition may hold changes that
 * were held for a restart (`restartPolicy: never`) and never ran: when it does not start either,
 * the configuration the guest ran before the restart is written back and started.
 */
async function restartOrRollBack(
    client: LibvirtClient,
    dom: Dom,
    name: string,
    resource: DomainResourceFields,
    previousXml: string,
    fields: readonly string[],
): Promise<"was off" | "shut down" | "powered off"> {
    const policy = resource.restartPolicy as "graceful" | "force";
    // What the guest runs now, as a definition (migratable: without runtime-only parts).
    const { xml: ranXml } = await client.domainGetXmlDesc({
        dom,
        flags: VirDomainXMLFlags.VIR_DOMAIN_XML_SECURE | VirDomainXMLFlags.VIR_DOMAIN_XML_MIGRATABLE,
    });
    const defineAndStart = (xml: string) =>
        rollback([() => client.domainDefineXmlFlags({ xml, flags: DOMAIN_DEFINE_FLAGS }), () => start(client, dom)]);
    try {
        return await restart(client, dom, policy, resource.shutdownTimeoutSeconds);
    } catch (error) {
        if (await isActive(client, dom)) throw operationError("Domain", name, `restart (${policy})`, error);
        const problems = await defineAndStart(previousXml);
        if (problems.length === 0 || (await isActive(client, dom))) {
            throw new RestartRefusedError(name, policy, fields, error, problems);
        }
        const again = await defineAndStart(ranXml);
        throw new RestartRefusedError(name, policy, fields, error, again.length === 0 ? [] : [...problems, ...again], {
            ranBefore: again.length === 0 ? problems : undefined,
        });
    }
}

/** A restart whose new definition would not start; `rolledBack` when the old one runs again. */
export class RestartRefusedError extends Error {
    readonly rolledBack: boolean;
    constructor(
        name: string,
        policy: string,
        paths: readonly string[],
        cause: unknown,
        problems: readonly string[],
        /** Set when the previous definition did not start (why) and the configuration the guest ran before the restart did. */
        o: { ranBefore?: readonly string[] } = {},
    ) {
        // Named by their top-level input (`cpu`), which is what the user changes.
        const fields = [...new Set(paths.map((path) => path.split(/[.[]/)[0]!))];
        const outcome =
            o.ranBefore !== undefined
                ? `the previous definition did not start either (${o.ranBefore.join("; ")}), so the configuration the guest ran before the restart was written back and the guest runs again with it; nothing of this update was applied, and changes held for a restart were dropped from the definition`
                : problems.length === 0
                  ? "the previous definition was written back and the guest runs again with it; nothing of this update was applied"
                  : `writing back the previous definition and starting the guest failed too (${problems.join("; ")}): the guest is off`;
        super(
            `Domain '${name}': restart (${policy}) to apply ${fields.join(", ")} failed: the new definition did not start: ${describeError(cause)}; ${outcome}. Change ${fields.join(", ")} to something this host can run, or remove it, and run up again.`,
        );
        this.name = "RestartRefusedError";
        // Back to the previous definition: the old outputs are true again. Back to what ran before
        // the restart: the definition lost its held changes, so the real state must be recorded.
        this.rolledBack = problems.length === 0 && o.ranBefore === undefined;
    }
}

/** Suspends or resumes the running guest to match `running` ("paused" or true), saying so when it did. */
async function settlePause(client: LibvirtClient, dom: Dom, name: string, paused: boolean): Promise<void> {
    const done = await step("Domain", name, paused ? "suspend" : "resume", () => setPaused(client, dom, paused));
    if (done === "paused") logInfo("Domain", name, 'running: "paused": suspended');
    if (done === "resumed") logInfo("Domain", name, "running: true: resumed");
}
