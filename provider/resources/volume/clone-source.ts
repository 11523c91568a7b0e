/**
 * A clone copies its source with qemu-img, which cannot open an image that a running guest has
 * open for writing (QEMU holds its write lock) and would not get a consistent copy of it anyway.
 * libvirt then reports only qemu-img's lock message; this names the guest and the fix instead, in
 * check (so preview shows it) and again in create.
 */
import type { LibvirtClient } from "../../rpc";
import type { VolumeArgs } from "./args";
import { domainsUsingVolume } from "./domain-disks";
import { findVolume, identityOf, openPool, readVolumeState } from "./libvirt";

/**
 * Why `cloneFrom` cannot be copied now, or undefined when it can (or when the source does not
 * exist yet: create names that).
 */
export async function cloneSourceProblem(
    client: LibvirtClient,
    uri: string,
    args: VolumeArgs,
): Promise<string | undefined> {
    const ref = args.cloneFrom;
    if (ref === undefined) return undefined;
    const poolName = ref.pool ?? args.pool;
    const pool = await openPool(client, uri, poolName);
    const vol = await findVolume(pool, ref.name);
    if (vol === undefined) return undefined;
    const state = await readVolumeState(client, vol);
    const writers = (await domainsUsingVolume(client, identityOf(state))).filter((user) => user.live && user.writable);
    if (writers.length === 0) return undefined;
    const guests = writers.map((user) => `'${user.domain}' (${user.target})`).join(", ");
    const first = writers[0]!.domain;
    return (
        `the volume to clone, '${poolName}/${ref.name}' (${state.path}), is a disk the running guest ${guests} writes to: ` +
        "qemu-img cannot read it while QEMU holds its write lock, and a copy of a disk in use would not be consistent. " +
        `Shut the guest down first (its Domain's running: false, or virsh shutdown ${first}), then clone; ` +
        "or clone from a volume no running guest writes to (a base image the guest uses through an overlay)"
    );
}
