/**
 * Checks of a NoCloud seed's content before anything is written, for a resource's check():
 *
 * - ERROR: a `#cloud-config` (user-data or vendor-data) or a network-config that is not valid
 *   YAML, or whose top level is not a mapping; a network-config without `version: 1` or `2`;
 *   a host name that is not one (meta-data `local-hostname`, cloud-config `hostname`/`fqdn`); an
 *   SSH key that is not an SSH public key (cloud-config `ssh_authorized_keys`, top level or per
 *   user).
 * - WARNING: a top-level cloud-config key that cloud-init's schema does not list (a newer
 *   cloud-init may know it: see cloud-config-keys.ts), with the nearest known key when there is
 *   one; user-data that starts with no header cloud-init recognises (cloud-init ignores it).
 *
 * Other user-data formats (`#!` scripts, MIME multipart, `#include`, jinja templates...) are
 * passed through unchecked.
 */
import { isMap, isScalar, isSeq, type Node, parseDocument } from "yaml";
import { CLOUD_CONFIG_KEYS, closestCloudConfigKey } from "./cloud-config-keys";
import { CLOUD_CONFIG_HEADER, cloudConfigDocument, yamlDocument } from "./documents";
import { checkHostname, checkSshPublicKey } from "./identity-checks";
import type { NoCloudSeedInput } from "./seed";

export interface SeedProblem {
    severity: "error" | "warning";
    /** The input property the problem is in, as a path (e.g. `userData.users[0].ssh_authorized_keys[1]`). */
    property: string;
    reason: string;
}

/** First lines of user-data formats cloud-init handles other than plain `#cloud-config`. */
const OTHER_FORMATS = [
    "#!",
    "#include",
    "#cloud-boothook",
    "#part-handler",
    "#cloud-config-archive",
    "#cloud-config-jsonp",
    "#upstart-job",
    "## template: jinja",
    "content-type:",
    "mime-version:",
];

export interface SeedCheckOptions {
    /**
     * Documents whose content is secret (a resource's userData and vendorData): messages about
     * them never quote a value from them, only the path and the fix.
     */
    readonly secretDocuments?: readonly ("userData" | "vendorData" | "metaData" | "networkConfig")[];
}

/** Every problem of a seed's input, errors and warnings, in input order. */
export function checkNoCloudSeed(input: NoCloudSeedInput, options: SeedCheckOptions = {}): SeedProblem[] {
    const problems: SeedProblem[] = [];
    const hidden = (document: "userData" | "vendorData" | "metaData" | "networkConfig") =>
        options.secretDocuments?.includes(document) === true;
    checkCloudConfigDocument("userData", cloudConfigDocument(input.userData), problems, hidden("userData"));
    if (input.vendorData !== undefined) {
        checkCloudConfigDocument("vendorData", cloudConfigDocument(input.vendorData), problems, hidden("vendorData"));
    }
    const hostname = input.metaData?.["local-hostname"];
    if (hostname !== undefined) {
        const reason =
            typeof hostname === "string"
                ? checkHostname("metaData.local-hostname", hostname, hidden("metaData"))
                : "metaData.local-hostname must be a string (a host name)";
        if (reason) problems.push({ severity: "error", property: "metaData.local-hostname", reason });
    }
    const instanceId = input.metaData?.["instance-id"];
    if (instanceId !== undefined && (typeof instanceId !== "string" || !/^[^\s]{1,255}$/.test(instanceId))) {
        problems.push({
            severity: "error",
            property: "metaData.instance-id",
            reason: `metaData.instance-id ${JSON.stringify(instanceId)} must be 1-255 characters without spaces, or left out (it then defaults to a hash of the content)`,
        });
    }
    if (input.networkConfig !== undefined) checkNetworkConfig(yamlDocument(input.networkConfig), problems);
    return problems;
}

/** The errors only, for callers that refuse a seed with any. */
export function seedErrors(input: NoCloudSeedInput, options: SeedCheckOptions = {}): SeedProblem[] {
    return checkNoCloudSeed(input, options).filter((p) => p.severity === "error");
}

function firstLine(text: string): string {
    const end = text.indexOf("\n");
    return (end < 0 ? text : text.slice(0, end)).replace(/\r$/, "").trimEnd();
}

/** Parses YAML as PyYAML would read it; a syntax error becomes a problem naming line and column. */
function parseYaml(property: string, text: string, problems: SeedProblem[]): Node | null | undefined {
    const doc = parseDocument(text, { version: "1.1" });
    const error = doc.errors[0];
    if (error !== undefined) {
        const at = error.linePos?.[0];
        const where = at ? ` at line ${at.line}, column ${at.col}` : "";
        problems.push({
            severity: "error",
            property,
            reason: `${property} is not valid YAML${where}: ${error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`,
        });
        return undefined;
    }
    return doc.contents;
}

function checkCloudConfigDocument(property: string, text: string, problems: SeedProblem[], hide = false): void {
    const header = firstLine(text);
    if (header !== CLOUD_CONFIG_HEADER) {
        const known = OTHER_FORMATS.some((f) => header.toLowerCase().startsWith(f));
        if (text.trim() !== "" && !known) {
            problems.push({
                severity: "warning",
                property,
                reason: `${property} starts with ${hide ? "a line" : JSON.stringify(header.slice(0, 40))}, which is no cloud-init user-data format: cloud-init will ignore it; start cloud-config with "#cloud-config"`,
            });
        }
        return;
    }
    const root = parseYaml(property, text, problems);
    if (root === undefined || root === null) return;
    if (!isMap(root)) {
        problems.push({
            severity: "error",
            property,
            reason: `${property}: a #cloud-config must be a YAML mapping of keys (e.g. "users:"), not a ${isSeq(root) ? "list" : "single value"}`,
        });
        return;
    }
    for (const pair of root.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const path = `${property}.${key}`;
        if (!CLOUD_CONFIG_KEYS.has(key)) {
            const near = closestCloudConfigKey(key);
            problems.push({
                severity: "warning",
                property: path,
                reason: `${property}: cloud-init does not know the top-level key ${JSON.stringify(key)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ""}; it would be ignored`,
            });
        }
        const value = pair.value as Node | null;
        if (key === "hostname" || key === "fqdn") checkHostnameNode(path, value, problems, hide);
        if (key === "ssh_authorized_keys") checkKeysNode(path, value, problems, hide);
        if (key === "users" && isSeq(value)) {
            value.items.forEach((user, i) => {
                if (!isMap(user)) return; // "default" or a name string
                const keys = user.get("ssh_authorized_keys", true) as Node | undefined;
                if (keys !== undefined) checkKeysNode(`${path}[${i}].ssh_authorized_keys`, keys, problems, hide);
            });
        }
    }
}

function checkHostnameNode(property: string, node: Node | null, problems: SeedProblem[], hide: boolean): void {
    if (!isScalar(node)) return;
    const reason = checkHostname(property, String(node.value), hide);
    if (reason) problems.push({ severity: "error", property, reason });
}

function checkKeysNode(property: string, node: Node | null | undefined, problems: SeedProblem[], hide: boolean): void {
    if (!isSeq(node)) {
        problems.push({ severity: "error", property, reason: `${property} must be a list of SSH public keys` });
        return;
    }
    node.items.forEach((item, i) => {
        const value = isScalar(item) ? item.value : undefined;
        const reason =
            typeof value === "string"
                ? checkSshPublicKey(`${property}[${i}]`, value, hide)
                : `${property}[${i}] must be a string (an SSH public key)`;
        if (reason) problems.push({ severity: "error", property: `${property}[${i}]`, reason });
    });
}

function checkNetworkConfig(text: string, problems: SeedProblem[]): void {
    const property = "networkConfig";
    const root = parseYaml(property, text, problems);
    if (root === undefined) return;
    // cloud-init accepts the configuration bare or under a top-level "network:" key.
    const config = isMap(root) && root.has("network") ? (root.get("network", true) as Node) : root;
    const version = isMap(config) ? config.get("version") : undefined;
    if (version !== 1 && version !== 2) {
        problems.push({
            severity: "error",
            property: `${property}.version`,
            reason: `${property} must be network config version 1 or 2 (a mapping with "version: 1" or "version: 2"); found version ${JSON.stringify(version ?? null)}`,
        });
    }
}

/** The problems as one message per line, for an error thrown by a caller. */
export function describeProblems(problems: readonly SeedProblem[]): string {
    return problems.map((p) => `${p.severity}: ${p.reason}`).join("\n");
}
