/**
 * Comparing model values the way libvirt does: key order and absent-versus-undefined never make
 * two entries different.
 */

/** JSON text with object keys sorted and undefined members dropped. */
export function stableJson(value: unknown): string {
    return JSON.stringify(value, (_key, member: unknown) => {
        if (member === null || typeof member !== "object" || Array.isArray(member)) return member;
        const sorted: Record<string, unknown> = {};
        for (const key of Object.keys(member).sort()) {
            const inner = (member as Record<string, unknown>)[key];
            if (inner !== undefined) sorted[key] = inner;
        }
        return sorted;
    });
}

/** True when two model values are equal as libvirt would see them. */
export function sameValue(left: unknown, right: unknown): boolean {
    return stableJson(left) === stableJson(right);
}
