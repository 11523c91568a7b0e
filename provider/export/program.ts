/**
 * A host's objects as a TypeScript Pulumi program: one resource per object, each with
 * `adopt: true` and its explicit name, wired by references where one object names another (a
 * volume its pool and backing volume, a domain's disk its volume, a NIC or a reservation its
 * network), so Pulumi orders them and a rename flows through.
 */
import type { Properties } from "../resources/shared/handler";
import type { HostObjects } from "./read-host";

/** An expression written as is (a reference to another resource's output). */
class Ref {
    constructor(readonly expression: string) {}
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A value as a TypeScript literal, indented by `depth` levels of four spaces. */
export function literal(value: unknown, depth = 0): string {
    const pad = "    ".repeat(depth + 1);
    const end = "    ".repeat(depth);
    if (value instanceof Ref) return value.expression;
    if (Array.isArray(value)) {
        if (value.length === 0) return "[]";
        return `[\n${value.map((v) => `${pad}${literal(v, depth + 1)},`).join("\n")}\n${end}]`;
    }
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value).filter(([, v]) => v !== undefined);
        if (entries.length === 0) return "{}";
        const key = (k: string) => (IDENTIFIER.test(k) ? k : JSON.stringify(k));
        return `{\n${entries.map(([k, v]) => `${pad}${key(k)}: ${literal(v, depth + 1)},`).join("\n")}\n${end}}`;
    }
    return JSON.stringify(value);
}

/** A variable name from a libvirt name: `pltest-lab-net` -> `pltestLabNet`, unique within the program. */
function variables(): (name: string) => string {
    const used = new Set<string>();
    return (name) => {
        const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
        let base = words.map((w, i) => (i === 0 ? w.toLowerCase() : w[0]!.toUpperCase() + w.slice(1))).join("");
        if (!/^[A-Za-z_]/.test(base)) base = `_${base}`;
        let v = base || "resource";
        for (let i = 2; used.has(v); i++) v = `${base}${i}`;
        used.add(v);
        return v;
    };
}

interface Emitted {
    variable: string;
    text: string;
}

export function renderProgram(host: HostObjects, source: string): string {
    const variable = variables();
    const netVar = new Map<string, string>();
    const poolVar = new Map<string, string>();
    const volVar = new Map<string, string>(); // "pool/name" and path -> variable
    const out: Emitted[] = [];
    const kinds = new Set<string>();
    const emit = (kind: string, name: string, args: Properties): string => {
        const v = variable(name);
        kinds.add(kind);
        out.push({
            variable: v,
            text: `const ${v} = new ${kind}(${JSON.stringify(name)}, ${literal({ ...args, adopt: true })});`,
        });
        return v;
    };

    for (const n of host.networks) netVar.set(String(n.name), emit("Network", String(n.name), n));
    for (const p of host.pools) poolVar.set(String(p.name), emit("StoragePool", String(p.name), p));
    const byPath = new Map(host.volumes.map((v) => [v.path, v]));
    // Backing volumes first, so an overlay's reference is declared before it.
    const ordered = [...host.volumes].sort(
        (a, b) => Number(a.backingPath !== undefined) - Number(b.backingPath !== undefined),
    );
    for (const v of ordered) {
        const decl: Properties = { ...v.declaration };
        const pool = String(decl.pool);
        if (poolVar.has(pool)) decl.pool = new Ref(`${poolVar.get(pool)}.name`);
        const backing = v.backingPath !== undefined ? byPath.get(v.backingPath) : undefined;
        if (backing && volVar.has(backing.path)) {
            decl.backingStore = {
                volume: { name: new Ref(`${volVar.get(backing.path)}.name`) },
                ...(backing.format ? { format: backing.format } : {}),
            };
        } else if (v.backingPath !== undefined) {
            decl.backingStore = { path: v.backingPath };
        }
        const name = `${pool}/${String(decl.name)}`;
        const id = emit("Volume", String(decl.name), decl);
        volVar.set(name, id);
        volVar.set(v.path, id);
    }
    for (const d of host.domains) {
        const decl = structuredClone(d) as Properties;
        const devices = decl.devices as Properties | undefined;
        for (const disk of (devices?.disks as Properties[] | undefined) ?? []) {
            const src = disk.source as Properties | undefined;
            if (!src) continue;
            const ref = typeof src.pool === "string" ? volVar.get(`${src.pool}/${String(src.volume)}`) : undefined;
            if (ref) {
                disk.source = {
                    ...src,
                    pool: poolVar.has(String(src.pool)) ? new Ref(`${poolVar.get(String(src.pool))}.name`) : src.pool,
                    volume: new Ref(`${ref}.name`),
                };
            }
        }
        for (const nic of (devices?.interfaces as Properties[] | undefined) ?? []) {
            const src = nic.source as Properties | undefined;
            if (src && typeof src.network === "string" && netVar.has(src.network)) {
                nic.source = { ...src, network: new Ref(`${netVar.get(src.network)}.name`) };
            }
        }
        emit("Domain", String(decl.name), decl);
    }
    // Logical names from the entry's key, with ':' and '.' spelled '-' (':' separates a URN's parts).
    const entryName = (net: string, key: unknown) => `${net}-${String(key).replace(/[:.]/g, "-")}`;
    for (const { id, ...h } of host.dhcpHosts) {
        const net = String(h.network);
        const network = netVar.has(net) ? new Ref(`${netVar.get(net)}.name`) : net;
        // The model's `id` is the resource's `clientId`.
        emit("DhcpHost", entryName(net, h.mac ?? id ?? h.ip), {
            ...h,
            ...(id !== undefined ? { clientId: id } : {}),
            network,
        });
    }
    for (const h of host.dnsHosts) {
        const net = String(h.network);
        const network = netVar.has(net) ? new Ref(`${netVar.get(net)}.name`) : net;
        emit("DnsHost", entryName(net, h.ip), { ...h, network });
    }

    const header = [
        `// Generated by \`pulumi-libvirt export\` from ${source}.`,
        "// Every object is adopted (adopt: true): an up against the same host changes nothing; against",
        "// another host (pulumi config set libvirt:uri ...) it defines the same objects there. Volumes are",
        "// created empty there: their contents do not move. Parts of a definition the model does not",
        "// describe stay as they are on an adopted object, and are not recreated elsewhere.",
        `import { ${[...kinds].sort().join(", ")} } from "pulumi-libvirt";`,
        "",
    ];
    return `${[...header, ...out.map((e) => e.text)].join("\n")}\n`;
}
