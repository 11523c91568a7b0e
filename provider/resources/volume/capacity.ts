/**
 * What a capacity change means. The declared capacity is compared with the volume's actual size
 * (refreshed by read), not only with the old declaration, so an out-of-band change is found:
 *
 * - declared above actual: grow in place (live);
 * - declared below actual with `allowShrink`: shrink in place (live);
 * - declared lowered below actual without `allowShrink`: replace (a new, smaller, empty volume);
 * - actual above an unchanged declaration (grown out of band, or an image larger than declared):
 *   kept as it is, with a note; destroying a disk because someone grew it would lose data.
 */

export type CapacityAction =
    | { kind: "none" }
    | { kind: "grow" | "shrink"; bytes: number; actual: number }
    | { kind: "replace"; bytes: number; actual: number }
    | { kind: "keepLarger"; bytes: number; actual: number };

export function capacityAction(
    declared: number | undefined,
    oldDeclared: number | undefined,
    actual: number | undefined,
    allowShrink: boolean,
): CapacityAction {
    if (declared === undefined) return { kind: "none" };
    const current = actual ?? oldDeclared;
    if (current === undefined || declared === current) return { kind: "none" };
    if (declared > current) return { kind: "grow", bytes: declared, actual: current };
    if (allowShrink) return { kind: "shrink", bytes: declared, actual: current };
    const lowered = oldDeclared === undefined || declared < oldDeclared;
    return { kind: lowered ? "replace" : "keepLarger", bytes: declared, actual: current };
}
