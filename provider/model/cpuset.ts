/**
 * libvirt's cpuset syntax ("1-4,^3,6"): comma-separated numbers and ranges, with "^N" excluding a CPU
 * that an earlier entry included. Parsed into a sorted list; printed back the way libvirt prints
 * bitmaps ("1-2,4,6"), so that what libvirt rewrites compares equal.
 */

/** The outcome of reading a cpuset. */
export type CpusetResult = { ok: true; cpus: number[] } | { ok: false; reason: string };

/**
 * Highest CPU (or NUMA node) number libvirt accepts in a set: its domain bitmaps hold 16384 bits
 * (VIR_DOMAIN_CPUMASK_LEN); libvirtd 9.0 refuses `cpuset='16384'` with "Failed to parse bitmap"
 * and takes 16383 (tried with virsh define).
 */
export const MAX_CPU = 16383;

function readCpu(text: string, whole: string): number | string {
    if (!/^\d+$/.test(text)) return `'${text}' in cpuset '${whole}' is not a CPU number`;
    const cpu = Number(text);
    if (cpu > MAX_CPU) {
        return `CPU ${cpu} in cpuset '${whole}' is above ${MAX_CPU}, the highest number libvirt's CPU bitmaps hold`;
    }
    return cpu;
}

/** Reads a cpuset string into its sorted CPU numbers. */
export function parseCpuset(text: string): CpusetResult {
    const whole = text;
    const included = new Set<number>();
    const excluded = new Set<number>();
    const entries = text.split(",").map((entry) => entry.trim());
    if (entries.length === 0 || entries.some((entry) => entry === "")) {
        return { ok: false, reason: `cpuset '${whole}' has an empty entry; write e.g. "0-3,^2,6"` };
    }
    for (const entry of entries) {
        if (entry.startsWith("^")) {
            const cpu = readCpu(entry.slice(1), whole);
            if (typeof cpu === "string") return { ok: false, reason: cpu };
            excluded.add(cpu);
            continue;
        }
        const [startText, endText, ...rest] = entry.split("-");
        if (rest.length > 0) return { ok: false, reason: `'${entry}' in cpuset '${whole}' is not a range` };
        const start = readCpu(startText!, whole);
        if (typeof start === "string") return { ok: false, reason: start };
        const end = endText === undefined ? start : readCpu(endText, whole);
        if (typeof end === "string") return { ok: false, reason: end };
        if (end < start) {
            return {
                ok: false,
                reason: `range '${entry}' in cpuset '${whole}' ends before it starts; write '${end}-${start}'`,
            };
        }
        for (let cpu = start; cpu <= end; cpu++) included.add(cpu);
    }
    const cpus = [...included].filter((cpu) => !excluded.has(cpu)).sort((a, b) => a - b);
    if (cpus.length === 0) return { ok: false, reason: `cpuset '${whole}' selects no CPU` };
    return { ok: true, cpus };
}

/** Prints sorted CPU numbers the way libvirt does: runs of two or more as "a-b", others alone. */
export function formatCpuset(cpus: readonly number[]): string {
    const sorted = [...new Set(cpus)].sort((a, b) => a - b);
    const parts: string[] = [];
    for (let i = 0; i < sorted.length; ) {
        let j = i;
        while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
        parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : `${sorted[i]}`);
        i = j + 1;
    }
    return parts.join(",");
}

/** The canonical spelling of a cpuset string, or undefined when it is invalid. */
export function canonicalCpuset(text: string): string | undefined {
    const parsed = parseCpuset(text);
    return parsed.ok ? formatCpuset(parsed.cpus) : undefined;
}
