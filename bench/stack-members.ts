/**
 * One member of the benchmarks' stacks (bench:stack, bench:empty-up): a qcow2 volume and a defined,
 * never started Domain booting the test host's tiny guest from it. Both benchmarks declare the same
 * members so that their figures describe the same stack.
 */
import type * as pulumi from "@pulumi/pulumi";
import { Domain, type DomainArgs, Volume, type VolumeArgs } from "../sdk";
import type { TestHost } from "../test/helpers/test-host";

/** The classes a member is declared with: the SDK's, or bench/floor.ts's no-op ones. */
export interface MemberClasses {
    Volume: new (name: string, args: VolumeArgs) => { readonly name: pulumi.Output<string> };
    Domain: new (name: string, args: DomainArgs) => unknown;
}

export function declareMember(
    prefix: string,
    i: number,
    pool: pulumi.Input<string>,
    host: TestHost,
    classes: MemberClasses = { Volume, Domain },
): void {
    const vol = new classes.Volume(`v${i}`, {
        pool,
        name: `${prefix}-v${i}.qcow2`,
        capacity: 8,
        target: { format: "qcow2" },
    });
    new classes.Domain(`d${i}`, {
        name: `${prefix}-d${i}`,
        type: "qemu",
        memory: 64,
        vcpu: 1,
        running: false,
        os: { kernel: host.guestKernel, initrd: host.guestInitrd },
        devices: {
            disks: [
                {
                    source: { pool, volume: vol.name },
                    target: { dev: "vda", bus: "virtio" },
                    driver: { type: "qcow2" },
                },
            ],
        },
    });
}
