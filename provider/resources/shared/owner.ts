/**
 * Which resource an object belongs to (issue 16, item 1): the one place where owner records and
 * the automatic names a retry finds again are derived. provider/resources/README.md ("Owner
 * records") says which record each kind keeps and why.
 *
 * Dynamic providers never see the Pulumi URN, so the owner is derived from what check receives:
 * the kind, the stack (the hidden `nameScope` input, `<project>/<stack>`, that the SDK sets), the
 * logical name (the hidden `namePrefix` input) and the libvirt name, hashed. It does not depend on
 * the stack's state, so a create interrupted after libvirt made the object (the process killed,
 * the state never written) finds its own object on the next run, while another stack declaring
 * the same names on the same host does not take it over: its automatic names differ, and an
 * explicit name it shares is refused as another owner's.
 */
import { createHash } from "node:crypto";
import type { Properties } from "./handler";

/** The project's namespace for its records in libvirt `<metadata>` (domains). */
export const OWNER_NAMESPACE = "https://pulumi-libvirt.dev/xmlns/owner/1";

/** The kinds whose creates recognise their own objects by an owner derived here. */
export type OwnedKind = "Domain" | "Network" | "StoragePool";

/** The owner (32 hex) of the object a resource declares, or undefined without a logical name (a `get`). */
export function ownerOf(kind: OwnedKind, props: Properties): string | undefined {
    const logical = props.namePrefix;
    const name = props.name;
    if (typeof logical !== "string" || typeof name !== "string") return undefined;
    return sha256(`${kind}\0${scopeOf(props.nameScope)}\0${logical}\0${name}`).slice(0, 32);
}

/**
 * The UUID that records the owner of networks and pools: the owner's bits shaped as an RFC 9562
 * version 8 (custom) UUID, so it is a valid UUID that no random (version 4) one can equal.
 */
export function ownerUuid(owner: string): string {
    const hex = owner.padEnd(32, "0").slice(0, 32).split("");
    hex[12] = "8";
    hex[16] = ((Number.parseInt(hex[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
    const text = hex.join("");
    return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

/** The UUID a create gives a network or pool it defines: the owner's, unless one is declared. */
export function uuidToDefine(kind: OwnedKind, props: Properties, declared: string | undefined): string | undefined {
    if (declared !== undefined) return declared;
    const owner = ownerOf(kind, props);
    return owner === undefined ? undefined : ownerUuid(owner);
}

/**
 * True when an object found under the declared name is this resource's (it carries the owner
 * UUID): an earlier create of it was interrupted before the state was written.
 */
export function ownsUuid(kind: OwnedKind, props: Properties, found: string): boolean {
    const owner = ownerOf(kind, props);
    return owner !== undefined && found.toLowerCase() === ownerUuid(owner);
}

/**
 * The stack a resource belongs to: the hidden `nameScope` input (`<project>/<stack>`, set by the
 * SDK), else the project the engine starts provider plugins with (`PULUMI_PROJECT`; the engine does
 * not pass the stack), else empty (direct handler calls).
 */
function scopeOf(nameScope: unknown): string {
    if (typeof nameScope === "string" && nameScope !== "") return nameScope;
    return process.env.PULUMI_PROJECT ?? "";
}

/**
 * The hex suffix of the `sequence`th automatic name for a logical name in a stack (`nameScope`):
 * two stacks on one host with the same logical names get different names.
 */
export function autoNameSuffix(logicalName: string, sequence: number, length: number, nameScope?: unknown): string {
    return sha256(`${scopeOf(nameScope)}\0${logicalName}\0${sequence}`).slice(0, length);
}

function sha256(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}
