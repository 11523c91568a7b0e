/**
 * virsh, libvirt's own command-line client: an independent check of what our client did.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** Runs `virsh -c URI ARGS...` and returns its standard output; throws with its stderr on failure. */
export function virsh(args: readonly string[], uri = "qemu:///system"): string {
    try {
        return execFileSync("virsh", ["-q", "-c", uri, ...args], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
        });
    } catch (error) {
        const e = error as { stderr?: string; message: string };
        throw new Error(`virsh ${args.join(" ")} failed: ${e.stderr?.trim() || e.message}`);
    }
}

/** Like `virsh` but returns undefined instead of throwing (for cleanup and existence checks). */
export function virshMaybe(args: readonly string[], uri = "qemu:///system"): string | undefined {
    try {
        return virsh(args, uri);
    } catch {
        return undefined;
    }
}

/** Names of libvirt objects of one kind that start with `prefix`. */
export function listNames(kind: "domain" | "network" | "pool", prefix: string): string[] {
    const command = {
        domain: ["list", "--all", "--name"],
        network: ["net-list", "--all", "--name"],
        pool: ["pool-list", "--all", "--name"],
    }[kind];
    return virsh(command)
        .split("\n")
        .map((s) => s.trim())
        .filter((s) => s.startsWith(prefix));
}

/** The volume names of a pool, per virsh (quiet: no header; 9.0's vol-list has no --name). */
export function volumeNames(pool: string): string[] {
    return virsh(["vol-list", pool])
        .split("\n")
        .map((l) => l.trim().split(/\s+/)[0] ?? "")
        .filter(Boolean);
}

/**
 * Volumes in every running pool of the host: what one scan of backing images reads (the host is
 * shared, so other work's pools count too).
 */
export function hostVolumes(): number {
    let count = 0;
    for (const pool of virsh(["pool-list", "--name"])
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean)) {
        count += volumeNames(pool).length;
    }
    return count;
}

/**
 * Removes every domain, network and pool (with its volumes) whose name starts with `prefix`.
 * Tests call it before and after themselves so a failed run leaves nothing behind; the prefix
 * always starts with "pltest-", so nothing else on the host is touched.
 */
export function removeTestObjects(prefix: string): void {
    if (!prefix.startsWith("pltest-")) throw new Error(`refusing to clean up objects outside pltest-*: ${prefix}`);
    for (const name of listNames("domain", prefix)) {
        virshMaybe(["destroy", name]);
        virshMaybe(["undefine", name, "--nvram", "--managed-save", "--snapshots-metadata"]);
    }
    for (const name of listNames("network", prefix)) {
        virshMaybe(["net-destroy", name]);
        virshMaybe(["net-undefine", name]);
    }
    for (const name of listNames("pool", prefix)) {
        const volumes = (virshMaybe(["vol-list", name]) ?? "")
            .split("\n")
            .map((l) => l.trim().split(/\s+/)[0])
            .filter((v): v is string => Boolean(v));
        for (const vol of volumes) virshMaybe(["vol-delete", vol, "--pool", name]);
        virshMaybe(["pool-destroy", name]);
        virshMaybe(["pool-delete", name]);
        virshMaybe(["pool-undefine", name]);
    }
    for (const uuid of testSecrets(prefix)) virshMaybe(["secret-undefine", uuid]);
}

/**
 * Secrets have no name: a test's secrets are those whose description mentions a `prefix` object
 * (the provider describes a passphrase secret by its volume's name).
 */
export function testSecrets(prefix: string): string[] {
    return (virshMaybe(["secret-list"]) ?? "")
        .split("\n")
        .map((line) => line.trim().match(/^[0-9a-f-]{36}/)?.[0])
        .filter((uuid): uuid is string => uuid !== undefined)
        .filter((uuid) => {
            const description = (virshMaybe(["secret-dumpxml", uuid]) ?? "").match(/<description>(.*)<\/description>/);
            return description?.[1]?.includes(prefix) ?? false;
        });
}

/** A transient network for a test, made with virsh: `<subnet>.1/24` on `bridge`, DHCP when asked. */
export function createTransientNetwork(
    scratchDir: string,
    o: {
        name: string;
        bridge: string;
        /** The first three octets, e.g. "10.253.72". */
        subnet: string;
        /** A DHCP range of .100–.200, with these reservations. */
        dhcp?: { hosts?: { mac: string; ip: string }[] };
    },
): void {
    const dhcp =
        o.dhcp === undefined
            ? ""
            : `<dhcp><range start='${o.subnet}.100' end='${o.subnet}.200'/>` +
              (o.dhcp.hosts ?? []).map((h) => `<host mac='${h.mac}' ip='${h.ip}'/>`).join("") +
              "</dhcp>";
    const file = join(scratchDir, `${o.name}.xml`);
    writeFileSync(
        file,
        `<network><name>${o.name}</name><bridge name='${o.bridge}'/>` +
            `<ip address='${o.subnet}.1' prefix='24'>${dhcp}</ip></network>`,
    );
    virsh(["net-create", file]);
}
